"""Hand-written fakes for the local stack's unit tests: a scheduler, functions, a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from local.clock import LocalClock
from local.lambdas import MissingFunction
from local.schedules import Schedule

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SCHEDULED_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-scheduled"


def frozen_clock(start: datetime = START) -> LocalClock:
    """Real time stands still, so only the offset moves the clock."""
    return LocalClock(real_now=lambda: start)


def at(delta: timedelta, base: datetime = START) -> str:
    return f"at({(base + delta).strftime('%Y-%m-%dT%H:%M:%S')})"


def schedule(
    name: str,
    delta: timedelta,
    *,
    after: str = "DELETE",
    payload: dict[str, Any] | None = None,
    expression: str | None = None,
    state: str = "ENABLED",
) -> Schedule:
    return Schedule(
        name=name,
        group="helpdesk",
        expression=expression or at(delta),
        timezone="UTC",
        target_arn=SCHEDULED_ARN,
        input=json.dumps(payload or {"name": name}),
        after_completion=after,
        state=state,
    )


class FakeSchedules:
    def __init__(self, *schedules: Schedule) -> None:
        self.items = {s.name: s for s in schedules}
        self.deleted: list[str] = []

    def schedules(self) -> list[Schedule]:
        return list(self.items.values())

    def delete(self, schedule: Schedule) -> None:
        self.items.pop(schedule.name, None)
        self.deleted.append(schedule.name)

    def add(self, item: Schedule) -> None:
        self.items[item.name] = item


class RecordingInvoke:
    """Records (arn, event, now) per call; `fail` decides which calls raise."""

    def __init__(
        self, clock: LocalClock, fail: Callable[[Any], BaseException | None] | None = None
    ) -> None:
        self.clock = clock
        self.fail = fail or (lambda _event: None)
        self.calls: list[tuple[str, Any, datetime]] = []
        self.after: Callable[[Any], None] = lambda _event: None

    def __call__(self, arn: str, event: Any) -> Any:
        self.calls.append((arn, event, self.clock.now()))
        error = self.fail(event)
        if error is not None:
            raise error
        self.after(event)
        return {"ok": True}

    @property
    def names(self) -> list[str]:
        return [event["name"] for _, event, _ in self.calls]


def missing(_event: Any) -> BaseException:
    return MissingFunction("app.py defines no @app.lambda_function(name='scheduled')")
