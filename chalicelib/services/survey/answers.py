"""record_survey_answer: the public pages behind the survey links, and the answer they POST.

Reading a page never changes anything: mail security scanners open every link, and must not
vote. Only the POST records, and a replay of it (same answer, same comment) writes nothing.
An answer costs at most four AWS calls: GetItem (the ticket, which carries its survey), one
TransactWriteItems (ticket, answer record, comment, events), and for a No the agent's notice
(SendEmail) and the follow-up deadline's breach schedule (CreateSchedule; its warning is the
notice the agent just got); for a Yes the automatic close's schedule is deleted instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput, StorageError, VersionConflict
from chalicelib.domain.sla.policy import PointKind, SlaPolicy, current_points
from chalicelib.domain.sla.schedules import fire_time, payload, schedule_name
from chalicelib.domain.survey import tokens
from chalicelib.domain.survey.csat import CsatRecord
from chalicelib.domain.survey.model import (
    ANSWERABLE,
    MAX_COMMENT_CHARS,
    Survey,
    answered,
    clean_comment,
    close_job,
    is_replay,
    parse_answer,
    survey_of,
)
from chalicelib.domain.survey.tokens import Answer, InvalidSurveyToken, SurveyClaim, TokenProblem
from chalicelib.domain.tickets.model import (
    WAITING_ON_AGENT,
    Message,
    MessageKind,
    Party,
    Status,
    Ticket,
)
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.outgoing import tagged_subject
from chalicelib.services.ports import Clock, Mailer, Metrics, Scheduler, SlaPlanner, SurveyStore
from chalicelib.services.recording import FactRecorder, facts_of
from chalicelib.services.survey.mail import SurveyMail
from chalicelib.services.survey.notice import SurveyNotices
from chalicelib.services.unit_of_work import VERSION_RETRIES, landed

log = logging.getLogger("helpdesk.survey")

_ANY_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # verifying at this time checks the signature only


class PageKind(StrEnum):
    FORM = "form"  # the question, the answer preselected
    BAD_INPUT = "bad_input"  # the form again, with what to fix
    RECORDED = "recorded"  # thank you
    CLOSED = "closed"  # the ticket is closed: nothing to change any more
    GONE = "gone"  # no such ticket (merged, deleted) or no longer this survey
    EXPIRED = "expired"
    INVALID = "invalid"  # forged, tampered or cut
    OPT_OUT = "opt_out"  # the question: stop survey mail?
    OPTED_OUT = "opted_out"


@dataclass(frozen=True)
class SurveyPage:
    kind: PageKind
    language: str = "en"
    ticket: Ticket | None = None
    survey: Survey | None = None
    answer: Answer | None = None  # preselected, or the one recorded
    comment: str = ""
    problem: str = ""  # the field to fix on a BAD_INPUT page
    address: str = ""  # the opt-out's address, partly hidden


@dataclass(frozen=True)
class _Open:
    claim: SurveyClaim
    ticket: Ticket
    survey: Survey


class SurveyAnswers:
    def __init__(
        self,
        *,
        store: SurveyStore,
        mailer: Mailer,
        mail: SurveyMail,
        scheduler: Scheduler,
        sla: SlaPlanner,
        policy: SlaPolicy,
        secret: bytes,
        clock: Clock,
        metrics: Metrics,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._mailer = mailer
        self._mail = mail
        self._scheduler = scheduler
        self._sla = sla
        self._policy = policy
        self._secret = secret
        self._clock = clock
        self._metrics = metrics
        self._notices = SurveyNotices(
            mailer=mailer, mail=mail, scheduler=scheduler, metrics=metrics
        )

    # -- the pages -------------------------------------------------------------------------------

    def view(self, token: str) -> SurveyPage:
        found = self._open(token)
        if isinstance(found, SurveyPage):
            return found
        if found.ticket.status is Status.CLOSED:
            return self._closed(found)
        return self._page(PageKind.FORM, found, answer=found.claim.answer)

    def answer(self, token: str, answer: str, comment: str) -> SurveyPage:
        found = self._open(token)
        if isinstance(found, SurveyPage):
            return found
        try:
            chosen, text = parse_answer(answer), clean_comment(comment)
        except InvalidInput as e:
            kept = comment[: MAX_COMMENT_CHARS * 2]
            page = self._page(PageKind.BAD_INPUT, found, answer=found.claim.answer, comment=kept)
            return replace(page, problem=e.field)
        for _ in range(VERSION_RETRIES):
            if is_replay(found.survey, chosen, text):
                return self._page(PageKind.RECORDED, found, answer=chosen)
            if found.ticket.status is Status.CLOSED:
                return self._closed(found)
            try:
                return self._record(found, chosen, text)
            except VersionConflict:
                again = self._current(found.claim)
                if isinstance(again, SurveyPage):
                    return again
                found = again
        raise VersionConflict(f"ticket {found.ticket.number} kept changing; try again")

    def too_long(self, token: str) -> SurveyPage:
        """A body larger than the form can send: the form again, asking for a shorter comment."""
        found = self._open(token)
        if isinstance(found, SurveyPage):
            return found
        page = self._page(PageKind.BAD_INPUT, found, answer=found.claim.answer)
        return replace(page, problem="comment")

    def opt_out_view(self, token: str) -> SurveyPage:
        found = self._authentic(token)
        if isinstance(found, SurveyPage):
            return found
        return SurveyPage(PageKind.OPT_OUT, found.language, found, address=_hidden(found))

    def opt_out(self, token: str) -> SurveyPage:
        found = self._authentic(token)
        if isinstance(found, SurveyPage):
            return found
        self._store.opt_out(found.customer_address, self._clock.now(), found.number)
        self._metrics.count("SurveyOptOuts")
        log.info("survey opt-out", extra={"ticket": found.number})
        return SurveyPage(PageKind.OPTED_OUT, found.language, found, address=_hidden(found))

    # -- recording -------------------------------------------------------------------------------

    def _record(self, found: _Open, answer: Answer, comment: str) -> SurveyPage:
        ticket, survey, now = found.ticket, found.survey, self._clock.now()
        after, events = answered(ticket, survey, answer, comment, now)
        after, sla_events = self._sla.plan(ticket, after, now)
        record = CsatRecord(
            ticket=ticket.number,
            survey=survey.id,
            answer=answer,
            at=now,
            queue=after.queue,
            agent=survey.solver or "",
            language=ticket.language,
        )
        all_events = [*events, *sla_events]
        try:
            self._store.record_answer(
                ticket=after,
                expected_version=ticket.version,
                record=record,
                message=_comment(ticket, survey, answer, comment, now) if comment else None,
                events=all_events,
                facts=facts_of(self._recorder, ticket, after, all_events, at=now),
            )
        except StorageError:  # it may have landed: then its follow-up is this run's, or nobody's
            if not landed(self._store, after, survey_of):
                raise
        self._metrics.count("SurveyAnswers", reason=answer.value)
        log.info("survey answered", extra={"ticket": ticket.number, "answer": answer.value})
        if answer is Answer.NO:
            self._follow_up(ticket, after, survey, comment, now)
        elif survey.close_at is not None:
            job = close_job(ticket.number, survey, survey.close_at)
            self._quietly(self._scheduler.delete, job.name)
        return self._page(PageKind.RECORDED, _Open(found.claim, after, survey), answer=answer)

    def _follow_up(
        self, before: Ticket, after: Ticket, survey: Survey, comment: str, now: datetime
    ) -> None:
        """The agent hears of it at once; the next-response deadline gets its breach schedule.
        Both after the answer is safe: a failure is logged, never shown to the customer."""
        self._notices.send(after, survey, comment, now)
        if before.status in WAITING_ON_AGENT:
            return  # it was waiting on us already: its deadline has its schedules
        for point in current_points(after, self._policy):
            if point.kind is PointKind.BREACH:
                name = schedule_name(after.number, point)
                self._quietly(
                    self._scheduler.create, name, fire_time(point, now), payload(after, point)
                )

    def _quietly(self, call: Callable[..., object], *args: object) -> None:
        try:
            call(*args)
        except StorageError:
            log.exception("survey follow-up failed", extra={"call": getattr(call, "__name__", "")})

    # -- tokens and tickets ----------------------------------------------------------------------

    def _open(self, token: str) -> _Open | SurveyPage:
        try:
            claim = tokens.verify(token, self._secret, self._clock.now())
        except InvalidSurveyToken as e:
            if e.problem is TokenProblem.EXPIRED:
                ticket = self._authentic(token)
                language = ticket.language if isinstance(ticket, Ticket) else "en"
                return SurveyPage(PageKind.EXPIRED, language)
            return SurveyPage(PageKind.INVALID)
        return self._current(claim)

    def _current(self, claim: SurveyClaim) -> _Open | SurveyPage:
        ticket = self._store.get_ticket(claim.ticket)
        if ticket is None:
            return SurveyPage(PageKind.GONE)
        survey = survey_of(ticket)
        if survey is None or survey.id != claim.survey or survey.stage not in ANSWERABLE:
            return SurveyPage(PageKind.GONE, ticket.language, ticket)
        return _Open(claim, ticket, survey)

    def _authentic(self, token: str) -> Ticket | SurveyPage:
        """The ticket of a token we signed, expired or not (opt-out links work for ever)."""
        try:
            claim = tokens.verify(token, self._secret, _ANY_TIME)
        except InvalidSurveyToken:
            return SurveyPage(PageKind.INVALID)
        ticket = self._store.get_ticket(claim.ticket)
        return ticket if ticket is not None else SurveyPage(PageKind.GONE)

    def _closed(self, found: _Open) -> SurveyPage:
        return self._page(PageKind.CLOSED, found, answer=found.survey.answer)

    @staticmethod
    def _page(
        kind: PageKind, found: _Open, *, answer: Answer | None, comment: str = ""
    ) -> SurveyPage:
        t = found.ticket
        return SurveyPage(kind, t.language, t, found.survey, answer=answer, comment=comment)


def _comment(ticket: Ticket, survey: Survey, answer: Answer, text: str, at: datetime) -> Message:
    """The customer's words on the thread, as their message (flagged as from the survey)."""
    return Message(
        id=new_message_id(at),
        ticket_number=ticket.number,
        kind=MessageKind.INBOUND,
        created_at=at,
        author=Party(ticket.customer_address, ticket.requester.name),
        subject=tagged_subject(ticket),
        text=text,
        flags=("survey",),
        meta={"survey": survey.id, "answer": answer.value},
    )


def _hidden(ticket: Ticket) -> str:
    """an***@customer.example: enough to recognise, not to harvest from a forwarded link."""
    local, _, domain = ticket.customer_address.partition("@")
    return f"{local[:2]}***@{domain}"
