"""Replay what failed for good: each kept event goes to its function again, and leaves its
queue only when the function succeeded.

The handlers are idempotent (an SES delivery's record, a schedule's firing mark, an SES event's
key), so replaying an event that half-succeeded before finishes it without a second ticket or a
second mail. An event that fails again stays in its queue, visible again when the run ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from chalicelib.domain.errors import ReplayFailed
from chalicelib.services.ports import FailedTask, FailureQueue, Invoker

log = logging.getLogger("helpdesk.replay")

MAX_TASKS = 10_000  # a bound on one run, far above what a queue should ever hold


@dataclass
class ReplayReport:
    replayed: list[FailedTask] = field(default_factory=list)
    failed: list[tuple[FailedTask, str]] = field(default_factory=list)
    listed: list[FailedTask] = field(default_factory=list)  # a dry run's


class Replay:
    def __init__(self, queue: FailureQueue, invoker: Invoker) -> None:
        self._queue = queue
        self._invoker = invoker

    def run(self, *, dry_run: bool = False, limit: int = MAX_TASKS) -> ReplayReport:
        report = ReplayReport()
        kept: list[FailedTask] = []  # hidden until the run ends, so each receive brings new ones
        seen: set[str] = set()
        try:
            while len(seen) < limit:
                fresh = [t for t in self._queue.receive() if t.id not in seen]
                batch, over = fresh[: limit - len(seen)], fresh[limit - len(seen) :]
                kept += over  # received past the limit: back to the queue untouched
                if not batch:
                    break
                for task in batch:
                    seen.add(task.id)
                    if dry_run:
                        report.listed.append(task)
                        kept.append(task)
                    elif self._replay(task, report):
                        self._queue.delete(task)
                    else:
                        kept.append(task)
        finally:
            for task in kept:
                self._queue.release(task)
        return report

    def _replay(self, task: FailedTask, report: ReplayReport) -> bool:
        try:
            self._invoker.invoke(task.function, task.payload)
        except ReplayFailed as e:
            log.error("replay of %s to %s failed again: %s", task.id, task.function, e)
            report.failed.append((task, str(e)))
            return False
        log.info("replayed %s to %s", task.id, task.function)
        report.replayed.append(task)
        return True
