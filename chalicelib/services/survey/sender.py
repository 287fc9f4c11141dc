"""survey_send fired: send the planned survey once, if the ticket still wants it.

The schedule may come late or twice: the ticket is re-read, and only a survey still planned for
a solved ticket goes out. Claimed before it is sent (one transaction: the ticket, the mail on its
thread, and a check of the customer's opt-out), so a second firing finds it sent. Five AWS calls:
GetItem (ticket), Query (its creation events: why the acknowledgement was suppressed), one
TransactWriteItems, SendEmail, CreateSchedule (the automatic close if no answer comes).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import (
    DeliveryUnknown,
    InvalidInput,
    MailRejected,
    OptedOut,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.survey import model as rules_
from chalicelib.domain.survey.model import Stage, Survey, SurveyRules, survey_of, with_survey
from chalicelib.domain.tickets.changes import bumped
from chalicelib.domain.tickets.model import Event, Status, Ticket
from chalicelib.services.ports import Clock, Mailer, Metrics, OutgoingMail, Scheduler, SurveyStore
from chalicelib.services.recording import FactRecorder, facts_of
from chalicelib.services.survey.mail import SurveyMail
from chalicelib.services.unit_of_work import VERSION_RETRIES, landed

log = logging.getLogger("helpdesk.survey")

EARLY_TOLERANCE = timedelta(seconds=60)  # clock skew between Scheduler and us
_SURVEY_ID = re.compile(r"^\d{8}T\d{6}$")


@dataclass(frozen=True)
class SurveyResult:
    outcome: str  # sent | resent | skipped | idle | duplicate | gone | closed
    ticket: int
    survey: str
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v != ""}


def parse_event(event: Mapping[str, Any]) -> tuple[int, str]:
    """{"type": ..., "ticket": <n>, "survey": "<id>"}: anything else cannot be mended by a retry."""
    number, survey = event.get("ticket"), event.get("survey")
    if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
        raise InvalidInput("ticket", "the survey event names no ticket number")
    if not isinstance(survey, str) or not _SURVEY_ID.match(survey):
        raise InvalidInput("survey", "the survey event names no survey id")
    return number, survey


class SurveySender:
    def __init__(
        self,
        *,
        store: SurveyStore,
        mailer: Mailer,
        mail: SurveyMail,
        scheduler: Scheduler,
        rules: SurveyRules,
        clock: Clock,
        metrics: Metrics,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._mailer = mailer
        self._mail = mail
        self._scheduler = scheduler
        self._rules = rules
        self._clock = clock
        self._metrics = metrics

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        return self.send(*parse_event(event)).as_dict()

    def send(self, number: int, survey_id: str) -> SurveyResult:
        for _ in range(VERSION_RETRIES):
            ticket = self._store.get_ticket(number)
            if ticket is None:
                return SurveyResult("gone", number, survey_id, "no such ticket")
            current = survey_of(ticket)
            if current is None or current.id != survey_id:
                return SurveyResult("idle", number, survey_id, "replaced or never planned")
            try:
                return self._act(ticket, current)
            except VersionConflict:
                continue
        raise VersionConflict(f"ticket {number} kept changing while its survey was sent")

    def _act(self, ticket: Ticket, survey: Survey) -> SurveyResult:
        now = self._clock.now().replace(microsecond=0)
        if ticket.status is not Status.SOLVED:
            return self._result("idle", ticket, survey, f"ticket {ticket.status.value}")
        if survey.stage is Stage.SENT:
            self._close_later(ticket, survey)  # a repeated firing: make sure the close exists
            return self._result("duplicate", ticket, survey, "sent before")
        if survey.stage is Stage.MAIL_FAILED:
            return self._resend(ticket, survey, now)
        if survey.stage is not Stage.PLANNED:
            return self._result("idle", ticket, survey, survey.stage.value)
        if survey.send_at > now + EARLY_TOLERANCE:
            return self._result("idle", ticket, survey, "early")
        reason = rules_.excluded(ticket) or rules_.excluded_at_creation(
            self._store.creation_reasons(ticket)
        )
        if reason:
            return self._skip(ticket, survey, reason, now)
        return self._claim_and_send(ticket, survey, now)

    def _claim_and_send(self, ticket: Ticket, survey: Survey, now: datetime) -> SurveyResult:
        close_at = now + self._rules.close_after
        sent = replace(survey, stage=Stage.SENT, sent_at=now, close_at=close_at)
        after = bumped(ticket, with_survey(ticket, sent), now)
        mail, message = self._mail.compose(ticket, sent, now)
        data = {"survey": survey.id, "message": message.id, "to": ticket.customer_address}
        events = [Event(now, "survey_sent", rules_.ACTOR, data)]
        try:
            self._store.claim_send(
                ticket=after,
                expected_version=ticket.version,
                message=message,
                events=events,
                customer=ticket.customer_address,
                facts=facts_of(self._recorder, ticket, after, events, message, now),
            )
        except OptedOut:
            return self._skip(ticket, survey, "opted_out", now)
        except StorageError:  # the claim may have landed: then this run sends, or nobody would
            if not landed(self._store, after, survey_of):
                raise
        if not self._deliver(after, sent, mail, now):
            return self._result("skipped", ticket, survey, "SES refused the mail")
        self._close_later(after, sent)
        self._metrics.count("SurveysSent")
        log.info("survey sent", extra={"ticket": ticket.number, "survey": survey.id})
        return self._result("sent", ticket, survey)

    def _deliver(self, ticket: Ticket, survey: Survey, mail: OutgoingMail, now: datetime) -> bool:
        """SES failed: the ticket says so, and the schedule's retry sends it again. SES refused
        for good, or its answer never came (it may have the mail): the ticket says so, and the
        customer is not asked twice."""
        try:
            self._mailer.send(mail)
        except MailRejected as e:
            self._not_sent(ticket, survey, "survey_not_delivered", str(e), now, Stage.SKIPPED)
            return False
        except DeliveryUnknown as e:
            self._not_sent(ticket, survey, "survey_delivery_unknown", str(e), now, Stage.SENT)
        except StorageError:
            failed_survey = replace(survey, stage=Stage.MAIL_FAILED)
            failed = bumped(ticket, with_survey(ticket, failed_survey), now)
            event = Event(now, "survey_mail_failed", rules_.ACTOR, {"survey": survey.id})
            try:
                self._store.update_ticket(
                    ticket=failed, expected_version=ticket.version, events=[event]
                )
            except VersionConflict:
                log.error("survey mail failed, not recorded", extra={"ticket": ticket.number})
            raise
        return True

    def _not_sent(
        self, ticket: Ticket, survey: Survey, kind: str, why: str, now: datetime, stage: Stage
    ) -> None:
        after_survey = replace(survey, stage=stage, reason=why[:200])
        after = bumped(ticket, with_survey(ticket, after_survey), now)
        event = Event(now, kind, rules_.ACTOR, {"survey": survey.id, "reason": why[:500]})
        try:
            self._store.update_ticket(ticket=after, expected_version=ticket.version, events=[event])
        except VersionConflict:
            log.error("survey %s, not recorded", kind, extra={"ticket": ticket.number})
        self._metrics.count("SurveysUndelivered", reason=kind)

    def _resend(self, ticket: Ticket, survey: Survey, now: datetime) -> SurveyResult:
        mail, _ = self._mail.compose(ticket, survey, survey.sent_at or now)
        self._mailer.send(mail)
        sent = replace(survey, stage=Stage.SENT)
        after = bumped(ticket, with_survey(ticket, sent), now)
        event = Event(now, "survey_sent", rules_.ACTOR, {"survey": survey.id, "again": True})
        self._store.update_ticket(ticket=after, expected_version=ticket.version, events=[event])
        self._close_later(after, sent)
        self._metrics.count("SurveysSent")
        return self._result("resent", ticket, survey)

    def _skip(self, ticket: Ticket, survey: Survey, reason: str, now: datetime) -> SurveyResult:
        skipped = replace(survey, stage=Stage.SKIPPED, reason=reason)
        after = bumped(ticket, with_survey(ticket, skipped), now)
        event = Event(now, "survey_skipped", rules_.ACTOR, {"survey": survey.id, "reason": reason})
        self._store.update_ticket(ticket=after, expected_version=ticket.version, events=[event])
        self._metrics.count("SurveysSkipped", reason=reason)
        return self._result("skipped", ticket, survey, reason)

    def _close_later(self, ticket: Ticket, survey: Survey) -> None:
        if survey.close_at is None:
            return
        job = rules_.close_job(ticket.number, survey, survey.close_at)
        self._scheduler.create(job.name, job.at, job.payload)

    @staticmethod
    def _result(outcome: str, ticket: Ticket, survey: Survey, reason: str = "") -> SurveyResult:
        return SurveyResult(outcome, ticket.number, survey.id, reason)
