"""Schedule expressions: when a one-time EventBridge schedule is due, and what it sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from local.schedules import Schedule, due_time


def test_an_at_expression_is_utc_by_default() -> None:
    assert due_time("at(2026-11-23T09:30:00)") == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert due_time("at(2026-11-23T09:30:00)", "UTC") == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_an_at_expression_follows_its_time_zone() -> None:
    winter = due_time("at(2026-11-23T09:30:00)", "Europe/Helsinki")
    summer = due_time("at(2026-07-01T09:30:00)", "Europe/Helsinki")
    assert winter == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert summer == datetime(2026, 7, 1, 6, 30, tzinfo=UTC)


def test_rate_and_cron_schedules_are_not_one_time_schedules() -> None:
    assert due_time("rate(5 minutes)") is None
    assert due_time("cron(0 9 * * ? *)") is None


@pytest.mark.parametrize(
    "expression", ["at(2026-11-23 09:30:00)", "at(2026-11-23T09:30)", "at(2026-13-01T00:00:00)"]
)
def test_a_malformed_at_expression_is_an_error(expression: str) -> None:
    with pytest.raises(ValueError, match=r"schedule expression|does not match|month"):
        due_time(expression)


def test_an_unknown_time_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="ScheduleExpressionTimezone"):
        due_time("at(2026-11-23T09:30:00)", "Mars/Olympus_Mons")


def test_the_event_is_the_targets_input_json() -> None:
    item = {
        "Name": "sla-1001-warning",
        "GroupName": "helpdesk",
        "ScheduleExpression": "at(2026-11-23T09:30:00)",
        "Target": {"Arn": "arn:x", "Input": '{"kind": "sla_warning", "ticket": 1001}'},
        "ActionAfterCompletion": "DELETE",
    }
    schedule = Schedule.from_api(item)
    assert schedule.event() == {"kind": "sla_warning", "ticket": 1001}
    assert schedule.timezone == "UTC"
    assert schedule.after_completion == "DELETE"


def test_no_input_sends_an_empty_event_and_text_is_passed_as_it_is() -> None:
    bare = Schedule.from_api({"Name": "a", "ScheduleExpression": "at(2026-11-23T09:30:00)"})
    text = Schedule("b", "g", "at(2026-11-23T09:30:00)", "UTC", "arn:x", input="hello")
    assert bare.event() == {}
    assert bare.after_completion == "NONE"
    assert text.event() == "hello"
