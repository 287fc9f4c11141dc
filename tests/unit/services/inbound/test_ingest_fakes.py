"""IngestEmail on fakes: a delivery becomes a ticket, a reply on one, or a quarantine entry."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.config import AckSettings
from chalicelib.domain.errors import NotFound, VersionConflict
from chalicelib.domain.mail.delivery import AckState, Outcome
from chalicelib.domain.mail.parsed import Receipt
from chalicelib.domain.tickets.model import Priority, Status
from tests.conftest import FIXTURES
from tests.helpers import make_mail
from tests.unit.services.inbound.conftest import ANNA, Inbound

FIRST = "<first@customer.example>"  # the Message-ID of the mail that opened #1001


def reply(**kwargs: Any) -> bytes:
    """Anna writing again; threaded only by what `kwargs` adds (headers, a tagged subject)."""
    defaults = {"subject": "Re: Invoice", "body": "Here is the order number: 555.\n"}
    return make_mail(**(defaults | kwargs))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- a new mail -----------------------------------------------------------------------------


def test_a_new_mail_becomes_a_ticket_with_its_message_and_creation_event(
    inbound: Inbound,
) -> None:
    result = inbound.deliver(make_mail(message_id="<q1@customer.example>"), mail_id="m1")

    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1001)
    ticket = inbound.tickets.tickets[1001]
    assert ticket.requester == ANNA and ticket.queue == "Support" and ticket.status == Status.NEW
    assert ticket.subject == "Invoice shows the wrong amount" and ticket.language == "en"
    assert ticket.thread_ids == ("q1@customer.example",)
    [message] = inbound.inbound_messages(1001)
    assert "120 EUR" in message.text and message.raw_key == "inbound/m1"
    assert inbound.event_kinds(1001) == ["created"]
    assert inbound.metrics.total("TicketsCreated") == 1


def test_a_new_ticket_gets_its_sla_schedules_synced(inbound: Inbound) -> None:
    inbound.deliver(make_mail())
    [(before, after, _budget)] = inbound.sla.synced
    assert before is None and after == inbound.tickets.tickets[1001]


def test_a_new_ticket_is_acknowledged_once_from_the_address_written_to(
    inbound: Inbound,
) -> None:
    result = inbound.deliver(
        make_mail(to="billing@example.com"), mail_id="m1", recipients=["billing@example.com"]
    )

    assert result.acknowledged
    [ack] = inbound.mailer.sent
    assert ack.sender.email == "billing@example.com"
    assert [a.email for a in ack.to] == [ANNA.email]
    assert ack.subject == "Re: Invoice shows the wrong amount [#1001]"
    assert inbound.tickets.records["m1"].ack == AckState.SENT


def test_the_same_ses_delivery_twice_makes_one_ticket_and_one_acknowledgement(
    inbound: Inbound,
) -> None:
    raw = make_mail()
    first = inbound.deliver(raw, mail_id="same")
    again = inbound.deliver(raw, mail_id="same")

    assert first.ticket_number == again.ticket_number == 1001
    assert again.reason == "already processed" and not again.acknowledged
    assert list(inbound.tickets.tickets) == [1001]
    assert len(inbound.mailer.sent) == 1
    assert len(inbound.inbound_messages(1001)) == 1


def test_the_same_message_id_in_another_delivery_is_a_duplicate_without_a_second_ack(
    inbound: Inbound,
) -> None:
    raw = make_mail(message_id="<twice@customer.example>")
    inbound.deliver(raw, mail_id="to-support")
    second = inbound.deliver(raw, mail_id="to-billing", recipients=["billing@example.com"])

    assert (second.outcome, second.ticket_number) == (Outcome.DUPLICATE, 1001)
    assert inbound.tickets.records["to-billing"].outcome == Outcome.DUPLICATE
    assert list(inbound.tickets.tickets) == [1001] and len(inbound.mailer.sent) == 1


def test_a_sender_over_the_acknowledgement_limit_gets_a_ticket_without_an_ack() -> None:
    inbound = Inbound(ack_limits=AckSettings(max_per_sender_per_day=1))
    inbound.deliver(make_mail(subject="Question 1"))
    result = inbound.deliver(make_mail(subject="Question 2"))

    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1002)
    assert not result.acknowledged and result.reason == "rate_limited"
    assert len(inbound.mailer.sent) == 1
    assert inbound.event_kinds(1002) == ["created", "acknowledgement_suppressed"]
    assert ("AcknowledgementsSuppressed", "rate_limited") in inbound.metrics.counts


def test_missing_raw_mail_raises_so_that_ses_retries(inbound: Inbound) -> None:
    receipt = Receipt("gone", inbound.clock.now(), ANNA.email, ("support@example.com",))
    with pytest.raises(NotFound):
        inbound.ingest(receipt)
    assert inbound.tickets.written == []


# -- replies --------------------------------------------------------------------------------


def test_a_reply_with_in_reply_to_joins_the_ticket_without_an_ack(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(reply(headers={"In-Reply-To": FIRST}))

    assert (result.outcome, result.ticket_number, result.acknowledged) == (
        Outcome.REPLY,
        1001,
        False,
    )
    assert "555" in inbound.inbound_messages(1001)[-1].text
    assert inbound.mailer.sent == [] and 1002 not in inbound.tickets.tickets
    assert inbound.metrics.total("RepliesThreaded") == 1


def test_a_reply_with_only_references_joins_the_ticket(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(reply(headers={"References": f"<other@x.example> {FIRST}"}))
    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)


def test_a_reply_with_the_subject_tag_joins_the_ticket(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(reply(subject="Re: Invoice [#1001]"))
    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)


def test_a_reply_adds_its_message_id_to_the_thread_and_syncs_the_sla(inbound: Inbound) -> None:
    before = inbound.existing_ticket()
    inbound.deliver(reply(subject="Re: [#1001]", message_id="<r1@customer.example>"))

    after = inbound.tickets.tickets[1001]
    assert after.thread_ids == ("first@customer.example", "r1@customer.example")
    assert after.version == before.version + 1
    assert inbound.tickets.message_ids["r1@customer.example"] == 1001
    [(synced_before, synced_after, _)] = inbound.sla.synced
    assert (synced_before, synced_after) == (before, after)


@pytest.mark.parametrize("status", [Status.PENDING, Status.SOLVED])
def test_a_customer_reply_reopens_a_ticket_waiting_on_them_or_solved(
    inbound: Inbound, status: Status
) -> None:
    inbound.existing_ticket(status=status)
    inbound.deliver(reply(subject="Re: [#1001]"))
    assert inbound.tickets.tickets[1001].status == Status.OPEN
    assert inbound.event_kinds(1001)[:2] == ["customer_replied", "status_changed"]


def test_a_stranger_copying_the_tag_opens_a_new_ticket_that_notes_it(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(
        reply(sender="Mallory <mallory@evil.example>", subject="Re: [#1001] the invoice"),
        source="mallory@evil.example",
    )
    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1002)
    [created] = inbound.tickets.events(1002)[:1]
    assert "refers to #1001" in created.data["notes"][0]
    assert inbound.inbound_messages(1001) == []


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(inbound: Inbound) -> None:
    inbound.existing_ticket(status=Status.CLOSED)
    result = inbound.deliver(reply(subject="Re: [#1001]"))
    assert result.ticket_number == 1002
    assert inbound.tickets.events(1002)[0].data["follow_up_of"] == 1001
    assert inbound.tickets.tickets[1001].status == Status.CLOSED


# -- a reply racing another writer ----------------------------------------------------------


def test_a_reply_losing_a_race_is_reapplied_on_the_fresh_ticket_and_recorded_once(
    inbound: Inbound,
) -> None:
    read = inbound.existing_ticket(status=Status.PENDING)
    inbound.tickets.interfere(1001, lambda t: replace(t, priority=Priority.URGENT))

    result = inbound.deliver(reply(subject="Re: [#1001]"), mail_id="racing")

    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)
    ticket = inbound.tickets.tickets[1001]
    assert ticket.priority == Priority.URGENT, "the other writer's change is kept"
    assert ticket.status == Status.OPEN and ticket.version == read.version + 2
    assert [w.kind for w in inbound.tickets.written] == ["append"]
    assert len(inbound.inbound_messages(1001)) == 1
    assert inbound.tickets.records["racing"].outcome == Outcome.REPLY
    assert inbound.metrics.total("RepliesThreaded") == 1


def test_a_reply_racing_a_close_opens_a_follow_up_and_leaves_the_closed_ticket_closed(
    inbound: Inbound,
) -> None:
    """Issue 12: the re-read closed ticket was reopened by the customer's late reply."""
    inbound.existing_ticket(status=Status.SOLVED)
    inbound.tickets.interfere(1001, lambda t: replace(t, status=Status.CLOSED))

    result = inbound.deliver(reply(subject="Re: [#1001]"), mail_id="late")

    assert result.outcome == Outcome.TICKET and result.ticket_number == 1002
    assert inbound.tickets.tickets[1001].status == Status.CLOSED
    created = next(e for e in inbound.tickets.events(1002) if e.kind == "created")
    assert created.data["follow_up_of"] == 1001
    assert inbound.inbound_messages(1001) == []


