"""Histograms: percentiles within the stated bound of the exact nearest-rank value; merging adds."""

from __future__ import annotations

import random

import pytest

from chalicelib.domain.reports.histogram import (
    ERROR_BOUND,
    Histogram,
    bucket_of,
    merge_all,
    nearest_rank,
    value_of,
)


def test_every_value_reads_back_within_the_bound() -> None:
    for seconds in [1, 1.5, 59, 60, 61, 3599, 3600, 86_400, 7 * 86_400, 365 * 86_400]:
        read = value_of(bucket_of(seconds))
        assert abs(read - seconds) / seconds <= ERROR_BOUND + 1e-9, seconds


def test_under_a_second_is_zero() -> None:
    assert bucket_of(0) == bucket_of(0.4) == 0 and value_of(0) == 0


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("q", [0.5, 0.9])
def test_quantiles_of_random_durations_are_within_the_bound(seed: int, q: float) -> None:
    rng = random.Random(seed)
    values = [rng.lognormvariate(8, 1.5) + 1 for _ in range(rng.randint(1, 2000))]
    exact = nearest_rank(values, q)
    read = Histogram.of(values).quantile(q)
    assert exact is not None and read is not None
    assert abs(read - exact) / exact <= ERROR_BOUND + 1e-9


def test_merging_parts_equals_the_whole() -> None:
    rng = random.Random(7)
    values = [rng.uniform(1, 100_000) for _ in range(500)]
    parts = [Histogram.of(values[i : i + 50]) for i in range(0, 500, 50)]
    whole = Histogram.of(values)
    merged = merge_all(parts)
    assert merged.counts == whole.counts and merged.count == 500
    assert merged.total_seconds == pytest.approx(whole.total_seconds)


def test_an_empty_histogram_has_no_quantiles() -> None:
    assert Histogram().quantile(0.5) is None
    assert Histogram().summary() == {"count": 0, "median": None, "p90": None, "mean": None}
