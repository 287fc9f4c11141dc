"""survey_autoclose: a solved ticket whose survey got no answer closes by itself.

Acts only if the ticket is still solved, its current survey is this one and unanswered, and its
close time has come (a ticket solved again moved it later). Two AWS calls: GetItem and one
TransactWriteItems.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.survey.model import ACTOR, Stage, survey_of, with_survey
from chalicelib.domain.tickets.changes import bumped, with_status
from chalicelib.domain.tickets.model import Event, Status
from chalicelib.services.ports import Clock, Metrics, SlaPlanner, SurveyStore
from chalicelib.services.recording import FactRecorder, facts_of
from chalicelib.services.survey.sender import SurveyResult, parse_event
from chalicelib.services.unit_of_work import VERSION_RETRIES

log = logging.getLogger("helpdesk.survey")

EARLY_TOLERANCE = timedelta(seconds=60)


class SurveyCloser:
    def __init__(
        self,
        *,
        store: SurveyStore,
        sla: SlaPlanner,
        clock: Clock,
        metrics: Metrics,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._sla = sla
        self._clock = clock
        self._metrics = metrics

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        return self.close(*parse_event(event)).as_dict()

    def close(self, number: int, survey_id: str) -> SurveyResult:
        for _ in range(VERSION_RETRIES):
            ticket = self._store.get_ticket(number)
            if ticket is None:
                return SurveyResult("gone", number, survey_id, "no such ticket")
            survey, now = survey_of(ticket), self._clock.now()
            if survey is None or survey.id != survey_id:
                return SurveyResult("idle", number, survey_id, "replaced")
            if survey.stage not in (Stage.SENT, Stage.MAIL_FAILED):
                return SurveyResult("idle", number, survey_id, survey.stage.value)
            if ticket.status is not Status.SOLVED:
                return SurveyResult("idle", number, survey_id, f"ticket {ticket.status.value}")
            if survey.close_at is None or survey.close_at > now + EARLY_TOLERANCE:
                return SurveyResult("idle", number, survey_id, "not yet: solved again since")
            closed, events = with_status(ticket, Status.CLOSED, now, ACTOR)
            closed = bumped(ticket, with_survey(closed, replace(survey, close_at=None)), now)
            closed, sla_events = self._sla.plan(ticket, closed, now)
            data = {"survey": survey.id, "reason": "no answer to the survey"}
            events = [*events, Event(now, "closed_automatically", ACTOR, data), *sla_events]
            try:
                self._store.update_ticket(
                    ticket=closed,
                    expected_version=ticket.version,
                    events=events,
                    facts=facts_of(self._recorder, ticket, closed, events, at=now),
                )
            except VersionConflict:
                continue
            self._metrics.count("SurveyAutoClosed")
            log.info("closed without an answer", extra={"ticket": number, "survey": survey_id})
            return SurveyResult("closed", number, survey_id)
        raise VersionConflict(f"ticket {number} kept changing while it was closed")
