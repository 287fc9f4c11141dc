"""The SLA clock around ticket writes: deadlines planned, met, paused, moved; schedules in step."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours
from chalicelib.domain.sla.policy import (
    AT_RISK,
    BREACHED,
    DEFAULT_TARGETS,
    Basis,
    SlaPolicy,
    Target,
    Targets,
    Vip,
    business_hours,
)
from chalicelib.domain.tickets.changes import TicketChanges, after_agent_reply, apply_changes
from chalicelib.domain.tickets.model import Party, Priority, Status, Ticket, on_customer_reply
from chalicelib.services.sla.clock import BusinessHoursSla

H = timedelta(hours=1)
MONDAY_10 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki


class Clock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


class FakeScheduler:
    def __init__(self) -> None:
        self.schedules: dict[str, tuple[datetime, dict[str, Any]]] = {}
        self.calls: list[tuple[str, str]] = []

    def create(self, name: str, at: datetime, payload: Any) -> bool:
        self.calls.append(("create", name))
        if name in self.schedules:
            return False
        self.schedules[name] = (at, dict(payload))
        return True

    def delete(self, name: str) -> bool:
        self.calls.append(("delete", name))
        return self.schedules.pop(name, None) is not None

    def fire(self, name: str) -> None:
        """As Scheduler does with ActionAfterCompletion=DELETE."""
        del self.schedules[name]


def office() -> BusinessCalendar:
    return BusinessCalendar("Europe/Helsinki", parse_weekly_hours("mon-fri 09:00-17:00"))


def policy(**kwargs: Any) -> SlaPolicy:
    return SlaPolicy(calendar=office(), **kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_10)


@pytest.fixture
def scheduler() -> FakeScheduler:
    return FakeScheduler()


@pytest.fixture
def sla(clock: Clock, scheduler: FakeScheduler) -> BusinessHoursSla:
    return BusinessHoursSla(policy(), scheduler, clock)


def new_ticket(at: datetime = MONDAY_10, email: str = "anna@customer.example") -> Ticket:
    return Ticket(
        number=1001,
        subject="Invoice",
        requester=Party(email, "Anna"),
        queue="Support",
        status=Status.NEW,
        priority=Priority.NORMAL,
        language="en",
        created_at=at,
        updated_at=at,
        customer_waiting_since=at,
        version=1,
    )


def helsinki(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A November 2026 day at a Helsinki wall-clock time (UTC+2), in UTC."""
    return datetime(2026, 11, day, hour - 2, minute, second, tzinfo=UTC)


def opened(sla: BusinessHoursSla, ticket: Ticket | None = None) -> Ticket:
    planned, events = sla.plan(None, ticket or new_ticket(), MONDAY_10)
    assert events == []
    return planned


def answer(
    sla: BusinessHoursSla, ticket: Ticket, at: datetime, status: Status = Status.PENDING
) -> tuple[Ticket, list[Any]]:
    after, _ = after_agent_reply(ticket, at=at, actor="agent", status=status, cc=(), thread_id=None)
    return sla.plan(ticket, after, at)


def customer_writes(sla: BusinessHoursSla, ticket: Ticket, at: datetime) -> Ticket:
    after, _ = on_customer_reply(ticket, at=at, message_id=None, cc=())
    planned, events = sla.plan(ticket, after, at)
    assert events == []
    return planned


def change(
    sla: BusinessHoursSla, ticket: Ticket, at: datetime, **changes: Any
) -> tuple[Ticket, list[Any]]:
    after, _ = apply_changes(ticket, TicketChanges(**changes), at=at, actor="agent")
    return sla.plan(ticket, after, at)


def only(events: list[Any]) -> dict[str, Any]:
    [event] = events
    return {"kind": event.kind, **event.data}


# -- new tickets -------------------------------------------------------------------------------


def test_a_new_ticket_gets_its_first_response_and_resolution_due_times(
    sla: BusinessHoursSla,
) -> None:
    ticket = opened(sla)
    assert ticket.first_response_due == helsinki(23, 14)
    assert ticket.resolution_due == helsinki(30, 10)  # 40 business hours: a week
    assert ticket.resolution_started == MONDAY_10 and ticket.sla_state == "ok"
    assert ticket.next_response_due is None and not ticket.vip


