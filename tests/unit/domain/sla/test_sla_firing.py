"""A schedule fires: warn or escalate once, and only if the deadline is really due and unmet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import (
    AlreadyFired,
    DeliveryUnknown,
    InvalidInput,
    MailRejected,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours
from chalicelib.domain.sla.firing import CLAIM_STALE_SECONDS, FiringMark, MarkState
from chalicelib.domain.sla.plan import opened
from chalicelib.domain.sla.policy import SlaPolicy, current_points
from chalicelib.domain.sla.schedules import payload
from chalicelib.domain.tickets.changes import after_agent_reply
from chalicelib.domain.tickets.model import Event, Priority, Status, Ticket
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.ports import OutgoingMail, RenderedMail
from chalicelib.services.scheduled import ScheduledTasks
from chalicelib.services.sla.firing import SlaFiring
from chalicelib.services.sla.notices import SlaNotices
from tests.helpers import a_ticket

CREATED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Helsinki
WARNING_AT = datetime(2026, 11, 23, 11, 12, tzinfo=UTC)
DUE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = SlaPolicy(
    calendar=BusinessCalendar("Europe/Helsinki", parse_weekly_hours("mon-fri 09:00-17:00"))
)
ROUTING = Routing(
    queues={
        "Support": Queue("Support", "support@example.com", "leads@example.com"),
        "Second line": Queue("Second line", "support@example.com"),
    },
    addresses={"support@example.com": "Support"},
    default_queue="Support",
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


class Store:
    def __init__(self, ticket: Ticket) -> None:
        self.tickets = {ticket.number: ticket}
        self.marks: dict[str, FiringMark] = {}
        self.events: list[Event] = []
        self.stale: Ticket | None = None  # what an eventually consistent read still returns

    def read_firing(self, number: int, schedule: str) -> tuple[Ticket | None, FiringMark | None]:
        if self.stale is not None:
            return self.stale, None
        return self.tickets.get(number), self.marks.get(schedule)

    def record_firing(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        mark: FiringMark,
        facts: Facts | None = None,
    ) -> None:
        if mark.schedule in self.marks:
            raise AlreadyFired(self.marks[mark.schedule])
        if self.tickets[ticket.number].version != expected_version:
            raise VersionConflict(str(ticket.number))
        self.tickets[ticket.number] = ticket
        self.events += events
        self.marks[mark.schedule] = mark

    def save_mark(self, mark: FiringMark) -> None:
        self.marks[mark.schedule] = mark


class Mailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.failing = False
        self.fault: Exception | None = None  # raised once, after SES took the mail if unknown

    def send(self, mail: OutgoingMail) -> str:
        if self.failing:
            raise StorageError("SES throttled")
        if self.fault is not None:
            fault, self.fault = self.fault, None
            if isinstance(fault, DeliveryUnknown):
                self.sent.append(mail)
            raise fault
        self.sent.append(mail)
        return f"ses-{len(self.sent)}"


class Renderer:
    def render_mail(self, template: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        return RenderedMail(text=f"{template}: {dict(context)}", html="<p>html</p>")


class Metrics:
    def __init__(self) -> None:
        self.counts: list[tuple[str, str | None]] = []

    def count(self, name: str, reason: str | None = None) -> None:
        self.counts.append((name, reason))


def new_ticket(**fields: Any) -> Ticket:
    ticket = a_ticket(CREATED, customer_waiting_since=CREATED, version=1)
    return opened(replace(ticket, **fields), POLICY)


class Desk:
    def __init__(self, ticket: Ticket, now: datetime) -> None:
        self.store = Store(ticket)
        self.mailer = Mailer()
        self.clock = Clock(now)
        self.metrics = Metrics()
        self.firing = SlaFiring(
            store=self.store,
            mailer=self.mailer,
            notices=SlaNotices(Renderer(), ROUTING, "Example Support", POLICY),
            policy=POLICY,
            clock=self.clock,
            metrics=self.metrics,
        )

    @property
    def ticket(self) -> Ticket:
        return self.store.tickets[1001]

    def event(self, kind: str) -> dict[str, Any]:
        [point] = [p for p in current_points(self.ticket, POLICY) if p.kind.value == kind]
        return dict(payload(self.ticket, point))

    def fire(self, event: Mapping[str, Any]) -> dict[str, Any]:
        return self.firing(event)


def test_at_the_warning_point_the_queue_hears_and_the_ticket_is_at_risk() -> None:
    desk = Desk(new_ticket(), WARNING_AT)
    result = desk.fire(desk.event("warning"))
    assert result["outcome"] == "warning"
    assert desk.ticket.sla_state == "at_risk" and desk.ticket.version == 2
    [mail] = desk.mailer.sent
    assert [a.email for a in mail.to] == ["support@example.com"]
    assert mail.subject.startswith("[SLA warning] [#1001] first response due today at 14:00")
    assert mail.headers["Auto-Submitted"] == "auto-generated"
    assert [e.kind for e in desk.store.events] == ["sla_warning"]


def test_the_warning_goes_to_the_assignee_when_there_is_one() -> None:
    desk = Desk(new_ticket(assignee="ville@example.com"), WARNING_AT)
    desk.fire(desk.event("warning"))
    assert [a.email for a in desk.mailer.sent[0].to] == ["ville@example.com"]


def test_at_the_breach_the_ticket_is_breached_raised_recorded_and_escalated() -> None:
    desk = Desk(new_ticket(), DUE)
    result = desk.fire(desk.event("breach"))
    assert result["outcome"] == "breach"
    ticket = desk.ticket
    assert ticket.sla_state == "breached" and ticket.priority == Priority.HIGH
    missed, raised = desk.store.events
    assert missed.kind == "sla_breached" and missed.data["outcome"] == "missed"
    assert missed.data["due"] == "2026-11-23T12:00:00.000000+00:00"
    assert missed.data["priority"] == "normal", "recorded with the priority it was missed at"
    assert raised.data == {"from": "normal", "to": "high", "reason": "sla_breach"}
    [mail] = desk.mailer.sent
    assert [a.email for a in mail.to] == ["leads@example.com"]
    assert mail.text.startswith("sla_breach:")
    assert "'previous_priority': 'normal'" in mail.text and "'priority': 'high'" in mail.text


def test_a_queue_without_an_escalation_address_escalates_to_its_own_address() -> None:
    desk = Desk(new_ticket(queue="Second line"), DUE)
    desk.fire(desk.event("breach"))
    assert [a.email for a in desk.mailer.sent[0].to] == ["support@example.com"]


def test_an_urgent_ticket_stays_urgent_at_its_breach() -> None:
    desk = Desk(new_ticket(priority=Priority.URGENT), DUE)
    desk.fire(desk.event("breach"))
    assert desk.ticket.priority == Priority.URGENT
    assert [e.kind for e in desk.store.events] == ["sla_breached"]


def test_the_same_schedule_firing_twice_acts_once() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    assert desk.fire(event)["outcome"] == "breach"
    assert desk.fire(event)["outcome"] == "duplicate"
    assert len(desk.mailer.sent) == 1 and desk.ticket.priority == Priority.HIGH


def test_a_twin_firing_that_read_before_the_first_wrote_acts_once() -> None:
    desk = Desk(new_ticket(), DUE)
    event, before = desk.event("breach"), desk.ticket
    desk.fire(event)
    desk.store.stale = before
    assert desk.fire(event)["outcome"] == "duplicate"
    assert len(desk.mailer.sent) == 1


def test_a_firing_after_the_agent_answered_does_nothing() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    answered, _ = after_agent_reply(
        desk.ticket, at=WARNING_AT, actor="agent", status=Status.PENDING, cc=(), thread_id=None
    )
    desk.store.tickets[1001] = answered
    result = desk.fire(event)
    assert result["outcome"] == "idle" and desk.mailer.sent == []
    assert desk.store.events == [] and desk.ticket == answered
    assert ("SlaFiringsIdle", "met, moved or already acted on") in desk.metrics.counts


def test_an_early_firing_does_nothing() -> None:
    desk = Desk(new_ticket(), WARNING_AT - timedelta(minutes=5))
    assert desk.fire(desk.event("warning"))["reason"] == "early"
    assert desk.mailer.sent == []


def test_a_firing_of_a_deadline_that_moved_does_nothing() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    desk.store.tickets[1001] = new_ticket(priority=Priority.LOW)
    assert desk.fire(event)["outcome"] == "idle"


def test_a_notice_ses_refused_is_sent_by_the_retry_and_only_then() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    desk.mailer.failing = True
    with pytest.raises(StorageError):
        desk.fire(event)
    assert desk.ticket.sla_state == "breached"
    assert desk.store.marks[event["schedule"]].state is MarkState.MAIL_FAILED
    desk.mailer.failing = False
    assert desk.fire(event)["outcome"] == "resent"
    assert desk.fire(event)["outcome"] == "duplicate"
    assert len(desk.mailer.sent) == 1 and desk.ticket.priority == Priority.HIGH


def test_a_notice_whose_send_outcome_is_unknown_is_sent_again_never_lost() -> None:
    """Internal notices go at least once: a second copy to the team beats none."""
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    desk.mailer.fault = DeliveryUnknown("SES may have sent the mail: Read timeout")
    with pytest.raises(DeliveryUnknown):
        desk.fire(event)
    assert desk.store.marks[event["schedule"]].state is MarkState.MAIL_FAILED
    assert desk.fire(event)["outcome"] == "resent"
    assert desk.store.marks[event["schedule"]].state is MarkState.SENT


def test_a_firing_that_died_after_its_mark_sends_the_notice_once_the_claim_is_stale() -> None:
    """Issue 12: the mark was written, the send never happened, the notice was lost."""
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    desk.mailer.fault = RuntimeError("Task timed out after 60.00 seconds")
    with pytest.raises(RuntimeError):
        desk.fire(event)
    assert desk.store.marks[event["schedule"]].state is MarkState.CLAIMED
    with pytest.raises(StorageError, match="in flight"):  # Scheduler retries later
        desk.fire(event)
    desk.clock.current += timedelta(seconds=CLAIM_STALE_SECONDS + 1)
    assert desk.fire(event)["outcome"] == "resent"
    assert len(desk.mailer.sent) == 1


def test_a_notice_ses_refuses_for_good_is_marked_and_not_retried() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    desk.mailer.fault = MailRejected("SES refused the mail: MessageRejected")
    assert desk.fire(event)["outcome"] == "breach"
    assert desk.store.marks[event["schedule"]].state is MarkState.REFUSED
    assert desk.fire(event)["outcome"] == "duplicate"
    assert ("SlaNoticesRefused", None) in desk.metrics.counts


def test_a_sent_notice_is_marked_so_a_repeated_firing_sends_nothing() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("warning")
    desk.clock.current = WARNING_AT
    desk.fire(event)
    assert desk.store.marks[event["schedule"]].state is MarkState.SENT
    desk.clock.current += timedelta(hours=1)
    assert desk.fire(event)["outcome"] == "duplicate" and len(desk.mailer.sent) == 1


def test_a_vanished_ticket_is_reported_not_retried() -> None:
    desk = Desk(new_ticket(), DUE)
    event = desk.event("breach")
    desk.store.tickets.clear()
    assert desk.fire(event)["outcome"] == "gone"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "sla"},
        {"type": "sla", "ticket": "1001", "schedule": "x"},
        {"ticket": 1, "schedule": "sla-2-fr-w"},
    ],
)
def test_an_event_that_names_no_schedule_of_its_ticket_is_refused(event: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        Desk(new_ticket(), DUE).fire(event)


# -- the scheduled registry ----------------------------------------------------------------


def test_scheduled_events_go_to_the_task_of_their_type_built_on_first_use() -> None:
    built: list[str] = []

    def build() -> Any:
        built.append("sla")
        return lambda event: {"seen": event["n"]}

    tasks = ScheduledTasks()
    tasks.register("sla", build)
    tasks.register("survey", lambda: pytest.fail("not needed"))
    assert tasks({"type": "sla", "n": 1}) == {"type": "sla", "seen": 1}
    assert tasks({"type": "sla", "n": 2}) == {"type": "sla", "seen": 2}
    assert built == ["sla"] and tasks.kinds == {"sla", "survey"}


def test_an_unknown_type_is_refused_with_the_known_ones() -> None:
    tasks = ScheduledTasks()
    tasks.register("sla", lambda: lambda event: {})
    with pytest.raises(InvalidInput, match="known: sla"):
        tasks({"type": "nope"})
    with pytest.raises(ValueError, match="twice"):
        tasks.register("sla", lambda: lambda event: {})
