"""SES's bounce and complaint events, as SNS delivers them to Lambda → MailFeedback, one per
recipient.

The SNS event is `{"Records": [{"Sns": {"Message": "<SES event JSON>"}}]}`; the SES event
(configuration-set event publishing) is `{"eventType": "Bounce" | "Complaint", "mail": {...},
"bounce" | "complaint": {...}}` — identity notifications name it `notificationType`, and both
are read. Other event types (Delivery, Send, ...) give nothing: the configuration set does not
publish them, and a stray one is no reason to fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.mail.addresses import normalise
from chalicelib.domain.mail.feedback import FeedbackKind, MailFeedback


def feedback_from_event(event: Mapping[str, Any]) -> list[MailFeedback]:
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list) or not records:
        raise InvalidInput("Records", "not an SNS event (no Records)")
    found: list[MailFeedback] = []
    for index, record in enumerate(records):
        sns = record.get("Sns") if isinstance(record, Mapping) else None
        if not isinstance(sns, Mapping):
            raise InvalidInput(f"Records[{index}].Sns", "missing")
        try:
            message = json.loads(str(sns.get("Message") or ""))
        except ValueError as e:
            raise InvalidInput(f"Records[{index}].Sns.Message", "not JSON") from e
        if not isinstance(message, Mapping):
            raise InvalidInput(f"Records[{index}].Sns.Message", "not an SES event")
        found += feedback_from_ses(message)
    return found


def feedback_from_ses(message: Mapping[str, Any]) -> list[MailFeedback]:
    kind = str(message.get("eventType") or message.get("notificationType") or "")
    mail = message.get("mail")
    ses_id = str(mail.get("messageId") or "") if isinstance(mail, Mapping) else ""
    if kind == "Bounce":
        return _bounces(_section(message, "bounce"), ses_id)
    if kind == "Complaint":
        return _complaints(_section(message, "complaint"), ses_id)
    return []


def _bounces(bounce: Mapping[str, Any], ses_id: str) -> list[MailFeedback]:
    permanent = str(bounce.get("bounceType") or "") == "Permanent"
    subtype = str(bounce.get("bounceSubType") or "")
    at = _timestamp(bounce.get("timestamp"))
    return [
        MailFeedback(
            kind=FeedbackKind.BOUNCE,
            ses_message_id=ses_id,
            recipient=normalise(str(r.get("emailAddress") or "")),
            at=at,
            reason=str(r.get("diagnosticCode") or "")
            or f"{bounce.get('bounceType') or 'Undetermined'} bounce ({subtype or 'General'})",
            permanent=permanent,
            feedback_id=str(bounce.get("feedbackId") or ""),
        )
        for r in _recipients(bounce, "bouncedRecipients")
    ]


def _complaints(complaint: Mapping[str, Any], ses_id: str) -> list[MailFeedback]:
    at = _timestamp(complaint.get("timestamp"))
    reason = str(complaint.get("complaintFeedbackType") or "") or "the recipient marked it as spam"
    return [
        MailFeedback(
            kind=FeedbackKind.COMPLAINT,
            ses_message_id=ses_id,
            recipient=normalise(str(r.get("emailAddress") or "")),
            at=at,
            reason=reason,
            feedback_id=str(complaint.get("feedbackId") or ""),
        )
        for r in _recipients(complaint, "complainedRecipients")
    ]


def _section(message: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = message.get(name)
    if not isinstance(value, Mapping):
        raise InvalidInput(name, f"an SES {name} event without its {name} object")
    return value


def _recipients(section: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    listed = section.get(name)
    return [r for r in listed or () if isinstance(r, Mapping) and r.get("emailAddress")]


def _timestamp(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)
