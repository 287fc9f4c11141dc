"""The survey rules: the business morning, once per ticket, who is never asked, what answers do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours
from chalicelib.domain.survey import model as survey
from chalicelib.domain.survey.model import Stage, Survey, SurveyRules
from chalicelib.domain.survey.tokens import Answer
from chalicelib.domain.tickets.model import Party, Priority, Status, Ticket
from tests.helpers import a_ticket

RULES = SurveyRules()
MIKKO = Agent(id="mikko@example.com", name="Mikko Mäkelä", email="mikko@example.com")


def office(closed: frozenset[date] = frozenset()) -> BusinessCalendar:
    return BusinessCalendar("Europe/Helsinki", parse_weekly_hours("mon-fri 09:00-17:00"), closed)


def helsinki(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 day at a Helsinki wall-clock time (UTC+2), in UTC."""
    return datetime(2026, 11, day, hour - 2, minute, tzinfo=UTC)


def ticket(status: Status = Status.OPEN, **changes: object) -> Ticket:
    at = helsinki(23, 10)
    base = a_ticket(
        at,
        status=status,
        language="fi",
        first_responded_at=at,
        version=3,
    )
    return replace(base, **changes)


def solve(before: Ticket, at: datetime, rules: SurveyRules = RULES) -> tuple[Ticket, list[str]]:
    after = survey.note_solver(before, replace(before, status=Status.SOLVED), MIKKO)
    planned, events = survey.plan(before, after, at, rules, office())
    return planned, [e.kind for e in events]


def current(t: Ticket) -> Survey:
    found = survey.survey_of(t)
    assert found is not None
    return found


# -- the business morning --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("solved", "asked"),
    [
        (helsinki(20, 15), helsinki(23, 9, 30)),  # Friday 15:00 → Monday 09:30, not Sunday
        (helsinki(23, 10), helsinki(26, 9, 30)),  # Monday → Thursday morning
        (helsinki(25, 16, 59), helsinki(30, 9, 30)),  # Wednesday → Saturday → Monday
        (helsinki(23, 3), helsinki(26, 9, 30)),  # a solve at night: still the morning
    ],
)
def test_the_survey_is_asked_on_the_business_morning_of_the_third_day(
    solved: datetime, asked: datetime
) -> None:
    assert survey.send_time(solved, office(), RULES) == asked


def test_a_holiday_moves_the_morning_to_the_next_open_day() -> None:
    closed = frozenset({date(2026, 11, 23)})
    assert survey.send_time(helsinki(20, 15), office(closed), RULES) == helsinki(24, 9, 30)


def test_a_round_the_clock_calendar_still_asks_in_the_morning() -> None:
    always = BusinessCalendar.always_open("Europe/Helsinki")
    assert survey.send_time(helsinki(20, 15), always, RULES) == helsinki(23, 8, 30)


def test_no_delay_asks_the_next_morning_not_in_the_past() -> None:
    rules = replace(RULES, delay=timedelta(0))
    assert survey.send_time(helsinki(23, 15), office(), rules) == helsinki(24, 9, 30)
    assert survey.send_time(helsinki(23, 7), office(), rules) == helsinki(23, 9, 30)


# -- planning: once per ticket -----------------------------------------------------------------


def test_a_solve_plans_a_survey_naming_the_solver() -> None:
    solved, kinds = solve(ticket(), helsinki(20, 15))
    planned = current(solved)
    assert kinds == ["survey_planned"]
    assert (planned.stage, planned.id, planned.send_at) == (
        Stage.PLANNED,
        "20261120T130000",
        helsinki(23, 9, 30),
    )
    assert (planned.solver, planned.solver_name) == ("mikko@example.com", "Mikko Mäkelä")
    job = survey.schedule_change(ticket(), solved).create
    assert job is not None
    assert job.name == "survey-1001-20261120T130000-send" and len(job.name) <= 64
    assert job.payload == {"type": "survey_send", "ticket": 1001, "survey": "20261120T130000"}


