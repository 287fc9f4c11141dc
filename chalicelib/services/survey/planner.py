"""The SLA clock with the survey beside it: one SlaPlanner for every flow that solves or reopens.

Replies, agent edits and customer mail already call `plan` before their write and
`sync_schedules` after it; wired in their place (bootstrap), this adds the survey to both steps
without another call in those flows.

Scheduler calls stay within the budgets. A write that plans the survey (a solve) has ended every
SLA deadline, so the SLA has nothing to create; its clean-up deletions give way to the survey's
one CreateSchedule, and those schedules fire once and do nothing (the SLA clock's own rule when
its budget is spent): a reply that solves makes GetItem, (the Idempotency-Key's PutItem,)
SendEmail, TransactWriteItems and CreateSchedule, four or five calls. A reopen cancels the
planned survey in the same write (its schedule, if it fires, re-reads the ticket and sends
nothing); agents' edits also delete the schedule, customer mail does not (its budget of five
is spent on the new response deadline).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.sla.business_time import BusinessCalendar
from chalicelib.domain.survey import model as survey
from chalicelib.domain.tickets.model import Event, Ticket
from chalicelib.services.ports import CALL_BUDGET, Scheduler, SlaPlanner

log = logging.getLogger("helpdesk.survey")


class SurveyPlanner:
    """An SlaPlanner (services/ports.py) that plans the survey after the SLA."""

    def __init__(
        self,
        sla: SlaPlanner,
        scheduler: Scheduler,
        rules: survey.SurveyRules,
        calendar_of: Callable[[str], BusinessCalendar],
        *,
        delete_cancelled: bool = True,
    ) -> None:
        self._sla = sla
        self._scheduler = scheduler
        self._rules = rules
        self._calendar_of = calendar_of
        self._delete_cancelled = delete_cancelled

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]:
        after, events = self._sla.plan(before, after, at)
        cal = self._calendar_of(after.queue)
        after, more = survey.plan(before, after, at, self._rules, cal)
        return after, [*events, *more]

    def sync_schedules(
        self, before: Ticket | None, after: Ticket, budget: int = CALL_BUDGET
    ) -> None:
        change = survey.schedule_change(before, after)
        if change.create is not None:
            job = change.create
            created = self._scheduler.create(job.name, job.at, job.payload)
            extra = {"ticket": after.number, "schedule": job.name, "new": created}
            log.info("survey schedule", extra=extra)
            self._sla.sync_schedules(None, after, budget - 1)  # creates what `after` needs
            return
        self._sla.sync_schedules(before, after, budget)
        if change.cancel is not None and self._delete_cancelled:
            self._scheduler.delete(change.cancel)
