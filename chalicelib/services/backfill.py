"""Rebuild the report aggregates and the live board from the tickets themselves.

The write path adds each write's facts in that write's transaction. What it never saw (tickets
older than it, aggregates lost or doubted) is rebuilt here: each ticket's life is replayed from
its log through the same `facts()` (domain/reports/history.py), the totals are summed in memory,
and the report items are written whole, put rather than added to, so that a second run leaves
the same table. The board is the sum of every ticket's `board_part` as it is now.

A ticket written while the rebuild runs may be counted wrong: its transaction's ADDs land on an
item that the rebuild then overwrites with totals read before that write. Such writes fall on
the current day's cells and the board, so `before` (YYYY-MM) rebuilds only earlier months and
leaves the rest alone; a full run names the tickets written while it ran (run it again then).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from chalicelib.domain.reports.facts import Facts, add_board
from chalicelib.domain.reports.history import FactsOf, board_of
from chalicelib.services.ports import Clock, Rebuilt, ReportRebuild

Board = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Progress:
    tickets: int
    scanned: int  # items read by the Scan
    estimate: int  # the table's item count, as DynamoDB last estimated it
    seconds: float

    @property
    def rate(self) -> float:
        """Tickets a second."""
        return self.tickets / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        if self.scanned <= 0 or self.seconds <= 0 or self.estimate <= self.scanned:
            return None
        return (self.estimate - self.scanned) * self.seconds / self.scanned


@dataclass
class BackfillReport:
    tickets: int
    scanned: int
    rebuilt: Rebuilt
    seconds: float
    dry_run: bool
    before: str | None
    changed: list[int] = field(default_factory=list)  # tickets written while it ran


@dataclass
class _Totals:
    facts: Facts = field(default_factory=Facts)
    board: Board = field(default_factory=dict)
    tickets: int = 0


class Backfill:
    def __init__(
        self,
        table: ReportRebuild,
        facts_of: FactsOf,
        clock: Clock,
        progress: Callable[[Progress], None] | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table = table
        self._facts_of = facts_of
        self._clock = clock
        self._progress = progress
        self._timer = timer
        self._lock = threading.Lock()
        self._seen = (0, 0)  # tickets, items scanned: across segments

    def run(
        self, *, before: str | None = None, dry_run: bool = False, segments: int = 1
    ) -> BackfillReport:
        started_at, began = self._clock.now(), self._timer()
        estimate = self._table.estimate()
        self._seen = (0, 0)

        def segment(i: int) -> _Totals:
            return self._segment(i, segments, estimate, began)

        with ThreadPoolExecutor(max_workers=segments) as pool:
            parts = list(pool.map(segment, range(segments)))
        totals = _Totals()
        for part in parts:
            totals.facts.absorb(part.facts)
            add_board(totals.board, part.board)
            totals.tickets += part.tickets
        rebuilt = self._table.replace_reports(
            totals.facts,
            None if before else totals.board,
            before=before,
            dry_run=dry_run,
        )
        changed = [] if dry_run else self._table.changed_since(started_at)
        seconds = self._timer() - began
        return BackfillReport(
            totals.tickets, self._seen[1], rebuilt, seconds, dry_run, before, changed
        )

    def _segment(self, segment: int, segments: int, estimate: int, began: float) -> _Totals:
        totals = _Totals()
        for page in self._table.scan(segment, segments):
            for log in page.logs:
                totals.facts.absorb(log.facts(self._facts_of))
                add_board(totals.board, board_of([log.ticket]))
                totals.tickets += 1
            self._advanced(len(page.logs), page.scanned, estimate, began)
        return totals

    def _advanced(self, tickets: int, scanned: int, estimate: int, began: float) -> None:
        with self._lock:
            self._seen = (self._seen[0] + tickets, self._seen[1] + scanned)
            seen = self._seen
        if self._progress is not None:
            self._progress(Progress(seen[0], seen[1], estimate, self._timer() - began))
