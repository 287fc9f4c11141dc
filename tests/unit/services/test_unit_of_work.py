"""The unit of work: one versioned write per decision, re-decided on a fresh ticket, then sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import AlreadyProcessed, NotFound, StorageError, VersionConflict
from chalicelib.domain.mail.delivery import MailRecord, Outcome
from chalicelib.domain.tickets.changes import bumped
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Party, Priority, Ticket
from chalicelib.services.unit_of_work import VERSION_RETRIES, Change, Sync, TicketUnit
from tests.fakes import FakeClock, InMemoryTickets, RecordingSla
from tests.helpers import a_ticket

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def urgent(ticket: Ticket, now: datetime) -> Change:
    after = bumped(ticket, replace(ticket, priority=Priority.URGENT), now)
    return Change(after, [Event(now, "priority_changed", "mikko")])


def unit(store: InMemoryTickets, sla: RecordingSla, sync: Sync = Sync.QUIET) -> TicketUnit:
    return TicketUnit(store=store, sla=sla, clock=FakeClock(AT), sync=sync)


def test_a_change_is_written_with_the_version_it_was_read_at_then_synced() -> None:
    store, sla = InMemoryTickets(a_ticket(AT, version=4)), RecordingSla()
    after = unit(store, sla).change(1001, urgent)
    assert after.version == 5 and store.tickets[1001] == after
    [written] = store.written
    assert written.kind == "update"
    assert [e.kind for e in written.events] == ["priority_changed", "sla_planned"]
    assert sla.synced == [(a_ticket(AT, version=4), after, 2)]


def test_a_lost_race_decides_again_on_the_fresh_ticket() -> None:
    store, sla = InMemoryTickets(a_ticket(AT, version=4)), RecordingSla()
    store.interfere(1001, lambda t: replace(t, queue="Billing"))
    seen: list[int] = []

    def decide(ticket: Ticket, now: datetime) -> Change:
        seen.append(ticket.version)
        return urgent(ticket, now)

    after = unit(store, sla).change(1001, decide)
    assert seen == [4, 5]
    assert after.queue == "Billing" and after.priority is Priority.URGENT and after.version == 6
    assert len(store.written) == 1 and len(sla.synced) == 1


def test_a_ticket_that_keeps_changing_raises_after_the_retries() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    store.interfere(1001, lambda t: t, times=VERSION_RETRIES)
    with pytest.raises(VersionConflict):
        unit(store, sla).change(1001, urgent)
    assert store.written == [] and sla.synced == []


def test_a_decision_that_is_not_a_change_writes_nothing() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    assert unit(store, sla).change(1001, lambda ticket, now: "idle") == "idle"
    assert store.written == [] and sla.synced == []


def test_an_unknown_ticket_is_not_found() -> None:
    with pytest.raises(NotFound, match="no ticket 7"):
        unit(InMemoryTickets(), RecordingSla()).change(7, urgent)


def test_a_change_with_a_message_appends_it_with_its_extra_thread_ids() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    note = Message(
        id="m1",
        ticket_number=1001,
        kind=MessageKind.NOTE,
        created_at=AT,
        author=Party("mikko@example.com", "Mikko"),
        subject="",
        text="Escalated.",
    )

    def decide(ticket: Ticket, now: datetime) -> Change:
        return Change(bumped(ticket, ticket, now), [], note, index_ids=["0102-ses-1"])

    unit(store, sla).change(1001, decide)
    [written] = store.written
    assert written.kind == "append" and written.message == note
    assert store.message_ids == {"0102-ses-1": 1001}


def test_a_fixed_time_is_the_time_of_the_change() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    sent_at = AT - timedelta(seconds=3)
    after = unit(store, sla).change(1001, urgent, at=sent_at)
    assert after.updated_at == sent_at


def test_a_scheduler_failure_after_the_write_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    sla.fail = True
    after = unit(store, sla).change(1001, urgent)
    assert store.tickets[1001] == after
    assert "SLA schedules not synced" in caplog.text


def test_no_sync_when_the_caller_needs_none() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    unit(store, sla, Sync.NONE).change(1001, urgent, budget=1)
    assert sla.synced == [] and len(store.written) == 1


def test_the_budget_reaches_the_sync() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    unit(store, sla).change(1001, urgent, budget=1)
    assert [budget for _, _, budget in sla.synced] == [1]


def test_a_strict_sync_failure_fails_the_caller_after_the_write() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    sla.fail = True
    with pytest.raises(StorageError):
        unit(store, sla, Sync.STRICT).change(1001, urgent)
    assert len(store.written) == 1  # written once: the retry finds the mail already recorded


def test_the_delivery_record_is_written_with_the_message() -> None:
    store, sla = InMemoryTickets(a_ticket(AT)), RecordingSla()
    record = MailRecord("ses-1", Outcome.REPLY, AT, ticket_number=1001)
    reply = Message(
        id="m2",
        ticket_number=1001,
        kind=MessageKind.INBOUND,
        created_at=AT,
        author=Party("anna@customer.example", "Anna"),
        subject="Re: Invoice",
        text="Thanks",
        message_id="r1@customer.example",
    )

    def decide(ticket: Ticket, now: datetime) -> Change:
        return Change(bumped(ticket, ticket, now), [], reply, record=record)

    unit(store, sla, Sync.STRICT).change(1001, decide)
    assert store.records == {"ses-1": record}
    with pytest.raises(AlreadyProcessed):
        unit(store, sla, Sync.STRICT).change(1001, decide)
