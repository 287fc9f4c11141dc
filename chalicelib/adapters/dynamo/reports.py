"""Reading the report aggregates, and their summaries: a day's or a month's cells in one item.

PK / SK                        what
AGGSUM#<yyyy> / D#<mm-dd>      the summary of one settled desk-local day: every cell of the day
                               (counts and histograms) as zlib-compressed JSON in `data` (Binary)
AGGSUM#<yyyy> / M#<mm>         the summary of one settled month, made from its days' summaries
… / D#<mm-dd>#<i>, M#<mm>#<i>  further parts when the compressed data is over PART_BYTES

The first item holds `parts`; a summary is read only when its first item and every part are
there, so deleting the first items (`summary_keys(day)`, which the write path deletes in the
transaction of a fact that corrects a past day) is enough to have them made again. A year of
days or of months is one Query. Raw cells are read one Query per month (adapters/dynamo/
aggregates.py: AGG#<yyyy-mm>), only for days that have no summary yet.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from chalicelib.adapters.dynamo.aggregates import BOARD, month_pk, summary_keys
from chalicelib.adapters.dynamo.table import DynamoTable, Item
from chalicelib.domain.reports.facts import Cell
from chalicelib.domain.reports.histogram import Histogram
from chalicelib.domain.reports.rollup import Pair, Rollup, from_json, to_json
from chalicelib.services.ports import ReadCost

PART_BYTES = 350_000
DAY, MONTH = "D", "M"
__all__ = ["DynamoReportFacts", "summary_keys"]  # summary_keys: the write path deletes them
_DIMENSIONS = frozenset({"PK", "SK", "type", "day", "queue", "priority", "agent", "metric"})


def summary_pk(day: date) -> str:
    return f"AGGSUM#{day:%Y}"


def summary_sk(kind: str, day: date) -> str:
    return f"{DAY}#{day:%m-%d}" if kind == DAY else f"{MONTH}#{day:%m}"


def encode(rollup: Rollup) -> list[bytes]:
    text = json.dumps(to_json(rollup), separators=(",", ":"), sort_keys=True)
    data = zlib.compress(text.encode("utf-8"), 9)
    return [data[i : i + PART_BYTES] for i in range(0, len(data), PART_BYTES)] or [b""]


def decode(parts: Sequence[bytes]) -> Rollup:
    return from_json(json.loads(zlib.decompress(b"".join(parts)).decode("utf-8")))


def summary_items(kind: str, first: date, rollup: Rollup) -> list[Item]:
    parts = encode(rollup)
    base = summary_sk(kind, first)
    return [
        {
            "PK": summary_pk(first),
            "SK": base if i == 0 else f"{base}#{i}",
            "type": "agg_summary",
            "kind": kind,
            "first": first.isoformat(),
            "part": i,
            "data": part,
            **({"parts": len(parts)} if i == 0 else {}),
        }
        for i, part in enumerate(parts)
    ]


def runs(kind: str, firsts: Sequence[date]) -> Iterator[list[date]]:
    """Consecutive days (or months) within one year: each run is one Query."""
    run: list[date] = []
    for d in sorted(set(firsts)):
        if run and (d.year != run[-1].year or not _follows(kind, run[-1], d)):
            yield run
            run = []
        run.append(d)
    if run:
        yield run


def _follows(kind: str, before: date, after: date) -> bool:
    if kind == DAY:
        return (after - before).days == 1
    return after.month - before.month == 1


class DynamoReportFacts(DynamoTable):
    def summaries(self, kind: str, firsts: Sequence[date], cost: ReadCost) -> dict[date, Rollup]:
        wanted = set(firsts)
        found: dict[date, Rollup] = {}
        for run in runs(kind, firsts):
            low, high = summary_sk(kind, run[0]), summary_sk(kind, run[-1]) + "#~"
            items = self._all(cost, summary_pk(run[0]), low, high)
            for first, parts in _assembled(items).items():
                if first in wanted:
                    found[first] = decode(parts)
        return found

    def raw_days(self, days: Sequence[date], cost: ReadCost) -> dict[date, Rollup]:
        found = {d: Rollup() for d in days}
        months: dict[str, list[date]] = {}
        for d in sorted(found):
            months.setdefault(month_pk(d), []).append(d)
        for pk, run in months.items():
            for item in self._all(cost, pk, f"{run[0]:%d}#", f"{run[-1]:%d}#~"):
                day = date.fromisoformat(str(item["day"]))
                if day in found:
                    _add_raw(found[day], day, item)
        return found

    def put_summaries(self, kind: str, rollups: Mapping[date, Rollup], cost: ReadCost) -> None:
        items = [i for first, r in sorted(rollups.items()) for i in summary_items(kind, first, r)]
        self.batch_put(items)
        cost.written += len(items)

    def board(self, cost: ReadCost) -> dict[str, dict[str, int]]:
        return {
            str(item["SK"]): {
                k: int(v) for k, v in item.items() if k not in {"PK", "SK", "type", "kind", "name"}
            }
            for item in self._all(cost, BOARD)
        }

    def _all(self, cost: ReadCost, pk: str, low: str = "", high: str = "") -> list[Item]:
        """Every page of one partition (or of an SK range of it)."""
        condition, values = "PK = :pk", {":pk": pk}
        if low:
            condition += " AND SK BETWEEN :low AND :high"
            values |= {":low": low, ":high": high}
        found: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            page = {"ExclusiveStartKey": start} if start else {}
            items, start = self.query(KeyConditionExpression=condition, values=values, **page)
            cost.queries += 1
            cost.items += len(items)
            found += items
            if start is None:
                return found


def _assembled(items: list[Item]) -> dict[date, list[bytes]]:
    """Whole summaries only: a first item with `parts`, and every part it names."""
    by_first: dict[date, dict[int, bytes]] = {}
    expected: dict[date, int] = {}
    for item in items:
        first = date.fromisoformat(str(item["first"]))
        by_first.setdefault(first, {})[int(item["part"])] = _bytes(item["data"])
        if "parts" in item:
            expected[first] = int(item["parts"])
    return {
        first: [parts[i] for i in range(expected[first])]
        for first, parts in by_first.items()
        if first in expected and all(i in parts for i in range(expected[first]))
    }


def _bytes(value: Any) -> bytes:
    return bytes(getattr(value, "value", value))


def _add_raw(rollup: Rollup, day: date, item: Item) -> None:
    cell = Cell(str(item["queue"]), str(item["priority"]), str(item["agent"]))
    if item.get("type") == "agg_histogram":
        calendar: dict[int, int] = {}
        business: dict[int, int] = {}
        for name, value in item.items():
            if name[:1] in "cb" and name[1:].isdigit() and int(value):
                (calendar if name[0] == "c" else business)[int(name[1:])] = int(value)
        pair = Pair(
            Histogram(calendar, float(item.get("cs", 0))),
            Histogram(business, float(item.get("bs", 0))),
        )
        rollup.add_durations(cell, str(item["metric"]), pair)
    elif item.get("type") == "agg_counts":
        counts = {k: int(v) for k, v in item.items() if k not in _DIMENSIONS}
        rollup.add_counts(day, cell, counts)
