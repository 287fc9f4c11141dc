"""The instant acknowledgement: a promise, in the customer's language, of when a person answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.mail.dates import format_due, format_zone
from chalicelib.domain.mail.language import text_direction
from chalicelib.domain.mail.parsed import Address
from chalicelib.domain.tickets.model import Message, MessageKind, Party, Ticket
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.outgoing import AUTOMATIC_HEADERS, our_message_id, tagged_subject
from chalicelib.services.ports import OutgoingMail, Renderer

EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Acknowledgement:
    mail: OutgoingMail
    message: Message


class Acknowledger:
    def __init__(self, renderer: Renderer, helpdesk_name: str, timezone: str) -> None:
        self._renderer = renderer
        self._name = helpdesk_name
        self._zone = ZoneInfo(timezone)

    def compose(
        self, *, ticket: Ticket, inbound: Message, from_address: str, now: datetime
    ) -> Acknowledgement:
        due = (ticket.first_response_due or now).astimezone(self._zone)
        context = {
            "customer_name": ticket.requester.name,
            "ticket_number": ticket.number,
            "ticket_tag": ticket.tag,
            "subject": ticket.subject,
            "excerpt": _excerpt(inbound.text),
            "due": format_due(due, ticket.language, now.astimezone(self._zone)),
            "zone": format_zone(due),
            "queue": ticket.queue,
            "helpdesk_name": self._name,
            "direction": text_direction(ticket.language),
            "language": ticket.language,
        }
        rendered = self._renderer.render_mail("acknowledgement", ticket.language, context)
        unique = inbound.provider_id or inbound.id
        message_id = our_message_id("ack", ticket, unique, from_address)
        references = tuple(i for i in (*ticket.thread_ids, inbound.message_id) if i)
        mail = OutgoingMail(
            sender=Address(from_address, self._name),
            to=(Address(ticket.customer_address, ticket.requester.name),),
            subject=tagged_subject(ticket),
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            in_reply_to=inbound.message_id,
            references=tuple(dict.fromkeys(references)),
            headers=AUTOMATIC_HEADERS,
            language=ticket.language,
        )
        message = Message(
            id=new_message_id(inbound.created_at, "ack"),
            ticket_number=ticket.number,
            kind=MessageKind.AUTO,
            created_at=now,
            author=Party(from_address, self._name),
            subject=mail.subject,
            text=rendered.text,
            to=(ticket.customer_address,),
            html=rendered.html,
            message_id=message_id,
            flags=("acknowledgement",),
        )
        return Acknowledgement(mail, message)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"