def test_the_solver_is_who_solved_it_not_a_later_editor() -> None:
    solved, _ = solve(ticket(assignee="ville@example.com"), helsinki(23, 10))
    edited = survey.note_solver(solved, replace(solved, priority=Priority.HIGH), MIKKO)
    assert edited.extra["solved_by"]["id"] == "mikko@example.com"
    other = Agent(id="ville@example.com", name="Ville", email="ville@example.com")
    again = survey.note_solver(solved, replace(solved, priority=Priority.LOW), other)
    assert again.extra["solved_by"]["id"] == "mikko@example.com"


@pytest.mark.parametrize("status", [Status.OPEN, Status.PENDING, Status.CLOSED])
def test_leaving_solved_before_it_is_sent_cancels_it(status: Status) -> None:
    solved, _ = solve(ticket(), helsinki(23, 10))
    reopened, events = survey.plan(
        solved, replace(solved, status=status), helsinki(24, 10), RULES, office()
    )
    assert current(reopened).stage is Stage.CANCELLED
    assert [e.kind for e in events] == ["survey_cancelled"]
    change = survey.schedule_change(solved, reopened)
    assert change.cancel == "survey-1001-20261123T080000-send" and change.create is None


def test_a_cancelled_survey_is_planned_again_with_a_new_id() -> None:
    solved, _ = solve(ticket(), helsinki(23, 10))
    reopened, _ = survey.plan(
        solved, replace(solved, status=Status.OPEN), helsinki(24, 10), RULES, office()
    )
    again, kinds = solve(reopened, helsinki(24, 11))
    assert kinds == ["survey_planned"] and current(again).id == "20261124T090000"


def test_a_sent_and_unanswered_survey_is_not_sent_again_but_closes_later() -> None:
    sent = survey.with_survey(
        ticket(),
        Survey("20261120T130000", Stage.SENT, helsinki(23, 9, 30), sent_at=helsinki(23, 9, 30)),
    )
    again, kinds = solve(sent, helsinki(25, 12))
    assert kinds == [] and current(again).id == "20261120T130000"
    assert current(again).close_at == helsinki(25, 12) + timedelta(days=7)
    job = survey.schedule_change(sent, again).create
    assert job is not None and job.name == "survey-1001-20261120T130000-close-20261202T100000"
    assert job.payload["type"] == "survey_autoclose"


def test_after_a_no_the_next_solve_asks_again() -> None:
    answered = survey.with_survey(
        ticket(),
        Survey("20261120T130000", Stage.ANSWERED, helsinki(23, 9, 30), answer=Answer.NO),
    )
    again, kinds = solve(answered, helsinki(25, 12))
    assert kinds == ["survey_planned"] and current(again).id == "20261125T100000"


def test_a_skipped_survey_stays_skipped() -> None:
    skipped = survey.with_survey(
        ticket(), Survey("20261120T130000", Stage.SKIPPED, helsinki(23, 9, 30), reason="bulk")
    )
    again, kinds = solve(skipped, helsinki(25, 12))
    assert kinds == [] and current(again).stage is Stage.SKIPPED


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"extra": {"spam": True}}, "spam"),
        ({"requester": Party("no-reply@shop.example")}, "no_reply"),
        ({"reply_to": "mailer-daemon@mx.example"}, "no_reply"),
    ],
)
def test_spam_and_addresses_nobody_reads_are_never_asked(
    changes: dict[str, object], reason: str
) -> None:
    solved, kinds = solve(ticket(**changes), helsinki(23, 10))
    assert survey.survey_of(solved) is None and kinds == ["survey_skipped"]
    assert survey.schedule_change(ticket(), solved) == survey.ScheduleChange()


def test_marking_a_solved_ticket_spam_cancels_its_survey() -> None:
    solved, _ = solve(ticket(), helsinki(23, 10))
    spam = replace(solved, extra={**solved.extra, "spam": True})
    marked, _ = survey.plan(solved, spam, helsinki(23, 11), RULES, office())
    assert current(marked).stage is Stage.CANCELLED and current(marked).reason == "spam"


def test_a_disabled_survey_plans_nothing() -> None:
    solved, kinds = solve(ticket(), helsinki(23, 10), replace(RULES, enabled=False))
    assert survey.survey_of(solved) is None and kinds == []


