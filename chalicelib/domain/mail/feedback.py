"""What SES told us about a mail we sent: it bounced, or its recipient complained.

A hard (permanent) bounce means the address does not take mail: automatic mail to it stops.
A soft (transient) bounce and a complaint are shown on the ticket; neither stops anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.mail.addresses import header_safe
from chalicelib.domain.tickets.model import Event, Message, MessageKind

REASON_CHARS = 300


class FeedbackKind(StrEnum):
    BOUNCE = "bounce"
    COMPLAINT = "complaint"


@dataclass(frozen=True)
class MailFeedback:
    """One SES event for one recipient of one mail we sent."""

    kind: FeedbackKind
    ses_message_id: str  # the id SES's send call gave the mail
    recipient: str
    at: datetime
    reason: str  # the receiving server's diagnostic, or SES's (sub)type when it gave none
    permanent: bool = False  # a hard bounce: the address does not take mail
    feedback_id: str = ""

    @property
    def event_kind(self) -> str:
        return "mail_bounced" if self.kind == FeedbackKind.BOUNCE else "mail_complaint"


def what_was_sent(message: Message | None) -> str:
    """How the agent knows the mail: our reply, the acknowledgement, the survey."""
    if message is None:
        return "mail"
    if message.kind == MessageKind.OUTBOUND:
        return "reply"
    for flag in ("acknowledgement", "survey"):
        if flag in message.flags:
            return flag
    return "mail"


def describe(feedback: MailFeedback, sent: str) -> str:
    """`reply to x@y bounced: smtp; 550 5.1.1 user unknown`, as the agent reads it."""
    reason = header_safe(feedback.reason, REASON_CHARS) or "no reason given"
    if feedback.kind == FeedbackKind.COMPLAINT:
        return f"{sent} to {feedback.recipient} was reported as spam: {reason}"
    how = "bounced" if feedback.permanent else "bounced (soft bounce: the address may work later)"
    return f"{sent} to {feedback.recipient} {how}: {reason}"


def feedback_event(feedback: MailFeedback, message: Message | None) -> Event:
    sent = what_was_sent(message)
    return Event(
        at=feedback.at,
        kind=feedback.event_kind,
        actor="ses",
        data={
            "text": describe(feedback, sent),
            "recipient": feedback.recipient,
            "reason": header_safe(feedback.reason, REASON_CHARS),
            "permanent": feedback.permanent,
            "mail": sent,
            "message": message.id if message else "",
            "ses_message_id": feedback.ses_message_id,
        },
    )
