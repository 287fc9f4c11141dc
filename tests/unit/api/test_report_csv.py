"""Report CSV: the JSON flattened into named columns, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from chalicelib.api.report_csv import flatten, safe, to_csv


def test_nested_figures_become_columns_with_seconds_marked() -> None:
    row = {
        "period": "2026-11-02",
        "first_response": {"calendar": {"count": 2, "median": 3600.0, "p90": None}},
        "sla": {"resolution": {"compliance": 0.5}},
        "traffic": [[1, 2]],
    }
    assert flatten(row) == {
        "period": "2026-11-02",
        "first_response_calendar_count": 2,
        "first_response_calendar_median_s": 3600.0,
        "first_response_calendar_p90_s": None,
        "sla_resolution_compliance": 0.5,
    }


def test_cells_that_start_a_formula_are_quoted_numbers_are_not() -> None:
    assert [safe(v) for v in ("=1+2", "+x", "-y", "@SUM(A1)", "\tz", "Anna")] == [
        "'=1+2", "'+x", "'-y", "'@SUM(A1)", "'\tz", "Anna"
    ]  # fmt: skip
    assert (safe(-3), safe(None), safe(0.25)) == ("-3", "", "0.25")


def test_a_csv_has_a_header_and_one_row_each() -> None:
    text = to_csv([{"agent": "=HYPERLINK(1)", "replies": 2}, {"agent": "b", "replies": 0}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["agent", "replies"], ["'=HYPERLINK(1)", "2"], ["b", "0"]]