@pytest.mark.parametrize(
    ("reasons", "excluded"),
    [
        (["bulk"], "bulk"),
        (["no_reply"], "no_reply"),
        (["suppress_requested"], "suppress_requested"),
        (["released from quarantine by ada@example.com"], "released_from_quarantine"),
        (["rate_limited"], None),  # a person who wrote a lot is still a person
        ([], None),
    ],
)
def test_the_acknowledgement_suppressions_that_rule_out_a_survey(
    reasons: list[str], excluded: str | None
) -> None:
    assert survey.excluded_at_creation(reasons) == excluded


# -- answers -----------------------------------------------------------------------------------


def sent() -> tuple[Ticket, Survey]:
    planned = Survey(
        "20261120T130000",
        Stage.SENT,
        helsinki(23, 9, 30),
        solver="mikko@example.com",
        sent_at=helsinki(23, 9, 30),
        close_at=helsinki(30, 9, 30),
    )
    solved = ticket(Status.SOLVED, solved_at=helsinki(20, 15), assignee=None)
    return survey.with_survey(solved, planned), planned


def test_yes_closes_the_ticket_and_records_the_answer() -> None:
    t, s = sent()
    closed, events = survey.answered(t, s, Answer.YES, "", helsinki(24, 10))
    assert closed.status is Status.CLOSED and closed.version == t.version + 1
    recorded = current(closed)
    assert (recorded.stage, recorded.answer, recorded.close_at) == (
        Stage.ANSWERED,
        Answer.YES,
        None,
    )
    assert [e.kind for e in events] == ["survey_answered", "status_changed"]


def test_no_reopens_one_step_up_back_to_the_solver_with_the_customer_waiting() -> None:
    t, s = sent()
    at = helsinki(24, 10)
    reopened, events = survey.answered(t, s, Answer.NO, "Still wrong", at)
    assert (reopened.status, reopened.priority, reopened.assignee) == (
        Status.OPEN,
        Priority.HIGH,
        "mikko@example.com",
    )
    assert reopened.customer_waiting_since == at and reopened.solved_at is None
    assert [e.kind for e in events] == [
        "survey_answered",
        "status_changed",
        "priority_changed",
        "assigned",
    ]


def test_a_second_no_raises_nothing_more_and_keeps_the_assignee() -> None:
    t, s = sent()
    first, _ = survey.answered(t, s, Answer.NO, "", helsinki(24, 10))
    moved = replace(first, assignee="ville@example.com", status=Status.PENDING)
    second, events = survey.answered(moved, current(first), Answer.NO, "And?", helsinki(25, 10))
    assert (second.priority, second.assignee, second.status) == (
        Priority.HIGH,
        "ville@example.com",
        Status.OPEN,
    )
    assert [e.kind for e in events] == ["survey_answered", "status_changed"]


def test_a_replay_is_the_same_answer_with_the_same_comment() -> None:
    t, s = sent()
    answered, _ = survey.answered(t, s, Answer.NO, "Still wrong", helsinki(24, 10))
    recorded = current(answered)
    assert survey.is_replay(recorded, Answer.NO, "Still wrong")
    assert not survey.is_replay(recorded, Answer.NO, "Still wrong!")
    assert not survey.is_replay(recorded, Answer.YES, "Still wrong")
    assert not survey.is_replay(s, Answer.NO, "")


def test_the_comment_loses_control_characters_and_is_bounded() -> None:
    assert survey.clean_comment("  Hi\r\nthere\x00\x1b[0m\u202e!\t ") == "Hi\nthere[0m!"
    assert survey.clean_comment("x" * 2000) == "x" * 2000
    with pytest.raises(InvalidInput) as too_long:
        survey.clean_comment("x" * 2001)
    assert too_long.value.field == "comment"


@pytest.mark.parametrize(("value", "answer"), [("yes", Answer.YES), (" NO ", Answer.NO)])
def test_the_answer_is_yes_or_no(value: str, answer: Answer) -> None:
    assert survey.parse_answer(value) is answer


@pytest.mark.parametrize("value", ["", "maybe", "y", "1"])
def test_anything_else_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        survey.parse_answer(value)


def test_the_survey_round_trips_through_the_ticket() -> None:
    t, s = sent()
    answered, _ = survey.answered(t, s, Answer.NO, "x", helsinki(24, 10))
    again = Survey.from_data(current(answered).to_data())
    assert again == current(answered)
