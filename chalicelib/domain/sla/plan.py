"""Planning the SLA clock of one ticket write: which deadlines start, stop, pause or move."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.domain.sla.policy import (
    AT_RISK,
    ZERO,
    Deadline,
    SlaPolicy,
    Watch,
    advance,
    counted,
    running,
    sla_state,
    warning_point,
)
from chalicelib.domain.sla.records import done_event
from chalicelib.domain.tickets.changes import is_spam
from chalicelib.domain.tickets.model import WAITING_ON_AGENT, Event, Status, Ticket

ACTOR = "sla"
FR, NR, RES = Deadline.FIRST_RESPONSE, Deadline.NEXT_RESPONSE, Deadline.RESOLUTION


def opened(ticket: Ticket, policy: SlaPolicy) -> Ticket:
    """A new ticket: VIP check, then first response and resolution both count from creation."""
    vip = policy.vip.matches(ticket.requester.email)
    raise_it = vip and policy.vip.raise_priority
    ticket = replace(
        ticket,
        vip=vip,
        priority=ticket.priority.raised() if raise_it else ticket.priority,
        sla_flags={},
        resolution_used=ZERO,
        resolution_started=ticket.created_at,
    )
    ticket = replace(
        ticket,
        first_response_due=due(ticket, policy, FR, ticket.created_at),
        resolution_due=due(ticket, policy, RES, ticket.created_at),
    )
    return replace(ticket, sla_state=sla_state(ticket))


def changed(
    before: Ticket, after: Ticket, at: datetime, policy: SlaPolicy
) -> tuple[Ticket, list[Event]]:
    ticket, answered = _responded(before, after, at, policy)
    ticket, stopped = _resolution(before, ticket, at, policy)
    ticket = _next_response(before, ticket, policy)
    ticket = _moved(before, ticket, at, policy)
    records = [] if is_spam(after) else [*answered, *stopped]  # spam is no service to measure
    return replace(ticket, sla_state=sla_state(ticket)), records


def due(
    ticket: Ticket, policy: SlaPolicy, deadline: Deadline, start: datetime, used: timedelta = ZERO
) -> datetime:
    """When `deadline` falls for this ticket's policy, counting from `start` after `used`."""
    target = policy.target_for(ticket, deadline)
    return advance(policy.calendar_of(ticket.queue), target.basis, start, target.duration - used)


def _response_watch(ticket: Ticket) -> Watch | None:
    """The response deadline of the ticket, running or not (a pending ticket keeps it)."""
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        return Watch(FR, ticket.created_at, ticket.first_response_due)
    if ticket.customer_waiting_since is not None and ticket.next_response_due is not None:
        return Watch(NR, ticket.customer_waiting_since, ticket.next_response_due)
    return None


def _responded(
    before: Ticket, after: Ticket, at: datetime, policy: SlaPolicy
) -> tuple[Ticket, list[Event]]:
    """An agent answered: the first response (first_responded_at set) or the next one (the
    customer no longer waits). The deadline is met, or missed, and recorded."""
    watch = _response_watch(before)
    if watch is None:
        return after, []
    if watch.deadline is FR and after.first_responded_at is not None:
        done = after.first_responded_at
    elif watch.deadline is NR and after.customer_waiting_since is None:
        done = at
    else:
        return after, []
    flags = {k: v for k, v in after.sla_flags.items() if k != watch.deadline.value}
    next_due = None if watch.deadline is NR else after.next_response_due
    event = done_event(before, watch, policy, done, ACTOR)
    return replace(after, sla_flags=flags, next_response_due=next_due), [event]


def _resolution(
    before: Ticket, after: Ticket, at: datetime, policy: SlaPolicy
) -> tuple[Ticket, list[Event]]:
    """Resolution counts while the ticket waits on us: pending pauses it, solved stops it (met
    or missed), and a customer writing again resumes it with the time that was left."""
    was = before.status in WAITING_ON_AGENT and before.resolution_started is not None
    runs = after.status in WAITING_ON_AGENT
    if was and not runs and before.resolution_started and before.resolution_due:
        watch = Watch(RES, before.resolution_started, before.resolution_due, before.resolution_used)
        basis = policy.target_for(before, RES).basis
        spent = counted(policy.calendar_of(before.queue), basis, watch.start, at)
        paused = replace(
            after,
            resolution_started=None,
            resolution_due=None,
            resolution_used=watch.used + spent,
        )
        solved = after.status in (Status.SOLVED, Status.CLOSED)
        return paused, [done_event(before, watch, policy, at, ACTOR)] if solved else []
    if runs and after.resolution_started is None:
        resumed = replace(after, resolution_started=at)
        resumed_due = due(resumed, policy, RES, at, after.resolution_used)
        return replace(resumed, resolution_due=resumed_due), []
    return after, []


def _next_response(before: Ticket, after: Ticket, policy: SlaPolicy) -> Ticket:
    """The customer wrote after our answer: a next-response deadline starts."""
    since, answered = after.customer_waiting_since, after.first_responded_at
    if since is None or answered is None or since < answered:
        return after
    ongoing = after.next_response_due is not None and before.customer_waiting_since == since
    if ongoing:
        return after
    flags = {k: v for k, v in after.sla_flags.items() if k != NR.value}
    return replace(after, next_response_due=due(after, policy, NR, since), sla_flags=flags)


def _moved(before: Ticket, after: Ticket, at: datetime, policy: SlaPolicy) -> Ticket:
    """Priority, queue or VIP changed: the running deadlines follow the new policy."""
    if (before.priority, before.queue, before.vip) == (after.priority, after.queue, after.vip):
        return after
    t = after
    if t.first_responded_at is None and t.first_response_due is not None:
        t = replace(t, first_response_due=due(t, policy, FR, t.created_at))
    if t.next_response_due is not None and t.customer_waiting_since is not None:
        t = replace(t, next_response_due=due(t, policy, NR, t.customer_waiting_since))
    if t.resolution_started is not None:
        moved = due(t, policy, RES, t.resolution_started, t.resolution_used)
        t = replace(t, resolution_due=moved)
    return _refresh_warnings(t, at, policy)


def _refresh_warnings(ticket: Ticket, at: datetime, policy: SlaPolicy) -> Ticket:
    """A deadline moved later than its warning point: it is no longer at risk (a breach stays)."""
    cal = policy.calendar_of(ticket.queue)
    flags = dict(ticket.sla_flags)
    for watch in running(ticket):
        if flags.get(watch.deadline.value) != AT_RISK:
            continue
        basis = policy.target_for(ticket, watch.deadline).basis
        if warning_point(cal, basis, watch, policy.warning_at) > at:
            del flags[watch.deadline.value]
    return replace(ticket, sla_flags=flags)
