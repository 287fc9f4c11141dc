"""A rollup: the facts of one or more desk-local days, per cell, merged (what a summary holds).

Counts keep the names facts.py gives them, except the hour of a mail: `in_h09` of a day becomes
`in_d0_h09` (weekday 0 = Monday, desk-local), so that merged days still know the weekday and
traffic by weekday × hour needs no day. Durations are a pair of histograms (calendar, business)
per metric. A rollup is JSON-able (`to_json` / `from_json`) for the summary items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.domain.reports.facts import Cell
from chalicelib.domain.reports.histogram import Histogram

FORMAT = 1


@dataclass(frozen=True)
class Pair:
    """One duration metric's samples: in calendar time and in business time."""

    calendar: Histogram = field(default_factory=Histogram)
    business: Histogram = field(default_factory=Histogram)

    def merged(self, other: Pair) -> Pair:
        return Pair(self.calendar.merged(other.calendar), self.business.merged(other.business))


@dataclass
class Tally:
    """What some cells add up to: counts by name, durations by metric."""

    counts: dict[str, int] = field(default_factory=dict)
    durations: dict[str, Pair] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for name, amount in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) + amount
        for metric, pair in other.durations.items():
            self.durations[metric] = self.durations.get(metric, Pair()).merged(pair)

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def pair(self, metric: str) -> Pair:
        return self.durations.get(metric, Pair())


def weekday_name(name: str, day: date) -> str:
    """`in_h09` on a Monday → `in_d0_h09`; other names unchanged."""
    direction, _, hour = name.partition("_h")
    if direction in ("in", "out") and len(hour) == 2 and hour.isdigit():
        return f"{direction}_d{day.weekday()}_h{hour}"
    return name


@dataclass
class Rollup:
    cells: dict[Cell, Tally] = field(default_factory=dict)

    def tally(self, cell: Cell) -> Tally:
        return self.cells.setdefault(cell, Tally())

    def add_counts(self, day: date, cell: Cell, counts: Mapping[str, int]) -> None:
        """A raw day cell's counts (hour names get the day's weekday)."""
        mine = self.tally(cell).counts
        for name, amount in counts.items():
            key = weekday_name(name, day)
            mine[key] = mine.get(key, 0) + int(amount)

    def add_durations(self, cell: Cell, metric: str, pair: Pair) -> None:
        self.tally(cell).add(Tally(durations={metric: pair}))

    def add(self, other: Rollup) -> None:
        for cell, tally in other.cells.items():
            self.tally(cell).add(tally)

    def select(self, keep: Callable[[Cell], bool]) -> Tally:
        total = Tally()
        for cell, tally in self.cells.items():
            if keep(cell):
                total.add(tally)
        return total

    def by_agent(self, keep: Callable[[Cell], bool]) -> dict[str, Tally]:
        found: dict[str, Tally] = {}
        for cell, tally in self.cells.items():
            if keep(cell):
                found.setdefault(cell.agent, Tally()).add(tally)
        return found


def merged(rollups: Iterable[Rollup]) -> Rollup:
    total = Rollup()
    for r in rollups:
        total.add(r)
    return total


def to_json(rollup: Rollup) -> dict[str, Any]:
    cells = []
    for cell, tally in sorted(rollup.cells.items()):
        durations = {
            metric: [_histogram(pair.calendar), _histogram(pair.business)]
            for metric, pair in sorted(tally.durations.items())
        }
        cells.append([cell.queue, cell.priority, cell.agent, tally.counts, durations])
    return {"v": FORMAT, "cells": cells}


def from_json(data: Mapping[str, Any]) -> Rollup:
    if data.get("v") != FORMAT:
        raise ValueError(f"unknown rollup format {data.get('v')!r}")
    rollup = Rollup()
    for queue, priority, agent, counts, durations in data["cells"]:
        pairs = {m: Pair(_unhistogram(c), _unhistogram(b)) for m, (c, b) in durations.items()}
        rollup.cells[Cell(queue, priority, agent)] = Tally(
            {str(k): int(v) for k, v in counts.items()}, pairs
        )
    return rollup


def _histogram(h: Histogram) -> list[Any]:
    return [round(h.total_seconds, 3), {str(k): n for k, n in sorted(h.counts.items())}]


def _unhistogram(data: list[Any]) -> Histogram:
    total, counts = data
    return Histogram({int(k): int(n) for k, n in counts.items()}, float(total))
