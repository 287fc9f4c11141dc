"""An agent's note, edit, take and transfer: versioned, explained by events, safe in a race."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, TooLarge
from chalicelib.domain.tickets.model import Priority, Status
from chalicelib.services.desk.actions import PatchRequest, TicketActions
from tests.fakes import FakeClock, InMemoryTickets, RecordingSla
from tests.helpers import a_ticket

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MIKKO = Agent(id="mikko@example.com", name="Mikko", email="mikko@example.com")
SARA = Agent(id="sara@example.com", name="Sara", email="sara@example.com")
GONE = Agent(id="ex@example.com", name="Ex", email="ex@example.com", active=False)


class Agents:
    def get(self, agent_id: str) -> Agent:
        for agent in (MIKKO, SARA, GONE):
            if agent.id == agent_id:
                return agent
        raise NotFound(f"no agent {agent_id}")


def actions(store: InMemoryTickets, sla: RecordingSla | None = None) -> TicketActions:
    return TicketActions(
        store=store,
        agents=Agents(),
        sla=sla or RecordingSla(),
        clock=FakeClock(AT),
        queues=("Support", "Billing"),
    )


def test_a_note_joins_the_thread_and_changes_nothing_else() -> None:
    store = InMemoryTickets(a_ticket(AT, version=2))
    note = actions(store).note(1001, MIKKO, "  Called the customer.\r\n").result
    assert note.text == "Called the customer." and store.messages[1001] == [note]
    assert store.tickets[1001].version == 2
    assert [e.kind for e in store.events(1001)] == ["note_added"]


def test_an_empty_or_huge_note_is_refused() -> None:
    store = InMemoryTickets(a_ticket(AT))
    with pytest.raises(InvalidInput):
        actions(store).note(1001, MIKKO, " \n ")
    with pytest.raises(TooLarge):
        actions(store).note(1001, MIKKO, "x" * (64 * 1024 + 1))
    assert store.written == []


def test_an_edit_at_the_version_seen_is_written_and_synced() -> None:
    store, sla = InMemoryTickets(a_ticket(AT, version=2)), RecordingSla()
    after = actions(store, sla).patch(
        1001, MIKKO, PatchRequest(version=2, priority="urgent", assignee="sara@example.com")
    )
    assert after.priority is Priority.URGENT and after.assignee == "sara@example.com"
    assert after.version == 3 and store.tickets[1001] == after and len(sla.synced) == 1


def test_an_edit_of_an_older_version_is_a_conflict_carrying_the_current_ticket() -> None:
    store = InMemoryTickets(a_ticket(AT, version=5))
    with pytest.raises(Conflict) as raised:
        actions(store).patch(1001, MIKKO, PatchRequest(version=4, status="pending"))
    assert raised.value.current == store.tickets[1001] and store.written == []


def test_an_edit_that_loses_a_race_is_not_reapplied() -> None:
    store = InMemoryTickets(a_ticket(AT, version=2))
    store.interfere(1001, lambda t: replace(t, queue="Billing"))
    with pytest.raises(Conflict, match="changed meanwhile") as raised:
        actions(store).patch(1001, MIKKO, PatchRequest(version=2, status="pending"))
    current = raised.value.current
    assert current is not None and current.queue == "Billing" and current.status is Status.NEW


def test_an_edit_that_changes_nothing_writes_nothing() -> None:
    store = InMemoryTickets(a_ticket(AT, version=2))
    ticket = actions(store).patch(1001, MIKKO, PatchRequest(version=2, priority="normal"))
    assert ticket == store.tickets[1001] and store.written == []


def test_an_edit_cannot_assign_an_unknown_or_inactive_agent() -> None:
    store = InMemoryTickets(a_ticket(AT))
    for who in ("nobody@example.com", "ex@example.com"):
        with pytest.raises(InvalidInput):
            actions(store).patch(1001, MIKKO, PatchRequest(version=0, assignee=who))


def test_take_assigns_and_retries_after_a_colleagues_unrelated_change() -> None:
    store = InMemoryTickets(a_ticket(AT))
    store.interfere(1001, lambda t: replace(t, priority=Priority.HIGH))
    after = actions(store).take(1001, MIKKO).result
    assert after.assignee == MIKKO.id and after.priority is Priority.HIGH


def test_take_of_a_ticket_a_colleague_took_first_is_a_conflict() -> None:
    store = InMemoryTickets(a_ticket(AT))
    store.interfere(1001, lambda t: replace(t, assignee=SARA.id))
    with pytest.raises(Conflict, match="already assigned"):
        actions(store).take(1001, MIKKO)
    assert store.tickets[1001].assignee == SARA.id


def test_taking_ones_own_ticket_again_writes_nothing() -> None:
    store = InMemoryTickets(a_ticket(AT, assignee=MIKKO.id))
    actions(store).take(1001, MIKKO)
    assert store.written == []


def test_transfer_moves_queue_unassigns_and_leaves_a_note() -> None:
    store = InMemoryTickets(a_ticket(AT, assignee=MIKKO.id))
    after = actions(store).transfer(1001, MIKKO, "Billing", "Refund question.").result
    assert after.queue == "Billing" and after.assignee is None
    [written] = store.written
    assert written.message is not None and written.message.flags == ("transfer",)
    assert "transferred" in [e.kind for e in written.events]


def test_transfer_to_an_unknown_queue_is_refused() -> None:
    store = InMemoryTickets(a_ticket(AT))
    with pytest.raises(InvalidInput):
        actions(store).transfer(1001, MIKKO, "Sales", "x")


def test_a_ticket_that_keeps_changing_asks_the_agent_to_try_again() -> None:
    store = InMemoryTickets(a_ticket(AT))
    store.interfere(1001, lambda t: t, times=3)
    with pytest.raises(Conflict, match="keeps changing"):
        actions(store).take(1001, MIKKO)
