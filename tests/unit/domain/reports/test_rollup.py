"""Rollups merge cells and days, keep the weekday of each hour, and survive their JSON."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.reports import figures
from chalicelib.domain.reports.facts import Cell
from chalicelib.domain.reports.histogram import ERROR_BOUND, Histogram, nearest_rank
from chalicelib.domain.reports.rollup import Pair, Rollup, from_json, merged, to_json

SUPPORT = Cell("Support", "normal", "ville@example.com")
BILLING = Cell("Billing", "high", "-")
MONDAY, SUNDAY = date(2026, 11, 2), date(2026, 11, 8)


def test_hour_counts_learn_their_weekday() -> None:
    rollup = Rollup()
    rollup.add_counts(MONDAY, SUPPORT, {"in": 2, "in_h09": 2, "out_h23": 1})
    rollup.add_counts(SUNDAY, SUPPORT, {"in_h09": 1})
    counts = rollup.cells[SUPPORT].counts
    assert counts == {"in": 2, "in_d0_h09": 2, "out_d0_h23": 1, "in_d6_h09": 1}
    traffic = figures.traffic(rollup.select(lambda c: True), "in")
    assert len(traffic) == 7 and all(len(row) == 24 for row in traffic)
    assert traffic[0][9] == 2 and traffic[6][9] == 1 and sum(map(sum, traffic)) == 3


def test_a_rollup_comes_back_from_its_json_unchanged() -> None:
    rollup = Rollup()
    rollup.add_counts(MONDAY, SUPPORT, {"created": 3, "backlog": -1, "lang_fi": 2})
    rollup.add_durations(SUPPORT, "frt", Pair(Histogram.of([60, 3600]), Histogram.of([0, 1800])))
    again = from_json(to_json(rollup))
    assert again.cells[SUPPORT].counts == rollup.cells[SUPPORT].counts
    assert again.cells[SUPPORT].durations == rollup.cells[SUPPORT].durations


def test_select_and_by_agent_merge_matching_cells() -> None:
    one, two = Rollup(), Rollup()
    one.add_counts(MONDAY, SUPPORT, {"solved": 1})
    two.add_counts(MONDAY, SUPPORT, {"solved": 2})
    two.add_counts(MONDAY, BILLING, {"solved": 5})
    both = merged([one, two])
    assert both.select(lambda c: c.queue == "Support").count("solved") == 3
    assert both.select(lambda c: True).count("solved") == 8
    assert {a: t.count("solved") for a, t in both.by_agent(lambda c: True).items()} == {
        "ville@example.com": 3,
        "-": 5,
    }


def test_durations_read_back_within_the_bound_of_the_exact_figures() -> None:
    samples = [30.0, 95.0, 3600.0, 7300.0, 86_400.0, 200_000.0, 5.0]
    halves = Pair(Histogram.of(samples[:3]), Histogram()).merged(
        Pair(Histogram.of(samples[3:]), Histogram())
    )
    shown = figures.durations(halves)
    assert shown["business"] == {"count": 0, "median": None, "p90": None, "mean": None}
    calendar = shown["calendar"]
    assert calendar["count"] == len(samples)
    assert calendar["mean"] == round(sum(samples) / len(samples), 1)
    for q, name in ((0.5, "median"), (0.9, "p90")):
        exact = nearest_rank(samples, q)
        assert exact is not None
        assert abs(calendar[name] - exact) <= ERROR_BOUND * exact + 0.1


def test_sla_compliance_and_csat_rate_are_shares_of_their_samples() -> None:
    rollup = Rollup()
    counts = {"sla_fr_met": 3, "sla_fr_missed": 1, "sla_fr_late": 1, "csat_yes": 1, "csat_no": 1}
    rollup.add_counts(MONDAY, SUPPORT, counts)
    tally = rollup.select(lambda c: True)
    assert figures.sla(tally, "fr") == {
        "count": 4,
        "met": 3,
        "missed": 1,
        "late": 1,
        "compliance": 0.75,
    }
    assert figures.sla(tally, "nr")["compliance"] is None
    assert figures.csat(tally) == {"answers": 2, "yes": 1, "no": 1, "rate": 0.5, "comments": 0}
