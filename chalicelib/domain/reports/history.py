"""A ticket's life replayed from its stored item, messages and event log: the writes it went
through, each as (before, after, events, message), so that the backfill asks the same
`facts.facts` the write path asks.

What the log keeps is enough for what reports count: the first state comes from the `created`
event and from the first `from` of each change (status, queue, priority, assignee); each later
write is the events that share a time stamp, with the message it wrote (a reply by its
`replied` event, the customer's mail by its time or its `customer_replied` event). What the log
does not keep is taken from the ticket as it is now: language, receiving address, the promised
first response (all set at creation), VIP. The SLA state (`sla_state`) is not replayed: no
report fact depends on it, only the board, which is built from the tickets' current states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.errors import Conflict
from chalicelib.domain.reports.facts import Facts, board_part, merged
from chalicelib.domain.tickets.changes import after_agent_reply, with_status
from chalicelib.domain.tickets.model import (
    Event,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    on_customer_reply,
)

FactsOf = Callable[[Ticket | None, Ticket, Sequence[Event], Message | None, datetime], Facts]
CHANGES = ("status_changed", "queue_changed", "priority_changed", "assigned", "transferred")


@dataclass(frozen=True)
class Write:
    at: datetime
    before: Ticket | None  # None: the write that created the ticket
    after: Ticket
    events: tuple[Event, ...]
    message: Message | None


@dataclass
class _Group:
    at: datetime
    events: list[Event]
    message: Message | None = None


def writes(current: Ticket, messages: Sequence[Message], events: Sequence[Event]) -> list[Write]:
    """The writes of the ticket's life, oldest first, states rebuilt from the first one on."""
    groups = _grouped(messages, sorted(events, key=lambda e: e.at))
    if not groups:  # a ticket older than its log: created, and nothing else known
        groups = [_Group(current.created_at, [])]
    state = first_state(current, events)
    found: list[Write] = []
    for i, group in enumerate(groups):
        if i == 0:  # the write path dates a new ticket's facts by its creation
            at = current.created_at
            after = replace(state, updated_at=at)
            found.append(Write(at, None, after, tuple(group.events), group.message))
        else:
            after = _step(state, group)
            found.append(Write(group.at, state, after, tuple(group.events), group.message))
        state = after
    return found


def life_facts(
    current: Ticket, messages: Sequence[Message], events: Sequence[Event], facts_of: FactsOf
) -> Facts:
    """What the ticket's whole life added to the report counts (its board part aside)."""
    found = merged(
        facts_of(w.before, w.after, w.events, w.message, w.at)
        for w in writes(current, messages, events)
    )
    found.board = {}  # the board is what the tickets are now: board_part of the current state
    return found


def board_of(tickets: Iterable[Ticket]) -> dict[str, dict[str, int]]:
    board: dict[str, dict[str, int]] = {}
    for ticket in tickets:
        for key, names in board_part(ticket).items():
            counters = board.setdefault(key, {})
            for name, amount in names.items():
                counters[name] = counters.get(name, 0) + amount
    return board


def first_state(current: Ticket, events: Sequence[Event]) -> Ticket:
    """The ticket as its creation wrote it: the oldest `from` of each change, else as now."""
    ordered = sorted(events, key=lambda e: e.at)
    created = next((e for e in ordered if e.kind == "created"), None)
    status = _first(ordered, ("status_changed",), "from")
    queue = created.data.get("queue") if created is not None else None
    queue = queue or _first(ordered, ("queue_changed", "transferred"), "from")
    priority = _first(ordered, ("priority_changed",), "from")
    assignee = _first_assignee(ordered, current.assignee)
    extra = {k: v for k, v in current.extra.items() if k not in ("survey", "spam")}
    return replace(
        current,
        status=Status(status) if status else current.status,
        queue=str(queue or current.queue),
        priority=Priority(priority) if priority else current.priority,
        assignee=assignee,
        updated_at=current.created_at,
        first_responded_at=None,
        customer_waiting_since=current.created_at,
        solved_at=None,
        sla_state="ok",
        sla_flags={},
        extra=extra,
        version=1,
    )


def _first(events: Sequence[Event], kinds: tuple[str, ...], name: str) -> str | None:
    for event in events:
        if event.kind in kinds:
            value = event.data.get(name)
            return str(value) if value else None
    return None


def _first_assignee(events: Sequence[Event], now: str | None) -> str | None:
    for event in events:
        if event.kind == "assigned":
            return str(event.data["from"]) if event.data.get("from") else None
        if event.kind == "transferred":
            previous = event.data.get("previous_assignee")
            return str(previous) if previous else None
    return now


