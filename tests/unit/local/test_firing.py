"""Firing schedules: due order, a plausible now, ActionAfterCompletion, retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from local.firing import ScheduleRunner
from local.schedules import Schedule
from tests.unit.local.fakes import (
    START,
    FakeSchedules,
    RecordingInvoke,
    frozen_clock,
    missing,
    schedule,
)

HOUR = timedelta(hours=1)


def runner_for(
    *schedules: Schedule, fail: Callable[[Any], BaseException | None] | None = None
) -> tuple[ScheduleRunner, FakeSchedules, RecordingInvoke]:
    clock = frozen_clock()
    source = FakeSchedules(*schedules)
    invoke = RecordingInvoke(clock, fail)
    return ScheduleRunner(source, invoke, clock), source, invoke


def test_advancing_fires_what_fell_due_in_due_order() -> None:
    runner, _, invoke = runner_for(
        schedule("breach", 4 * HOUR), schedule("warning", 3 * HOUR), schedule("survey", 80 * HOUR)
    )
    now, fired = runner.advance(5 * 3600)
    assert invoke.names == ["warning", "breach"]
    assert [(f.name, f.at, f.ok) for f in fired] == [
        ("warning", START + 3 * HOUR, True),
        ("breach", START + 4 * HOUR, True),
    ]
    assert now == START + 5 * HOUR


def test_handlers_see_the_due_time_as_now() -> None:
    runner, _, invoke = runner_for(schedule("warning", 3 * HOUR), schedule("breach", 4 * HOUR))
    runner.advance(86400)
    assert [seen for _, _, seen in invoke.calls] == [START + 3 * HOUR, START + 4 * HOUR]
    assert runner.advance(0)[0] == START + timedelta(days=1)


def test_an_overdue_schedule_fires_without_moving_the_clock_back() -> None:
    runner, _, invoke = runner_for(schedule("late", -HOUR))
    _, fired = runner.advance(60)
    assert fired[0].at == START - HOUR
    assert invoke.calls[0][2] == START


def test_the_target_input_is_the_event() -> None:
    runner, _, invoke = runner_for(
        schedule("w", HOUR, payload={"name": "w", "kind": "sla_warning", "ticket": 1001})
    )
    runner.advance(7200)
    arn, event, _ = invoke.calls[0]
    assert arn.endswith(":function:helpdesk-local-scheduled")
    assert event == {"name": "w", "kind": "sla_warning", "ticket": 1001}


def test_nothing_fires_before_it_is_due() -> None:
    runner, source, invoke = runner_for(schedule("later", 2 * HOUR))
    assert runner.fire_due() == []
    assert runner.advance(3600)[1] == []
    assert invoke.calls == []
    assert list(source.items) == ["later"]


def test_delete_after_completion_removes_the_schedule() -> None:
    runner, source, _ = runner_for(schedule("once", HOUR, after="DELETE"))
    runner.advance(7200)
    assert source.deleted == ["once"]
    assert source.items == {}


def test_none_after_completion_keeps_the_schedule_but_never_fires_it_twice() -> None:
    runner, source, invoke = runner_for(schedule("kept", HOUR, after="NONE"))
    runner.advance(7200)
    runner.advance(7200)
    assert runner.fire_due() == []
    assert invoke.names == ["kept"]
    assert list(source.items) == ["kept"]


def test_a_kept_schedule_moved_to_a_new_time_fires_again() -> None:
    runner, source, invoke = runner_for(schedule("kept", HOUR, after="NONE"))
    runner.advance(7200)
    source.add(schedule("kept", 4 * HOUR, after="NONE"))
    runner.advance(7200)
    assert invoke.names == ["kept", "kept"]


def test_a_failing_handler_is_retried_on_later_ticks_three_times_in_all() -> None:
    runner, source, invoke = runner_for(
        schedule("flaky", HOUR), fail=lambda _e: RuntimeError("DynamoDB is down")
    )
    _, fired = runner.advance(7200)
    assert [(f.name, f.ok) for f in fired] == [("flaky", False)]
    assert "DynamoDB is down" in (fired[0].error or "")
    assert list(source.items) == ["flaky"]
    assert [f.ok for f in runner.fire_due()] == [False]
    assert [f.ok for f in runner.fire_due()] == [False]
    assert runner.fire_due() == []
    assert len(invoke.calls) == 3
    assert source.deleted == ["flaky"]


def test_a_handler_that_recovers_completes_the_schedule() -> None:
    attempts: list[int] = []

    def fail_once(_event: object) -> Exception | None:
        attempts.append(1)
        return RuntimeError("throttled") if len(attempts) == 1 else None

    runner, source, _ = runner_for(schedule("retry", HOUR), fail=fail_once)
    runner.advance(7200)
    assert [f.ok for f in runner.fire_due()] == [True]
    assert source.deleted == ["retry"]


def test_a_missing_handler_is_reported_and_not_retried() -> None:
    runner, source, invoke = runner_for(schedule("orphan", HOUR), fail=missing)
    _, fired = runner.advance(7200)
    assert [(f.name, f.ok) for f in fired] == [("orphan", False)]
    assert "scheduled" in (fired[0].error or "")
    assert runner.fire_due() == []
    assert len(invoke.calls) == 1
    assert source.deleted == ["orphan"]


def test_a_schedule_created_by_a_handler_fires_in_the_same_advance_when_due() -> None:
    runner, source, invoke = runner_for(schedule("warning", HOUR))
    invoke.after = lambda event: (
        source.add(schedule("breach", 2 * HOUR)) if event["name"] == "warning" else None
    )
    _, fired = runner.advance(3 * 3600)
    assert [f.name for f in fired] == ["warning", "breach"]


def test_recurring_and_disabled_schedules_never_fire() -> None:
    runner, _, invoke = runner_for(
        schedule("hourly", HOUR, expression="rate(1 hour)"),
        schedule("off", HOUR, state="DISABLED"),
    )
    assert runner.advance(86400)[1] == []
    assert invoke.calls == []


def test_fire_due_fires_at_the_current_time() -> None:
    runner, _, invoke = runner_for(schedule("now", timedelta()), schedule("soon", HOUR))
    assert [f.name for f in runner.fire_due()] == ["now"]
    assert invoke.names == ["now"]
