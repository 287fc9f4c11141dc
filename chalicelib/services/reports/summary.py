"""The summary report: counts, durations, SLA, CSAT and backlog per period, with a comparison.

Read from the report aggregates only (never tickets, never a Scan): see loader.py for the cost.
The backlog at the end of a period is the unsolved count now (the live board) minus the backlog
changes of the days after that period up to today. The board knows it per queue (`Q#`) and per
agent (`A#`, tickets assigned); filtered by priority, or by queue and agent together, there is
no such count now, and `backlog_end` is null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.reports import figures
from chalicelib.domain.reports.periods import Group, Period, local_today, previous, series
from chalicelib.domain.reports.rollup import Rollup, Tally, merged
from chalicelib.services.ports import Clock, ReadCost, ReportFacts
from chalicelib.services.reports.loader import Chunk, Loader
from chalicelib.services.reports.query import ReportQuery, parse_query


def backlog_now(board: Mapping[str, Mapping[str, int]], query: ReportQuery) -> int | None:
    """Unsolved tickets now under the filters, when the live board counts them."""
    if query.priority is not None or (query.queue is not None and query.agent is not None):
        return None
    if query.agent is not None:
        return int(board.get(f"A#{query.agent}", {}).get("open", 0))
    return sum(
        int(names.get("unsolved", 0))
        for key, names in board.items()
        if key.startswith("Q#") and (query.queue is None or key == f"Q#{query.queue}")
    )


def rows_of(chunks: list[Chunk], period: Period, group: Group) -> list[tuple[Period, Rollup]]:
    return [
        (row, merged(r for p, r in chunks if row.start <= p.start <= row.end))
        for row in series(period, group)
    ]


class SummaryReport:
    def __init__(self, store: ReportFacts, clock: Clock, timezone: str) -> None:
        self._store = store
        self._clock = clock
        self._zone = ZoneInfo(timezone)

    def report_for(self, params: Mapping[str, str]) -> dict[str, Any]:
        today = local_today(self._clock.now(), self._zone)
        return self.report(parse_query(params, today))

    def report(self, query: ReportQuery) -> dict[str, Any]:
        cost = ReadCost()
        load = Loader(self._store, self._zone, self._clock.now(), cost)
        keep = query.keeps()
        period = query.period
        chunks = load.span(period, by_month=query.group is Group.MONTH)
        rows = [(row, r.select(keep)) for row, r in rows_of(chunks, period, query.group)]
        before = previous(period)
        earlier = load.total(before).select(keep)
        after = load.since(period.end).select(keep).count("backlog")
        now = backlog_now(self._store.board(cost), query)
        ends = _backlog_ends(now, after, [t.count("backlog") for _, t in rows])
        total = Tally()
        for _, t in rows:
            total.add(t)
        return {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "timezone": self._zone.key,
            "group": query.group.value,
            "filters": query.filters(),
            "totals": figures.totals(total, ends[-1]),
            "series": [
                {
                    "period": row.label,
                    "start": row.start.isoformat(),
                    "end": row.end.isoformat(),
                    **figures.totals(t, end),
                }
                for (row, t), end in zip(rows, ends[1:], strict=True)
            ],
            "previous": {
                "from": before.start.isoformat(),
                "to": before.end.isoformat(),
                "totals": figures.totals(earlier, ends[0]),
            },
            "traffic": {"in": figures.traffic(total, "in"), "out": figures.traffic(total, "out")},
            "languages": figures.named(total, "lang_"),
            "addresses": figures.named(total, "to_"),
            "reads": {"queries": cost.queries, "items": cost.items, "written": cost.written},
        }


def _backlog_ends(now: int | None, after: int, deltas: list[int]) -> list[int | None]:
    """The backlog before the first row, then at the end of each row."""
    if now is None:
        return [None] * (len(deltas) + 1)
    ends = [now - after]
    for delta in reversed(deltas):
        ends.append(ends[-1] - delta)
    return list(reversed(ends))
