"""A note, take or transfer retried with its Idempotency-Key acts once and answers the same."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tickets.model import MessageKind
from chalicelib.services.desk.actions import TicketActions
from tests.fakes import FakeClock, InMemoryTickets, RecordingSla
from tests.helpers import a_ticket
from tests.unit.services.desk.test_actions import AT, MIKKO, SARA, Agents


def actions(store: InMemoryTickets, clock: FakeClock | None = None) -> TicketActions:
    return TicketActions(
        store=store,
        agents=Agents(),
        sla=RecordingSla(),
        clock=clock or FakeClock(AT),
        queues=("Support", "Billing"),
    )


class LateReads(InMemoryTickets):
    """The claim's read comes before a concurrent repeat wrote it: only the write can tell."""

    def action_claim(self, agent: str, key: str) -> ActionClaim | None:
        return None


def notes(store: InMemoryTickets) -> list[str]:
    return [m.text for m in store.messages[1001] if m.kind is MessageKind.NOTE]


def test_a_repeated_note_with_its_key_is_kept_once_and_answered_with_the_first() -> None:
    store, clock = InMemoryTickets(a_ticket(AT)), FakeClock(AT)
    first = actions(store, clock).note(1001, MIKKO, "Called them.", "k-1")
    clock.advance(seconds=5)
    again = actions(store, clock).note(1001, MIKKO, "Called them.", "k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.result == first.result and notes(store) == ["Called them."]
    assert [e.kind for e in store.events(1001)] == ["note_added"]


def test_a_key_reused_for_another_note_is_refused_and_another_agents_key_is_their_own() -> None:
    store = InMemoryTickets(a_ticket(AT))
    actions(store).note(1001, MIKKO, "One.", "k-1")
    with pytest.raises(InvalidInput) as refused:
        actions(store).note(1001, MIKKO, "Two.", "k-1")
    assert refused.value.field == "Idempotency-Key"
    assert not actions(store).note(1001, SARA, "Two.", "k-1").replayed
    assert notes(store) == ["One.", "Two."]


def test_a_keyed_notes_id_comes_from_its_key() -> None:
    store = InMemoryTickets(a_ticket(AT))
    note = actions(store).note(1001, MIKKO, "x", "k-1").result
    unkeyed = actions(store).note(1001, MIKKO, "x").result
    assert note.id.split("-")[1] != unkeyed.id.split("-")[1]
    assert note.id == actions(InMemoryTickets(a_ticket(AT))).note(1001, MIKKO, "x", "k-1").result.id


def test_a_repeated_take_does_not_take_again_what_a_colleague_unassigned_since() -> None:
    store = InMemoryTickets(a_ticket(AT))
    assert not actions(store).take(1001, MIKKO, "k-take").replayed
    store.tickets[1001] = replace(store.tickets[1001], assignee=None, version=3)
    again = actions(store).take(1001, MIKKO, "k-take")
    assert again.replayed and again.result.assignee is None
    assert len(store.written) == 1


def test_a_repeated_transfer_moves_once_with_one_note() -> None:
    store, clock = InMemoryTickets(a_ticket(AT)), FakeClock(AT)
    first = actions(store, clock).transfer(1001, MIKKO, "Billing", "Refund.", "k-t")
    clock.advance(seconds=3)
    again = actions(store, clock).transfer(1001, MIKKO, "Billing", "Refund.", "k-t")
    assert again.replayed and again.result == first.result
    assert notes(store) == ["Refund."] and len(store.written) == 1


def test_a_key_used_for_a_take_cannot_transfer() -> None:
    store = InMemoryTickets(a_ticket(AT))
    actions(store).take(1001, MIKKO, "k-1")
    with pytest.raises(InvalidInput, match="another request"):
        actions(store).transfer(1001, MIKKO, "Billing", "x", "k-1")


def test_a_concurrent_repeat_that_wrote_first_is_answered_from_its_claim() -> None:
    store = LateReads(a_ticket(AT))
    actions(store).take(1001, MIKKO, "k-race")
    store.tickets[1001] = replace(store.tickets[1001], assignee=None, version=3)
    again = actions(store).take(1001, MIKKO, "k-race")
    assert again.replayed and len(store.written) == 1


def test_without_a_key_nothing_is_claimed() -> None:
    store = InMemoryTickets(a_ticket(AT))
    actions(store).note(1001, MIKKO, "x")
    actions(store).take(1001, MIKKO)
    actions(store).transfer(1001, MIKKO, "Billing", "x")
    assert store.action_claims == {}
