"""SES's SNS events read into one MailFeedback per recipient."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.aws.ses_feedback import feedback_from_event
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.mail.feedback import FeedbackKind
from tests.ses_events import bounce, complaint, sns


def test_a_hard_bounce_names_the_mail_the_recipient_and_the_servers_reason() -> None:
    [feedback] = feedback_from_event(sns(bounce("0102-ses-1", "Anna@Customer.example")))

    assert feedback.kind == FeedbackKind.BOUNCE and feedback.permanent
    assert feedback.ses_message_id == "0102-ses-1"
    assert feedback.recipient == "anna@customer.example"
    assert feedback.reason == "smtp; 550 5.1.1 user unknown"
    assert feedback.at == datetime(2026, 11, 23, 8, 1, 2, 669000, tzinfo=UTC)


def test_a_soft_bounce_is_not_permanent_and_without_a_diagnostic_says_its_type() -> None:
    event = bounce("0102-ses-1", "anna@customer.example", kind="Transient", subtype="MailboxFull")
    event["bounce"]["bouncedRecipients"][0].pop("diagnosticCode")
    [feedback] = feedback_from_event(sns(event))

    assert not feedback.permanent
    assert feedback.reason == "Transient bounce (MailboxFull)"


def test_a_complaint_gives_its_feedback_type() -> None:
    [feedback] = feedback_from_event(sns(complaint("0102-ses-2", "anna@customer.example")))

    assert feedback.kind == FeedbackKind.COMPLAINT and not feedback.permanent
    assert feedback.reason == "abuse"


def test_every_recipient_and_every_record_counts() -> None:
    two = bounce("0102-ses-1", "anna@customer.example")
    two["bounce"]["bouncedRecipients"].append({"emailAddress": "cc@customer.example"})
    found = feedback_from_event(sns(two, complaint("0102-ses-2", "bo@customer.example")))

    assert [(f.ses_message_id, f.recipient) for f in found] == [
        ("0102-ses-1", "anna@customer.example"),
        ("0102-ses-1", "cc@customer.example"),
        ("0102-ses-2", "bo@customer.example"),
    ]


def test_an_identity_notification_is_read_like_an_event() -> None:
    old_style = bounce("0102-ses-1", "anna@customer.example")
    old_style["notificationType"] = old_style.pop("eventType")

    assert len(feedback_from_event(sns(old_style))) == 1


def test_an_event_type_we_do_not_publish_gives_nothing() -> None:
    delivery = {"eventType": "Delivery", "mail": {"messageId": "x"}, "delivery": {}}

    assert feedback_from_event(sns(delivery)) == []


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": []},
        {"Records": [{"ses": {}}]},
        {"Records": [{"Sns": {"Message": "not json"}}]},
        {"Records": [{"Sns": {"Message": json.dumps({"eventType": "Bounce"})}}]},
    ],
)
def test_what_is_not_an_ses_event_through_sns_is_refused(event: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        feedback_from_event(event)