def test_a_vip_ticket_is_one_priority_up_with_half_its_targets(
    clock: Clock, scheduler: FakeScheduler
) -> None:
    vip = Vip(domains=frozenset({"bigcustomer.example"}), factor=0.5)
    sla = BusinessHoursSla(policy(vip=vip), scheduler, clock)
    ticket = opened(sla, new_ticket(email="ceo@bigcustomer.example"))
    assert ticket.vip and ticket.priority == Priority.HIGH
    assert ticket.first_response_due == helsinki(23, 11)  # high: 2 hours, halved


def test_a_vip_can_keep_its_priority(clock: Clock, scheduler: FakeScheduler) -> None:
    vip = Vip(addresses=frozenset({"ceo@x.example"}), raise_priority=False)
    sla = BusinessHoursSla(policy(vip=vip), scheduler, clock)
    ticket = opened(sla, new_ticket(email="ceo@x.example"))
    assert ticket.vip and ticket.priority == Priority.NORMAL
    assert ticket.first_response_due == helsinki(23, 12)


# -- responses ---------------------------------------------------------------------------------


def test_more_mail_before_the_first_response_changes_no_deadline(sla: BusinessHoursSla) -> None:
    ticket = opened(sla)
    again = customer_writes(sla, ticket, helsinki(23, 11))
    assert again.first_response_due == ticket.first_response_due
    assert again.next_response_due is None and again.resolution_due == ticket.resolution_due


def test_an_automatic_mail_on_the_ticket_changes_nothing(sla: BusinessHoursSla) -> None:
    ticket = opened(sla)
    bumped = replace(ticket, version=ticket.version + 1, thread_ids=("ooo@x",))
    assert sla.plan(ticket, bumped, helsinki(23, 11)) == (bumped, [])


def test_answering_in_time_meets_the_first_response_and_records_it(sla: BusinessHoursSla) -> None:
    ticket = opened(sla)
    after, events = answer(sla, ticket, helsinki(23, 13))
    record = only(events)
    assert record["kind"] == "sla_met" and record["outcome"] == "met"
    assert record["deadline"] == "first_response" and record["target_seconds"] == 4 * 3600
    assert record["due"] == "2026-11-23T12:00:00.000000+00:00"
    assert record["at"] == "2026-11-23T11:00:00.000000+00:00"
    assert record["counted_seconds"] == 3 * 3600 and record["basis"] == "business"
    assert after.sla_state == "ok" and after.sla_flags == {}


def test_a_late_answer_nobody_flagged_is_recorded_as_missed(sla: BusinessHoursSla) -> None:
    _, events = answer(sla, opened(sla), helsinki(23, 15))
    record = only(events)
    assert (record["kind"], record["outcome"]) == ("sla_breached", "missed")


def test_an_answer_after_a_recorded_breach_is_late_and_clears_the_flag(
    sla: BusinessHoursSla,
) -> None:
    ticket = replace(opened(sla), sla_flags={"first_response": BREACHED}, sla_state=BREACHED)
    after, events = answer(sla, ticket, helsinki(23, 15), status=Status.OPEN)
    assert (only(events)["kind"], only(events)["outcome"]) == ("sla_met", "late")
    assert after.sla_state == "ok" and "first_response" not in after.sla_flags


def test_a_customer_writing_after_our_answer_starts_a_next_response_deadline(
    sla: BusinessHoursSla,
) -> None:
    answered, _ = answer(sla, opened(sla), helsinki(23, 11))
    again = customer_writes(sla, answered, helsinki(23, 16))
    assert again.next_response_due == helsinki(24, 12)  # 1 hour today, 3 tomorrow
    assert again.first_response_due == helsinki(23, 14), "the promise stays as it was"
    after, events = answer(sla, again, helsinki(24, 10))
    assert only(events)["deadline"] == "next_response" and only(events)["outcome"] == "met"
    assert after.next_response_due is None


