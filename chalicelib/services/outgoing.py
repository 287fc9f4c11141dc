"""Shared pieces of every mail we send: subjects with the ticket tag, ids, loop-safe headers."""

from __future__ import annotations

from chalicelib.domain.mail.addresses import header_safe
from chalicelib.domain.mail.threads import strip_tags
from chalicelib.domain.tickets.model import Ticket

AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
_REPLY_PREFIXES = ("re:", "aw:", "sv:", "vs:", "odp:", "vá:", "fw:", "fwd:", "pd:", "vl:")


def tagged_subject(ticket: Ticket, subject: str | None = None) -> str:
    """`Re: <subject> [#1042]`: the tag lets replies find their ticket, the rest stays readable."""
    text = strip_tags(header_safe(subject if subject is not None else ticket.subject, 300))
    while text.lower().startswith(_REPLY_PREFIXES):
        text = text.split(":", 1)[1].strip()
    return f"Re: {text} {ticket.tag}" if text else ticket.tag


def our_message_id(kind: str, ticket: Ticket, unique: str, from_address: str) -> str:
    domain = from_address.rpartition("@")[2] or "helpdesk.invalid"
    return f"{kind}.{ticket.number}.{unique}@{domain}"
