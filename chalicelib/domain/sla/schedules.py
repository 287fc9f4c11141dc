"""SLA schedules: one one-time EventBridge schedule per point, named so it is made only once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.sla.policy import Point
from chalicelib.domain.tickets.model import Ticket

SCHEDULE_TYPE = "sla"
ASAP = timedelta(minutes=1)  # Scheduler refuses times in the past: a missed point fires soon
_STAMP = "%Y%m%dT%H%M%S"


def schedule_name(ticket: int, point: Point) -> str:
    """E.g. sla-1001-fr-w-20261123T120000-20261123T080000: deadline, kind, due, its start.

    The start tells two episodes of the same deadline apart when business time gives them the
    same due time (a customer writing twice on one weekend). At most 64 of [0-9A-Za-z-_.].
    """
    due, start = point.due.astimezone(UTC), point.start.astimezone(UTC)
    kind = point.kind.value[0]
    return f"sla-{ticket}-{point.deadline.code}-{kind}-{due:{_STAMP}}-{start:{_STAMP}}"


def fire_time(point: Point, now: datetime) -> datetime:
    """The next whole minute at or after the point (Scheduler has minute precision)."""
    when = max(point.at, now + ASAP).astimezone(UTC)
    minutes = math.ceil(when.timestamp() / 60)
    return datetime.fromtimestamp(minutes * 60, tz=UTC)


def payload(ticket: Ticket, point: Point) -> Mapping[str, Any]:
    """The schedule's Input: the handler needs only the ticket and the name; the rest is for
    people reading logs."""
    return {
        "type": SCHEDULE_TYPE,
        "ticket": ticket.number,
        "schedule": schedule_name(ticket.number, point),
        "deadline": point.deadline.value,
        "kind": point.kind.value,
        "due": point.due.astimezone(UTC).isoformat(),
    }
