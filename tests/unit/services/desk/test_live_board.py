"""The live board: counts from counters, the longest wait per queue, reads that never grow with
the backlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.tickets.model import Status, Ticket
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.desk.queues import QueueBoard
from tests.fakes import AgentList, FakeClock, InMemoryBoard
from tests.helpers import a_ticket

AT = datetime(2026, 2, 11, 7, 0, tzinfo=UTC)
ROUTING = Routing(
    queues={
        "Support": Queue("Support", "support@example.com"),
        "Billing": Queue("Billing", "billing@example.com"),
    },
    addresses={"support@example.com": "Support", "billing@example.com": "Billing"},
    default_queue="Support",
)
LENA = Agent(id="lena@example.com", name="Lena Lind", email="lena@example.com")
OLLI = Agent(id="olli@example.com", name="Olli", email="olli@example.com", active=False)


def waiting(number: int, minutes_ago: int, **changes: Any) -> Ticket:
    since = AT - timedelta(minutes=minutes_ago)
    return a_ticket(since, number=number, customer_waiting_since=since, **changes)


def board_of(store: InMemoryBoard, *agents: Agent) -> QueueBoard:
    return QueueBoard(store, AgentList(*agents), ROUTING, FakeClock(AT))


def backlog(n: int) -> InMemoryBoard:
    tickets = [waiting(2000 + i, i % 90, sla_state="at_risk" if i % 7 else "ok") for i in range(n)]
    return InMemoryBoard(tickets)


def test_each_queue_shows_its_counters_and_who_has_waited_longest() -> None:
    store = InMemoryBoard(
        [
            waiting(1001, 45),
            waiting(1002, 90, assignee=LENA.id, status=Status.OPEN, sla_state="breached"),
            waiting(1003, 10, queue="Billing", sla_state="at_risk"),
            a_ticket(AT, number=1004, status=Status.PENDING, assignee=LENA.id),
            a_ticket(AT, number=1005, status=Status.SOLVED),
        ]
    )
    queues = {q.name: q for q in board_of(store).overview()}
    support = queues["Support"]
    assert (support.waiting, support.unassigned, support.breached, support.at_risk) == (2, 1, 1, 0)
    assert (support.pending, support.unsolved) == (1, 3)
    assert support.oldest_ticket == 1002 and support.oldest_wait_seconds == 90 * 60
    assert support.oldest_waiting_since == AT - timedelta(minutes=90)
    billing = queues["Billing"]
    assert (billing.waiting, billing.at_risk, billing.oldest_ticket) == (1, 1, 1003)
    assert billing.address == "billing@example.com"


def test_an_empty_queue_has_zeros_and_no_wait() -> None:
    summary = board_of(InMemoryBoard()).overview()[1]
    assert (summary.name, summary.waiting, summary.unsolved) == ("Billing", 0, 0)
    assert summary.oldest_wait_seconds is None and summary.oldest_ticket is None


def test_counters_of_a_table_older_than_the_write_path_show_as_zero() -> None:
    raw = {"Q#Support": {"waiting": -3, "unassigned": -1}, "A#lena@example.com": {"open": -1}}
    board = board_of(InMemoryBoard(raw=raw), LENA).board()
    assert board.queues[0].waiting == 0 and board.queues[0].unassigned == 0
    assert [(a.agent, a.open, a.waiting) for a in board.agents] == [(LENA.id, 0, 0)]
    assert board.totals.waiting == 0


def test_agents_carry_their_names_and_load_and_former_agents_only_while_loaded() -> None:
    store = InMemoryBoard(
        [
            waiting(1001, 5, assignee=LENA.id, status=Status.OPEN),
            a_ticket(AT, number=1002, status=Status.PENDING, assignee=LENA.id),
            waiting(1003, 5, assignee="gone@example.com", status=Status.OPEN),
        ]
    )
    agents = board_of(store, LENA, OLLI).board().agents
    assert [(a.agent, a.name, a.open, a.waiting) for a in agents] == [
        ("gone@example.com", "", 1, 1),
        (LENA.id, "Lena Lind", 2, 1),
    ]


def test_totals_sum_the_queues_and_take_the_longest_wait_of_all() -> None:
    store = InMemoryBoard([waiting(1001, 20), waiting(1002, 50, queue="Billing"), waiting(1003, 5)])
    totals = board_of(store).board().totals
    assert (totals.waiting, totals.unassigned, totals.unsolved) == (3, 3, 3)
    assert totals.oldest_ticket == 1002 and totals.oldest_wait_seconds == 50 * 60


def test_a_queue_renamed_away_shows_on_the_board_while_it_holds_tickets() -> None:
    store = InMemoryBoard([waiting(1001, 20, queue="Old name")])
    board = board_of(store).board()
    assert [q.name for q in board.queues] == ["Support", "Billing", "Old name"]
    assert board.queues[2].address == "" and board.totals.waiting == 1
    assert [q.name for q in board_of(store).overview()] == ["Support", "Billing"]
    emptied = InMemoryBoard(raw={"Q#Old name": {"waiting": 0, "unsolved": -1}})
    assert [q.name for q in board_of(emptied).board().queues] == ["Support", "Billing"]


def test_a_poll_reads_the_same_whatever_the_backlog() -> None:
    small, large = backlog(5), backlog(2000)
    for store in (small, large):
        board = board_of(store, LENA).board()
        assert board.queries == 1 + 2 + 1
    assert small.calls == large.calls == ["board", "wait Support", "wait Billing"]
    assert board_of(large).board().totals.waiting == 2000
