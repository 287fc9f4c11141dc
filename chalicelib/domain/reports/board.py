"""The live board read back: counters as the write path keeps them, shown as counts people trust.

The counters are moved by ADDs in every ticket transaction (facts.board_part). A table that
held tickets before that write path existed has counters that are missing, or that went below
zero when such a ticket left; both read as 0 here, and `ops/backfill` rebuilds the true values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

QUEUE_COUNTERS = ("unsolved", "waiting", "unassigned", "at_risk", "breached", "pending")
AGENT_COUNTERS = ("open", "waiting")


def counts(raw: Mapping[str, object] | None, names: Iterable[str]) -> dict[str, int]:
    """Each named counter as a count: missing, negative or not a number reads as 0."""
    found = raw or {}
    return {name: _count(found.get(name)) for name in names}


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


def summed(rows: Iterable[Mapping[str, int]], names: Iterable[str]) -> dict[str, int]:
    wanted = tuple(names)
    total = dict.fromkeys(wanted, 0)
    for row in rows:
        for name in wanted:
            total[name] += row.get(name, 0)
    return total


def wait_seconds(since: datetime | None, now: datetime) -> int | None:
    """How long the customer has waited; a clock a little behind the writer's never gives < 0."""
    return max(0, int((now - since).total_seconds())) if since is not None else None
