"""Telling the same mail delivered again from a different mail that reuses its Message-ID.

A mail is the same when its sender and its content hash match: the normalised text and the
hashes of its attachments, never the headers that relays rewrite. A different mail under a
Message-ID we already hold is stored anyway, flagged: the index keeps pointing at the first
mail (replies quoting that id still join its ticket), and the second carries a note.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.domain.tickets.model import Event, Message

DEDUPE_WINDOW = timedelta(hours=24)  # mail without a Message-ID: same sender and content
REUSED_FLAG = "reused-message-id"


@dataclass(frozen=True)
class Fingerprint:
    """How a stored inbound mail is recognised when it comes again under another SES id."""

    sender: str  # normalised address
    content_hash: str
    reuses_message_id: bool = False  # an earlier, different mail holds its Message-ID


def content_hash(text: str, attachments: Iterable[bytes]) -> str:
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    normalised = "\n".join(line.rstrip() for line in lines.split("\n")).strip("\n")
    digest = hashlib.sha256(b"v1\0" + normalised.encode("utf-8", errors="surrogatepass"))
    for data in attachments:
        digest.update(b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def is_same_mail(fingerprint: Fingerprint, sender: str | None, hashed: str | None) -> bool:
    """Whether the mail already stored (its sender and hash; None when never kept) is this one."""
    return sender == fingerprint.sender and hashed == fingerprint.content_hash


def flag_reused_id(message: Message, earlier_ticket: int, at: datetime) -> tuple[Message, Event]:
    """The message, marked for agents, and the ticket's note of the reuse."""
    note = f"reuses the Message-ID of an earlier, different mail on #{earlier_ticket}"
    meta = {**message.meta, "reused_message_id_of": earlier_ticket}
    flagged = replace(message, flags=(*message.flags, REUSED_FLAG), meta=meta)
    data = {"message_id": message.message_id or "", "earlier_ticket": earlier_ticket, "note": note}
    return flagged, Event(at, "message_id_reused", "system", data)
