"""The agent's notice of a survey answered No, never lost.

It is sent at once, on the customer's POST. When that send fails (or its outcome is unknown:
the notice is internal, so twice beats never) a one-time schedule sends it again, and Scheduler
keeps retrying that firing until SES takes it: the customer's page is not the place to fail.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import DeliveryUnknown, InvalidInput, StorageError
from chalicelib.domain.survey.model import Survey, survey_of
from chalicelib.domain.survey.tokens import Answer
from chalicelib.domain.tickets.model import Ticket
from chalicelib.services.ports import Clock, Mailer, Metrics, Scheduler, SurveyStore
from chalicelib.services.survey.mail import SurveyMail

log = logging.getLogger("helpdesk.survey")

TYPE = "survey_notice"
RETRY_AFTER = timedelta(minutes=2)
MAX_COMMENT_IN_PAYLOAD = 1000  # Scheduler's Input holds 8 KB; the whole comment is on the thread


class SurveyNotices:
    def __init__(
        self, *, mailer: Mailer, mail: SurveyMail, scheduler: Scheduler, metrics: Metrics
    ) -> None:
        self._mailer = mailer
        self._mail = mail
        self._scheduler = scheduler
        self._metrics = metrics

    def send(self, ticket: Ticket, survey: Survey, comment: str, at: datetime) -> None:
        """Now if SES takes it, else from a schedule; raises nothing the customer should see."""
        try:
            self._mailer.send(self._mail.notice(ticket, survey, comment, at))
            return
        except (StorageError, DeliveryUnknown) as e:
            log.warning(
                "survey notice failed, scheduled", extra={"ticket": ticket.number, "why": e}
            )
        name = f"survey-{ticket.number}-{survey.id}-notice"
        event = {
            "type": TYPE,
            "ticket": ticket.number,
            "survey": survey.id,
            "comment": comment[:MAX_COMMENT_IN_PAYLOAD],
            "at": at.isoformat(),
        }
        try:
            self._scheduler.create(name, at + RETRY_AFTER, event)
        except StorageError:  # SES and Scheduler both down at once: loud, for the alarm
            self._metrics.count("SurveyNoticesLost")
            log.exception("survey notice lost", extra={"ticket": ticket.number})


class SurveyNoticeRetry:
    """The `survey_notice` firing: sends the notice; a failure fails it, and Scheduler retries."""

    def __init__(
        self, *, store: SurveyStore, mailer: Mailer, mail: SurveyMail, clock: Clock
    ) -> None:
        self._store = store
        self._mailer = mailer
        self._mail = mail
        self._clock = clock

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        number, survey_id = event.get("ticket"), event.get("survey")
        if not isinstance(number, int) or not isinstance(survey_id, str):
            raise InvalidInput("ticket", "a survey notice names its ticket and survey")
        ticket = self._store.get_ticket(number)
        survey = survey_of(ticket) if ticket else None
        if ticket is None or survey is None or survey.id != survey_id:
            return {"outcome": "gone", "ticket": number}
        if survey.answer is not Answer.NO:
            return {"outcome": "idle", "ticket": number, "reason": "the answer changed"}
        at = datetime.fromisoformat(str(event.get("at") or self._clock.now().isoformat()))
        self._mailer.send(self._mail.notice(ticket, survey, str(event.get("comment", "")), at))
        return {"outcome": "sent", "ticket": number}
