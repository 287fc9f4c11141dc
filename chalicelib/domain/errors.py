"""The project's exception hierarchy; callers catch the base, the edge maps to HTTP codes.

HelpdeskError
 ├── NotFound            a ticket, agent or entry does not exist
 ├── Conflict            a stale version or a state that forbids the action
 │    ├── VersionConflict     a ticket changed since it was read (the unit of work retries)
 │    ├── AlreadyProcessed    this SES delivery was handled before (carries its record)
 │    ├── DuplicateMessage    this Message-ID (or this sender and content) is already stored
 │    ├── AckRefused          no acknowledgement may go to this sender (`reason` says why)
 │    │    ├── RateLimited    the sender had all the acknowledgements the limits allow
 │    │    └── HardBounced    mail to the sender's address bounced for good
 │    ├── OptedOut            the customer asked for no more surveys
 │    ├── AlreadyFired        this SLA schedule acted before (carries its mark)
 │    └── KeyUsed             an agent's Idempotency-Key acted before (carries its claim)
 ├── InvalidInput        a field is missing or malformed (names the field)
 ├── Forbidden           the caller's role may not do this
 ├── Unauthorized        no credentials, or credentials we do not know
 ├── TooLarge            a request body over the limit
 ├── StorageError        an AWS call failed and can be tried again (adapters raise it `from`
 │    │                  the botocore error, ClientError or BotoCoreError alike)
 │    └── MailRejected    SES refused a message we tried to send: trying again will not help
 ├── ReplayFailed        a failed task, invoked again, failed again (it stays in its queue)
 └── DeliveryUnknown     SES may have taken the mail (a timeout after the request left):
                         treated as sent, never sent again, shown to the agent
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.desk.action_keys import ActionClaim
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


class DeliveryUnknown(HelpdeskError):
    """Not a StorageError on purpose: a caller that retries StorageError must not resend."""


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
    """Another delivery already stored this Message-ID, or ("" as the id) a mail of the same
    sender and content within a day. `sender` and `content_hash` are the stored mail's, when
    known: the caller tells the same mail delivered twice from a different one reusing the id.
    """

    def __init__(
        self,
        message_id: str,
        ticket_number: int,
        *,
        sender: str | None = None,
        content_hash: str | None = None,
    ) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.ticket_number = ticket_number
        self.sender = sender
        self.content_hash = content_hash


class AckRefused(Conflict):
    """No acknowledgement may go to this sender; `reason` is what the ticket's log says."""

    reason = "ack_refused"


class RateLimited(AckRefused):
    """The sender had as many acknowledgements as the limits allow."""

    reason = "rate_limited"

    def __init__(self, counted: str) -> None:
        super().__init__(f"no acknowledgement left for {counted}")
        self.counted = counted  # the quota that is full: an address or "@<domain>"


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


class KeyUsed(Conflict):
    """A note, take or transfer under this key was written before; `claim` says what it did."""

    def __init__(self, claim: ActionClaim) -> None:
        super().__init__(claim.action)
        self.claim = claim
