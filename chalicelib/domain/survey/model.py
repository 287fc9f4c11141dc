"""The satisfaction survey: when to ask, who is asked once, and what an answer does to a ticket.

A ticket carries its current survey in `extra["survey"]`. The rules, in one place:
- A solve plans a survey for the business morning `delay` later (the queue's calendar).
- Reopened (or closed, or marked spam) before it went out: cancelled; the next solve plans anew.
- Asked once: a survey that went out is not sent again for the same ticket, except after a No
  (the customer told us it was not solved, so the follow-up is asked about too). A ticket that
  was asked, got no answer, reopened by mail and is solved again only has its automatic close
  planned again, from the new solve.
- Never for spam, nor for requesters that are not people (no-reply, bounces, lists: decided by
  the service from the acknowledgement's suppression reasons at creation), nor after an opt-out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.mail.addresses import is_noreply, is_system_sender
from chalicelib.domain.sla.business_time import BusinessCalendar, next_opening
from chalicelib.domain.survey.tokens import Answer
from chalicelib.domain.tickets.changes import bumped, is_spam, with_assignee, with_status
from chalicelib.domain.tickets.model import WAITING_ON_AGENT, Event, Status, Ticket

ACTOR = "survey"
SEND, CLOSE = "survey_send", "survey_autoclose"  # the scheduled payloads' types
MORNING = time(8, 0)  # the search for the business morning starts here (a 24/7 calendar too)
MAX_COMMENT_CHARS = 2000
# Acknowledgement suppression reasons at creation that say the requester is not a person.
NOT_A_PERSON = frozenset(
    {"auto_reply", "bounce", "own_address", "bulk", "no_reply", "suppress_requested"}
)
_STAMP = "%Y%m%dT%H%M%S"
_SOONEST = timedelta(minutes=1)  # Scheduler refuses times in the past
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class SurveyRules:
    enabled: bool = True
    delay: timedelta = timedelta(days=3)  # after the solve, then on to the business morning
    morning_offset: timedelta = timedelta(minutes=30)  # after the calendar opens
    close_after: timedelta = timedelta(days=7)  # unanswered: the ticket closes by itself
    validity: timedelta = timedelta(days=28)  # of the links


class Stage(StrEnum):
    PLANNED = "planned"  # a schedule will send it
    CANCELLED = "cancelled"  # the ticket left "solved" before it went out
    SKIPPED = "skipped"  # not sent: opted out, or not a person
    SENT = "sent"
    MAIL_FAILED = "mail_failed"  # claimed but SES refused: the schedule's retry sends it
    ANSWERED = "answered"


ANSWERABLE = frozenset({Stage.SENT, Stage.MAIL_FAILED, Stage.ANSWERED})


@dataclass(frozen=True)
class Survey:
    id: str
    stage: Stage
    send_at: datetime
    solver: str | None = None  # the agent who solved the ticket: asked about, told of a No
    solver_name: str = ""
    sent_at: datetime | None = None
    close_at: datetime | None = None  # when it closes unanswered (a schedule of that time)
    answer: Answer | None = None
    comment_digest: str = ""
    answered_at: datetime | None = None
    reason: str = ""

    def to_data(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if v not in (None, "")}
        return {k: _iso(v) if isinstance(v, datetime) else str(v) for k, v in data.items()}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Survey:
        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            id=str(data["id"]),
            stage=Stage(data["stage"]),
            send_at=datetime.fromisoformat(data["send_at"]),
            solver=data.get("solver"),
            solver_name=str(data.get("solver_name", "")),
            sent_at=when("sent_at"),
            close_at=when("close_at"),
            answer=Answer(data["answer"]) if data.get("answer") else None,
            comment_digest=str(data.get("comment_digest", "")),
            answered_at=when("answered_at"),
            reason=str(data.get("reason", "")),
        )


def survey_of(ticket: Ticket | None) -> Survey | None:
    data = ticket.extra.get("survey") if ticket is not None else None
    return Survey.from_data(data) if isinstance(data, Mapping) else None


def with_survey(ticket: Ticket, survey: Survey) -> Ticket:
    return replace(ticket, extra={**ticket.extra, "survey": survey.to_data()})


# -- schedules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A one-time schedule: its name (unique per ticket, survey and time), time and Input."""

    name: str
    at: datetime
    payload: Mapping[str, Any]


