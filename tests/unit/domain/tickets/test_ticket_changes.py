"""What agents' actions do to a ticket, and the events that record them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.tickets.changes import (
    TicketChanges,
    after_agent_reply,
    apply_changes,
    ensure_repliable,
    take,
    transfer,
)
from chalicelib.domain.tickets.model import Priority, Status, Ticket
from tests.helpers import a_ticket

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=30)


def ticket(**changes: object) -> Ticket:
    base = a_ticket(T0, customer_waiting_since=T0, thread_ids=("q1@customer.example",), version=1)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_reply_records_the_first_response_and_stops_the_wait() -> None:
    after, events = after_agent_reply(
        ticket(), at=T1, actor="mikko", status=Status.PENDING, cc=("boss@c.example",),
        thread_id="ses1@eu-west-1.amazonses.com",
    )  # fmt: skip
    assert after.status == Status.PENDING and after.first_responded_at == T1
    assert after.customer_waiting_since is None and after.version == 2
    assert after.cc == ("boss@c.example",)
    assert after.thread_ids == ("q1@customer.example", "ses1@eu-west-1.amazonses.com")
    assert [e.kind for e in events] == ["status_changed", "cc_changed"]


def test_a_second_reply_keeps_the_first_response_time() -> None:
    first = ticket(first_responded_at=T0, status=Status.OPEN)
    after, _ = after_agent_reply(
        first, at=T1, actor="m", status=Status.SOLVED, cc=(), thread_id=None
    )
    assert after.first_responded_at == T0 and after.solved_at == T1


@pytest.mark.parametrize(
    ("changes", "why"),
    [({"status": Status.CLOSED}, "closed"), ({"extra": {"spam": True}}, "spam")],
)
def test_closed_and_spam_tickets_get_no_reply(changes: dict[str, object], why: str) -> None:
    with pytest.raises(Conflict, match=why):
        ensure_repliable(ticket(**changes))


def test_edits_make_one_new_version_with_an_event_each() -> None:
    after, events = apply_changes(
        ticket(),
        TicketChanges(status=Status.PENDING, priority=Priority.HIGH, queue="Billing", assignee="m"),
        at=T1,
        actor="lead",
    )
    assert (after.status, after.priority, after.queue, after.assignee) == (
        Status.PENDING, Priority.HIGH, "Billing", "m"
    )  # fmt: skip
    assert after.version == 2 and after.updated_at == T1 and after.customer_waiting_since is None
    assert [e.kind for e in events] == [
        "status_changed", "priority_changed", "queue_changed", "assigned"
    ]  # fmt: skip
    assert all(e.actor == "lead" for e in events)


def test_an_edit_that_changes_nothing_is_no_write() -> None:
    same = ticket()
    assert apply_changes(same, TicketChanges(priority=Priority.NORMAL), at=T1, actor="x") == (
        same,
        [],
    )


def test_closed_is_final() -> None:
    with pytest.raises(Conflict):
        apply_changes(
            ticket(status=Status.CLOSED), TicketChanges(status=Status.OPEN), at=T1, actor="x"
        )


def test_marking_spam_takes_it_out_of_the_work() -> None:
    after, events = apply_changes(ticket(), TicketChanges(spam=True), at=T1, actor="x")
    assert after.extra["spam"] is True and after.status == Status.SOLVED
    assert [e.kind for e in events] == ["marked_spam", "status_changed"]


def test_taking_assigns_and_opens_but_never_takes_from_a_colleague() -> None:
    taken, events = take(ticket(), "mikko", at=T1)
    assert taken.assignee == "mikko" and taken.status == Status.OPEN and taken.version == 2
    assert [e.kind for e in events] == ["assigned", "status_changed"]
    assert take(taken, "mikko", at=T1) == (taken, [])
    with pytest.raises(Conflict, match="mikko"):
        take(taken, "lena", at=T1)


def test_a_transfer_clears_the_assignee_for_the_new_queue() -> None:
    moved, events = transfer(
        ticket(assignee="mikko"), "Second line", at=T1, actor="m", note_id="n1"
    )
    assert moved.queue == "Second line" and moved.assignee is None
    assert events[0].data == {
        "from": "Support", "to": "Second line", "previous_assignee": "mikko", "note": "n1"
    }  # fmt: skip
    with pytest.raises(InvalidInput):
        transfer(moved, "Second line", at=T1, actor="m", note_id="n2")
