"""QuarantineRelease on fakes: held mail becomes one ticket, without an acknowledgement."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.mail.delivery import AckState, HeldStatus, Outcome
from chalicelib.domain.tickets.model import Status
from tests.conftest import FIXTURES
from tests.helpers import make_mail
from tests.unit.services.inbound.conftest import ANNA, Inbound

SPAM = {"spam": "FAIL"}


def hold(inbound: Inbound, mail_id: str = "held", **mail: Any) -> bytes:
    """A mail SES judged spam, quarantined by ingest as it would be in production."""
    raw = make_mail(**({"subject": "Actually a real question"} | mail))
    result = inbound.deliver(raw, mail_id=mail_id, verdicts=SPAM)
    assert result.outcome == Outcome.QUARANTINE
    return raw


def test_releasing_held_mail_makes_a_ticket_without_an_acknowledgement(inbound: Inbound) -> None:
    hold(inbound, body="Where is my order 4711?\n")
    inbound.clock.advance(minutes=10)

    result = inbound.release("held", by="lena@example.com")

    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1001)
    assert result.reason == "released from quarantine by lena@example.com"
    ticket = inbound.tickets.tickets[1001]
    assert ticket.requester == ANNA and ticket.status == Status.NEW
    assert ticket.subject == "Actually a real question"
    assert "order 4711" in inbound.inbound_messages(1001)[0].text
    assert inbound.mailer.sent == []
    assert inbound.metrics.total("QuarantineReleased") == 1


def test_the_release_is_logged_with_the_agent_and_the_reason_it_was_held(
    inbound: Inbound,
) -> None:
    hold(inbound)
    inbound.release("held", by="lena@example.com")

    events = inbound.tickets.events(1001)
    assert [e.kind for e in events] == [
        "created",
        "released_from_quarantine",
        "acknowledgement_suppressed",
    ]
    released = events[1]
    assert released.actor == "lena@example.com"
    assert released.data == {"reason": "spam (SES spamVerdict FAIL)"}
    assert events[0].data["verdicts"]["spam"] == "FAIL"


def test_the_held_entry_and_the_delivery_record_say_released(inbound: Inbound) -> None:
    hold(inbound)
    inbound.clock.advance(minutes=10)
    inbound.release("held", by="lena@example.com")

    held = inbound.held.get_held("held")
    assert held is not None and held.status == HeldStatus.RELEASED
    assert (held.ticket_number, held.decided_by) == (1001, "lena@example.com")
    assert held.decided_at == inbound.clock.now()
    record = inbound.tickets.records["held"]
    assert (record.outcome, record.ticket_number, record.ack) == (
        Outcome.TICKET,
        1001,
        AckState.NOT_WANTED,
    )
    assert record.quarantine_reason == "spam (SES spamVerdict FAIL)"


def test_the_released_message_keeps_the_time_it_was_received(inbound: Inbound) -> None:
    hold(inbound)
    received = inbound.clock.now()
    inbound.clock.advance(hours=2)
    inbound.release("held")

    assert inbound.inbound_messages(1001)[0].created_at == received
    assert inbound.tickets.tickets[1001].created_at == inbound.clock.now()


def test_a_released_ticket_gets_its_sla_schedules_synced(inbound: Inbound) -> None:
    hold(inbound)
    inbound.release("held")
    [(before, after, _)] = inbound.sla.synced
    assert before is None and after == inbound.tickets.tickets[1001]


def test_a_scheduler_failure_after_the_release_does_not_fail_it(inbound: Inbound) -> None:
    hold(inbound)
    inbound.sla.fail = True
    result = inbound.release("held")
    assert result.ticket_number == 1001 and 1001 in inbound.tickets.tickets


def test_a_second_release_is_a_conflict_and_makes_no_second_ticket(inbound: Inbound) -> None:
    hold(inbound)
    inbound.release("held")

    with pytest.raises(Conflict, match="released already, as #1001"):
        inbound.release("held")
    assert list(inbound.tickets.tickets) == [1001]


def test_mail_whose_message_id_is_already_on_a_ticket_is_a_conflict(inbound: Inbound) -> None:
    inbound.existing_ticket()  # #1001, whose first mail was <first@customer.example>
    hold(inbound, message_id="<first@customer.example>")

    with pytest.raises(Conflict, match="already on ticket #1001"):
        inbound.release("held")
    assert list(inbound.tickets.tickets) == [1001]
    held = inbound.held.get_held("held")
    assert held is not None and held.status == HeldStatus.HELD


def test_mail_confirmed_as_spam_can_still_be_released(inbound: Inbound) -> None:
    hold(inbound)
    held = inbound.held.get_held("held")
    assert held is not None
    inbound.held.mark_spam(held=held, by="lena@example.com", at=inbound.clock.now())

    assert inbound.release("held").ticket_number == 1001


def test_unknown_mail_is_not_found(inbound: Inbound) -> None:
    with pytest.raises(NotFound):
        inbound.release("never-held")


def test_mail_that_became_a_ticket_is_not_held_so_not_found(inbound: Inbound) -> None:
    inbound.deliver(make_mail(), mail_id="ticketed")
    with pytest.raises(NotFound):
        inbound.release("ticketed")


def test_held_mail_without_any_sender_cannot_be_released(inbound: Inbound) -> None:
    inbound.deliver((FIXTURES / "no_from.eml").read_bytes(), mail_id="nobody", source="")

    with pytest.raises(Conflict, match="no sender address"):
        inbound.release("nobody")
    assert inbound.tickets.tickets == {}


def test_a_repeated_ses_delivery_of_released_mail_makes_no_second_ticket_or_ack(
    inbound: Inbound,
) -> None:
    raw = hold(inbound)
    inbound.release("held")

    again = inbound.deliver(raw, mail_id="held", verdicts=SPAM)

    assert (again.outcome, again.ticket_number, again.acknowledged) == (Outcome.TICKET, 1001, False)
    assert list(inbound.tickets.tickets) == [1001] and inbound.mailer.sent == []