def test_a_reply_that_keeps_losing_races_raises_and_writes_nothing(inbound: Inbound) -> None:
    inbound.existing_ticket()
    inbound.tickets.interfere(1001, lambda t: t, times=3)  # VERSION_RETRIES

    with pytest.raises(VersionConflict):
        inbound.deliver(reply(subject="Re: [#1001]"), mail_id="losing")
    assert inbound.tickets.written == [] and "losing" not in inbound.tickets.records
    assert inbound.sla.synced == []


# -- sender authentication: SPF, DKIM, DMARC, spam, viruses ---------------------------------

FAILING_AUTH = {"spf": "FAIL", "dkim": "FAIL", "dmarc": "FAIL"}


def test_spf_dkim_and_dmarc_verdicts_are_recorded_on_a_new_ticket(inbound: Inbound) -> None:
    inbound.deliver(make_mail(), verdicts={"spf": "FAIL", "dkim": "GRAY", "dmarc": "PASS"})
    [created] = inbound.tickets.events(1001)
    assert created.data["verdicts"] == {
        "spam": "PASS",
        "virus": "PASS",
        "spf": "FAIL",
        "dkim": "GRAY",
        "dmarc": "PASS",
    }


def test_a_new_mail_failing_spf_dkim_and_dmarc_still_becomes_an_acknowledged_ticket(
    inbound: Inbound,
) -> None:
    """Pinned as it is today: only spam and virus verdicts hold mail back."""
    result = inbound.deliver(make_mail(), verdicts=FAILING_AUTH)
    assert (result.outcome, result.acknowledged) == (Outcome.TICKET, True)
    assert len(inbound.mailer.sent) == 1