def _grouped(messages: Sequence[Message], events: Sequence[Event]) -> list[_Group]:
    """One group per write: the events of one time stamp, and the message that write stored."""
    groups: list[_Group] = []
    for event in events:
        if groups and groups[-1].at == event.at:
            groups[-1].events.append(event)
        else:
            groups.append(_Group(event.at, [event]))
    left = [m for m in sorted(messages, key=lambda m: m.created_at) if _counted(m)]
    left = [m for m in left if not _place(m, groups)]
    for message in left:  # no write of its own in the log (an older ticket): alone, in time
        groups.append(_Group(message.created_at, [], message))
    groups.sort(key=lambda g: g.at)
    created = next((g for g in groups if any(e.kind == "created" for e in g.events)), None)
    if created is not None:  # nothing happened before the ticket was created
        groups.remove(created)
        groups.insert(0, created)
    return groups


def _counted(message: Message) -> bool:
    """Notes add no fact; a survey comment is written with its answer, which counts it as an
    answer, not as mail (the write path hands that write no message)."""
    return message.kind is not MessageKind.NOTE and "survey" not in message.flags


def _place(message: Message, groups: list[_Group]) -> bool:
    """Put the message on the write that stored it; False when no write of the log fits."""
    free = [g for g in groups if g.message is None]
    named = [g for g in free if any(e.data.get("message") == message.id for e in g.events)]
    if message.kind is MessageKind.INBOUND:
        candidates = [g for g in free if g.at == message.created_at] or [
            g for g in free if any(e.kind in _MAIL_IN for e in g.events)
        ]
    elif message.kind is MessageKind.OUTBOUND:  # by its `replied` event, else by its time
        candidates = named or [g for g in free if g.at == message.created_at]
    else:  # a survey mail by its `survey_sent` event
        candidates = named
    if not candidates:
        return message.kind is MessageKind.AUTO  # the acknowledgement: written without facts
    candidates[0].message = message
    return True


_MAIL_IN = ("created", "customer_replied")


def _step(state: Ticket, group: _Group) -> Ticket:
    """The state after one write: its message's rule, then the changes its events record."""
    at, message, events = group.at, group.message, group.events
    replied = message is not None and message.kind is MessageKind.OUTBOUND
    if replied:
        target = _last_status(events) or state.status
        state = after_agent_reply(state, at=at, actor="", status=target, cc=(), thread_id=None)[0]
    elif message is not None and message.kind is MessageKind.INBOUND and _reopens(events, state):
        state = on_customer_reply(state, at=at, message_id=None, cc=())[0]
    for event in events:
        if event.kind in CHANGES and not (replied and event.kind == "status_changed"):
            state = _changed(state, event, at)
        elif event.kind == "survey_answered":
            survey = state.extra.get("survey")
            answered = {**(survey if isinstance(survey, dict) else {}), "answered_at": _iso(at)}
            state = replace(state, extra={**state.extra, "survey": answered})
    return replace(state, updated_at=at, version=state.version + 1)


def _reopens(events: Sequence[Event], state: Ticket) -> bool:
    """A customer's mail (not a survey comment) moves the ticket: waiting, reopened."""
    return any(e.kind == "customer_replied" for e in events) or not any(
        e.kind == "survey_answered" for e in events
    )


def _last_status(events: Sequence[Event]) -> Status | None:
    found = [e.data.get("to") for e in events if e.kind == "status_changed"]
    return Status(str(found[-1])) if found and found[-1] else None


def _changed(state: Ticket, event: Event, at: datetime) -> Ticket:
    data = event.data
    to = data.get("to")
    if event.kind == "status_changed" and to:
        try:
            return with_status(state, Status(str(to)), at, event.actor)[0]
        except Conflict:  # the log says it happened: a closed ticket's status, as recorded
            return replace(state, status=Status(str(to)))
    if event.kind == "queue_changed" and to:
        return replace(state, queue=str(to))
    if event.kind == "transferred" and to:
        return replace(state, queue=str(to), assignee=None)
    if event.kind == "priority_changed" and to:
        return replace(state, priority=Priority(str(to)))
    if event.kind == "assigned":
        return replace(state, assignee=str(to) if to else None)
    return state


def _iso(at: datetime) -> str:
    return at.isoformat()


@dataclass(frozen=True)
class TicketLog:
    """What the table keeps of one ticket: its item now, its thread and its event log."""

    ticket: Ticket
    messages: tuple[Message, ...]
    events: tuple[Event, ...]

    def facts(self, facts_of: FactsOf) -> Facts:
        return life_facts(self.ticket, self.messages, self.events, facts_of)
