"""Opening a ticket from a mail: who asked, where it lands, in which language, what is logged."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.mail import threads
from chalicelib.domain.mail.addresses import header_safe, is_valid, normalise
from chalicelib.domain.mail.language import detect_language
from chalicelib.domain.mail.loops import AutoMail
from chalicelib.domain.mail.parsed import Address, ParsedEmail, Receipt
from chalicelib.domain.mail.quotes import split_reply
from chalicelib.domain.tickets.model import Event, Message, Party, Priority, Status, Ticket
from chalicelib.domain.tickets.routing import Route, Routing
from chalicelib.services.inbound.messages import readable_text
from chalicelib.services.ports import SlaPlanner


class TicketOpener:
    def __init__(self, *, sla: SlaPlanner, routing: Routing, max_cc: int = 20) -> None:
        self._sla = sla
        self._routing = routing
        self._max_cc = max_cc  # [limits] max_cc_from_mail, as for a reply: the ticket stays small

    def open(
        self,
        number: int,
        mail: ParsedEmail,
        message: Message,
        sender: Address,
        route: Route,
        now: datetime,
    ) -> Ticket:
        """A new ticket for this mail, its deadlines planned."""
        reply_to = next((normalise(a.email) for a in mail.reply_to if is_valid(a.email)), None)
        opened = Ticket(
            number=number,
            subject=header_safe(mail.subject, 500),
            requester=Party(sender.email, sender.name),
            queue=route.queue.name,
            status=Status.NEW,
            priority=Priority.NORMAL,
            language=detect_language(split_reply(readable_text(mail))[0] or mail.subject),
            created_at=now,
            updated_at=now,
            reply_to=reply_to if reply_to != sender.email else None,
            cc=self._offered_cc(mail, sender.email)[: self._max_cc],
            customer_waiting_since=now,
            thread_ids=tuple(i for i in [message.message_id] if i),
            version=1,
            extra={"received_at_address": route.address},
        )
        planned, _ = self._sla.plan(None, opened, now)
        return planned

    def cc_not_added(self, mail: ParsedEmail, ticket: Ticket, now: datetime) -> list[Event]:
        """The copied addresses over the limit: logged on the ticket, never mailed."""
        left = self._offered_cc(mail, ticket.requester.email)[len(ticket.cc) :]
        if not left:
            return []
        data = {"addresses": list(left[:50]), "count": len(left), "reason": "over the cc limit"}
        return [Event(now, "cc_not_added", "system", data)]

    def _offered_cc(self, mail: ParsedEmail, sender: str) -> tuple[str, ...]:
        own = self._routing.own_addresses
        found = (normalise(a.email) for a in (*mail.to, *mail.cc))
        return tuple(dict.fromkeys(a for a in found if a not in own and a != sender))

    def route(self, receipt: Receipt, mail: ParsedEmail) -> Route:
        return self._routing.route(receipt.recipients, [a.email for a in (*mail.to, *mail.cc)])


def sender_of(mail: ParsedEmail, receipt: Receipt) -> Address | None:
    """Who to answer: the From address, else the envelope sender (SES's mail.source)."""
    if mail.sender and is_valid(mail.sender.email):
        return Address(normalise(mail.sender.email), header_safe(mail.sender.name, 200))
    envelope = receipt.source.strip().strip("<>")
    if envelope and is_valid(envelope):
        return Address(normalise(envelope))
    return None


def creation_events(
    ticket: Ticket,
    route: Route,
    receipt: Receipt,
    decision: threads.ThreadDecision,
    auto: AutoMail | None,
    now: datetime,
) -> list[Event]:
    data: dict[str, object] = {
        "via": "email",
        "address": route.address,
        "queue": ticket.queue,
        "verdicts": receipt.verdicts,
    }
    if route.also_to:
        data["also_addressed_to"] = list(route.also_to)
    if decision.notes:
        data["notes"] = list(decision.notes)
    if decision.follow_up_of:
        data["follow_up_of"] = decision.follow_up_of
    events = [Event(now, "created", "customer", data)]
    if auto is not None:
        detail = {"reason": auto.kind, "detail": auto.reason}
        events.append(Event(now, "acknowledgement_suppressed", "system", detail))
    return events
