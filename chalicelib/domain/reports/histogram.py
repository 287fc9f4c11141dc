"""Mergeable histograms of durations: log-spaced buckets, percentiles within 4 % of exact.

A duration of s seconds falls in bucket 0 when s < 1, else in bucket 1 + floor(log(s) / log(R)).
Bucket k > 0 covers [R^(k-1), R^k) and is read back as its geometric middle R^(k-1/2), so a value
read from a bucket is within sqrt(R) - 1 (3.9 % for R = 1.08) of every value in it. Percentiles
are nearest-rank (the ceil(q·n)-th smallest value): the bucket holding that rank holds the exact
order statistic, so the answer is within the same bound of it. Histograms are plain counts per
bucket: two are merged by adding them, which is what DynamoDB's atomic ADD does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

RATIO = 1.08
ERROR_BOUND = math.sqrt(RATIO) - 1  # the relative error of any value read from a bucket
_LOG_RATIO = math.log(RATIO)


def bucket_of(seconds: float) -> int:
    if seconds < 1:
        return 0
    return 1 + math.floor(math.log(seconds) / _LOG_RATIO + 1e-12)


def value_of(bucket: int) -> float:
    """The bucket's representative duration in seconds."""
    return 0.0 if bucket <= 0 else RATIO ** (bucket - 0.5)


@dataclass(frozen=True)
class Histogram:
    counts: Mapping[int, int] = field(default_factory=dict)
    total_seconds: float = 0.0

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Histogram:
        counts: dict[int, int] = {}
        total = 0.0
        for s in seconds:
            counts[bucket_of(s)] = counts.get(bucket_of(s), 0) + 1
            total += s
        return cls(counts, total)

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def merged(self, other: Histogram) -> Histogram:
        counts = dict(self.counts)
        for k, n in other.counts.items():
            counts[k] = counts.get(k, 0) + n
        return Histogram(
            {k: n for k, n in counts.items() if n}, self.total_seconds + other.total_seconds
        )

    def quantile(self, q: float) -> float | None:
        """The nearest-rank q-quantile in seconds (None without samples)."""
        n = self.count
        if n == 0:
            return None
        rank = max(1, math.ceil(q * n))
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= rank:
                return value_of(bucket)
        return value_of(max(self.counts))  # pragma: no cover - rank <= n

    def mean(self) -> float | None:
        return self.total_seconds / self.count if self.count else None

    def summary(self) -> dict[str, float | int | None]:
        """What a report shows: sample count, median, p90, mean (seconds, rounded)."""
        return {
            "count": self.count,
            "median": _round(self.quantile(0.5)),
            "p90": _round(self.quantile(0.9)),
            "mean": _round(self.mean()),
        }


def merge_all(histograms: Iterable[Histogram]) -> Histogram:
    result = Histogram()
    for h in histograms:
        result = result.merged(h)
    return result


def nearest_rank(values: Iterable[float], q: float) -> float | None:
    """The exact nearest-rank quantile of raw values: what a histogram's answer approximates."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
