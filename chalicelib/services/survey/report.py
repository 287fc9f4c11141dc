"""The CSAT report: yes and no answers over a period, overall and per queue and agent.

Answers are read by month from their own index (one Query per month, no ticket read, no Scan);
each survey counts once, with its latest answer, in the month it was last answered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.survey.csat import CsatRecord
from chalicelib.domain.survey.tokens import Answer
from chalicelib.services.ports import Clock, CsatRecords

DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0

    @property
    def rate(self) -> float | None:
        """The share of Yes among the answers; None when nobody answered."""
        total = self.yes + self.no
        return round(self.yes / total, 4) if total else None

    def as_dict(self) -> dict[str, Any]:
        return {"answers": self.yes + self.no, "yes": self.yes, "no": self.no, "rate": self.rate}


def tally(records: Iterable[CsatRecord]) -> Tally:
    counts = Counter(r.answer for r in records)
    return Tally(yes=counts[Answer.YES], no=counts[Answer.NO])


def grouped(records: list[CsatRecord], key: str) -> dict[str, dict[str, Any]]:
    names = sorted({getattr(r, key) for r in records})
    return {n or "-": tally(r for r in records if getattr(r, key) == n).as_dict() for n in names}


class CsatReport:
    def __init__(self, store: CsatRecords, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def report(
        self,
        since: str | None = None,
        until: str | None = None,
        queue: str | None = None,
        agent: str | None = None,
    ) -> dict[str, Any]:
        end = _instant("to", until, end_of_day=True) if until else self._clock.now()
        start = _instant("from", since) if since else end - DEFAULT_PERIOD
        if start >= end:
            raise InvalidInput("from", "must be before to")
        if end - start > MAX_PERIOD:
            raise InvalidInput("to", f"a period of at most {MAX_PERIOD.days} days")
        records = [
            r
            for r in self._store.csat_records(start, end)
            if (not queue or r.queue == queue) and (not agent or r.agent == agent.lower())
        ]
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "queue": queue or None,
            "agent": agent or None,
            **tally(records).as_dict(),
            "by_queue": grouped(records, "queue"),
            "by_agent": grouped(records, "agent"),
        }


def _instant(name: str, value: str, *, end_of_day: bool = False) -> datetime:
    """A date (the whole day; `to` includes it) or an ISO time with a zone (UTC if none)."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + (timedelta(days=1) if end_of_day else timedelta(0))
            return datetime.combine(day, time.min, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "must be a date (2026-11-23) or an ISO time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
