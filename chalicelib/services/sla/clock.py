"""The SLA clock: deadlines planned with every ticket write, schedules kept in step after it.

Only the deadline being worked against has schedules: the response (first or next) while the
customer waits for an answer, otherwise the resolution. Each gets two one-time schedules, at its
warning point and at its breach. A write makes at most two scheduler calls in the operations
with a budget (new ticket, customer reply, agent reply): creations first, because a missing
schedule means a missed warning; deletions of a deadline that ended come second, because a
schedule left behind only fires once, re-reads the ticket and does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from chalicelib.domain.sla.plan import changed, opened
from chalicelib.domain.sla.policy import Point, SlaPolicy, current_points, points, running
from chalicelib.domain.sla.schedules import fire_time, payload, schedule_name
from chalicelib.domain.tickets.model import Event, Ticket
from chalicelib.services.ports import CALL_BUDGET, Clock, Scheduler

log = logging.getLogger("helpdesk.sla")


class BusinessHoursSla:
    """The SlaPlanner of services/ports.py."""

    def __init__(self, policy: SlaPolicy, scheduler: Scheduler, clock: Clock) -> None:
        self._policy = policy
        self._scheduler = scheduler
        self._clock = clock

    @property
    def policy(self) -> SlaPolicy:
        return self._policy

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]:
        if before is None:
            return opened(after, self._policy), []
        return changed(before, after, at, self._policy)

    def sync_schedules(
        self, before: Ticket | None, after: Ticket, budget: int = CALL_BUDGET
    ) -> None:
        now = self._clock.now()
        wanted = self._named(after, current_points(after, self._policy))
        had = self._named(before, current_points(before, self._policy)) if before else {}
        still_valid = self._named(after, points(after, self._policy))
        creates = [p for name, p in wanted.items() if name not in had]
        stale = {n: p for n, p in had.items() if n not in still_valid and p.at > now}
        live = {w.deadline for w in running(after)}
        moved = [n for n, p in stale.items() if p.deadline in live]
        ended = [n for n, p in stale.items() if p.deadline not in live]
        spare = max(0, budget - len(creates) - len(moved))
        for point in creates:
            self._create(after, point, now)
        for name in [*moved, *ended[:spare]]:
            self._scheduler.delete(name)
        if ended[spare:]:
            log.info(
                "left to fire idle", extra={"ticket": after.number, "schedules": ended[spare:]}
            )

    def _create(self, ticket: Ticket, point: Point, now: datetime) -> None:
        name = schedule_name(ticket.number, point)
        created = self._scheduler.create(name, fire_time(point, now), payload(ticket, point))
        log.info("sla schedule", extra={"ticket": ticket.number, "schedule": name, "new": created})

    @staticmethod
    def _named(ticket: Ticket, found: list[Point]) -> dict[str, Point]:
        return {schedule_name(ticket.number, p): p for p in found}
