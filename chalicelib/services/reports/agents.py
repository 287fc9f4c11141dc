"""The agents report: what each agent did in a period, and what they hold now.

Replies and first responses count under the agent who wrote the reply; solves, and the CSAT
answers about them, under the ticket's assignee when it was solved or answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.reports import figures
from chalicelib.domain.reports.facts import NOBODY
from chalicelib.domain.reports.periods import local_today
from chalicelib.domain.reports.rollup import Tally
from chalicelib.services.ports import AgentListing, Clock, ReadCost, ReportFacts
from chalicelib.services.reports.loader import Loader
from chalicelib.services.reports.query import ReportQuery, parse_query


def agent_row(agent: str, name: str, tally: Tally, board: Mapping[str, int]) -> dict[str, Any]:
    csat = figures.csat(tally)
    del csat["comments"]
    return {
        "agent": agent,
        "name": name,
        "replies": tally.count("out"),
        "solved": tally.count("solved"),
        "first_response": figures.durations(tally.pair("frt")),
        "csat": csat,
        "open_now": int(board.get("open", 0)),
        "waiting_now": int(board.get("waiting", 0)),
    }


class AgentReport:
    def __init__(
        self, store: ReportFacts, agents: AgentListing, clock: Clock, timezone: str
    ) -> None:
        self._store = store
        self._agents = agents
        self._clock = clock
        self._zone = ZoneInfo(timezone)

    def report_for(self, params: Mapping[str, str]) -> dict[str, Any]:
        today = local_today(self._clock.now(), self._zone)
        return self.report(parse_query({**params, "agent": ""}, today))

    def report(self, query: ReportQuery) -> dict[str, Any]:
        cost = ReadCost()
        load = Loader(self._store, self._zone, self._clock.now(), cost)
        tallies = load.total(query.period).by_agent(query.keeps())
        board = {k[2:]: v for k, v in self._store.board(cost).items() if k.startswith("A#")}
        names = {a.id: a.name for a in self._agents.list_agents()}
        ids = sorted({*tallies, *board, *names} - {NOBODY})
        return {
            "from": query.period.start.isoformat(),
            "to": query.period.end.isoformat(),
            "timezone": self._zone.key,
            "filters": {"queue": query.queue, "priority": query.priority},
            "agents": [
                agent_row(a, names.get(a, a), tallies.get(a, Tally()), board.get(a, {}))
                for a in ids
            ],
            "reads": {"queries": cost.queries, "items": cost.items, "written": cost.written},
        }
