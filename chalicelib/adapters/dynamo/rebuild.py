"""The backfill's side of the table: the helpdesk's one Scan, and the report items written
whole (Put, Delete) where the write path adds to them.

The Scan reads every item (DynamoDB charges what it reads, filtered or not) and keeps tickets'
partitions (`TICKET#<n>`: META, messages, events, each partition in one stretch, sorted by SK)
and the keys of report items (`AGG#…`, `AGGSUM#…`, `BOARD`). A rebuilt item holds what the ADDs
of adapters/dynamo/aggregates.py would have left in an empty table: the same keys, dimensions
and sums (histogram sums added as the Decimals DynamoDB adds).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.aggregates import (
    BOARD,
    _dimensions,  # the dimensions the ADDs set: one definition for both paths
    cell_sk,
    histogram_sk,
    month_pk,
)
from chalicelib.adapters.dynamo.table import DynamoTable, from_attr, to_attr
from chalicelib.domain.errors import StorageError
from chalicelib.domain.reports.facts import Cell, Facts
from chalicelib.domain.reports.history import TicketLog
from chalicelib.services.ports import Rebuilt, ScannedTickets

Item = dict[str, Any]
Key = tuple[str, str]  # (PK, SK)
SUMMARY = "AGGSUM#"  # the read side's summaries, built lazily from AGG# items: dropped, rebuilt
BATCH = 25


@dataclass
class Rewrite:
    """What a rebuild writes: whole items put, stale ones deleted."""

    puts: list[Item] = field(default_factory=list)
    deletes: list[Key] = field(default_factory=list)


def is_report(key: Key) -> bool:
    return key[0].startswith("AGG") or key[0] == BOARD


def report_items(found: Facts, board: Mapping[str, Mapping[str, int]]) -> list[Item]:
    """The AGG# and BOARD items that `found` and `board` add up to."""
    result: list[Item] = []
    for (day, cell), names in sorted(found.counts.items()):
        key = {"PK": month_pk(day), "SK": cell_sk(day, cell)}
        result.append(key | _dimensions(day, cell, "counts") | names)
    for (day, cell, metric), sums in sorted(_histograms(found).items()):
        key = {"PK": month_pk(day), "SK": histogram_sk(day, cell, metric)}
        result.append(key | _dimensions(day, cell, "histogram") | {"metric": metric} | sums)
    for board_key, counters in sorted(board.items()):
        kind, _, value = board_key.partition("#")
        dims = {"type": "board", "kind": "queue" if kind == "Q" else "agent", "name": value}
        result.append({"PK": BOARD, "SK": board_key} | dims | dict(counters))
    return result


def _histograms(found: Facts) -> dict[tuple[date, Cell, str], dict[str, Any]]:
    sums: dict[tuple[date, Cell, str], dict[str, Any]] = {}
    for d in found.durations:
        adds = sums.setdefault((d.day, d.cell, d.metric), {})
        calendar, business = d.buckets
        for name, amount in (
            ("n", 1),
            ("cs", _decimal(d.calendar_s)),
            ("bs", _decimal(d.business_s)),
            (f"c{calendar}", 1),
            (f"b{business}", 1),
        ):
            adds[name] = adds.get(name, 0) + amount
    return sums


def _decimal(seconds: float) -> Decimal:
    return Decimal(str(round(seconds, 3)))  # what to_attr makes of the ADD's float


def rewrite(
    found: Facts,
    board: Mapping[str, Mapping[str, int]] | None,
    existing: Sequence[Key],
    before: str | None = None,
) -> Rewrite:
    """Puts for what the rebuild produced, deletes for report items it did not: the months
    before `before` (YYYY-MM) only when given, and the board only when it is rebuilt (None
    leaves it alone). Summaries (AGGSUM#) are always deleted: the reader builds them again."""
    produced = [
        i
        for i in report_items(found, board or {})
        if i["PK"] == BOARD or before is None or i["PK"] < f"AGG#{before}"
    ]
    kept = {(i["PK"], i["SK"]) for i in produced}
    deletes = [k for k in dict.fromkeys(existing) if k not in kept and _rebuilt(k, board, before)]
    return Rewrite(produced, deletes)


def _rebuilt(key: Key, board: object, before: str | None) -> bool:
    pk = key[0]
    if pk.startswith(SUMMARY):
        return True
    if pk == BOARD:
        return board is not None
    return pk.startswith("AGG#") and (before is None or pk < f"AGG#{before}")


