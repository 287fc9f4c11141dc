"""Read-through of the report aggregates: summaries where they exist, raw cells otherwise.

A settled day (ended over an hour ago, desk-local) without a summary is read from its raw cells
and its summary is stored; a settled month without one is made from its days' summaries.
Days not yet settled (today) are always read raw and never summarised. Nothing here needs a
scheduler: the first report that touches a day pays for its summary, the next ones read it.
A correction written between this reader's raw read and its put (milliseconds) is lost from
the summary until the day's summary is deleted again or rebuilt (ops/backfill).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.reports.periods import (
    Period,
    days_of,
    last_of_month,
    local_today,
    month_settled,
    settled,
    whole_months,
)
from chalicelib.domain.reports.rollup import Rollup, merged
from chalicelib.services.ports import ReadCost, ReportFacts

Chunk = tuple[Period, Rollup]


class Loader:
    def __init__(self, store: ReportFacts, zone: ZoneInfo, now: datetime, cost: ReadCost) -> None:
        self._store = store
        self._zone = zone
        self._now = now
        self._today = local_today(now, zone)
        self.cost = cost

    def days(self, days: Sequence[date]) -> dict[date, Rollup]:
        """Each day's rollup (future days are empty and cost nothing)."""
        past = [d for d in days if d <= self._today]
        done = [d for d in past if settled(d, self._now, self._zone)]
        found = self._store.summaries("D", done, self.cost) if done else {}
        missing = [d for d in past if d not in found]
        raw = self._store.raw_days(missing, self.cost) if missing else {}
        made = {d: raw.get(d, Rollup()) for d in missing if d in done}
        if made:
            self._store.put_summaries("D", made, self.cost)
        return {d: found.get(d) or raw.get(d) or Rollup() for d in days}

    def months(self, firsts: Sequence[date]) -> dict[date, Rollup]:
        """Settled months' rollups, from their summaries or else from their days."""
        found = self._store.summaries("M", firsts, self.cost) if firsts else {}
        missing = [m for m in firsts if m not in found]
        if missing:
            days = self.days([d for m in missing for d in days_of(m, last_of_month(m))])
            made = {
                m: merged(r for d, r in days.items() if m <= d <= last_of_month(m)) for m in missing
            }
            self._store.put_summaries("M", made, self.cost)
            found |= made
        return found

    def span(self, period: Period, *, by_month: bool) -> list[Chunk]:
        """The period in chunks: whole settled months (when `by_month`), else single days."""
        months = [
            m
            for m in (whole_months(period) if by_month else [])
            if month_settled(m, self._now, self._zone)
        ]
        covered = {d for m in months for d in days_of(m, last_of_month(m))}
        days = [d for d in days_of(period.start, period.end) if d not in covered]
        chunks = [
            (Period(m, last_of_month(m), f"{m:%Y-%m}"), r) for m, r in self.months(months).items()
        ]
        chunks += [(Period(d, d, d.isoformat()), r) for d, r in self.days(days).items()]
        return sorted(chunks, key=lambda c: c[0].start)

    def total(self, period: Period) -> Rollup:
        return merged(r for _, r in self.span(period, by_month=True))

    def since(self, day: date) -> Rollup:
        """Everything after `day` up to today (empty when `day` is today or later)."""
        if day >= self._today:
            return Rollup()
        return self.total(Period(day + timedelta(days=1), self._today, "after"))
