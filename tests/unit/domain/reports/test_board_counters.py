"""Board counters read back as counts: an older table's gaps and negatives never show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.reports.board import QUEUE_COUNTERS, counts, summed, wait_seconds

AT = datetime(2026, 2, 11, 9, 0, tzinfo=UTC)


def test_missing_negative_and_unreadable_counters_read_as_zero() -> None:
    raw = {"waiting": 3, "unassigned": -2, "at_risk": "x", "breached": True, "pending": 1.0}
    assert counts(raw, QUEUE_COUNTERS) == {
        "unsolved": 0,
        "waiting": 3,
        "unassigned": 0,
        "at_risk": 0,
        "breached": 0,
        "pending": 1,
    }
    assert counts(None, ("open",)) == {"open": 0}


def test_totals_add_every_row_and_only_the_names_asked() -> None:
    rows = [{"waiting": 2, "open": 9}, {"waiting": 1}]
    assert summed(rows, ("waiting", "pending")) == {"waiting": 3, "pending": 0}


def test_a_wait_is_whole_seconds_and_never_negative() -> None:
    assert wait_seconds(AT, AT + timedelta(minutes=61, seconds=0.7)) == 3660
    assert wait_seconds(AT + timedelta(seconds=5), AT) == 0
    assert wait_seconds(None, AT) is None
