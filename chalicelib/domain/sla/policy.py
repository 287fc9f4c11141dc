"""SLA policies and deadline maths: targets per queue and priority, VIPs, due and warning points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.sla.business_time import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
)
from chalicelib.domain.tickets.model import WAITING_ON_AGENT, Priority, Ticket

ZERO = timedelta(0)
OK, AT_RISK, BREACHED = "ok", "at_risk", "breached"
_SEVERITY = {OK: 0, AT_RISK: 1, BREACHED: 2}


class Deadline(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"  # after a customer writes again following our answer
    RESOLUTION = "resolution"  # paused while pending (waiting on the customer) or solved

    @property
    def code(self) -> str:
        return {"first_response": "fr", "next_response": "nr", "resolution": "res"}[self.value]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Basis(StrEnum):
    BUSINESS = "business"  # counted only while the calendar is open
    CALENDAR = "calendar"  # counted around the clock


class PointKind(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class Outcome(StrEnum):
    MET = "met"  # done by its due time
    MISSED = "missed"  # not done by its due time: exactly one of met/missed per deadline
    LATE = "late"  # done after a miss that was already recorded (information only)


@dataclass(frozen=True)
class Target:
    duration: timedelta
    basis: Basis = Basis.BUSINESS

    def __post_init__(self) -> None:
        if self.duration <= ZERO:
            raise ValueError(f"an SLA target must be positive, got {self.duration}")

    def scaled(self, factor: float) -> Target:
        return replace(self, duration=self.duration * factor)


@dataclass(frozen=True)
class Targets:
    first_response: Target
    next_response: Target
    resolution: Target

    def of(self, deadline: Deadline) -> Target:
        target: Target = getattr(self, deadline.value)
        return target

    def scaled(self, factor: float) -> Targets:
        return Targets(*(self.of(d).scaled(factor) for d in Deadline))


def business_hours(hours: float) -> Target:
    return Target(timedelta(hours=hours))


# First response as the issue asks (seed 003: four hours); next response as fast as the first;
# resolution one business day (urgent), two (high), a week (normal) and two weeks (low).
DEFAULT_TARGETS: Mapping[Priority, Targets] = {
    Priority.URGENT: Targets(business_hours(1), business_hours(1), business_hours(8)),
    Priority.HIGH: Targets(business_hours(2), business_hours(2), business_hours(16)),
    Priority.NORMAL: Targets(business_hours(4), business_hours(4), business_hours(40)),
    Priority.LOW: Targets(business_hours(24), business_hours(24), business_hours(80)),
}


@dataclass(frozen=True)
class Vip:
    """Customers who get stricter targets and a priority one step up (seed 001)."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()  # a domain covers its subdomains too
    factor: float = 0.5  # VIP targets are this share of the queue's targets
    raise_priority: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.factor <= 1:
            raise ValueError(f"the VIP factor must be in (0, 1], got {self.factor}")

    def matches(self, email: str) -> bool:
        address = email.strip().lower()
        domain = address.rpartition("@")[2]
        return address in self.addresses or any(
            domain == d or domain.endswith(f".{d}") for d in self.domains
        )


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per queue and priority, each queue's calendar, VIPs and the warning point."""

    calendar: BusinessCalendar
    targets: Mapping[Priority, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    queue_targets: Mapping[str, Mapping[Priority, Targets]] = field(default_factory=dict)
    queue_calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    vip: Vip = Vip()
    warning_at: float = 0.8  # the warning comes when this share of the target has passed

    def __post_init__(self) -> None:
        if not 0 < self.warning_at < 1:
            raise ValueError(f"warning_at must be between 0 and 1, got {self.warning_at}")
        missing = [p.value for p in Priority if p not in self.targets]
        if missing:
            raise ValueError(f"no SLA targets for priority {', '.join(missing)}")

    def target(self, queue: str, priority: Priority, deadline: Deadline, *, vip: bool) -> Target:
        targets = self.queue_targets.get(queue, {}).get(priority) or self.targets[priority]
        target = targets.of(deadline)
        return target.scaled(self.vip.factor) if vip else target

    def target_for(self, ticket: Ticket, deadline: Deadline) -> Target:
        return self.target(ticket.queue, ticket.priority, deadline, vip=ticket.vip)

    def calendar_of(self, queue: str) -> BusinessCalendar:
        return self.queue_calendars.get(queue, self.calendar)


# -- deadline maths ----------------------------------------------------------------------------


def advance(cal: BusinessCalendar, basis: Basis, start: datetime, amount: timedelta) -> datetime:
    """The UTC instant when `amount` has been counted from `start` (nothing counts while closed)."""
    amount = max(amount, ZERO)
    if basis is Basis.BUSINESS:
        return add_business_time(cal, start, amount)
    return start.astimezone(UTC) + amount


def counted(cal: BusinessCalendar, basis: Basis, start: datetime, end: datetime) -> timedelta:
    """The time from `start` to `end` that counts against a target."""
    if end <= start:
        return ZERO
    if basis is Basis.BUSINESS:
        return business_time_between(cal, start, end)
    return end - start


@dataclass(frozen=True)
class Watch:
    """A deadline a ticket runs against now: counting since `start`, after `used` earlier."""

    deadline: Deadline
    start: datetime
    due: datetime
    used: timedelta = ZERO


def running(ticket: Ticket) -> list[Watch]:
    """The ticket's running deadlines, the response (first or next) before the resolution."""
    if ticket.status not in WAITING_ON_AGENT:
        return []
    watches = []
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        watches.append(Watch(Deadline.FIRST_RESPONSE, ticket.created_at, ticket.first_response_due))
    elif (
        ticket.first_responded_at is not None
        and ticket.customer_waiting_since is not None
        and ticket.next_response_due is not None
    ):
        watches.append(
            Watch(Deadline.NEXT_RESPONSE, ticket.customer_waiting_since, ticket.next_response_due)
        )
    if ticket.resolution_started is not None and ticket.resolution_due is not None:
        watches.append(
            Watch(
                Deadline.RESOLUTION,
                ticket.resolution_started,
                ticket.resolution_due,
                ticket.resolution_used,
            )
        )
    return watches


@dataclass(frozen=True)
class Point:
    """A moment the SLA clock acts on: the warning before a deadline, or its breach."""

    deadline: Deadline
    kind: PointKind
    at: datetime
    due: datetime
    start: datetime


def warning_point(cal: BusinessCalendar, basis: Basis, watch: Watch, share: float) -> datetime:
    """When `share` of the whole target (counted before, plus start → due) has been counted."""
    whole = watch.used + counted(cal, basis, watch.start, watch.due)
    return advance(cal, basis, watch.start, whole * share - watch.used)


def points(ticket: Ticket, policy: SlaPolicy) -> list[Point]:
    """Every point of the running deadlines not acted on yet, in the order of `running`."""
    cal = policy.calendar_of(ticket.queue)
    found = []
    for watch in running(ticket):
        flag = ticket.sla_flags.get(watch.deadline.value, OK)
        basis = policy.target_for(ticket, watch.deadline).basis
        if flag == OK:
            at = warning_point(cal, basis, watch, policy.warning_at)
            found.append(Point(watch.deadline, PointKind.WARNING, at, watch.due, watch.start))
        if flag != BREACHED:
            found.append(Point(watch.deadline, PointKind.BREACH, watch.due, watch.due, watch.start))
    return found


def current_points(ticket: Ticket, policy: SlaPolicy) -> list[Point]:
    """The points of the deadline worked against: the response if one runs, else resolution.

    A breached response stays the deadline worked against until it is answered: a firing never
    changes which deadline that is, so what a write scheduled is what the ticket says.
    """
    watches = running(ticket)
    if not watches:
        return []
    return [p for p in points(ticket, policy) if p.deadline == watches[0].deadline]


def sla_state(ticket: Ticket) -> str:
    """The worst flag of the running deadlines: ok, at_risk or breached."""
    flags = [ticket.sla_flags.get(w.deadline.value, OK) for w in running(ticket)]
    return max(flags, key=_SEVERITY.__getitem__, default=OK)


# -- reporting records -------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaRecord:
    """One met or missed deadline, as reports read it (stored as the data of a ticket event)."""

    deadline: Deadline
    outcome: Outcome
    started: datetime
    due: datetime
    at: datetime  # done (met, late) or seen breached (missed)
    target: Target
    counted: timedelta  # counted against the target, in its basis, up to `at`
    priority: Priority
    queue: str
    vip: bool = False
    ticket: int | None = None  # filled in when read back from the store

    def to_data(self) -> dict[str, Any]:
        return {
            "deadline": self.deadline.value,
            "outcome": self.outcome.value,
            "started": _iso(self.started),
            "due": _iso(self.due),
            "at": _iso(self.at),
            "target_seconds": self.target.duration.total_seconds(),
            "basis": self.target.basis.value,
            "counted_seconds": self.counted.total_seconds(),
            "priority": self.priority.value,
            "queue": self.queue,
            "vip": self.vip,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], ticket: int | None = None) -> SlaRecord:
        return cls(
            deadline=Deadline(data["deadline"]),
            outcome=Outcome(data["outcome"]),
            started=datetime.fromisoformat(data["started"]),
            due=datetime.fromisoformat(data["due"]),
            at=datetime.fromisoformat(data["at"]),
            target=Target(timedelta(seconds=float(data["target_seconds"])), Basis(data["basis"])),
            counted=timedelta(seconds=float(data["counted_seconds"])),
            priority=Priority(data["priority"]),
            queue=str(data["queue"]),
            vip=bool(data.get("vip", False)),
            ticket=ticket,
        )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")
