"""A parsed inbound email, as the domain sees it: no MIME objects, only plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True)
class ParsedAttachment:
    """One attachment or inline part; `data` is dropped once stored."""

    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False, default=b"")
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    """Everything the helpdesk needs from one RFC 5322 message.

    Header values are already decoded (RFC 2047), stripped of CR/LF, and bounded in length.
    `headers` keeps the lower-cased names and first values of every header, for loop detection.
    `defects` names what was wrong with the message (the parser never raises on bad mail).
    """

    sender: Address | None
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    message_id: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    date: datetime | None = None
    text: str = ""
    html: str | None = None
    attachments: tuple[ParsedAttachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"
    defects: tuple[str, ...] = ()
    size: int = 0
    dkim_domains: tuple[str, ...] = ()  # the d= of each DKIM-Signature, lower-case
    x_loops: tuple[str, ...] = ()  # every X-Loop header, decoded: robots stack their own

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def reference_ids(self) -> tuple[str, ...]:
        """In-Reply-To first, then References newest first, without repeats."""
        seen: dict[str, None] = {}
        for ref in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(ref, None)
        return tuple(seen)


@dataclass(frozen=True)
class Receipt:
    """What SES tells the Lambda about one received mail (never the body)."""

    mail_id: str
    received_at: datetime
    source: str  # envelope sender (Return-Path); "" for bounces
    recipients: tuple[str, ...]  # our addresses this receipt rule matched
    spam: str = "PASS"
    virus: str = "PASS"
    spf: str = ""
    dkim: str = ""
    dmarc: str = ""
    dmarc_policy: str = ""  # the From domain's DMARC policy, given by SES when DMARC failed

    @property
    def verdicts(self) -> dict[str, str]:
        return {
            "spam": self.spam,
            "virus": self.virus,
            "spf": self.spf,
            "dkim": self.dkim,
            "dmarc": self.dmarc,
            **({"dmarc_policy": self.dmarc_policy} if self.dmarc_policy else {}),
        }
