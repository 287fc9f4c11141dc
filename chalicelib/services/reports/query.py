"""A report's request: the period of desk-local dates, the grouping and the filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reports.facts import Cell
from chalicelib.domain.reports.periods import DEFAULT_DAYS, MAX_DAYS, Group, Period
from chalicelib.domain.tickets.model import Priority


@dataclass(frozen=True)
class ReportQuery:
    period: Period
    group: Group = Group.DAY
    queue: str | None = None
    agent: str | None = None
    priority: str | None = None

    def keeps(self) -> Callable[[Cell], bool]:
        """Which cells the filters keep."""

        def keep(cell: Cell) -> bool:
            return (
                (self.queue is None or cell.queue == self.queue)
                and (self.agent is None or cell.agent == self.agent)
                and (self.priority is None or cell.priority == self.priority)
            )

        return keep

    def filters(self) -> dict[str, str | None]:
        return {"queue": self.queue, "agent": self.agent, "priority": self.priority}


def parse_query(params: Mapping[str, str], today: date) -> ReportQuery:
    """`from`, `to` (desk-local dates, both included), `group`, `queue`, `agent`, `priority`."""
    end = _date("to", params.get("to")) or today
    start = _date("from", params.get("from")) or end - timedelta(days=DEFAULT_DAYS - 1)
    if end > today:
        raise InvalidInput("to", f"must not be after today ({today.isoformat()})")
    if start > end:
        raise InvalidInput("from", "must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput("from", f"a period of at most {MAX_DAYS} days")
    return ReportQuery(
        period=Period(start, end, "period"),
        group=_choice("group", params.get("group") or "day", Group),
        queue=params.get("queue") or None,
        agent=(params.get("agent") or "").strip().lower() or None,
        priority=_choice("priority", params["priority"], Priority).value
        if params.get("priority")
        else None,
    )


def _date(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "must be a date, YYYY-MM-DD") from None


def _choice[E: (Group, Priority)](name: str, value: str, kind: type[E]) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(v.value) for v in kind)
        raise InvalidInput(name, f"must be one of {allowed}") from None
