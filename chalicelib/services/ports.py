"""Ports: what the use cases need from the outside world, as Protocols adapters implement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from chalicelib.domain.mail.parsed import Address, ParsedAttachment
from chalicelib.domain.tickets.model import Event, Message, Ticket


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class RawMailStore(Protocol):
    def get_raw(self, mail_id: str) -> bytes: ...

    def put_attachment(self, mail_id: str, index: int, attachment: ParsedAttachment) -> str:
        """Store one attachment beside the raw mail; returns its key. Same input, same key."""
        ...


@dataclass(frozen=True)
class OutgoingMail:
    sender: Address
    to: tuple[Address, ...]
    subject: str
    text: str
    html: str | None = None
    cc: tuple[Address, ...] = ()
    message_id: str | None = None  # ours, without brackets; SES replaces it but keeps References
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    language: str = "en"


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> str:
        """Send through SES; returns the SES MessageId. Raises MailRejected or StorageError."""
        ...


@dataclass(frozen=True)
class RenderedMail:
    text: str
    html: str


class Renderer(Protocol):
    def render_mail(
        self, template: str, language: str, context: Mapping[str, Any]
    ) -> RenderedMail: ...


class Scheduler(Protocol):
    def create(self, name: str, at: datetime, payload: Mapping[str, Any]) -> bool:
        """Create a one-time schedule; False when one of that name exists already."""
        ...

    def delete(self, name: str) -> bool:
        """Delete a schedule; False when it was not there (already fired or deleted)."""
        ...


class SlaPlanner(Protocol):
    """The SLA clock, in two steps around every ticket write.

    `plan` is pure: it returns `after` with its deadlines (first response, next response,
    resolution, sla_state) set for what changed since `before` (None for a new ticket), and
    the events to log with it (a deadline met or missed); the caller writes both in its own
    transaction. `sync_schedules` runs after the write: it creates the schedules `after` needs
    and deletes those only `before` had. Both are idempotent.
    """

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]: ...

    def sync_schedules(self, before: Ticket | None, after: Ticket, budget: int = 2) -> None:
        """`budget`: scheduler calls the caller can spend on deletes that are only tidying."""
        ...


class Metrics(Protocol):
    def count(self, name: str, reason: str | None = None) -> None: ...


class AckState(StrEnum):
    NOT_WANTED = "not_wanted"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


class Outcome(StrEnum):
    TICKET = "ticket"
    REPLY = "reply"
    QUARANTINE = "quarantine"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class MailRecord:
    """What became of one SES delivery: the idempotency record of the inbound pipeline."""

    mail_id: str
    outcome: Outcome
    received_at: datetime
    ticket_number: int | None = None
    ack: AckState = AckState.NOT_WANTED
    ack_reason: str = ""
    ack_claimed_at: datetime | None = None
    ack_provider_id: str | None = None
    quarantine_reason: str = ""


@dataclass(frozen=True)
class QuarantineEntry:
    mail_id: str
    received_at: datetime
    reason: str
    sender: str
    subject: str
    recipients: tuple[str, ...]
    raw_key: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    status: str = "held"


@dataclass(frozen=True)
class RateLimit:
    sender: str
    per_hour: int
    per_day: int


@dataclass(frozen=True)
class ThreadLookup:
    by_message_id: Mapping[str, int]
    tickets: Mapping[int, Ticket]


class AlreadyProcessed(Exception):
    """The SES delivery was handled before; `record` says how far it got."""

    def __init__(self, record: MailRecord) -> None:
        super().__init__(record.mail_id)
        self.record = record


class DuplicateMessage(Exception):
    """Another delivery already stored this Message-ID (the same mail reached us twice)."""

    def __init__(self, message_id: str, ticket_number: int) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.ticket_number = ticket_number


class RateLimited(Exception):
    """The sender had as many acknowledgements as the limits allow."""


class VersionConflict(Exception):
    """The ticket changed since it was read."""


class TicketStore(Protocol):
    def allocate_number(self) -> int: ...

    def get_ticket(self, number: int) -> Ticket | None: ...

    def get_mail_record(self, mail_id: str) -> MailRecord | None: ...

    def get_message(self, number: int, message_id: str) -> Message | None:
        """One message of a ticket's thread, by its id there (not its Message-ID header)."""
        ...

    def find_threads(self, message_ids: Sequence[str], numbers: Iterable[int]) -> ThreadLookup:
        """Tickets of these Message-IDs and these ticket numbers, in as few reads as possible."""
        ...

    def create_ticket(
        self,
        *,
        ticket: Ticket,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        rate_limit: RateLimit | None,
    ) -> None:
        """One transaction. Raises AlreadyProcessed, DuplicateMessage or RateLimited."""
        ...

    def append_message(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        record: MailRecord | None,
        index_ids: Sequence[str] = (),
    ) -> None:
        """One transaction. Raises AlreadyProcessed, DuplicateMessage or VersionConflict.

        `index_ids` are more Message-IDs that should thread to this ticket (an outbound
        message's SES id); `record` is None for messages that did not come by mail.
        """
        ...

    def record_sent(self, *, record: MailRecord, message: Message, ids: Sequence[str]) -> None:
        """After a send: store the sent message, index its ids, update the delivery record."""
        ...

    def save_record(self, record: MailRecord) -> None: ...

    def quarantine(self, *, entry: QuarantineEntry, record: MailRecord) -> None:
        """One transaction. Raises AlreadyProcessed."""
        ...

    def list_quarantine(self, limit: int = 50) -> list[QuarantineEntry]: ...