class DynamoRebuild(DynamoTable):
    """The ReportRebuild port. Its scans remember the report items they met: the ones a
    rebuild replaces or deletes."""

    def __init__(self, client: Any, table: str) -> None:
        super().__init__(client, table)
        self._reports: list[Key] = []
        self._lock = threading.Lock()

    def estimate(self) -> int:
        """DynamoDB's item count (refreshed about every six hours): for the ETA only."""
        described = self.call("describe_table", TableName=self._table)
        return int(described["Table"].get("ItemCount", 0))

    def scan(self, segment: int = 0, segments: int = 1) -> Iterator[ScannedTickets]:
        """Each ticket's partition as the Scan reads it: a Scan returns an item collection in
        one stretch, sorted by SK, so a ticket is whole when the next PK begins (one read of
        each item; a Query per ticket would read every item twice)."""
        current: list[Item] = []  # the partition being read
        done: set[str] = set()
        start: dict[str, Any] | None = None
        while True:
            page: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            if segments > 1:
                page |= {"Segment": segment, "TotalSegments": segments}
            response = self.call(
                "scan",
                TableName=self._table,
                FilterExpression="begins_with(PK, :ticket) OR begins_with(PK, :agg) OR PK = :board",
                ExpressionAttributeValues=to_attr(
                    {":ticket": "TICKET#", ":agg": "AGG", ":board": BOARD}
                ),
                **page,
            )
            logs: list[TicketLog] = []
            for item in map(from_attr, response["Items"]):
                key = (str(item["PK"]), str(item["SK"]))
                if is_report(key):
                    with self._lock:
                        self._reports.append(key)
                    continue
                if current and current[0]["PK"] != key[0]:
                    logs += _finished(current, done)
                    current = []
                current.append(item)
            start = response.get("LastEvaluatedKey")
            if not start:
                logs += _finished(current, done)
            yield ScannedTickets(logs, int(response["ScannedCount"]))
            if not start:
                return

    def replace_reports(
        self,
        found: Facts,
        board: Mapping[str, Mapping[str, int]] | None,
        *,
        before: str | None,
        dry_run: bool,
    ) -> Rebuilt:
        planned = rewrite(found, board, self._reports, before)
        if not dry_run:
            self.write(planned)
        return Rebuilt(len(planned.puts), len(planned.deletes))

    def write(self, planned: Rewrite) -> None:
        requests = [{"PutRequest": {"Item": to_attr(i)}} for i in planned.puts] + [
            {"DeleteRequest": {"Key": to_attr({"PK": pk, "SK": sk})}} for pk, sk in planned.deletes
        ]
        for start in range(0, len(requests), BATCH):
            self._batch(requests[start : start + BATCH])

    def _batch(self, batch: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {self._table: batch}
        for attempt in range(10):
            pending = self.call("batch_write_item", RequestItems=pending).get("UnprocessedItems")
            if not pending:
                return
            time.sleep(min(0.05 * 2**attempt, 2.0))  # throttled: back off, as the SDKs advise
        raise StorageError("DynamoDB kept the backfill's writes unprocessed ten times")

    def changed_since(self, at: datetime) -> list[int]:
        """Tickets written at or after `at`: those a rebuild that began then may have missed."""
        changed: list[int] = []
        start: dict[str, Any] | None = None
        while True:
            page = {"ExclusiveStartKey": start} if start else {}
            response = self.call(
                "scan",
                TableName=self._table,
                ProjectionExpression="PK",
                FilterExpression="SK = :meta AND begins_with(PK, :ticket) AND updated_at >= :at",
                ExpressionAttributeValues=to_attr(
                    {":meta": items.META, ":ticket": "TICKET#", ":at": items.ts(at)}
                ),
                **page,
            )
            changed += [int(str(from_attr(i)["PK"]).split("#", 1)[1]) for i in response["Items"]]
            start = response.get("LastEvaluatedKey")
            if not start:
                return sorted(changed)


def _finished(partition: list[Item], done: set[str]) -> list[TicketLog]:
    """The ticket of one partition's items (none without its META item: not a ticket)."""
    if not partition:
        return []
    pk = str(partition[0]["PK"])
    if pk in done:  # never seen: it would mean a ticket counted from part of its items
        raise StorageError(f"the Scan returned {pk} in two stretches: nothing was written")
    done.add(pk)
    meta = next((i for i in partition if i["SK"] == items.META), None)
    if meta is None:
        return []
    return [
        TicketLog(
            items.ticket_from_item(meta),
            tuple(items.message_from_item(i) for i in partition if i["SK"].startswith("MSG#")),
            tuple(items.event_from_item(i) for i in partition if i["SK"].startswith("EVT#")),
        )
    ]
