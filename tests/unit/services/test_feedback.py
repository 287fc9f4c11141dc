"""SES's bounces and complaints land on the ticket of the mail; a hard bounce stops acks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.adapters.aws.ses_feedback import feedback_from_event
from chalicelib.domain.mail.feedback import FeedbackKind, MailFeedback
from chalicelib.domain.tickets.model import Message, MessageKind, Party
from chalicelib.services.feedback import FeedbackRecorder
from tests.fakes import InMemoryFeedback, InMemoryTickets
from tests.helpers import a_ticket
from tests.ses_events import bounce, complaint, sns

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ANNA = "anna@customer.example"


def sent(store: InMemoryTickets, kind: MessageKind, flag: str, ses_id: str) -> Message:
    """A mail we sent on #1001, indexed as the adapters index it: our id and SES's."""
    message = Message(
        id=f"{flag}-1",
        ticket_number=1001,
        kind=kind,
        created_at=AT,
        author=Party("support@example.com"),
        subject="Re: Invoice [#1001]",
        text="Thanks",
        to=(ANNA,),
        message_id=f"{flag}.1001.x@example.com",
        provider_id=ses_id,
        flags=(flag,) if kind == MessageKind.AUTO else (),
    )
    store.messages.setdefault(1001, []).append(message)
    store.message_ids[message.message_id or ""] = 1001
    store.message_ids[f"{ses_id}@eu-west-1.amazonses.com"] = 1001
    return message


@pytest.fixture
def tickets() -> InMemoryTickets:
    store = InMemoryTickets(a_ticket(AT, number=1001))
    sent(store, MessageKind.OUTBOUND, "reply", "0102-reply")
    sent(store, MessageKind.AUTO, "acknowledgement", "0102-ack")
    return store


def feedback_of(tickets: InMemoryTickets, event: dict[str, object]) -> InMemoryFeedback:
    store = InMemoryFeedback(tickets)
    recorder = FeedbackRecorder(store, "eu-west-1")
    for item in feedback_from_event(sns(event)):
        recorder.record(item)
    return store


def test_a_bounced_reply_shows_on_its_ticket_with_the_reason(tickets: InMemoryTickets) -> None:
    store = feedback_of(tickets, bounce("0102-reply", ANNA))

    [event] = store.events(1001)
    assert (event.kind, event.actor) == ("mail_bounced", "ses")
    assert event.data["text"] == f"reply to {ANNA} bounced: smtp; 550 5.1.1 user unknown"
    assert event.data["message"] == "reply-1" and event.data["permanent"] is True


def test_a_bounced_acknowledgement_is_named_as_one(tickets: InMemoryTickets) -> None:
    store = feedback_of(tickets, bounce("0102-ack", ANNA, kind="Transient", diagnostic=None))

    [event] = store.events(1001)
    assert event.data["text"] == (
        f"acknowledgement to {ANNA} bounced (soft bounce: the address may work later): "
        "Transient bounce (General)"
    )


def test_a_hard_bounce_stops_acknowledgements_to_the_address(tickets: InMemoryTickets) -> None:
    store = feedback_of(tickets, bounce("0102-reply", ANNA))

    assert ANNA in tickets.hard_bounced
    assert store.bounces[ANNA][1:] == ("smtp; 550 5.1.1 user unknown", 1001)


def test_a_soft_bounce_and_a_complaint_stop_nothing(tickets: InMemoryTickets) -> None:
    feedback_of(tickets, bounce("0102-reply", ANNA, kind="Transient"))
    store = feedback_of(tickets, complaint("0102-ack", ANNA))

    assert tickets.hard_bounced == set()
    [event] = store.events(1001)
    assert event.kind == "mail_complaint"
    assert event.data["text"] == f"acknowledgement to {ANNA} was reported as spam: abuse"


def test_the_same_event_delivered_twice_is_one_entry(tickets: InMemoryTickets) -> None:
    store = InMemoryFeedback(tickets)
    recorder = FeedbackRecorder(store, "eu-west-1")
    [feedback] = feedback_from_event(sns(bounce("0102-reply", ANNA)))
    recorder.record(feedback)
    recorder.record(feedback)

    assert len(store.events(1001)) == 1


def test_a_mail_on_no_ticket_is_only_logged_but_its_hard_bounce_still_counts(
    tickets: InMemoryTickets,
) -> None:
    store = InMemoryFeedback(tickets)
    result = FeedbackRecorder(store, "eu-west-1").record(
        MailFeedback(
            kind=FeedbackKind.BOUNCE,
            ses_message_id="0102-notice-to-an-agent",
            recipient="agent@example.com",
            at=AT,
            reason="smtp; 550 no such user",
            permanent=True,
        )
    )

    assert result.ticket is None and result.suppressed
    assert store.entries == {} and "agent@example.com" in tickets.hard_bounced
