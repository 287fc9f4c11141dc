"""Report aggregates on DynamoDB: the facts of a write become atomic ADDs in its transaction.

PK / SK                                        what
AGG#<yyyy-mm> / <dd>#C#<queue>#<prio>#<agent>  counts of one desk-local day and cell
AGG#<yyyy-mm> / <dd>#H#<metric>#<queue>#…      a duration histogram of that day and cell:
                                               n, cs/bs (sums, s), c<k>/b<k> (bucket counts,
                                               calendar and business time)
BOARD / Q#<queue>, BOARD / A#<agent>           the live board's counters now
AGGSUM#<yyyy> / D#<mm-dd>, M#<mm>              a finished day's or month's cells in one item
                                               (built by the reports' reader; a write that
                                               corrects a past day deletes them)

A month's cells are one partition: a report over a year is about twelve Queries (or fewer with
the summaries of adapters/dynamo/reports.py). Each item stays well under 1 KB, so one fact
costs two write units (a transaction's price) whatever the backlog.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.domain.reports.facts import Cell, Facts

BOARD = "BOARD"


def summary_keys(day: date) -> list[dict[str, str]]:
    """The summaries that hold `day`: its own and its month's."""
    pk = f"AGGSUM#{day:%Y}"
    return [{"PK": pk, "SK": f"D#{day:%m-%d}"}, {"PK": pk, "SK": f"M#{day:%m}"}]


def month_pk(day: date) -> str:
    return f"AGG#{day:%Y-%m}"


def cell_sk(day: date, cell: Cell) -> str:
    return f"{day:%d}#C#{cell.queue}#{cell.priority}#{cell.agent}"


def histogram_sk(day: date, cell: Cell, metric: str) -> str:
    return f"{day:%d}#H#{metric}#{cell.queue}#{cell.priority}#{cell.agent}"


def tally_ops(table: str, found: Facts | None) -> list[dict[str, Any]]:
    """The Update operations that add `found` to a ticket write's transaction (none when there
    is nothing to add). They have no condition: they fail only with the transaction."""
    ops: list[dict[str, Any]] = []
    if not found:
        return ops
    for (day, cell), names in sorted(found.counts.items()):
        key = {"PK": month_pk(day), "SK": cell_sk(day, cell)}
        ops.append(_update(table, key, names, _dimensions(day, cell, "counts")))
    histograms: dict[tuple[date, Cell, str], dict[str, float]] = {}
    for d in found.durations:
        adds = histograms.setdefault((d.day, d.cell, d.metric), {})
        calendar, business = d.buckets
        for name, amount in (
            ("n", 1),
            ("cs", round(d.calendar_s, 3)),
            ("bs", round(d.business_s, 3)),
            (f"c{calendar}", 1),
            (f"b{business}", 1),
        ):
            adds[name] = adds.get(name, 0) + amount
    for (day, cell, metric), adds in sorted(histograms.items()):
        key = {"PK": month_pk(day), "SK": histogram_sk(day, cell, metric)}
        dims = _dimensions(day, cell, "histogram") | {"metric": metric}
        ops.append(_update(table, key, adds, dims))
    for day in sorted(found.past_days):
        ops += [{"Delete": {"TableName": table, "Key": to_attr(k)}} for k in summary_keys(day)]
    for board_key, names in sorted(found.board.items()):
        kind, _, value = board_key.partition("#")
        dims = {"type": "board", "kind": "queue" if kind == "Q" else "agent", "name": value}
        ops.append(_update(table, {"PK": BOARD, "SK": board_key}, names, dims))
    return ops


def _dimensions(day: date, cell: Cell, kind: str) -> dict[str, Any]:
    return {
        "type": f"agg_{kind}",
        "day": day.isoformat(),
        "queue": cell.queue,
        "priority": cell.priority,
        "agent": cell.agent,
    }


def _update(
    table: str, key: dict[str, Any], adds: dict[str, float] | dict[str, int], sets: dict[str, Any]
) -> dict[str, Any]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    added = []
    for i, (name, amount) in enumerate(sorted(adds.items())):
        names[f"#a{i}"] = name
        values[f":a{i}"] = amount
        added.append(f"#a{i} :a{i}")
    assigned = []
    for i, (name, value) in enumerate(sorted(sets.items())):
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        assigned.append(f"#s{i} = if_not_exists(#s{i}, :s{i})")
    expression = f"SET {', '.join(assigned)}"
    if added:
        expression += f" ADD {', '.join(added)}"
    return {
        "Update": {
            "TableName": table,
            "Key": to_attr(key),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attr(values),
        }
    }
