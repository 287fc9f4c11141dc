"""The acknowledgement: composed in the customer's language, sent once, finished by a retry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import DeliveryUnknown, MailRejected, StorageError
from chalicelib.domain.mail.delivery import AckState, MailRecord, Outcome
from chalicelib.domain.mail.language import ModelGuess
from chalicelib.domain.tickets.model import Message, MessageKind, Party, Ticket
from chalicelib.services.inbound.delivery import ACK_CLAIM_STALE_SECONDS
from chalicelib.services.outgoing import AUTOMATIC_HEADERS
from tests.conftest import FIXTURES
from tests.helpers import a_ticket, make_mail
from tests.unit.services.inbound.conftest import ANNA, Inbound, fail_once

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # the fake clock's start: 10:00 in Helsinki
ACK_ID = "ack.1001.mail-1@example.com"
SES_ID = "0102-ses-1@eu-west-1.amazonses.com"


def ticket(**changes: object) -> Ticket:
    base = a_ticket(
        AT,
        requester=ANNA,
        subject="Invoice",
        thread_ids=("q1@customer.example",),
        first_response_due=AT + timedelta(hours=4),
        version=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def inbound_mail(text: str = "My invoice 4711 shows 120 EUR.") -> Message:
    return Message(
        id="20261123T080000000000-abcd",
        ticket_number=1001,
        kind=MessageKind.INBOUND,
        created_at=AT,
        author=ANNA,
        subject="Invoice",
        text=text,
        message_id="q1@customer.example",
        provider_id="mail-1",
    )


def claimed(**changes: object) -> MailRecord:
    record = MailRecord(
        mail_id="mail-1",
        outcome=Outcome.TICKET,
        received_at=AT,
        ticket_number=1001,
        ack=AckState.CLAIMED,
        ack_claimed_at=AT,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def send(inbound: Inbound, record: MailRecord | None = None, **ticket_changes: object) -> bool:
    return inbound.acks.send(
        record or claimed(), ticket(**ticket_changes), inbound_mail(), "support@example.com", AT
    )


def finish(inbound: Inbound, record: MailRecord, at: datetime = AT) -> bool:
    return inbound.acks.finish(record, ticket(), inbound_mail(), "support@example.com", at)


# -- composing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "phrase", "due"),  # due 12:00 UTC is 14:00 in Helsinki, the same day
    [
        ("en", "Thank you for your message", "today at 14:00"),
        ("fi", "kiitos viestistäsi", "tänään klo 14.00"),
        ("sv", "tack för ditt meddelande", "idag kl. 14.00"),
        ("pl", "dziękujemy za wiadomość", "dzisiaj o 14:00"),
        ("da", "tak for din henvendelse", "i dag kl. 14.00"),
        ("fa", "از پیام شما سپاسگزاریم", "امروز ساعت ۱۴:۰۰"),
    ],
)
def test_the_acknowledgement_speaks_the_customers_language(
    inbound: Inbound, language: str, phrase: str, due: str
) -> None:
    ack = inbound.acknowledger.compose(
        ticket=ticket(language=language),
        inbound=inbound_mail(),
        from_address="support@example.com",
        now=AT,
    )
    assert phrase in ack.mail.text and due in ack.mail.text
    assert ack.mail.language == language
    assert f'dir="{"rtl" if language == "fa" else "ltr"}"' in (ack.mail.html or "")


def test_a_language_without_templates_gets_english_text_but_keeps_its_language_tag(
    inbound: Inbound,
) -> None:
    """Pinned as it is today: the body falls back to English, Content-Language stays "de"."""
    ack = inbound.acknowledger.compose(
        ticket=ticket(language="de"),
        inbound=inbound_mail(),
        from_address="support@example.com",
        now=AT,
    )
    assert "Thank you for your message" in ack.mail.text and "today at 14:00" in ack.mail.text
    assert ack.mail.language == "de"


def test_the_acknowledgement_answers_the_customers_mail_in_its_thread(inbound: Inbound) -> None:
    ack = inbound.acknowledger.compose(
        ticket=ticket(reply_to="accounts@customer.example"),
        inbound=inbound_mail(),
        from_address="billing@example.com",
        now=AT,
    )
    mail = ack.mail
    assert (mail.sender.email, mail.sender.name) == ("billing@example.com", "Example Support")
    assert [a.email for a in mail.to] == ["accounts@customer.example"]
    assert mail.subject == "Re: Invoice [#1001]"
    assert mail.in_reply_to == "q1@customer.example"
    assert mail.references == ("q1@customer.example",)
    assert mail.message_id == "ack.1001.mail-1@example.com"
    assert mail.headers == {**AUTOMATIC_HEADERS, "X-Loop": "billing@example.com"}
    assert "Hello Anna Virtanen" in mail.text and "My invoice 4711" in mail.text


def test_composing_again_for_the_same_delivery_gives_the_same_ids(inbound: Inbound) -> None:
    def compose(now: datetime) -> tuple[str | None, str]:
        ack = inbound.acknowledger.compose(
            ticket=ticket(), inbound=inbound_mail(), from_address="support@example.com", now=now
        )
        return ack.mail.message_id, ack.message.id

    assert compose(AT) == compose(AT + timedelta(minutes=3))


# -- sending once ---------------------------------------------------------------------------


def test_a_sent_acknowledgement_is_recorded_on_the_thread_and_both_ids_thread_back(
    inbound: Inbound,
) -> None:
    assert send(inbound) is True

    assert len(inbound.mailer.sent) == 1
    record = inbound.tickets.records["mail-1"]
    assert (record.ack, record.ack_provider_id) == (AckState.SENT, "0102-ses-1")
    [message] = inbound.acknowledgements(1001)
    assert message.flags == ("acknowledgement",) and message.provider_id == "0102-ses-1"
    assert message.author == Party("support@example.com", "Example Support")
    assert inbound.tickets.message_ids[ACK_ID] == inbound.tickets.message_ids[SES_ID] == 1001
    assert inbound.metrics.total("AcknowledgementsSent") == 1


def test_a_failed_send_is_marked_failed_and_the_retry_sends_it(inbound: Inbound) -> None:
    inbound.mailer.fail = StorageError("SES throttled")
    with pytest.raises(StorageError):
        send(inbound)
    failed = inbound.tickets.records["mail-1"]
    assert failed.ack == AckState.FAILED and inbound.mailer.sent == []

    assert finish(inbound, failed, AT + timedelta(minutes=1)) is True
    assert len(inbound.mailer.sent) == 1
    assert inbound.tickets.records["mail-1"].ack == AckState.SENT


def test_a_refused_send_is_recorded_on_the_ticket_and_never_retried(inbound: Inbound) -> None:
    inbound.mailer.fail = MailRejected("SES refused the mail: MessageRejected address suppressed")
    assert send(inbound) is False
    refused = inbound.tickets.records["mail-1"]
    assert refused.ack == AckState.REFUSED and "suppressed" in refused.ack_reason
    [event] = inbound.tickets.events(1001)
    assert event.kind == "acknowledgement_not_delivered" and "suppressed" in event.data["reason"]

    inbound.mailer.fail = None
    assert finish(inbound, refused, AT + timedelta(minutes=1)) is False
    assert inbound.mailer.sent == []


def test_a_send_whose_outcome_is_unknown_is_never_sent_again(inbound: Inbound) -> None:
    inbound.mailer.fail = DeliveryUnknown("SES may have sent the mail: Read timeout")
    assert send(inbound) is False
    unknown = inbound.tickets.records["mail-1"]
    assert unknown.ack == AckState.UNKNOWN
    [event] = inbound.tickets.events(1001)
    assert event.kind == "acknowledgement_delivery_unknown"

    inbound.mailer.fail = None
    assert finish(inbound, unknown, AT + timedelta(minutes=5)) is False
    assert inbound.mailer.sent == []


def test_a_send_that_succeeded_before_the_store_failed_is_not_sent_again(
    inbound: Inbound,
) -> None:
    fail_once(inbound.tickets, "record_sent", StorageError("DynamoDB throttled"))
    with pytest.raises(StorageError):
        send(inbound)
    sent = inbound.tickets.records["mail-1"]
    assert (sent.ack, sent.ack_provider_id) == (AckState.SENT, "0102-ses-1")
    assert inbound.acknowledgements(1001) == []

    assert finish(inbound, sent, AT + timedelta(minutes=3)) is False
    assert len(inbound.mailer.sent) == 1
    [message] = inbound.acknowledgements(1001)
    assert message.provider_id == "0102-ses-1"
    assert inbound.tickets.message_ids[SES_ID] == 1001


def test_a_fresh_claim_is_left_alone_by_a_retry(inbound: Inbound) -> None:
    """Another invocation may be sending it right now."""
    at = AT + timedelta(seconds=ACK_CLAIM_STALE_SECONDS)
    assert finish(inbound, claimed(), at) is False
    assert inbound.mailer.sent == []


def test_a_stale_claim_is_taken_as_possibly_sent_never_as_a_second_mail(inbound: Inbound) -> None:
    """The claimer died between the claim and the record: SES may have the mail already."""
    at = AT + timedelta(seconds=ACK_CLAIM_STALE_SECONDS + 1)
    assert finish(inbound, claimed(), at) is False
    assert inbound.mailer.sent == []
    assert inbound.tickets.records["mail-1"].ack == AckState.UNKNOWN
    assert [e.kind for e in inbound.tickets.events(1001)] == ["acknowledgement_delivery_unknown"]


def test_a_released_claim_is_sent_by_the_retry(inbound: Inbound) -> None:
    inbound.tickets.records["mail-1"] = claimed()
    inbound.tickets.release_ack_claim("mail-1")
    released = inbound.tickets.records["mail-1"]
    assert released.ack == AckState.FAILED
    assert finish(inbound, released, AT + timedelta(seconds=30)) is True
    assert len(inbound.mailer.sent) == 1


def test_an_unexpected_send_error_leaves_the_claim_for_a_later_retry(inbound: Inbound) -> None:
    inbound.mailer.fail = RuntimeError("bug in the adapter")
    with pytest.raises(RuntimeError):
        send(inbound)
    assert "mail-1" not in inbound.tickets.records, "no FAILED mark: the claim stands"


def test_an_acknowledgement_not_wanted_is_never_sent_by_a_retry(inbound: Inbound) -> None:
    assert finish(inbound, claimed(ack=AckState.NOT_WANTED, ack_claimed_at=None)) is False
    assert inbound.mailer.sent == []


# -- through a repeated SES delivery --------------------------------------------------------


def test_a_redelivery_after_a_successful_send_does_not_mail_the_customer_again(
    inbound: Inbound,
) -> None:
    raw = make_mail()
    inbound.deliver(raw, mail_id="m1")
    inbound.clock.advance(minutes=2)
    again = inbound.deliver(raw, mail_id="m1")

    assert not again.acknowledged
    assert len(inbound.mailer.sent) == 1
    assert len(inbound.acknowledgements(1001)) == 1


def test_a_redelivery_after_a_failed_send_acknowledges_the_ticket(inbound: Inbound) -> None:
    raw = make_mail()
    inbound.mailer.fail = StorageError("SES throttled")
    with pytest.raises(StorageError):
        inbound.deliver(raw, mail_id="m1")
    assert 1001 in inbound.tickets.tickets
    assert len(inbound.sla.synced) == 1, "the deadlines are scheduled before the acknowledgement"

    inbound.clock.advance(minutes=1)
    retry = inbound.deliver(raw, mail_id="m1")

    assert (retry.ticket_number, retry.acknowledged) == (1001, True)
    assert len(inbound.mailer.sent) == 1 and list(inbound.tickets.tickets) == [1001]
    assert len(inbound.acknowledgements(1001)) == 1
    assert len(inbound.sla.synced) == 2, (
        "the retry syncs again (creating a schedule twice is a no-op)"
    )


def test_a_redelivery_after_the_record_failed_finishes_it_without_mailing_again(
    inbound: Inbound,
) -> None:
    raw = make_mail()
    fail_once(inbound.tickets, "record_sent", StorageError("DynamoDB throttled"))
    with pytest.raises(StorageError):
        inbound.deliver(raw, mail_id="m1")

    inbound.clock.advance(minutes=3)
    retry = inbound.deliver(raw, mail_id="m1")

    assert not retry.acknowledged
    assert len(inbound.mailer.sent) == 1
    assert len(inbound.acknowledgements(1001)) == 1


def test_a_finnish_mail_is_acknowledged_in_finnish(inbound: Inbound) -> None:
    inbound.deliver((FIXTURES / "seed_fi.eml").read_bytes(), source="mikko.hakkinen@example.fi")
    assert inbound.tickets.tickets[1001].language == "fi"
    [ack] = inbound.mailer.sent
    assert "kiitos viestistäsi" in ack.text and ack.language == "fi"


def test_a_short_danish_mail_the_word_lists_cannot_place_is_acknowledged_in_danish(
    inbound: Inbound,
) -> None:
    inbound.language.guess = ModelGuess("da", 0.95)
    inbound.deliver(make_mail(subject="Faktura", body="Hej, min faktura er forkert. Mvh Lars\n"))

    assert inbound.tickets.tickets[1001].language == "da"
    [ack] = inbound.mailer.sent
    assert "tak for din henvendelse" in ack.text and ack.language == "da"
    assert inbound.language.asked == ["Hej, min faktura er forkert. Mvh Lars"]


def test_a_mail_the_word_lists_place_is_not_given_to_the_language_model(
    inbound: Inbound,
) -> None:
    inbound.language.guess = ModelGuess("da", 0.99)
    inbound.deliver((FIXTURES / "seed_fi.eml").read_bytes(), source="mikko.hakkinen@example.fi")

    assert inbound.tickets.tickets[1001].language == "fi"
    assert inbound.language.asked == []
