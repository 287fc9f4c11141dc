"""Fire due schedules in-process, in due order, as EventBridge Scheduler would invoke them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from local.clock import LocalClock
from local.lambdas import MissingFunction
from local.schedules import Schedule, ScheduleSource, due_time

log = logging.getLogger("local.clock")

MAX_ATTEMPTS = 3
MAX_ROUNDS = 50  # handlers may create schedules that are already due; this bounds a runaway loop

Invoke = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Fired:
    name: str
    at: datetime
    ok: bool
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "at": self.at.isoformat(), "ok": self.ok}
        if self.error:
            body["error"] = self.error
        return body


class ScheduleRunner:
    """Fires what is due; one firing at a time (the ticker and POST /local/clock share it)."""

    def __init__(
        self,
        source: ScheduleSource,
        invoke: Invoke,
        clock: LocalClock,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._source = source
        self._invoke = invoke
        self._clock = clock
        self._max_attempts = max_attempts
        self._attempts: dict[tuple[str, ...], int] = {}
        self._done: set[tuple[str, ...]] = set()
        self._reported: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    def fire_due(self) -> list[Fired]:
        with self._lock:
            return self._fire_until(self._clock.now(), move_clock=False)

    def advance(self, seconds: float) -> tuple[datetime, list[Fired]]:
        """Move the clock `seconds` ahead, firing what falls due on the way at its own time."""
        if seconds < 0:
            raise ValueError("the clock only advances (seconds must be >= 0)")
        with self._lock:
            target = self._clock.now() + timedelta(seconds=seconds)
            fired = self._fire_until(target, move_clock=True)
            self._clock.set(max(target, self._clock.now()))
            return self._clock.now(), fired

    def _fire_until(self, limit: datetime, *, move_clock: bool) -> list[Fired]:
        fired: list[Fired] = []
        tried: set[tuple[str, ...]] = set()  # a failure is retried on the next tick, not now
        for _ in range(MAX_ROUNDS):
            due = [(at, s) for at, s in self._due(limit) if s.key not in tried]
            if not due:
                break
            for at, schedule in sorted(due, key=lambda pair: (pair[0], pair[1].name)):
                if move_clock:
                    # Handlers see a plausible now: the due time, never earlier than now.
                    self._clock.set(max(at, self._clock.now()))
                tried.add(schedule.key)
                fired.append(self._fire(schedule, at))
        return fired

    def _due(self, limit: datetime) -> list[tuple[datetime, Schedule]]:
        due = []
        for schedule in self._source.schedules():
            if schedule.state != "ENABLED" or schedule.key in self._done:
                continue
            at = self._due_time(schedule)
            if at is not None and at <= limit:
                due.append((at, schedule))
        return due

    def _due_time(self, schedule: Schedule) -> datetime | None:
        try:
            at = due_time(schedule.expression, schedule.timezone)
        except ValueError as e:
            self._report_once(schedule, f"schedule {schedule.name} is never fired: {e}")
            return None
        if at is None:
            self._report_once(
                schedule,
                f"schedule {schedule.name}: only at() schedules fire locally, "
                f"not {schedule.expression!r}",
            )
        return at

    def _fire(self, schedule: Schedule, at: datetime) -> Fired:
        attempt = self._attempts.get(schedule.key, 0) + 1
        self._attempts[schedule.key] = attempt
        try:
            self._invoke(schedule.target_arn, schedule.event())
        except MissingFunction as e:
            log.error("schedule %s due %s: %s (not retried)", schedule.name, at.isoformat(), e)
            self._complete(schedule)
            return Fired(schedule.name, at, ok=False, error=str(e))
        except Exception as e:
            final = attempt >= self._max_attempts
            log.error(
                "schedule %s due %s failed (attempt %d of %d): %s%s",
                schedule.name,
                at.isoformat(),
                attempt,
                self._max_attempts,
                f"{type(e).__name__}: {e}",
                "; giving up" if final else "; retried on the next tick",
                exc_info=attempt == 1,  # the traceback once, not once per retry
            )
            if final:
                self._complete(schedule)
            return Fired(schedule.name, at, ok=False, error=f"{type(e).__name__}: {e}")
        log.info("schedule %s due %s fired", schedule.name, at.isoformat())
        self._complete(schedule)
        return Fired(schedule.name, at, ok=True)

    def _complete(self, schedule: Schedule) -> None:
        self._attempts.pop(schedule.key, None)
        if schedule.after_completion != "DELETE":
            self._done.add(schedule.key)  # ActionAfterCompletion NONE: kept, never fired twice
            return
        try:
            self._source.delete(schedule)
        except Exception:
            log.exception("schedule %s fired but could not be deleted", schedule.name)
            self._done.add(schedule.key)

    def _report_once(self, schedule: Schedule, message: str) -> None:
        if schedule.key not in self._reported:
            self._reported.add(schedule.key)
            log.warning(message)


class Ticker:
    """A background thread that fires due schedules every `interval` seconds of real time."""

    def __init__(self, runner: ScheduleRunner, interval: float = 1.0) -> None:
        self._runner = runner
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-clock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._runner.fire_due()
            except Exception:
                log.exception("could not read the schedules; trying again on the next tick")
