"""A message cut to what the store can hold; what is cut stays in the raw mail, and is named.

`fit` keeps a message whole when it fits. Otherwise it cuts, one step at a time until it fits:
the To and Cc lists, the attachment list, the HTML part, the quoted history, then the text.
The counts of the cut lists stay on the message (`meta["counts"]`), each cut is named in
`meta["left_in_raw_mail"]`, and `left_in_raw_mail` turns that into an event for the ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from chalicelib.domain.tickets.model import Event, Message

LISTED_ADDRESSES = 50  # SES sends to at most 50 recipients: more could never be answered
LISTED_ATTACHMENTS = 100
TEXT_KEPT_AT_LEAST = 16 * 1024  # bytes of the new text kept when nothing else was enough
FLAG = "left-in-raw-mail"

type Step = Callable[[Message], tuple[Message, str | None]]


def fit(message: Message, excess: Callable[[Message], int]) -> Message:
    """`excess(m)`: bytes by which m is over what the store holds; 0 or less when it fits."""
    notes: list[str] = []
    for step in _STEPS:
        if excess(message) <= 0:
            break
        message, note = step(message)
        if note:
            notes.append(note)
    if not notes:
        return message
    meta = {**message.meta, "left_in_raw_mail": notes}
    return replace(message, flags=(*message.flags, FLAG), meta=meta)


def left_in_raw_mail(message: Message) -> list[Event]:
    """The ticket's note of what was too big to store with the message (none when it fitted)."""
    notes = message.meta.get("left_in_raw_mail")
    if not notes:
        return []
    data = {"message": message.id, "raw_key": message.raw_key or "", "left": list(notes)}
    return [Event(message.created_at, "left_in_raw_mail", "system", data)]


def _counted(meta: dict[str, Any], name: str, count: int) -> dict[str, Any]:
    return {**meta, "counts": {**meta.get("counts", {}), name: count}}


def _addresses(message: Message) -> tuple[Message, str | None]:
    to, cc, meta, notes = message.to, message.cc, message.meta, []
    if len(to) > LISTED_ADDRESSES:
        meta, to = _counted(meta, "to", len(to)), to[:LISTED_ADDRESSES]
        notes.append(f"to: {len(message.to)} addresses, the first {LISTED_ADDRESSES} listed")
    if len(cc) > LISTED_ADDRESSES:
        meta, cc = _counted(meta, "cc", len(cc)), cc[:LISTED_ADDRESSES]
        notes.append(f"cc: {len(message.cc)} addresses, the first {LISTED_ADDRESSES} listed")
    return replace(message, to=to, cc=cc, meta=meta), "; ".join(notes) or None


def _attachments(message: Message) -> tuple[Message, str | None]:
    count = len(message.attachments)
    if count <= LISTED_ATTACHMENTS:
        return message, None
    # those stored on their own first: their references are the only way to them but the raw mail
    listed = tuple(sorted(message.attachments, key=lambda a: a.key is None)[:LISTED_ATTACHMENTS])
    meta = _counted(message.meta, "attachments", count)
    return (
        replace(message, attachments=listed, meta=meta),
        f"attachments: {count}, the first {LISTED_ATTACHMENTS} listed",
    )


def _html(message: Message) -> tuple[Message, str | None]:
    if not message.html:
        return message, None
    return replace(message, html=None), "the HTML part (its text is kept)"


def _quoted(message: Message) -> tuple[Message, str | None]:
    if not message.quoted:
        return message, None
    return replace(message, quoted=""), "the quoted history"


def _text(message: Message) -> tuple[Message, str | None]:
    data = message.text.encode("utf-8")
    if len(data) <= TEXT_KEPT_AT_LEAST:
        return message, None
    text = data[:TEXT_KEPT_AT_LEAST].decode("utf-8", errors="ignore")
    return replace(message, text=text), f"the text after its first {TEXT_KEPT_AT_LEAST} bytes"


_STEPS: tuple[Step, ...] = (_addresses, _attachments, _html, _quoted, _text)
