"""One ticket for an agent: its thread with safe HTML and short-lived links, and its event log."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import NotFound
from chalicelib.domain.tickets.model import AttachmentRef, Event, Message, MessageKind, Ticket
from chalicelib.services.ports import HtmlSanitizer, Presigner, ViewStore

LINK_SECONDS = 300
# At the same instant (a mail and its acknowledgement share one), the mail comes first.
_KIND_ORDER = {MessageKind.INBOUND: 0, MessageKind.AUTO: 1, MessageKind.OUTBOUND: 2}


@dataclass(frozen=True)
class AttachmentView:
    ref: AttachmentRef
    url: str | None  # None when it was not stored on its own (it stays in the raw mail)


@dataclass(frozen=True)
class MessageView:
    message: Message
    html: str | None  # sanitised
    attachments: tuple[AttachmentView, ...]
    raw_url: str | None  # the original .eml, for mail that came in


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    thread: list[MessageView]
    events: list[Event]


class TicketDetails:
    def __init__(self, store: ViewStore, links: Presigner, sanitize: HtmlSanitizer) -> None:
        self._store = store
        self._links = links
        self._sanitize = sanitize

    def get(self, number: int) -> TicketDetail:
        record = self._store.ticket_record(number)
        if record is None:
            raise NotFound(f"no ticket {number}")
        ordered = sorted(
            record.messages, key=lambda m: (m.created_at, _KIND_ORDER.get(m.kind, 3), m.id)
        )
        return TicketDetail(record.ticket, [self._view(m) for m in ordered], record.events)

    def _view(self, message: Message) -> MessageView:
        attachments = tuple(AttachmentView(a, self._link(a)) for a in message.attachments)
        inline = {a.ref.content_id: a.url for a in attachments if a.ref.content_id and a.url}
        raw_url = None
        if message.kind == MessageKind.INBOUND and message.raw_key:
            name = f"{message.provider_id or 'message'}.eml"
            raw_url = self._links.presign(message.raw_key, filename=name, expires=LINK_SECONDS)
        html = self._sanitize(message.html, inline) if message.html else None
        return MessageView(message, html, attachments, raw_url)

    def _link(self, ref: AttachmentRef) -> str | None:
        if ref.key is None:
            return None
        return self._links.presign(ref.key, filename=ref.filename, expires=LINK_SECONDS)
