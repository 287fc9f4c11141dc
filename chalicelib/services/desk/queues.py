"""The live board: per queue and per agent, what waits right now, and who has waited longest.

Counts come from counters every ticket write moves (one Query of the BOARD partition), the
longest wait from the head of each queue's waiting index (one Query, Limit 1, per queue), and
agents' names from the agent directory (one Query): a poll costs 1 + queues reads (+1 with the
agents), whatever the backlog. Counters of a table older than the write path read as 0 until
`ops/backfill` rebuilds them (domain/reports/board.py).

Not shown: how many distinct customers wait. Counting them would need a counter per requester
moved only on its 0 ↔ 1 steps, i.e. a read before every ticket write; summing tickets is free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.reports.board import (
    AGENT_COUNTERS,
    QUEUE_COUNTERS,
    counts,
    summed,
    wait_seconds,
)
from chalicelib.domain.tickets.routing import Routing
from chalicelib.services.ports import AgentListing, BoardCounts, BoardStore, Clock, LongestWait


@dataclass(frozen=True)
class QueueSummary:
    name: str
    address: str
    waiting: int
    unassigned: int
    oldest_waiting_since: datetime | None
    oldest_wait_seconds: int | None
    at_risk: int = 0
    breached: int = 0
    pending: int = 0
    unsolved: int = 0
    oldest_ticket: int | None = None

    def counters(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in QUEUE_COUNTERS}


@dataclass(frozen=True)
class AgentLoad:
    agent: str
    name: str
    open: int
    waiting: int


@dataclass(frozen=True)
class Board:
    at: datetime
    queues: list[QueueSummary]
    agents: list[AgentLoad]
    totals: QueueSummary  # every queue's counters summed, and the longest wait of them all
    queries: int


class QueueBoard:
    def __init__(
        self, store: BoardStore, agents: AgentListing, routing: Routing, clock: Clock
    ) -> None:
        self._store = store
        self._agents = agents
        self._routing = routing
        self._clock = clock

    def overview(self) -> list[QueueSummary]:
        """The configured queues (what the UI's navigation and transfer offer)."""
        return self._queues(self._store.board_counts(), self._clock.now(), known_only=True)

    def board(self) -> Board:
        now = self._clock.now()
        found = self._store.board_counts()
        queues = self._queues(found, now, known_only=False)
        agents = self._agent_loads(found.agents)
        return Board(
            at=now,
            queues=queues,
            agents=agents,
            totals=_totals(queues, now),
            queries=found.queries + len(queues) + 1,
        )

    def _queues(self, found: BoardCounts, now: datetime, *, known_only: bool) -> list[QueueSummary]:
        addresses = {q.name: q.address for q in self._routing.queues.values()}
        # a queue renamed away from the config holds tickets until they move: shown after, while
        # it holds any
        others = [] if known_only else sorted(set(_loaded(found.queues)) - set(addresses))
        return [
            self._summary(name, addresses.get(name, ""), found.queues.get(name), now)
            for name in [*addresses, *others]
        ]

    def _summary(
        self, name: str, address: str, raw: Mapping[str, int] | None, now: datetime
    ) -> QueueSummary:
        wait = self._store.longest_wait(name)
        return _summary(name, address, counts(raw, QUEUE_COUNTERS), wait, now)

    def _agent_loads(self, found: Mapping[str, Mapping[str, int]]) -> list[AgentLoad]:
        directory = {a.id: a for a in self._agents.list_agents()}
        shown = {a for a, agent in directory.items() if agent.active} | set(_loaded(found))
        loads = [
            AgentLoad(
                agent=agent_id,
                name=directory[agent_id].name if agent_id in directory else "",
                open=c["open"],
                waiting=c["waiting"],
            )
            for agent_id, c in ((a, counts(found.get(a), AGENT_COUNTERS)) for a in shown)
        ]
        return sorted(loads, key=lambda a: (a.name.casefold() or a.agent, a.agent))


def _loaded(found: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Names whose counters say something is there (an item left all zero says nothing)."""
    return [name for name, raw in found.items() if any(v > 0 for v in raw.values())]


def _totals(queues: list[QueueSummary], now: datetime) -> QueueSummary:
    waits = [
        LongestWait(q.oldest_ticket, q.oldest_waiting_since)
        for q in queues
        if q.oldest_ticket is not None and q.oldest_waiting_since is not None
    ]
    oldest = min(waits, key=lambda w: (w.since, w.ticket), default=None)
    return _summary("", "", summed((q.counters() for q in queues), QUEUE_COUNTERS), oldest, now)


def _summary(
    name: str, address: str, c: Mapping[str, int], wait: LongestWait | None, now: datetime
) -> QueueSummary:
    since = wait.since if wait is not None else None
    return QueueSummary(
        name=name,
        address=address,
        waiting=c["waiting"],
        unassigned=c["unassigned"],
        oldest_waiting_since=since,
        oldest_wait_seconds=wait_seconds(since, now),
        at_risk=c["at_risk"],
        breached=c["breached"],
        pending=c["pending"],
        unsolved=c["unsolved"],
        oldest_ticket=wait.ticket if wait is not None else None,
    )
