"""What became of each inbound mail: its delivery record, quarantine entries and held mail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.mail.duplicates import Fingerprint


class AckState(StrEnum):
    NOT_WANTED = "not_wanted"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"  # SES answered with an error: the retry sends it
    REFUSED = "refused"  # SES refused it for good (suppressed address, rejected content)
    UNKNOWN = "unknown"  # SES may have taken it: never sent again


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
    # How the mail is claimed once: by its Message-ID, or its sender and content (not stored).
    fingerprint: Fingerprint | None = None


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
class Quota:
    """At most so many acknowledgements an hour and a day to what `key` counts."""

    key: str  # an address without its +tag, or "@<domain>" for everyone at that domain
    per_hour: int
    per_day: int


@dataclass(frozen=True)
class RateLimit:
    """The quotas one acknowledgement counts against; it goes out only if all have room."""

    sender: str
    quotas: tuple[Quota, ...]


class HeldStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    SPAM = "spam"


@dataclass(frozen=True)
class HeldMail:
    """A quarantine entry and what agents decided about it."""

    entry: QuarantineEntry
    ticket_number: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @property
    def status(self) -> HeldStatus:
        return HeldStatus(self.entry.status)
