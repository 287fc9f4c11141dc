"""SES's bounces and complaints of the mail we sent, put where the agent looks: the ticket.

The event names the mail by the id SES's send call returned; our MSGID items hold that id as
SES's Message-ID (`<id>@<region>.amazonses.com`) for every acknowledgement, reply and survey.
A hard bounce also stops acknowledgements to the address. SNS delivers at least once: the
entry's key is the SES feedback id and the recipient, so a repeat writes the same entry.
Mail with no ticket (notices to agents) is only logged: nothing a customer sent is involved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chalicelib.domain.mail.feedback import MailFeedback, feedback_event
from chalicelib.domain.mail.threads import ses_message_id
from chalicelib.services.ports import FeedbackStore

log = logging.getLogger("helpdesk.feedback")


@dataclass(frozen=True)
class FeedbackResult:
    recipient: str
    kind: str
    ticket: int | None
    suppressed: bool
    text: str = ""


class FeedbackRecorder:
    def __init__(self, store: FeedbackStore, region: str) -> None:
        self._store = store
        self._region = region

    def record(self, feedback: MailFeedback) -> FeedbackResult:
        sent = self._store.find_sent([ses_message_id(feedback.ses_message_id, self._region)])
        number = sent.ticket_number if sent else None
        if feedback.permanent:
            self._store.hard_bounced(feedback.recipient, feedback.at, feedback.reason, number)
        if sent is None:
            log.warning(
                "SES %s for a mail on no ticket",
                feedback.kind.value,
                extra={"ses_id": feedback.ses_message_id, "recipient": feedback.recipient},
            )
            return FeedbackResult(feedback.recipient, feedback.kind.value, None, feedback.permanent)
        event = feedback_event(feedback, sent.message)
        key = f"{feedback.feedback_id or feedback.ses_message_id}/{feedback.recipient}"
        self._store.add_event(sent.ticket_number, event, key)
        log.info(
            "SES %s on the ticket",
            feedback.kind.value,
            extra={"ticket": sent.ticket_number, "recipient": feedback.recipient},
        )
        text = str(event.data["text"])
        return FeedbackResult(
            feedback.recipient, feedback.kind.value, number, feedback.permanent, text
        )
