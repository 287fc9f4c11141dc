"""The instant acknowledgement: a promise, in the customer's language, of when a person answers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.mail.dates import format_due, format_zone
from chalicelib.domain.mail.links import without_links
from chalicelib.domain.tickets.model import Message, MessageKind, Party, Ticket
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.outgoing import (
    AUTOMATIC_HEADERS,
    MailComposer,
    Recorded,
    Thread,
    our_message_id,
)
from chalicelib.services.ports import OutgoingMail, Renderer

EXCERPT_CHARS = 300
UNAUTHENTICATED = "unauthenticated"  # flag of an inbound message whose sender is not proven


@dataclass(frozen=True)
class Acknowledgement:
    mail: OutgoingMail
    message: Message


class Acknowledger:
    def __init__(self, renderer: Renderer, helpdesk_name: str, timezone: str) -> None:
        self._mail = MailComposer(renderer, helpdesk_name)
        self._zone = ZoneInfo(timezone)

    def compose(
        self, *, ticket: Ticket, inbound: Message, from_address: str, now: datetime
    ) -> Acknowledgement:
        trusted = UNAUTHENTICATED not in inbound.flags
        ticket = ticket if trusted else _defanged(ticket)
        due = (ticket.first_response_due or now).astimezone(self._zone)
        context = {
            "customer_name": ticket.requester.name,
            "ticket_number": ticket.number,
            "ticket_tag": ticket.tag,
            "subject": ticket.subject,
            "excerpt": _excerpt(inbound.text) if trusted else "",
            "due": format_due(due, ticket.language, now.astimezone(self._zone)),
            "zone": format_zone(due),
            "queue": ticket.queue,
        }
        rendered = self._mail.render("acknowledgement", ticket.language, context)
        unique = inbound.provider_id or inbound.id
        references = tuple(i for i in (*ticket.thread_ids, inbound.message_id) if i)
        mail = self._mail.to_customer(
            ticket,
            rendered,
            sender=from_address,
            message_id=our_message_id("ack", ticket, unique, from_address),
            thread=Thread(inbound.message_id, tuple(dict.fromkeys(references))),
            headers=AUTOMATIC_HEADERS,
        )
        recorded = Recorded(
            id=new_message_id(inbound.created_at, "ack"),
            kind=MessageKind.AUTO,
            author=Party(from_address, self._mail.name),
            at=now,
            flags=("acknowledgement",),
        )
        return Acknowledgement(mail, self._mail.record(ticket, mail, recorded))


def _defanged(ticket: Ticket) -> Ticket:
    """What we restate of a mail nobody vouches for: no links, no addresses, no Reply-To.

    Its From may be a victim's address and its text an attacker's phishing: our trusted address
    must not carry that text to the victim, nor the answer to an address the mail chose.
    """
    name = without_links(ticket.requester.name)
    requester = Party(ticket.requester.email, name)
    return replace(
        ticket, subject=without_links(ticket.subject), requester=requester, reply_to=None
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"
