"""The project's exception hierarchy; callers catch the base, the edge maps to HTTP codes.

HelpdeskError
 ├── NotFound            a ticket, agent or entry does not exist
 ├── Conflict            a stale version or a state that forbids the action
 │    ├── VersionConflict     a ticket changed since it was read (the unit of work retries)
 │    ├── AlreadyProcessed    this SES delivery was handled before (carries its record)
 │    ├── DuplicateMessage    this Message-ID is already on a ticket
 │    ├── AckRefused          no acknowledgement may go to this sender (`reason` says why)
 │    │    ├── RateLimited    the sender had all the acknowledgements the limits allow
 │    │    └── HardBounced    mail to the sender's address bounced for good
 │    ├── OptedOut            the customer asked for no more surveys
 │    └── AlreadyFired        this SLA schedule acted before (carries its mark)
 ├── InvalidInput        a field is missing or malformed (names the field)
 ├── Forbidden           the caller's role may not do this
 ├── Unauthorized        no credentials, or credentials we do not know
 ├── TooLarge            a request body over the limit
 ├── StorageError        an AWS call failed (adapters raise it `from` the ClientError)
 │   └── MailRejected    SES refused a message we tried to send
 └── ReplayFailed        a failed task, invoked again, failed again (it stays in its queue)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.mail.delivery import MailRecord
    from chalicelib.domain.sla.firing import FiringMark


class HelpdeskError(Exception):
    """Base of every error the helpdesk raises on purpose."""


class NotFound(HelpdeskError):
    pass


class Conflict(HelpdeskError):
    def __init__(self, message: str, current: object | None = None) -> None:
        super().__init__(message)
        self.current = current  # the state that won, for the caller to show


class InvalidInput(HelpdeskError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Forbidden(HelpdeskError):
    pass


class StorageError(HelpdeskError):
    pass


class MailRejected(StorageError):
    pass


class TooLarge(HelpdeskError):
    pass


class Unauthorized(HelpdeskError):
    pass


class AlreadyProcessed(Conflict):
    """The SES delivery was handled before; `record` says how far it got."""

    def __init__(self, record: MailRecord) -> None:
        super().__init__(record.mail_id)
        self.record = record


class DuplicateMessage(Conflict):
    """Another delivery already stored this Message-ID (the same mail reached us twice)."""

    def __init__(self, message_id: str, ticket_number: int) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.ticket_number = ticket_number


class AckRefused(Conflict):
    """No acknowledgement may go to this sender; `reason` is what the ticket's log says."""

    reason = "ack_refused"


class RateLimited(AckRefused):
    """The sender had as many acknowledgements as the limits allow."""

    reason = "rate_limited"


class HardBounced(AckRefused):
    """Mail to the sender's address bounced for good (a CUSTOMER#<address> item says so)."""

    reason = "hard_bounced"


class VersionConflict(Conflict):
    """The ticket changed since it was read."""


class OptedOut(Conflict):
    """The customer asked for no more surveys (a CUSTOMER#<address> item says so)."""


class AlreadyFired(Conflict):
    """This schedule acted before; `mark` says what it did (None when unknown)."""

    def __init__(self, mark: FiringMark | None) -> None:
        super().__init__(mark.schedule if mark else "")
        self.mark = mark


class ReplayFailed(HelpdeskError):
    """The function failed again on a replayed event; the event stays in its queue."""
