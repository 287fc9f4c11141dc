"""Figure 8: reports. The backfill over the 10,000-ticket desk (time, items, units), a year of
aggregates read through the reports API cold and warm, the live board at that backlog, and the
write units the aggregates add to one ticket's life."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench import cost, lives, seed, survey
from bench.desk import ENV, REGION, Desk, running_desk
from bench.meter import DynamoMeter, MailMeter, item_size
from bench.table import FigureResult, Row, judged, not_measured, reported
from chalicelib.adapters.dynamo.rebuild import DynamoRebuild, report_items
from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.reports.history import board_of
from chalicelib.services.backfill import Backfill

FIGURE = 8
MAX_ITEMS, MAX_QUERIES = 400, 15  # "a few hundred items, a handful of Queries"
EXTRA_WRITES = 0.20  # the aggregates may add a fifth to a ticket life's write units
BLOCK = timedelta(days=seed.DAYS)  # the seeded desk's span, repeated back to fill a year
ME = seed.AGENTS["Support"][0]
REPORT_KEYS = ("AGG#", "AGGSUM#", "BOARD")


@dataclass(frozen=True)
class Asked:
    """One API request and what it cost the table."""

    name: str
    status: int
    calls: list[str]
    queries: int
    items: int
    read_units: float
    write_units: float


def report_requests(today: date) -> list[tuple[str, str]]:
    """The reports a manager opens over a year: the one place that names their routes."""
    year = f"from={today - timedelta(days=364)}&to={today}"
    return [
        ("summary, a year by month", f"/api/reports/summary?{year}&group=month"),
        ("summary, a year by week", f"/api/reports/summary?{year}&group=week"),
        ("summary, a year by day", f"/api/reports/summary?{year}&group=day"),
        ("agents, a year", f"/api/reports/agents?{year}"),
    ]


BOARD_ROUTES = ("/api/board", "/api/queues")  # the board's own route first, if it is served


class Reads:
    """Items each DynamoDB call of a client read, beside the meter's units."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        self.scans = 0
        self.queries = 0
        self.items = 0
        self.query_bytes = 0
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def clear(self) -> None:
        self.calls, self.scans, self.queries, self.items, self.query_bytes = [], 0, 0, 0, 0

    def _after(self, parsed: Mapping[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        self.calls.append(name)
        if name in ("Query", "Scan"):
            self.queries += name == "Query"
            self.scans += name == "Scan"
            self.items += int(parsed.get("ScannedCount", 0))
            if name == "Query":
                self.query_bytes += sum(item_size(i) for i in parsed.get("Items", []))
        elif name == "GetItem":
            self.items += int("Item" in parsed)
        elif name == "BatchGetItem":
            self.items += sum(len(v) for v in parsed.get("Responses", {}).values())


def ask(desk: Desk, token: str, reads: Reads, meter: DynamoMeter, name: str, path: str) -> Asked:
    desk.request("GET", "/api/me", token)  # the token's check is cached: not this report's
    reads.clear()
    units = dict(meter.units)
    response = desk.request("GET", path, token)
    read = meter.units["read request units"] - units["read request units"]
    written = sum(meter.units[k] - units[k] for k in meter.units if "write" in k)
    return Asked(
        name, response.status_code, list(reads.calls), reads.queries, reads.items, read, written
    )


def shifted(found: Facts, by: timedelta) -> Facts:
    """The same facts `by` earlier: the seeded desk's months, repeated back to fill a year."""
    moved = Facts()
    for (day, cell), names in found.counts.items():
        for name, amount in names.items():
            moved.add(day - by, cell, name, amount)
    moved.durations = [replace(d, day=d.day - by) for d in found.durations]
    return moved


@dataclass
class Built:
    tickets: int
    log_items: int
    table_bytes: int
    backfill_seconds: float
    backfill_items_read: int
    backfill_scans: int
    backfill_read_units: float
    backfill_write_units: float
    report_items: int
    year_items: int


def build(desk: Desk, count: int, days: float, blocks: int) -> Built:
    """The seeded desk with every ticket's log, the backfill over it, and earlier blocks."""
    import boto3

    table, harness = ENV["TABLE_NAME"], desk.aws["dynamodb"]
    tickets = seed.seed(harness, table, count, desk.clock.now(), days)
    logs = lives.logs(tickets)
    log_items = [i for log in logs for i in lives.log_items(log)]
    seed.write(harness, table, log_items)
    table_bytes = sum(item_size(to_attr(i)) for i in log_items) + sum(
        item_size(to_attr(t)) for t in _ticket_items(tickets)
    )
    operator = boto3.client("dynamodb", region_name=REGION)  # the operator's: not the app's
    reads = Reads(operator)
    recorder = desk.container.recorder
    service = Backfill(DynamoRebuild(operator, table), recorder.facts, desk.clock)
    started = time.perf_counter()
    report = service.run(segments=1)
    seconds = time.perf_counter() - started
    found = Facts()
    for log in logs:  # the same facts the backfill summed, to repeat them back in time
        part = log.facts(recorder.facts)
        for (day, cell), names in part.counts.items():
            for name, amount in names.items():
                found.add(day, cell, name, amount)
        found.durations += part.durations
    rebuilt = report_items(found, board_of(tickets))  # what the backfill put
    earlier = [i for k in range(1, blocks) for i in report_items(shifted(found, k * BLOCK), {})]
    seed.write(harness, table, earlier)
    # a Scan is charged what it reads, the whole table (eventually consistent: half a unit)
    scan_units = math.ceil(table_bytes / 4096) * 0.5 * 2  # two passes
    write_units = sum(max(1, math.ceil(item_size(to_attr(i)) / 1024)) for i in rebuilt)
    return Built(
        tickets=report.tickets,
        log_items=len(log_items),
        table_bytes=table_bytes,
        backfill_seconds=seconds,
        backfill_items_read=reads.items,
        backfill_scans=reads.scans,
        backfill_read_units=scan_units,
        backfill_write_units=write_units,
        report_items=len(rebuilt),
        year_items=len(rebuilt) + len(earlier),
    )


def _ticket_items(tickets: Sequence[Any]) -> list[dict[str, Any]]:
    from chalicelib.adapters.dynamo.items import ticket_to_item

    return [ticket_to_item(t) for t in tickets]


def served(desk: Desk, path: str) -> bool:
    route = path.split("?", 1)[0]
    return route in desk.app.app.routes


def run(smoke: bool = False) -> FigureResult:
    count, days, blocks = (20, 3.0, 2) if smoke else (10_000, seed.DAYS, 3)
    result = FigureResult()
    with running_desk() as desk:
        built = build(desk, count, days, blocks)
        result.rows += backfill_rows(built)
        token = desk.agent(ME, "Lena Lind", ["Support"])
        meter = DynamoMeter(desk.clients["dynamodb"], desk.aws["dynamodb"], ENV["TABLE_NAME"])
        reads = Reads(desk.clients["dynamodb"])
        zone = ZoneInfo(desk.container.settings.calendar.timezone)
        today = desk.clock.now().astimezone(zone).date()
        asked = []
        for name, path in report_requests(today):
            if not served(desk, path):
                result.add(not_measured(FIGURE, name, _target(), "the route is not served"))
                continue
            cold = ask(desk, token, reads, meter, f"{name}, cold", path)
            warm = ask(desk, token, reads, meter, f"{name}, warm", path)
            asked += [cold, warm]
        result.rows += [row for a in asked for row in report_rows(a)]
        result.rows += board_rows(desk, token, reads, meter)
        details = [*built_details(built, blocks), *asked_details(asked)]
    result.rows += life_rows(smoke)
    result.details = details
    return result


def _target() -> str:
    return f"a few hundred items (≤ {MAX_ITEMS}), a handful of Queries (≤ {MAX_QUERIES})"


def backfill_rows(b: Built) -> list[Row]:
    rate = b.tickets / b.backfill_seconds if b.backfill_seconds else 0.0
    return [
        reported(
            FIGURE,
            f"backfill over {b.tickets:,} tickets (moto, one segment)",
            round(b.backfill_seconds, 1),
            f"{b.backfill_seconds:.1f} s ({rate:.0f} tickets/s): {b.backfill_scans} Scan pages "
            f"(two passes: the tickets, then any written meanwhile) read "
            f"{b.backfill_items_read:,} items; "
            f"put {b.report_items:,} report items",
        ),
        reported(
            FIGURE,
            "backfill's DynamoDB units",
            round(b.backfill_read_units + b.backfill_write_units, 1),
            f"{b.backfill_read_units:,.0f} read units (each Scan pass reads "
            f"~{b.table_bytes / 1e6:.1f} MB at half a unit per 4 KB), "
            f"{b.backfill_write_units:,.0f} write units",
        ),
    ]


def report_rows(a: Asked) -> list[Row]:
    if a.status != 200:
        return [not_measured(FIGURE, a.name, _target(), f"HTTP {a.status}")]
    text = (
        f"{a.queries} Queries, {a.items} items, {a.read_units:g} read units"
        + (f", {a.write_units:g} write units (summaries built)" if a.write_units else "")
        + f"; calls: {_calls(a.calls)}"
    )
    return [
        judged(FIGURE, f"{a.name}: items read", a.items, MAX_ITEMS, text),
        judged(FIGURE, f"{a.name}: Queries", a.queries, MAX_QUERIES, f"{a.queries} Queries"),
    ]


def board_rows(desk: Desk, token: str, reads: Reads, meter: DynamoMeter) -> list[Row]:
    path = next((p for p in BOARD_ROUTES if served(desk, p)), BOARD_ROUTES[-1])
    queues = len(seed.AGENTS)
    a = ask(desk, token, reads, meter, path, path)
    if a.status != 200:
        return [not_measured(FIGURE, f"live board {path}", f"≤ {queues + 2} calls", "failed")]
    calls = len(a.calls)
    waiting = _waiting(desk, token)
    return [
        judged(
            FIGURE,
            f"live board {path} at a backlog of {waiting:,} waiting",
            calls,
            queues + 2,
            f"{calls} calls ({_calls(a.calls)}), {a.items} items, {a.read_units:g} read units "
            f"for {queues} queues",
        )
    ]


def _waiting(desk: Desk, token: str) -> int:
    body = json.loads(desk.request("GET", "/api/queues", token).body)
    return sum(int(q.get("waiting", 0)) for q in body.get("queues", []))


def _calls(calls: Sequence[str]) -> str:
    counted: dict[str, int] = {}
    for c in calls:
        counted[c] = counted.get(c, 0) + 1
    return ", ".join(f"{c}×{n}" if n > 1 else c for c, n in counted.items()) or "none"


class SplitMeter(DynamoMeter):
    """The meter, with the write units of report items (AGG#, BOARD) counted apart."""

    def __init__(self, client: Any, reader: Any, table: str) -> None:
        super().__init__(client, reader, table)
        self.report_units = 0.0

    def _count_writes(self, operation: str, touched: list[tuple[str, str, Any]]) -> None:
        for one in touched:
            before = self._writes()
            super()._count_writes(operation, [one])
            if str(json.loads(one[1])["PK"]["S"]).startswith(REPORT_KEYS):
                self.report_units += self._writes() - before

    def _writes(self) -> float:
        return self.units["table write request units"] + self.units["index write request units"]


def life_rows(smoke: bool) -> list[Row]:
    """Figure 6's ticket life, its write units with and without the report items' share."""
    with running_desk() as desk:
        token = desk.agent(cost.AGENT, "Lena Lind", ["Support"])
        desk.request("GET", "/api/me", token)
        meter = SplitMeter(desk.clients["dynamodb"], desk.aws["dynamodb"], ENV["TABLE_NAME"])
        mail = MailMeter(desk.clients["s3"], desk.clients["sesv2"])
        steps = cost.run_lifecycle(cost.Lifecycle(desk, token, mail), survey.built(desk.app))
    total, extra = meter._writes(), meter.report_units
    without = total - extra
    share = extra / without if without else 0.0
    return [
        judged(
            FIGURE,
            "write units the aggregates add to one ticket life (figure 6's)",
            round(share, 3),
            EXTRA_WRITES,
            f"+{share:.1%}: {total:.0f} write units with the report items, {without:.0f} "
            f"without ({extra:.0f} on AGG#/BOARD items; {len(steps) - 1} steps)",
        )
    ]


def built_details(b: Built, blocks: int) -> list[str]:
    return [
        f"Reports desk: {b.tickets:,} tickets with {b.log_items:,} message and event items "
        f"(~{b.table_bytes / 1e6:.1f} MB); the backfill put {b.report_items:,} report items "
        f"for their {seed.DAYS if blocks > 2 else 'few'} days, and the same facts repeated "
        f"{blocks - 1}× back in time make {b.year_items:,} items for the year read below.",
    ]


def asked_details(asked: Sequence[Asked]) -> list[str]:
    lines = ["", "| report | HTTP | Queries | items | read units | write units | calls |"]
    lines.append("|---|---|---|---|---|---|---|")
    for a in asked:
        lines.append(
            f"| {a.name} | {a.status} | {a.queries} | {a.items} | {a.read_units:g} "
            f"| {a.write_units:g} | {_calls(a.calls)} |"
        )
    return lines