@pytest.mark.parametrize(
    ("verdict", "reason"),
    [("spam", "spam (SES spamVerdict FAIL)"), ("virus", "virus (SES virusVerdict FAIL)")],
)
def test_a_spam_or_virus_reply_is_quarantined_and_never_joins_the_ticket(
    inbound: Inbound, verdict: str, reason: str
) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(
        reply(headers={"In-Reply-To": FIRST}), mail_id="bad", verdicts={verdict: "FAIL"}
    )

    assert (result.outcome, result.reason) == (Outcome.QUARANTINE, reason)
    assert inbound.inbound_messages(1001) == [] and inbound.mailer.sent == []
    entry = inbound.tickets.quarantined["bad"]
    assert entry.detail["verdicts"][verdict] == "FAIL" and entry.raw_key == "inbound/bad"


def test_a_repeated_delivery_of_quarantined_mail_is_quarantined_once(inbound: Inbound) -> None:
    raw = make_mail()
    inbound.deliver(raw, mail_id="spam", verdicts={"spam": "FAIL"})
    again = inbound.deliver(raw, mail_id="spam", verdicts={"spam": "FAIL"})
    assert (again.outcome, again.reason) == (Outcome.QUARANTINE, "already processed")
    assert inbound.metrics.total("Quarantined") == 1


# -- loops and automatic mail ---------------------------------------------------------------


def test_mail_from_our_own_address_is_quarantined_and_not_acknowledged(inbound: Inbound) -> None:
    result = inbound.deliver(
        make_mail(sender="Support <support@example.com>"), source="support@example.com"
    )
    assert result.outcome == Outcome.QUARANTINE and "own address" in result.reason
    assert inbound.mailer.sent == [] and inbound.tickets.tickets == {}


def test_our_own_mail_carrying_a_ticket_tag_is_quarantined_too(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(
        reply(sender="support@example.com", subject="Re: Invoice [#1001]"),
        source="support@example.com",
    )
    assert result.outcome == Outcome.QUARANTINE
    assert inbound.inbound_messages(1001) == [] and inbound.mailer.sent == []


@pytest.mark.parametrize(
    ("name", "source", "reason"),
    [
        ("auto_submitted.eml", "anna.kowalski@example.com", "Auto-Submitted"),
        ("x_autoreply.eml", "pekka.nieminen@example.fi", "x-autoreply"),
        ("bounce_dsn.eml", "", "delivery report"),
    ],
)
def test_unthreaded_automatic_mail_is_quarantined_without_an_ack(
    inbound: Inbound, name: str, source: str, reason: str
) -> None:
    result = inbound.deliver(fixture(name), source=source)
    assert result.outcome == Outcome.QUARANTINE and reason in result.reason
    assert inbound.mailer.sent == []


def test_bulk_mail_becomes_a_ticket_without_an_ack(inbound: Inbound) -> None:
    result = inbound.deliver(
        fixture("precedence_bulk.eml"), mail_id="news", source="news@shop.example.com"
    )

    assert (result.outcome, result.acknowledged, result.reason) == (Outcome.TICKET, False, "bulk")
    assert inbound.mailer.sent == []
    record = inbound.tickets.records["news"]
    assert (record.ack, record.ack_reason) == (AckState.NOT_WANTED, "bulk")
    assert inbound.event_kinds(1001) == ["created", "acknowledgement_suppressed"]
    assert ("AcknowledgementsSuppressed", "bulk") in inbound.metrics.counts


def test_an_out_of_office_reply_joins_the_ticket_without_reopening_or_an_ack(
    inbound: Inbound,
) -> None:
    inbound.existing_ticket(status=Status.PENDING)
    result = inbound.deliver(
        reply(
            subject="Automatic reply: Invoice [#1001]", headers={"Auto-Submitted": "auto-replied"}
        )
    )

    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)
    assert inbound.tickets.tickets[1001].status == Status.PENDING
    assert inbound.event_kinds(1001)[0] == "automatic_mail_received"
    assert "auto:auto_reply" in inbound.inbound_messages(1001)[0].flags
    assert inbound.mailer.sent == []


def test_mail_without_from_or_envelope_sender_is_quarantined(inbound: Inbound) -> None:
    result = inbound.deliver(fixture("no_from.eml"), source="")
    assert result.outcome == Outcome.QUARANTINE
    assert result.reason == "no sender address (no From, no envelope)"