# -- resolution: pending pauses it -------------------------------------------------------------


def test_pending_time_does_not_count_toward_resolution(sla: BusinessHoursSla) -> None:
    ticket = opened(sla)
    pending, events = answer(sla, ticket, helsinki(23, 12))  # 2 business hours used
    assert pending.resolution_due is None and pending.resolution_used == 2 * H
    assert [e.data["deadline"] for e in events] == ["first_response"]
    # A week waiting on the customer; then they write: 38 business hours remain.
    resumed = customer_writes(sla, pending, helsinki(30, 10))
    assert resumed.resolution_started == helsinki(30, 10)
    assert resumed.resolution_due == datetime(2026, 12, 4, 14, 0, tzinfo=UTC)  # Friday 16:00


def test_solving_stops_resolution_and_records_it(sla: BusinessHoursSla) -> None:
    answered, _ = answer(sla, opened(sla), helsinki(23, 11), status=Status.OPEN)
    solved, events = change(sla, answered, helsinki(24, 11), status=Status.SOLVED)
    record = only(events)
    assert (record["deadline"], record["outcome"]) == ("resolution", "met")
    assert record["counted_seconds"] == 9 * 3600  # 7 hours Monday, 2 on Tuesday
    assert solved.resolution_due is None and solved.resolution_used == 9 * H


# -- priority, queue -------------------------------------------------------------------------


def test_raising_the_priority_moves_the_running_deadlines(sla: BusinessHoursSla) -> None:
    ticket = opened(sla)
    urgent, events = change(sla, ticket, helsinki(23, 10, 30), priority=Priority.URGENT)
    assert events == []
    assert urgent.first_response_due == helsinki(23, 11)
    assert urgent.resolution_due == helsinki(24, 10)  # 8 business hours from creation


def test_lowering_the_priority_lifts_an_at_risk_flag_but_never_a_breach(
    sla: BusinessHoursSla,
) -> None:
    at_risk = replace(opened(sla), sla_flags={"first_response": AT_RISK}, sla_state=AT_RISK)
    low, _ = change(sla, at_risk, helsinki(23, 13, 30), priority=Priority.LOW)
    assert low.first_response_due == helsinki(26, 10)  # 24 business hours: Thursday
    assert low.sla_state == "ok" and low.sla_flags == {}
    breached = replace(at_risk, sla_flags={"first_response": BREACHED}, sla_state=BREACHED)
    still, _ = change(sla, breached, helsinki(23, 15), priority=Priority.LOW)
    assert still.sla_state == BREACHED


def test_a_queue_change_applies_the_new_queues_policy(
    clock: Clock, scheduler: FakeScheduler
) -> None:
    slow = dict(DEFAULT_TARGETS) | {
        Priority.NORMAL: Targets(
            Target(48 * H, Basis.CALENDAR), business_hours(8), business_hours(80)
        )
    }
    sla = BusinessHoursSla(policy(queue_targets={"Billing": slow}), scheduler, clock)
    moved, _ = change(sla, opened(sla), helsinki(23, 11), queue="Billing")
    assert moved.first_response_due == MONDAY_10 + 48 * H


# -- schedules ---------------------------------------------------------------------------------


def names(scheduler: FakeScheduler) -> list[str]:
    return sorted(scheduler.schedules)


def test_a_new_ticket_gets_a_warning_and_a_breach_schedule(
    sla: BusinessHoursSla, scheduler: FakeScheduler
) -> None:
    ticket = opened(sla)
    sla.sync_schedules(None, ticket)
    assert names(scheduler) == [
        "sla-1001-fr-b-20261123T120000-20261123T080000",
        "sla-1001-fr-w-20261123T120000-20261123T080000",
    ]
    at, payload = scheduler.schedules["sla-1001-fr-w-20261123T120000-20261123T080000"]
    assert at == datetime(2026, 11, 23, 11, 12, tzinfo=UTC)  # 80 % of 4 hours
    assert payload["type"] == "sla" and payload["ticket"] == 1001
    assert payload["schedule"] == "sla-1001-fr-w-20261123T120000-20261123T080000"
    assert all(len(n) <= 64 for n in scheduler.schedules)


