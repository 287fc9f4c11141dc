"""The backfill's items: what the write path's ADDs would leave, and what a rebuild replaces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.adapters.dynamo.rebuild import report_items, rewrite
from chalicelib.domain.reports.facts import Cell, Duration, Facts

CELL = Cell("Support", "normal", "lena@example.com")
OCTOBER, NOVEMBER = date(2026, 10, 5), date(2026, 11, 23)


def some_facts() -> Facts:
    found = Facts()
    found.add(OCTOBER, CELL, "created")
    found.add(NOVEMBER, CELL, "solved", 2)
    found.durations += [
        Duration(NOVEMBER, CELL, "frt", 0.1, 0.1),
        Duration(NOVEMBER, CELL, "frt", 0.2, 0.2),
    ]
    return found


def test_items_hold_the_sums_the_adds_would_leave() -> None:
    items = {(i["PK"], i["SK"]): i for i in report_items(some_facts(), {"Q#Support": {"open": 1}})}

    counts = items[("AGG#2026-11", "23#C#Support#normal#lena@example.com")]
    assert (
        counts["solved"] == 2 and counts["type"] == "agg_counts" and counts["day"] == "2026-11-23"
    )
    histogram = items[("AGG#2026-11", "23#H#frt#Support#normal#lena@example.com")]
    assert histogram["n"] == 2 and histogram["c0"] == 2
    assert histogram["cs"] == Decimal("0.3")  # 0.1 + 0.2 as DynamoDB adds them, not as floats
    assert items[("BOARD", "Q#Support")] == {
        "PK": "BOARD",
        "SK": "Q#Support",
        "type": "board",
        "kind": "queue",
        "name": "Support",
        "open": 1,
    }


def test_a_rebuild_deletes_what_it_does_not_make_and_every_summary() -> None:
    existing = [
        ("AGG#2026-11", "23#C#Support#normal#lena@example.com"),
        ("AGG#2025-01", "01#C#Gone#low#-"),
        ("AGGSUM#2026", "M#11"),
        ("BOARD", "Q#Gone"),
    ]

    planned = rewrite(some_facts(), {"Q#Support": {"open": 1}}, existing)

    assert set(planned.deletes) == {existing[1], existing[2], existing[3]}
    assert len(planned.puts) == 4


def test_before_a_month_rebuilds_only_earlier_months_and_keeps_the_board() -> None:
    existing = [("AGG#2026-11", "01#C#Late#low#-"), ("AGG#2026-10", "01#C#Gone#low#-")]
    existing += [("BOARD", "Q#Gone"), ("AGGSUM#2026", "D#11-01")]

    planned = rewrite(some_facts(), None, existing, before="2026-11")

    assert {i["PK"] for i in planned.puts} == {"AGG#2026-10"}
    assert set(planned.deletes) == {("AGG#2026-10", "01#C#Gone#low#-"), ("AGGSUM#2026", "D#11-01")}
