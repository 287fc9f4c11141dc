"""The aggregates' ADDs: one small Update per cell, histogram and board key; no conditions."""

from __future__ import annotations

from datetime import date

from chalicelib.adapters.dynamo.aggregates import summary_keys, tally_ops
from chalicelib.domain.reports.facts import Cell, Duration, Facts

DAY = date(2026, 11, 23)
CELL = Cell("Second line", "high", "mikko@example.com")


def test_nothing_to_add_is_no_operation() -> None:
    assert tally_ops("t", None) == [] and tally_ops("t", Facts()) == []


def test_counts_histograms_and_board_become_adds() -> None:
    found = Facts(day=DAY)
    found.add(DAY, CELL, "created")
    found.add(DAY, CELL, "backlog", -1)
    found.durations.append(Duration(DAY, CELL, "frt", 3600.0, 1800.0))
    found.durations.append(Duration(DAY, CELL, "frt", 60.0, 0.0))
    found.board["Q#Second line"] = {"waiting": 1}
    ops = [op["Update"] for op in tally_ops("t", found)]
    keys = [(op["Key"]["PK"]["S"], op["Key"]["SK"]["S"]) for op in ops]
    assert keys == [
        ("AGG#2026-11", "23#C#Second line#high#mikko@example.com"),
        ("AGG#2026-11", "23#H#frt#Second line#high#mikko@example.com"),
        ("BOARD", "Q#Second line"),
    ]
    assert all("ConditionExpression" not in op for op in ops)
    histogram = ops[1]
    added = {
        histogram["ExpressionAttributeNames"][name]: histogram["ExpressionAttributeValues"][
            name.replace("#", ":")
        ]["N"]
        for name in histogram["ExpressionAttributeNames"]
        if name.startswith("#a")
    }
    assert added["n"] == "2" and added["b0"] == "1" and float(added["cs"]) == 3660.0


def test_a_correction_of_a_past_day_drops_its_summaries() -> None:
    found = Facts(day=DAY)
    found.add(date(2026, 10, 30), CELL, "csat_yes", -1)
    found.add(DAY, CELL, "csat_no")
    deletes = [op["Delete"]["Key"] for op in tally_ops("t", found) if "Delete" in op]
    assert deletes == [
        {"PK": {"S": "AGGSUM#2026"}, "SK": {"S": "D#10-30"}},
        {"PK": {"S": "AGGSUM#2026"}, "SK": {"S": "M#10"}},
    ]
    assert summary_keys(DAY)[0] == {"PK": "AGGSUM#2026", "SK": "D#11-23"}
