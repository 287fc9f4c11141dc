"""The queue board: how many customers wait on each queue right now, and since when.

One Query per queue over its "waiting on an agent" partition, returning two small attributes.
Counting needs every waiting ticket once, and the oldest wait is not the partition's order (that
is due time); the reads grow with the number of customers waiting, never with the history.
Counters kept on every write would be cheaper to read but would make every ticket write
contend on one item per queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.tickets.routing import Routing
from chalicelib.services.ports import Clock, ViewStore


@dataclass(frozen=True)
class QueueSummary:
    name: str
    address: str
    waiting: int
    unassigned: int
    oldest_waiting_since: datetime | None
    oldest_wait_seconds: int | None


class QueueBoard:
    def __init__(self, store: ViewStore, routing: Routing, clock: Clock) -> None:
        self._store = store
        self._routing = routing
        self._clock = clock

    def overview(self) -> list[QueueSummary]:
        now = self._clock.now()
        summaries = []
        for queue in self._routing.queues.values():
            stats = self._store.waiting_stats(queue.name)
            since = stats.oldest_waiting_since
            summaries.append(
                QueueSummary(
                    name=queue.name,
                    address=queue.address,
                    waiting=stats.waiting,
                    unassigned=stats.unassigned,
                    oldest_waiting_since=since,
                    oldest_wait_seconds=max(0, int((now - since).total_seconds()))
                    if since
                    else None,
                )
            )
        return summaries