def send_job(number: int, survey: Survey) -> Job:
    payload = {"type": SEND, "ticket": number, "survey": survey.id}
    return Job(f"survey-{number}-{survey.id}-send", survey.send_at, payload)


def close_job(number: int, survey: Survey, at: datetime) -> Job:
    payload = {"type": CLOSE, "ticket": number, "survey": survey.id}
    return Job(f"survey-{number}-{survey.id}-close-{at.astimezone(UTC):{_STAMP}}", at, payload)


@dataclass(frozen=True)
class ScheduleChange:
    create: Job | None = None
    cancel: str | None = None  # the name of a send schedule that must not send any more


def schedule_change(before: Ticket | None, after: Ticket) -> ScheduleChange:
    """What a write of `after` (over `before`) asks of the scheduler for the survey."""
    old, new = survey_of(before), survey_of(after)
    if new is None:
        return ScheduleChange()
    if new.stage is Stage.PLANNED and (old is None or old.id != new.id):
        return ScheduleChange(create=send_job(after.number, new))
    rearmed = new.close_at is not None and (old is None or old.close_at != new.close_at)
    if new.stage in (Stage.SENT, Stage.MAIL_FAILED) and rearmed and after.status is Status.SOLVED:
        return ScheduleChange(create=close_job(after.number, new, new.close_at or after.updated_at))
    if new.stage is Stage.CANCELLED and old is not None and old.stage is Stage.PLANNED:
        return ScheduleChange(cancel=send_job(after.number, old).name)
    return ScheduleChange()


# -- planning (around every ticket write) ------------------------------------------------------


def send_time(solved_at: datetime, cal: BusinessCalendar, rules: SurveyRules) -> datetime:
    """The business morning of the day `delay` after the solve: the calendar's first opening
    from 08:00 that day on (or the next open day), plus a small offset. Counted in days, so a
    Friday 15:00 solve with three days is asked Monday 09:30, not at 15:00 or on Sunday."""
    day = (solved_at + rules.delay).astimezone(cal.zone).date()
    while True:
        opening = next_opening(cal, datetime.combine(day, MORNING, tzinfo=cal.zone))
        morning = opening + rules.morning_offset
        if morning > solved_at + _SOONEST:
            return morning.astimezone(UTC)
        day += timedelta(days=1)


def survey_id(at: datetime) -> str:
    return f"{at.astimezone(UTC):{_STAMP}}"


def note_solver(before: Ticket, after: Ticket, agent: Agent) -> Ticket:
    """The agent whose reply or edit solves the ticket: the survey names them and a No goes
    back to them."""
    if after.status is not Status.SOLVED or before.status is Status.SOLVED:
        return after
    solver = {"id": agent.id, "name": agent.name}
    return replace(after, extra={**after.extra, "solved_by": solver})


def plan(
    before: Ticket | None, after: Ticket, at: datetime, rules: SurveyRules, cal: BusinessCalendar
) -> tuple[Ticket, list[Event]]:
    """The survey part of a ticket write: planned at a solve, cancelled when it reopens first."""
    if before is None:
        return after, []
    survey = survey_of(after)
    left = after.status is not Status.SOLVED or is_spam(after)
    if survey is not None and survey.stage is Stage.PLANNED and left:
        why = "spam" if is_spam(after) else f"ticket {after.status.value}"
        event = Event(at, "survey_cancelled", ACTOR, {"survey": survey.id, "reason": why})
        return with_survey(after, replace(survey, stage=Stage.CANCELLED, reason=why)), [event]
    if not rules.enabled or after.status is not Status.SOLVED or before.status is Status.SOLVED:
        return after, []
    return _solved(after, survey, at, rules, cal)


