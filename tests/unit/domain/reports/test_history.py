"""A ticket's life replayed from its log gives the facts its writes gave when they happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.reports.facts import Cell, Facts, facts, merged
from chalicelib.domain.reports.history import board_of, first_state, life_facts, writes
from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours
from chalicelib.domain.tickets.changes import (
    after_agent_reply,
    bumped,
    take,
    transfer,
    with_status,
)
from chalicelib.domain.tickets.model import (
    Event,
    Message,
    MessageKind,
    Party,
    Priority,
    Status,
    Ticket,
    on_customer_reply,
)
from tests.helpers import a_ticket

ZONE = ZoneInfo("Europe/Helsinki")
CALENDAR = BusinessCalendar("Europe/Helsinki", parse_weekly_hours("mon-fri 09:00-17:00"))
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Helsinki


def facts_of(
    before: Ticket | None,
    after: Ticket,
    events: Sequence[Event],
    message: Message | None,
    at: datetime,
) -> Facts:
    return facts(before, after, events, message, zone=ZONE, calendar_of=lambda _: CALENDAR, at=at)


@dataclass
class Life:
    """A ticket's writes as the services make them: the store's log, and the live facts."""

    ticket: Ticket
    messages: list[Message] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    live: list[Facts] = field(default_factory=list)

    @classmethod
    def opened(cls, at: datetime, **changes: object) -> Life:
        ticket = a_ticket(at, customer_waiting_since=at, version=1, **changes)
        mail = message(ticket, "m1", MessageKind.INBOUND, at)
        created = [Event(at, "created", "customer", {"queue": ticket.queue, "via": "email"})]
        life = cls(ticket)
        life.record(None, ticket, created, mail, at)
        return life

    def record(
        self,
        before: Ticket | None,
        after: Ticket,
        events: list[Event],
        mail: Message | None,
        at: datetime,
    ) -> None:
        self.live.append(facts_of(before, after, events, mail, at))
        self.events += events
        if mail is not None:
            self.messages.append(mail)
        self.ticket = after

    def change(self, at: datetime, changed: tuple[Ticket, list[Event]]) -> None:
        after, events = changed
        self.record(self.ticket, bumped(self.ticket, after, at), events, None, at)

    def agent_replies(self, at: datetime, agent: str, status: Status, sid: str) -> None:
        after, events = after_agent_reply(
            self.ticket, at=at, actor=agent, status=status, cc=(), thread_id=None
        )
        reply = message(self.ticket, sid, MessageKind.OUTBOUND, at, agent)
        events = [*events, Event(at, "replied", agent, {"message": reply.id})]
        self.record(self.ticket, after, events, reply, at)

    def customer_writes(self, at: datetime, sid: str) -> None:
        after, events = on_customer_reply(self.ticket, at=at, message_id=None, cc=())
        after = replace(after, version=after.version)
        events = [*events, Event(at, "customer_replied", "customer", {})]
        mail = message(self.ticket, sid, MessageKind.INBOUND, at)
        self.record(self.ticket, after, events, mail, at)

    def note(self, at: datetime, agent: str) -> None:
        note = message(self.ticket, f"n{len(self.messages)}", MessageKind.NOTE, at, agent)
        after = bumped(self.ticket, self.ticket, at)
        events = [Event(at, "note_added", agent, {"message": note.id})]
        self.record(self.ticket, after, events, note, at)

    def acknowledged(self, at: datetime) -> None:
        """The acknowledgement's copy is stored outside the ticket's transaction: no facts."""
        self.messages.append(message(self.ticket, "ack", MessageKind.AUTO, at, "support@x"))

    def replayed(self) -> Facts:
        return life_facts(self.ticket, self.messages, self.events, facts_of)

    def lived(self) -> Facts:
        found = merged(self.live)
        found.board = {}
        return found


def message(
    ticket: Ticket, sid: str, kind: MessageKind, at: datetime, author: str = "anna@customer.example"
) -> Message:
    return Message(sid, ticket.number, kind, at, Party(author), ticket.subject, "text")


def hours(n: float) -> datetime:
    return START + timedelta(hours=n)


def same(replayed: Facts, lived: Facts) -> None:
    assert replayed.counts == lived.counts
    key = lambda d: (d.day, d.cell, d.metric, d.calendar_s)  # noqa: E731
    assert sorted(replayed.durations, key=key) == sorted(lived.durations, key=key)


def test_a_whole_life_replays_to_the_facts_its_writes_gave() -> None:
    life = Life.opened(START, priority=Priority.HIGH)
    life.acknowledged(START + timedelta(seconds=1))
    life.change(hours(1), take(life.ticket, "lena@example.com", at=hours(1)))
    life.note(hours(1.5), "lena@example.com")
    life.agent_replies(hours(2), "lena@example.com", Status.PENDING, "r1")
    life.customer_writes(hours(26), "m2")
    life.change(
        hours(27),
        transfer(life.ticket, "Billing", at=hours(27), actor="lena@example.com", note_id="n"),
    )
    life.change(hours(28), take(life.ticket, "mikko@example.com", at=hours(28)))
    life.agent_replies(hours(29), "mikko@example.com", Status.SOLVED, "r2")
    life.customer_writes(hours(50), "m3")  # reopens the solved ticket
    life.agent_replies(hours(51), "mikko@example.com", Status.SOLVED, "r3")
    life.change(hours(200), with_status(life.ticket, Status.CLOSED, hours(200), "system"))

    replayed = life.replayed()

    same(replayed, life.lived())
    billing = Cell("Billing", "high", "mikko@example.com")
    assert sum(n.get("solved", 0) for (_, c), n in replayed.counts.items() if c == billing) == 2
    assert sum(n.get("reopened", 0) for n in replayed.counts.values()) == 1
    assert sum(n.get("backlog", 0) for n in replayed.counts.values()) == 0
    assert {d.metric for d in replayed.durations} == {"frt", "wait", "nrt", "res"}


def test_each_write_is_replayed_from_the_state_before_it() -> None:
    life = Life.opened(START)
    life.change(hours(1), take(life.ticket, "lena@example.com", at=hours(1)))
    life.agent_replies(hours(2), "lena@example.com", Status.PENDING, "r1")

    found = writes(life.ticket, life.messages, life.events)

    assert [w.before.status if w.before else None for w in found] == [
        None,
        Status.NEW,
        Status.OPEN,
    ]
    assert [w.after.assignee for w in found] == [None, "lena@example.com", "lena@example.com"]
    assert [w.message.id if w.message else None for w in found] == ["m1", None, "r1"]
    assert found[-1].after.first_responded_at == hours(2)
    assert found[-1].after.customer_waiting_since is None


def test_the_first_state_undoes_every_change_the_log_records() -> None:
    now = a_ticket(
        START,
        queue="Billing",
        priority=Priority.URGENT,
        status=Status.CLOSED,
        assignee="mikko@example.com",
        first_responded_at=hours(2),
        extra={"received_at_address": "support@example.com", "survey": {"id": "s"}},
    )
    log = [
        Event(START, "created", "customer", {"queue": "Support"}),
        Event(hours(1), "priority_changed", "lena", {"from": "normal", "to": "urgent"}),
        Event(hours(1), "assigned", "lena", {"from": None, "to": "lena"}),
        Event(hours(1), "status_changed", "lena", {"from": "new", "to": "open"}),
        Event(hours(2), "transferred", "lena", {"from": "Support", "to": "Billing"}),
    ]

    first = first_state(now, log)

    assert (first.queue, first.priority, first.status, first.assignee) == (
        "Support",
        Priority.NORMAL,
        Status.NEW,
        None,
    )
    assert first.first_responded_at is None and first.customer_waiting_since == START
    assert first.extra == {"received_at_address": "support@example.com"}


def test_a_survey_comment_counts_as_an_answer_not_as_mail() -> None:
    life = Life.opened(START)
    life.agent_replies(hours(1), "lena@example.com", Status.SOLVED, "r1")
    at = hours(80)
    answered = Event(at, "survey_answered", "customer", {"answer": "yes", "comment": "Great"})
    after = bumped(life.ticket, life.ticket, at)
    life.record(life.ticket, after, [answered], None, at)  # the write path hands no message
    comment = replace(message(after, "c1", MessageKind.INBOUND, at), flags=("survey",))
    life.messages.append(comment)

    replayed = life.replayed()

    same(replayed, life.lived())
    names = {n for counts in replayed.counts.values() for n in counts}
    assert {"csat_yes", "csat_comments"} <= names
    assert sum(c.get("in", 0) for c in replayed.counts.values()) == 1


def test_the_board_counts_the_tickets_as_they_are_now() -> None:
    waiting = a_ticket(START, number=1, assignee="lena@example.com", status=Status.OPEN)
    pending = a_ticket(START, number=2, status=Status.PENDING, sla_state="ok")
    breached = a_ticket(START, number=3, sla_state="breached")
    closed = a_ticket(START, number=4, status=Status.CLOSED)

    board = board_of([waiting, pending, breached, closed])

    assert board["Q#Support"] == {
        "unsolved": 3,
        "waiting": 2,
        "unassigned": 1,
        "at_risk": 0,
        "breached": 1,
        "pending": 1,
    }
    assert board["A#lena@example.com"] == {"open": 1, "waiting": 1}
