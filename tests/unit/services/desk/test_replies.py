"""A reply is sent once: a concurrent change after the send is re-applied, never re-sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import Conflict, InvalidInput, VersionConflict
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import (
    TICKET_CC_LIMIT,
    Event,
    Message,
    Priority,
    Status,
    Ticket,
)
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.desk.replies import ReplyRequest, ReplyService
from chalicelib.services.ports import OutgoingMail, RenderedMail
from tests.helpers import a_ticket

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AGENT = Agent(id="mikko@example.com", name="Mikko", email="mikko@example.com", title="Billing")
ROUTING = Routing(
    queues={
        "Support": Queue("Support", "support@example.com"),
        "Billing": Queue("Billing", "billing@example.com"),
    },
    addresses={"support@example.com": "Support", "billing@example.com": "Billing"},
    default_queue="Support",
)


class Clock:
    def now(self) -> datetime:
        return AT


class Mailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    def send(self, mail: OutgoingMail) -> str:
        self.sent.append(mail)
        return f"0102-ses-{len(self.sent)}"


class Renderer:
    def render_mail(self, template: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        return RenderedMail(text=f"{context['customer_name']}|{context['body']}", html="<p>x</p>")


class Canned:
    def text_for(self, template_id: str, ticket: Ticket, agent: Agent) -> str:
        return f"canned {template_id} for {ticket.requester.name}"


class Sla:
    def __init__(self) -> None:
        self.synced: list[tuple[Ticket | None, Ticket]] = []

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]:
        return after, [Event(at, "sla_planned", "system")]

    def sync_schedules(self, before: Ticket | None, after: Ticket, budget: int = 2) -> None:
        self.synced.append((before, after))


class Store:
    """Tickets in a dict; `interfere` changes the ticket once, as a colleague would."""

    def __init__(self, ticket: Ticket, interfere: bool = False) -> None:
        self.tickets = {ticket.number: ticket}
        self.interfere = interfere
        self.appended: list[tuple[Ticket, Message, list[Event], list[str]]] = []

    def get_ticket(self, number: int) -> Ticket | None:
        return self.tickets.get(number)

    def append_message(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        record: object,
        index_ids: Sequence[str] = (),
        facts: Facts | None = None,
    ) -> None:
        current = self.tickets[ticket.number]
        if self.interfere:
            self.interfere = False
            self.tickets[ticket.number] = replace(
                current, priority=Priority.URGENT, version=current.version + 1
            )
            raise VersionConflict("changed")
        if current.version != expected_version:
            raise VersionConflict("changed")
        self.tickets[ticket.number] = ticket
        self.appended.append((ticket, message, list(events), list(index_ids)))


def ticket(**changes: Any) -> Ticket:
    base = a_ticket(
        AT,
        queue="Billing",
        status=Status.OPEN,
        language="fi",
        cc=("boss@customer.example",),
        customer_waiting_since=AT,
        thread_ids=("q1@customer.example", "q2@customer.example"),
        version=3,
    )
    return replace(base, **changes)


def service(store: Store, mailer: Mailer, sla: Sla | None = None) -> ReplyService:
    return ReplyService(
        store=store,  # type: ignore[arg-type]
        mailer=mailer,
        renderer=Renderer(),
        canned=Canned(),
        sla=sla or Sla(),
        clock=Clock(),
        routing=ROUTING,
        helpdesk_name="Example Support",
        region="eu-west-1",
    )


def test_the_mail_comes_from_the_queue_and_answers_the_thread() -> None:
    mailer, store = Mailer(), Store(ticket())
    service(store, mailer).reply(
        1001, AGENT, ReplyRequest(body="Fixed.", cc=["CFO@customer.example"])
    )
    [mail] = mailer.sent
    assert mail.sender.email == "billing@example.com" and mail.sender.name == "Example Support"
    assert mail.subject == "Re: Invoice [#1001]" and mail.language == "fi"
    assert mail.in_reply_to == "q2@customer.example"
    assert mail.references == ("q1@customer.example", "q2@customer.example")
    assert [a.email for a in mail.cc] == ["boss@customer.example", "cfo@customer.example"]
    assert mail.text == "Anna|Fixed."


def test_both_ids_are_indexed_and_the_ses_id_joins_the_thread() -> None:
    store = Store(ticket())
    reply = service(store, Mailer()).reply(1001, AGENT, ReplyRequest(body="Fixed."))
    [(saved, message, events, index_ids)] = store.appended
    ses_id = "0102-ses-1@eu-west-1.amazonses.com"
    assert (
        index_ids == [ses_id]
        and message.message_id
        and message.message_id.startswith("reply.1001.")
    )
    assert saved.thread_ids[-1] == ses_id and message.provider_id == "0102-ses-1"
    assert saved.status == Status.PENDING and saved.first_responded_at == AT
    assert events[0].kind == "replied" and "sla_planned" in [e.kind for e in events]
    assert reply.ticket == saved


def test_a_change_after_the_send_is_re_read_and_kept_and_nothing_is_sent_twice() -> None:
    mailer, store, sla = Mailer(), Store(ticket(), interfere=True), Sla()
    reply = service(store, mailer, sla).reply(
        1001, AGENT, ReplyRequest(body="Fixed.", status="solved")
    )
    assert len(mailer.sent) == 1 and len(store.appended) == 1
    assert reply.ticket.priority == Priority.URGENT and reply.ticket.status == Status.SOLVED
    assert reply.ticket.version == 5
    assert sla.synced[-1][0] is not None and sla.synced[-1][0].version == 4


def test_an_empty_body_with_a_template_uses_the_template() -> None:
    mailer = Mailer()
    service(Store(ticket()), mailer).reply(1001, AGENT, ReplyRequest(template_id="t1"))
    assert mailer.sent[0].text == "Anna|canned t1 for Anna"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ReplyRequest(body=""), "body"),
        (ReplyRequest(body="x", status="closed"), "status"),
        (ReplyRequest(body="x", cc=["a@b.example\r\nBcc: eve@evil.example"]), "cc"),
        (ReplyRequest(body="x", cc=["not-an-address"]), "cc"),
        (ReplyRequest(body="x", cc=["support@example.com"]), "cc"),
        (ReplyRequest(body="x", cc=[f"p{i}@c.example" for i in range(11)]), "cc"),
    ],
)
def test_bad_replies_send_nothing(request_: ReplyRequest, field: str) -> None:
    mailer = Mailer()
    with pytest.raises(InvalidInput) as bad:
        service(Store(ticket()), mailer).reply(1001, AGENT, request_)
    assert bad.value.field == field and mailer.sent == []


def test_a_reply_that_would_copy_more_than_the_ticket_cc_limit_sends_nothing() -> None:
    mailer = Mailer()
    full = ticket(cc=tuple(f"c{i}@customer.example" for i in range(TICKET_CC_LIMIT - 1)))
    with pytest.raises(InvalidInput, match="at most 40") as bad:
        service(Store(full), mailer).reply(
            1001, AGENT, ReplyRequest(body="x", cc=["one@c.example", "two@c.example"])
        )
    assert bad.value.field == "cc" and mailer.sent == []


def test_a_closed_ticket_is_refused_before_anything_is_sent() -> None:
    mailer = Mailer()
    with pytest.raises(Conflict, match="closed"):
        service(Store(ticket(status=Status.CLOSED)), mailer).reply(
            1001, AGENT, ReplyRequest(body="x")
        )
    assert mailer.sent == []
