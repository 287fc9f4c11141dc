"""The local mailbox simulator: mail to SES's simulator addresses comes back as SES events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.aws.ses_feedback import feedback_from_event
from local.mailbox_simulator import BOUNCE, COMPLAINT, MailboxSimulator

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-ses-events"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:helpdesk-local-ses-events"


def send(simulator: MailboxSimulator, *to: str, ses_id: str = "0102-local-1") -> None:
    """What botocore does around one SendEmail: the params hook, the call, the after hook."""
    context: dict[str, Any] = {}
    params = {"FromEmailAddress": "support@example.com", "Destination": {"ToAddresses": list(to)}}
    simulator.note(params=params, context=context)
    simulator.answer(parsed={"MessageId": ses_id}, context=context)
    simulator.close()


def test_mail_to_the_bounce_address_comes_back_as_a_hard_bounce_of_that_mail() -> None:
    calls: list[tuple[str, Any]] = []
    send(MailboxSimulator(lambda arn, e: calls.append((arn, e)), ARN, TOPIC, lambda: AT), BOUNCE)

    [(arn, event)] = calls
    assert arn == ARN and event["Records"][0]["Sns"]["TopicArn"] == TOPIC
    [feedback] = feedback_from_event(event)
    assert (feedback.ses_message_id, feedback.recipient) == ("0102-local-1", BOUNCE)
    assert feedback.permanent


def test_mail_to_the_complaint_address_comes_back_as_a_complaint() -> None:
    calls: list[Any] = []
    send(MailboxSimulator(lambda _a, e: calls.append(e), ARN, TOPIC, lambda: AT), COMPLAINT)

    message = json.loads(calls[0]["Records"][0]["Sns"]["Message"])
    assert message["eventType"] == "Complaint"


def test_other_mail_brings_nothing_back() -> None:
    calls: list[Any] = []
    send(MailboxSimulator(lambda _a, e: calls.append(e), ARN, TOPIC, lambda: AT), "a@b.example")

    assert calls == []


def test_a_failing_handler_is_logged_not_raised_into_the_sender() -> None:
    def failing(_arn: str, _event: Any) -> Any:
        raise RuntimeError("table gone")

    send(MailboxSimulator(failing, ARN, TOPIC, lambda: AT), BOUNCE)  # no exception here
