"""The facts reports need, taken when a ticket changes (never by reading tickets back).

`facts(before, after, events, message, ...)` compares a ticket before and after one write and
says what to add, in the same transaction as that write, to three kinds of aggregate:

- counts per desk-local day and cell (queue, priority, agent): tickets created, solved, reopened,
  closed; mails in and replies out (also per local hour, for traffic by hour × weekday); SLA
  deadlines met, missed, late per kind; CSAT answers; the change of the backlog (tickets not yet
  solved); languages and receiving addresses of new tickets;
- durations per day, cell and metric, each in calendar and business time of the ticket queue's
  calendar (domain/reports/histogram.py buckets);
- the live board: per queue and per agent, how many tickets wait now (counters moved by the
  difference between the ticket's contribution before and after).

The clock of each duration (README "Reports"): first response from the ticket's creation to the
first agent reply; reply wait (every agent reply) and next response (every reply but the first)
from the moment the customer started waiting to the reply; resolution from creation to the first
time the ticket is solved (or closed unsolved), again after each reopening.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.reports.histogram import bucket_of
from chalicelib.domain.sla.business_time import BusinessCalendar, business_time_between
from chalicelib.domain.tickets.model import (
    WAITING_ON_AGENT,
    Event,
    Message,
    MessageKind,
    Status,
    Ticket,
)

NOBODY = "-"
UNSOLVED = frozenset({*WAITING_ON_AGENT, Status.PENDING})
DONE = frozenset({Status.SOLVED, Status.CLOSED})
METRICS = ("frt", "nrt", "wait", "res")  # first response, next response, reply wait, resolution
SLA_KINDS = frozenset({"sla_met", "sla_breached"})
# Ticket.extra: the first response the acknowledgement promised (a short name: six indexes copy it)
PROMISE = "promise"


@dataclass(frozen=True, order=True)
class Cell:
    """The dimensions a fact is counted under; reports filter and group by them."""

    queue: str
    priority: str
    agent: str = NOBODY


@dataclass(frozen=True)
class Duration:
    day: date
    cell: Cell
    metric: str
    calendar_s: float
    business_s: float

    @property
    def buckets(self) -> tuple[int, int]:
        return bucket_of(self.calendar_s), bucket_of(self.business_s)


@dataclass
class Facts:
    """What one write adds. `counts[(day, cell)][name]` and `board[key][name]` may be negative."""

    counts: dict[tuple[date, Cell], dict[str, int]] = field(default_factory=dict)
    durations: list[Duration] = field(default_factory=list)
    board: dict[str, dict[str, int]] = field(default_factory=dict)
    day: date | None = None  # the write's own day; others are corrections of days gone by

    @property
    def past_days(self) -> set[date]:
        """Days before the write's own that it corrects (a changed CSAT answer): their
        summaries, built once a day is over, no longer hold and are dropped with the write."""
        return {d for d, _ in self.counts if self.day is not None and d < self.day}

    def add(self, day: date, cell: Cell, name: str, amount: int = 1) -> None:
        bucket = self.counts.setdefault((day, cell), {})
        bucket[name] = bucket.get(name, 0) + amount
        if bucket[name] == 0:
            del bucket[name]
            if not bucket:
                del self.counts[(day, cell)]

    def __bool__(self) -> bool:
        return bool(self.counts or self.durations or self.board)

    def absorb(self, other: Facts) -> None:
        """`other` added into these facts, in place (a backfill sums a whole table's)."""
        for (day, cell), names in other.counts.items():
            for name, amount in names.items():
                self.add(day, cell, name, amount)
        self.durations += other.durations
        add_board(self.board, other.board)


def add_board(board: dict[str, dict[str, int]], part: Mapping[str, Mapping[str, int]]) -> None:
    """Board counters `part` added into `board`, in place."""
    for key, names in part.items():
        counters = board.setdefault(key, {})
        for name, amount in names.items():
            counters[name] = counters.get(name, 0) + amount


NO_FACTS = Facts()


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def hour_name(direction: str, at: datetime, zone: ZoneInfo) -> str:
    return f"{direction}_h{at.astimezone(zone).hour:02d}"


def facts(
    before: Ticket | None,
    after: Ticket,
    events: Sequence[Event],
    message: Message | None,
    *,
    zone: ZoneInfo,
    calendar_of: Callable[[str], BusinessCalendar],
    at: datetime | None = None,
) -> Facts:
    """What the change from `before` (None: a new ticket) to `after` adds to the reports."""
    at = at or after.updated_at
    day = local_day(at, zone)
    cell = Cell(after.queue, after.priority.value, after.assignee or NOBODY)
    found = Facts(day=day)
    if before is None:
        _created(found, after, day, cell)
    _message(found, before, after, message, at, day, cell, zone, calendar_of)
    _statuses(found, before, after, at, day, cell, calendar_of)
    for event in events:
        _event(found, before, event, day, cell, zone)
    _backlog(found, before, after, day)
    _board(found, before, after)
    return found


def _created(found: Facts, ticket: Ticket, day: date, cell: Cell) -> None:
    found.add(day, cell, "created")
    found.add(day, cell, f"lang_{ticket.language or 'und'}")
    address = str(ticket.extra.get("received_at_address") or "")
    if address:
        found.add(day, cell, f"to_{address.lower()}")


def _message(
    found: Facts,
    before: Ticket | None,
    after: Ticket,
    message: Message | None,
    at: datetime,
    day: date,
    cell: Cell,
    zone: ZoneInfo,
    calendar_of: Callable[[str], BusinessCalendar],
) -> None:
    if message is None:
        return
    if message.kind is MessageKind.INBOUND:
        found.add(day, cell, "in")
        found.add(day, cell, hour_name("in", message.created_at, zone))
        return
    if message.kind is not MessageKind.OUTBOUND or before is None:
        return
    replier = Cell(cell.queue, cell.priority, _agent_of(message) or cell.agent)
    sent = message.created_at
    found.add(day, replier, "out")
    found.add(day, replier, hour_name("out", message.created_at, zone))
    calendar = calendar_of(after.queue)
    if before.first_responded_at is None and after.first_responded_at is not None:
        _duration(found, day, replier, "frt", after.created_at, after.first_responded_at, calendar)
        promised = _promised(after)
        if promised is not None:
            kept = after.first_responded_at <= promised
            found.add(day, replier, "promise_kept" if kept else "promise_broken")
    elif before.customer_waiting_since is not None:
        _duration(found, day, replier, "nrt", before.customer_waiting_since, sent, calendar)
    if before.customer_waiting_since is not None:
        _duration(found, day, replier, "wait", before.customer_waiting_since, sent, calendar)


def _statuses(
    found: Facts,
    before: Ticket | None,
    after: Ticket,
    at: datetime,
    day: date,
    cell: Cell,
    calendar_of: Callable[[str], BusinessCalendar],
) -> None:
    was = before.status if before is not None else None
    if was in DONE and after.status in UNSOLVED:
        found.add(day, cell, "reopened")
    if was not in DONE and after.status in DONE:
        found.add(day, cell, "solved")
        end = after.solved_at or at
        _duration(found, day, cell, "res", after.created_at, end, calendar_of(after.queue))
    if was is not Status.CLOSED and after.status is Status.CLOSED:
        found.add(day, cell, "closed")


def _event(
    found: Facts, before: Ticket | None, event: Event, day: date, cell: Cell, zone: ZoneInfo
) -> None:
    data = event.data
    if event.kind in SLA_KINDS:
        code = {"first_response": "fr", "next_response": "nr", "resolution": "res"}.get(
            str(data.get("deadline")), "other"
        )
        found.add(day, cell, f"sla_{code}_{data.get('outcome', 'missed')}")
    elif event.kind == "survey_answered":
        answer, previous = data.get("answer"), data.get("previous")
        found.add(day, cell, f"csat_{answer}")
        if previous:
            # the survey counts once, with its latest answer: taken off the day it was given
            when = _previous_answer_at(before)
            found.add(local_day(when, zone) if when else day, cell, f"csat_{previous}", -1)
        elif data.get("comment"):
            found.add(day, cell, "csat_comments")


def _backlog(found: Facts, before: Ticket | None, after: Ticket, day: date) -> None:
    """The backlog (tickets not solved) per cell moves with status, queue, priority, assignee."""
    was = _unsolved_cell(before)
    now = _unsolved_cell(after)
    if was == now:
        return
    if was is not None:
        found.add(day, was, "backlog", -1)
    if now is not None:
        found.add(day, now, "backlog", 1)


def _unsolved_cell(ticket: Ticket | None) -> Cell | None:
    if ticket is None or ticket.status not in UNSOLVED:
        return None
    return Cell(ticket.queue, ticket.priority.value, ticket.assignee or NOBODY)


def board_part(ticket: Ticket | None) -> dict[str, dict[str, int]]:
    """What one ticket adds to the live board now."""
    if ticket is None or ticket.status not in UNSOLVED:
        return {}
    waiting = int(ticket.status in WAITING_ON_AGENT)
    queue = {
        "unsolved": 1,
        "waiting": waiting,
        "unassigned": waiting * int(ticket.assignee is None),
        "at_risk": waiting * int(ticket.sla_state == "at_risk"),
        "breached": waiting * int(ticket.sla_state == "breached"),
        "pending": int(ticket.status is Status.PENDING),
    }
    part = {f"Q#{ticket.queue}": queue}
    if ticket.assignee:
        part[f"A#{ticket.assignee}"] = {"open": 1, "waiting": waiting}
    return part


def _board(found: Facts, before: Ticket | None, after: Ticket) -> None:
    for key, names in board_difference(board_part(before), board_part(after)).items():
        found.board[key] = names


def board_difference(
    was: Mapping[str, Mapping[str, int]], now: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for key in {*was, *now}:
        names = {*was.get(key, {}), *now.get(key, {})}
        moved = {n: now.get(key, {}).get(n, 0) - was.get(key, {}).get(n, 0) for n in names}
        moved = {n: v for n, v in moved.items() if v}
        if moved:
            result[key] = moved
    return result


def _duration(
    found: Facts,
    day: date,
    cell: Cell,
    metric: str,
    start: datetime,
    end: datetime,
    calendar: BusinessCalendar,
) -> None:
    if end < start:
        end = start
    business = business_time_between(calendar, start, end) if end > start else timedelta(0)
    found.durations.append(
        Duration(day, cell, metric, (end - start).total_seconds(), business.total_seconds())
    )


def _agent_of(message: Message) -> str | None:
    """An agent's reply is authored by their address, which is their id (lower-case)."""
    return message.author.email.strip().lower() or None


def with_promise(ticket: Ticket) -> Ticket:
    """A new ticket keeps the first response its acknowledgement promises: a later priority
    change may move the deadline, but reports count the first reply against this promise."""
    due = ticket.first_response_due
    if due is None or PROMISE in ticket.extra:
        return ticket
    return replace(ticket, extra={**ticket.extra, PROMISE: due.isoformat()})


def promised(ticket: Ticket) -> datetime | None:
    return _promised(ticket)


def _promised(ticket: Ticket) -> datetime | None:
    value = ticket.extra.get(PROMISE)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _previous_answer_at(ticket: Ticket | None) -> datetime | None:
    survey = ticket.extra.get("survey") if ticket is not None else None
    value = survey.get("answered_at") if isinstance(survey, Mapping) else None
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def merged(all_facts: Iterable[Facts]) -> Facts:
    """Several writes' facts as one (a backfill of one ticket's whole life)."""
    result = Facts()
    for f in all_facts:
        result.absorb(f)
    return result
