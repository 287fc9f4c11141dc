"""Opening a ticket from a mail: who asked, where it lands, in which language, what is logged."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.mail import threads
from chalicelib.domain.mail.addresses import header_safe, is_valid, normalise
from chalicelib.domain.mail.authentication import Authentication
from chalicelib.domain.mail.language import detect_language
from chalicelib.domain.mail.loops import AutoMail
from chalicelib.domain.mail.parsed import Address, ParsedEmail, Receipt
from chalicelib.domain.mail.quotes import split_reply
from chalicelib.domain.reports.facts import with_promise
from chalicelib.domain.tickets.model import Event, Message, Party, Priority, Status, Ticket
from chalicelib.domain.tickets.routing import Route, Routing
from chalicelib.services.inbound.messages import readable_text
from chalicelib.services.ports import LanguageModel, SlaPlanner

MAX_ADDRESSES_LOGGED = 50


@dataclass(frozen=True)
class Admitted:
    """Whom a mail may add to the people our replies go to, and what it offered beyond that."""

    cc: tuple[str, ...] = ()
    reply_to: str | None = None
    events: list[Event] = field(default_factory=list)


def admit(
    mail: ParsedEmail,
    *,
    proof: Authentication,
    known: Collection[str],
    own: Collection[str],
    room: int,
    now: datetime,
) -> Admitted:
    """Only a proven sender widens who our replies go to (Cc, Reply-To), and only so far.

    An unauthenticated mail may carry the requester's address in From and the attacker's in
    Cc or Reply-To: our answers would then travel to the attacker. Its offers are logged.
    """
    offered = tuple(
        dict.fromkeys(
            normalise(a.email)
            for a in (*mail.to, *mail.cc)
            if is_valid(a.email)
            and normalise(a.email) not in own
            and normalise(a.email) not in known
        )
    )
    cc = offered[: max(0, room)] if proof.proven else ()
    reply_to = next((normalise(a.email) for a in mail.reply_to if is_valid(a.email)), None)
    if reply_to in known:
        reply_to = None
    events: list[Event] = []
    if len(cc) < len(offered):
        left = offered[len(cc) :]
        why = "over the cc limit" if proof.proven else "sender not authenticated"
        data = {"addresses": list(left[:MAX_ADDRESSES_LOGGED]), "count": len(left), "reason": why}
        events.append(Event(now, "cc_not_added", "system", data))
    if reply_to and not proof.proven:
        data = {"address": reply_to, "reason": "sender not authenticated: answers go to From"}
        events.append(Event(now, "reply_to_not_used", "system", data))
        reply_to = None
    return Admitted(cc, reply_to, events)


class TicketOpener:
    def __init__(
        self, *, sla: SlaPlanner, routing: Routing, language: LanguageModel | None = None
    ) -> None:
        self._sla = sla
        self._routing = routing
        self._identify = language.identify if language is not None else None

    def open(
        self,
        number: int,
        mail: ParsedEmail,
        message: Message,
        sender: Address,
        route: Route,
        now: datetime,
        admitted: Admitted,
    ) -> Ticket:
        """A new ticket for this mail, its deadlines planned."""
        opened = Ticket(
            number=number,
            subject=header_safe(mail.subject, 500),
            requester=Party(sender.email, sender.name),
            queue=route.queue.name,
            status=Status.NEW,
            priority=Priority.NORMAL,
            language=detect_language(
                split_reply(readable_text(mail))[0] or mail.subject, self._identify
            ),
            created_at=now,
            updated_at=now,
            reply_to=admitted.reply_to,
            cc=admitted.cc,
            customer_waiting_since=now,
            thread_ids=tuple(i for i in [message.message_id] if i),
            version=1,
            extra={"received_at_address": route.address},
        )
        planned, _ = self._sla.plan(None, opened, now)
        return with_promise(planned)

    def admit(
        self, mail: ParsedEmail, sender: Address, proof: Authentication, max_cc: int, now: datetime
    ) -> Admitted:
        """Whom a new ticket's mail adds beside its sender."""
        own = self._routing.own_addresses
        return admit(mail, proof=proof, known={sender.email}, own=own, room=max_cc, now=now)

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
