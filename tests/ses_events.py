"""SES's bounce and complaint events in the shape SES publishes them to SNS, wrapped as SNS
delivers them to Lambda (docs: "Examples of event data that Amazon SES publishes to Amazon SNS")."""

from __future__ import annotations

import json
from typing import Any

SENDER = "Example Support <support@example.com>"


def _mail(ses_id: str, to: str) -> dict[str, Any]:
    return {
        "timestamp": "2026-11-23T08:00:01.012Z",
        "source": SENDER,
        "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
        "sendingAccountId": "123456789012",
        "messageId": ses_id,
        "destination": [to],
        "headersTruncated": False,
        "commonHeaders": {"from": [SENDER], "to": [to], "subject": "Re: Invoice [#1001]"},
        "tags": {"ses:configuration-set": ["helpdesk-local-helpdesk"]},
    }


def bounce(
    ses_id: str,
    to: str,
    *,
    kind: str = "Permanent",
    subtype: str = "General",
    diagnostic: str | None = "smtp; 550 5.1.1 user unknown",
    feedback_id: str = "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
) -> dict[str, Any]:
    recipient: dict[str, Any] = {"emailAddress": to, "action": "failed", "status": "5.1.1"}
    if diagnostic is not None:
        recipient["diagnosticCode"] = diagnostic
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": subtype,
            "bouncedRecipients": [recipient],
            "timestamp": "2026-11-23T08:01:02.669Z",
            "feedbackId": feedback_id,
            "reportingMTA": "dsn; mta.customer.example",
        },
        "mail": _mail(ses_id, to),
    }


def complaint(ses_id: str, to: str) -> dict[str, Any]:
    return {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": to}],
            "timestamp": "2026-11-23T09:15:00.000Z",
            "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000001",
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2026-11-23T09:14:58.000Z",
        },
        "mail": _mail(ses_id, to),
    }


def sns(*ses_events: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:eu-west-1:123456789012:ses-events:1",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"sns-{i}",
                    "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-events",
                    "Subject": None,
                    "Message": json.dumps(event),
                    "Timestamp": "2026-11-23T08:01:03.000Z",
                },
            }
            for i, event in enumerate(ses_events)
        ]
    }