def _solved(
    ticket: Ticket, survey: Survey | None, at: datetime, rules: SurveyRules, cal: BusinessCalendar
) -> tuple[Ticket, list[Event]]:
    if survey is not None and survey.stage in (Stage.SENT, Stage.MAIL_FAILED):
        return with_survey(ticket, replace(survey, close_at=at + rules.close_after)), []
    if survey is not None and survey.stage is not Stage.CANCELLED and survey.answer != Answer.NO:
        return ticket, []
    reason = excluded(ticket)
    if reason:
        return ticket, [Event(at, "survey_skipped", ACTOR, {"reason": reason})]
    solver = ticket.extra.get("solved_by") or {}
    planned = Survey(
        id=survey_id(at),
        stage=Stage.PLANNED,
        send_at=send_time(at, cal, rules),
        solver=solver.get("id") or ticket.assignee,
        solver_name=str(solver.get("name", "")),
    )
    data = {"survey": planned.id, "send_at": _iso(planned.send_at)}
    return with_survey(ticket, planned), [Event(at, "survey_planned", ACTOR, data)]


def excluded(ticket: Ticket) -> str | None:
    """Why this ticket gets no survey, from the ticket alone (spam, an address no one reads)."""
    if is_spam(ticket):
        return "spam"
    address = ticket.customer_address
    if is_noreply(address) or is_system_sender(address):
        return "no_reply"
    return None


def excluded_at_creation(reasons: Iterable[str]) -> str | None:
    """The acknowledgement was suppressed because the requester is not a person, or the mail
    was quarantined first (released by an agent): no automatic survey either."""
    for reason in reasons:
        if reason in NOT_A_PERSON:
            return reason
        if reason.startswith("released from quarantine"):
            return "released_from_quarantine"
    return None


# -- answers -------------------------------------------------------------------------------------


def clean_comment(text: str) -> str:
    """The customer's comment without control characters; InvalidInput when too long."""
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(cleaned) > MAX_COMMENT_CHARS:
        raise InvalidInput("comment", f"at most {MAX_COMMENT_CHARS} characters")
    return cleaned


def parse_answer(value: str) -> Answer:
    try:
        return Answer(value.strip().lower())
    except ValueError:
        raise InvalidInput("answer", "must be yes or no") from None


def comment_digest(comment: str) -> str:
    return hashlib.sha256(comment.encode("utf-8")).hexdigest()[:32]


def is_replay(survey: Survey, answer: Answer, comment: str) -> bool:
    """The same answer with the same comment again: nothing changes, nothing is sent."""
    return survey.answer is answer and survey.comment_digest == comment_digest(comment)


def answered(
    ticket: Ticket, survey: Survey, answer: Answer, comment: str, at: datetime
) -> tuple[Ticket, list[Event]]:
    """Yes closes the ticket; No reopens it (raised, back to the solver at the first No).
    The ticket must not be closed (closed tickets are final)."""
    data = {
        "survey": survey.id,
        "answer": answer.value,
        "previous": survey.answer.value if survey.answer else None,
        "comment": bool(comment),
    }
    if answer is Answer.YES:
        updated, events = with_status(ticket, Status.CLOSED, at, "customer")
    else:
        updated, events = _not_solved(ticket, survey, at)
    recorded = replace(
        survey,
        stage=Stage.ANSWERED,
        answer=answer,
        comment_digest=comment_digest(comment),
        answered_at=at,
        close_at=None,
    )
    updated = bumped(ticket, with_survey(updated, recorded), at)
    return updated, [Event(at, "survey_answered", "customer", data), *events]


def _not_solved(ticket: Ticket, survey: Survey, at: datetime) -> tuple[Ticket, list[Event]]:
    events: list[Event]
    updated, events = ticket, []
    if ticket.status not in WAITING_ON_AGENT:
        updated, events = with_status(ticket, Status.OPEN, at, "customer")
    if survey.answer is not Answer.NO:  # the first No: one step up, back to who solved it
        raised = updated.priority.raised()
        if raised != updated.priority:
            change = {"from": updated.priority.value, "to": raised.value, "reason": "survey_no"}
            events.append(Event(at, "priority_changed", ACTOR, change))
            updated = replace(updated, priority=raised)
        if survey.solver:
            updated, more = with_assignee(updated, survey.solver, at, ACTOR)
            events += more
    if updated.customer_waiting_since is None:
        updated = replace(updated, customer_waiting_since=at)
    return updated, events


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")