def test_syncing_again_creates_nothing_twice(
    sla: BusinessHoursSla, scheduler: FakeScheduler
) -> None:
    ticket = opened(sla)
    sla.sync_schedules(None, ticket)
    sla.sync_schedules(None, ticket)
    assert len(scheduler.schedules) == 2


def test_an_answer_deletes_the_schedules_that_have_not_fired(
    sla: BusinessHoursSla, scheduler: FakeScheduler, clock: Clock
) -> None:
    ticket = opened(sla)
    sla.sync_schedules(None, ticket)
    warning = "sla-1001-fr-w-20261123T120000-20261123T080000"
    scheduler.fire(warning)
    ticket = replace(ticket, sla_flags={"first_response": AT_RISK})
    clock.current = helsinki(23, 13, 30)
    scheduler.calls.clear()
    after, _ = answer(sla, ticket, clock.current)
    sla.sync_schedules(ticket, after)
    assert scheduler.calls == [("delete", "sla-1001-fr-b-20261123T120000-20261123T080000")]
    assert scheduler.schedules == {}


def test_an_answer_that_leaves_the_ticket_open_watches_the_resolution_instead(
    sla: BusinessHoursSla, scheduler: FakeScheduler, clock: Clock
) -> None:
    ticket = opened(sla)
    sla.sync_schedules(None, ticket)
    clock.current = helsinki(23, 11)
    scheduler.calls.clear()
    after, _ = answer(sla, ticket, clock.current, status=Status.OPEN)
    sla.sync_schedules(ticket, after)
    assert [c for c, _ in scheduler.calls] == ["create", "create"], "two calls at most"
    assert {n.split("-")[2] for _, n in scheduler.calls} == {"res"}


def test_a_customer_reply_after_that_adds_the_next_response_and_keeps_resolution(
    sla: BusinessHoursSla, scheduler: FakeScheduler, clock: Clock
) -> None:
    ticket = opened(sla)
    clock.current = helsinki(23, 11)
    answered, _ = answer(sla, ticket, clock.current, status=Status.OPEN)
    sla.sync_schedules(ticket, answered)
    clock.current = helsinki(23, 15)
    scheduler.calls.clear()
    again = customer_writes(sla, answered, clock.current)
    sla.sync_schedules(answered, again)
    assert [c for c, _ in scheduler.calls] == ["create", "create"]
    assert {n.split("-")[2] for n in scheduler.schedules} >= {"res", "nr"}


def test_changing_priority_moves_the_schedules(
    sla: BusinessHoursSla, scheduler: FakeScheduler, clock: Clock
) -> None:
    ticket = opened(sla)
    sla.sync_schedules(None, ticket)
    clock.current = helsinki(23, 10, 30)
    urgent, _ = change(sla, ticket, clock.current, priority=Priority.URGENT)
    sla.sync_schedules(ticket, urgent)
    assert names(scheduler) == [
        "sla-1001-fr-b-20261123T090000-20261123T080000",
        "sla-1001-fr-w-20261123T090000-20261123T080000",
    ]
    assert scheduler.schedules[names(scheduler)[1]][0] == datetime(2026, 11, 23, 8, 48, tzinfo=UTC)


def test_a_point_already_passed_is_scheduled_a_minute_from_now(
    sla: BusinessHoursSla, scheduler: FakeScheduler, clock: Clock
) -> None:
    ticket = opened(sla)
    clock.current = helsinki(23, 13, 30, 20)
    urgent, _ = change(sla, ticket, clock.current, priority=Priority.URGENT)
    sla.sync_schedules(ticket, urgent)
    times = sorted(at for at, _ in scheduler.schedules.values())
    assert times == [datetime(2026, 11, 23, 11, 32, tzinfo=UTC)] * 2


def test_marking_spam_stops_the_clock_without_a_record(sla: BusinessHoursSla) -> None:
    spam, events = change(sla, opened(sla), helsinki(23, 11), spam=True)
    assert spam.status == Status.SOLVED and events == []
    assert spam.resolution_due is None and spam.sla_state == "ok"
