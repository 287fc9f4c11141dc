"""Reporting hooks: a met or missed deadline becomes a ticket event reports can query by month."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.sla.policy import BREACHED, Outcome, SlaPolicy, SlaRecord, Watch, counted
from chalicelib.domain.tickets.model import Event, Ticket

MET_KIND = "sla_met"  # met, or done late after a recorded miss
MISSED_KIND = "sla_breached"


def record(
    ticket: Ticket, watch: Watch, policy: SlaPolicy, at: datetime, outcome: Outcome
) -> SlaRecord:
    target = policy.target_for(ticket, watch.deadline)
    cal = policy.calendar_of(ticket.queue)
    return SlaRecord(
        deadline=watch.deadline,
        outcome=outcome,
        started=watch.start,
        due=watch.due,
        at=at,
        target=target,
        counted=watch.used + counted(cal, target.basis, watch.start, at),
        priority=ticket.priority,
        queue=ticket.queue,
        vip=ticket.vip,
    )


def done_event(ticket: Ticket, watch: Watch, policy: SlaPolicy, at: datetime, actor: str) -> Event:
    """A deadline is done: met on time; missed when no breach was recorded yet; else late."""
    if at <= watch.due:
        outcome = Outcome.MET
    elif ticket.sla_flags.get(watch.deadline.value) == BREACHED:
        outcome = Outcome.LATE
    else:
        outcome = Outcome.MISSED
    data = record(ticket, watch, policy, at, outcome).to_data()
    return Event(at, MISSED_KIND if outcome is Outcome.MISSED else MET_KIND, actor, data)


def missed_event(ticket: Ticket, watch: Watch, policy: SlaPolicy, at: datetime) -> Event:
    data = record(ticket, watch, policy, at, Outcome.MISSED).to_data()
    return Event(at, MISSED_KIND, "system", data)
