"""What agents do to a ticket (reply, status, assignment, transfer): new states and their events."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.tickets.model import (
    WAITING_ON_AGENT,
    Event,
    Priority,
    Status,
    Ticket,
    merge_cc,
)

SETTABLE_STATUSES = (Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED)
REPLY_STATUSES = (Status.PENDING, Status.OPEN, Status.SOLVED)
UNCHANGED: Any = object()  # a field the request did not mention (None means "clear it")


@dataclass(frozen=True)
class TicketChanges:
    """What an agent asked to change; UNCHANGED where the request said nothing."""

    status: Status | None = None
    priority: Priority | None = None
    queue: str | None = None
    assignee: str | None = UNCHANGED
    spam: bool | None = None


def is_spam(ticket: Ticket) -> bool:
    return bool(ticket.extra.get("spam"))


def ensure_repliable(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise Conflict(
            f"ticket {ticket.tag} is closed: closed tickets are final, "
            "the customer's next mail opens a follow-up ticket"
        )
    if is_spam(ticket):
        raise Conflict(f"ticket {ticket.tag} is marked as spam: it gets no replies")


def parse_status(value: str, allowed: tuple[Status, ...], field: str = "status") -> Status:
    try:
        status = Status(value)
    except ValueError:
        status = None
    if status not in allowed:
        raise InvalidInput(field, f"must be one of {', '.join(s.value for s in allowed)}")
    return status


def parse_priority(value: str) -> Priority:
    try:
        return Priority(value)
    except ValueError as e:
        raise InvalidInput("priority", f"must be one of {', '.join(Priority)}") from e


def apply_changes(
    ticket: Ticket, changes: TicketChanges, *, at: datetime, actor: str
) -> tuple[Ticket, list[Event]]:
    """The ticket after an agent's edit; unchanged (and no events) when nothing differs."""
    updated, events = with_status(ticket, changes.status, at, actor)
    updated, more = _with_priority(updated, changes.priority, at, actor)
    events += more
    updated, more = with_queue(updated, changes.queue, at, actor)
    events += more
    if changes.assignee is not UNCHANGED:
        updated, more = with_assignee(updated, changes.assignee, at, actor)
        events += more
    if changes.spam is not None:
        updated, more = _with_spam(updated, changes.spam, at, actor)
        events += more
    return (bumped(ticket, updated, at), events) if events else (ticket, [])


def bumped(before: Ticket, after: Ticket, at: datetime) -> Ticket:
    """Every write of a ticket is one version further than the one it was based on."""
    return replace(after, updated_at=at, version=before.version + 1)


def with_status(
    ticket: Ticket, status: Status | None, at: datetime, actor: str
) -> tuple[Ticket, list[Event]]:
    if status is None or status == ticket.status:
        return ticket, []
    if ticket.status == Status.CLOSED:
        raise Conflict(f"ticket {ticket.tag} is closed: closed tickets are final")
    waiting = (ticket.customer_waiting_since or at) if status in WAITING_ON_AGENT else None
    solved_at = at if status == Status.SOLVED else None
    if status == Status.CLOSED:
        solved_at = ticket.solved_at or at
    updated = replace(ticket, status=status, customer_waiting_since=waiting, solved_at=solved_at)
    return updated, [Event(at, "status_changed", actor, {"from": ticket.status, "to": status})]


def _with_priority(
    ticket: Ticket, priority: Priority | None, at: datetime, actor: str
) -> tuple[Ticket, list[Event]]:
    if priority is None or priority == ticket.priority:
        return ticket, []
    event = Event(at, "priority_changed", actor, {"from": ticket.priority, "to": priority})
    return replace(ticket, priority=priority), [event]


def with_queue(
    ticket: Ticket, queue: str | None, at: datetime, actor: str
) -> tuple[Ticket, list[Event]]:
    if queue is None or queue == ticket.queue:
        return ticket, []
    event = Event(at, "queue_changed", actor, {"from": ticket.queue, "to": queue})
    return replace(ticket, queue=queue), [event]


def with_assignee(
    ticket: Ticket, assignee: str | None, at: datetime, actor: str
) -> tuple[Ticket, list[Event]]:
    if assignee == ticket.assignee:
        return ticket, []
    event = Event(at, "assigned", actor, {"from": ticket.assignee, "to": assignee})
    updated = replace(ticket, assignee=assignee)
    if assignee is not None and ticket.status == Status.NEW:
        # Someone has picked it up: it is no longer untouched, but still waiting on us. (So a
        # new ticket is never assigned: services/desk/views.py reads new ones from "unassigned".)
        updated = replace(updated, status=Status.OPEN)
        return updated, [event, Event(at, "status_changed", actor, {"from": "new", "to": "open"})]
    return updated, [event]


def _with_spam(ticket: Ticket, spam: bool, at: datetime, actor: str) -> tuple[Ticket, list[Event]]:
    if spam == is_spam(ticket):
        return ticket, []
    extra = {**ticket.extra, "spam": True} if spam else {**ticket.extra, "spam": False}
    updated, events = (
        replace(ticket, extra=extra),
        [Event(at, "marked_spam" if spam else "unmarked_spam", actor, {})],
    )
    if spam and ticket.status in (*WAITING_ON_AGENT, Status.PENDING):
        # Spam needs no work: it leaves the work views (solved, so a mistake can be undone).
        updated, more = with_status(updated, Status.SOLVED, at, actor)
        events += more
    return updated, events


def take(ticket: Ticket, agent_id: str, *, at: datetime) -> tuple[Ticket, list[Event]]:
    """Assign to the agent; someone else's ticket is not taken from them (409)."""
    if ticket.assignee not in (None, agent_id):
        raise Conflict(f"ticket {ticket.tag} is already assigned to {ticket.assignee}")
    updated, events = with_assignee(ticket, agent_id, at, agent_id)
    return (bumped(ticket, updated, at), events) if events else (ticket, [])


def transfer(
    ticket: Ticket, queue: str, *, at: datetime, actor: str, note_id: str
) -> tuple[Ticket, list[Event]]:
    """To another queue (escalation to second line): the new queue's agents pick it up."""
    if queue == ticket.queue:
        raise InvalidInput("queue", f"the ticket is already in {queue}")
    moved = replace(ticket, queue=queue, assignee=None)
    event = Event(
        at,
        "transferred",
        actor,
        {"from": ticket.queue, "to": queue, "previous_assignee": ticket.assignee, "note": note_id},
    )
    return bumped(ticket, moved, at), [event]


def after_agent_reply(
    ticket: Ticket,
    *,
    at: datetime,
    actor: str,
    status: Status,
    cc: tuple[str, ...],
    thread_id: str | None,
) -> tuple[Ticket, list[Event]]:
    """An agent answered: first response recorded, the customer no longer waits on us."""
    target = ticket.status if ticket.status == Status.CLOSED else status
    updated, events = with_status(ticket, target, at, actor)
    merged_cc = merge_cc(ticket.cc, cc)
    if merged_cc != ticket.cc:
        events.append(Event(at, "cc_changed", actor, {"cc": list(merged_cc)}))
    updated = replace(
        updated,
        cc=merged_cc,
        first_responded_at=ticket.first_responded_at or at,
        customer_waiting_since=None,
        thread_ids=ticket.with_thread_id(thread_id),
    )
    return bumped(ticket, updated, at), events
