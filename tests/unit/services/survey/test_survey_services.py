"""The survey's services with fakes: scheduler calls per write, a refused send, an opt-out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.errors import (
    DeliveryUnknown,
    InvalidInput,
    MailRejected,
    OptedOut,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours
from chalicelib.domain.survey import model as survey
from chalicelib.domain.survey.csat import CsatRecord
from chalicelib.domain.survey.model import Stage, Survey, SurveyRules
from chalicelib.domain.tickets.model import Event, Message, Priority, Status, Ticket
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.ports import OutgoingMail, RenderedMail
from chalicelib.services.survey.mail import SurveyLinks, SurveyMail
from chalicelib.services.survey.planner import SurveyPlanner
from chalicelib.services.survey.sender import SurveySender, parse_event
from tests.helpers import a_ticket

SOLVED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SEND_AT = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
ROUTING = Routing(
    queues={"Support": Queue("Support", "support@example.com")},
    addresses={"support@example.com": "Support"},
    default_queue="Support",
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


class Scheduler:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def create(self, name: str, at: datetime, payload: Mapping[str, Any]) -> bool:
        self.calls.append(("create", name))
        return True

    def delete(self, name: str) -> bool:
        self.calls.append(("delete", name))
        return True


class Sla:
    """The SLA clock's part: records what it was asked to sync."""

    def __init__(self) -> None:
        self.synced: list[tuple[Ticket | None, Ticket]] = []
        self.budgets: list[int] = []

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]:
        return after, []

    def sync_schedules(self, before: Ticket | None, after: Ticket, budget: int = 2) -> None:
        self.synced.append((before, after))
        self.budgets.append(budget)


class Renderer:
    def render_mail(self, template: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        return RenderedMail(text=f"{context['yes_url']} {context['no_url']}", html="<p>?</p>")


class Mailer:
    def __init__(self, fail: int = 0, error: Exception | None = None) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail = fail
        self.error = error or StorageError("SES send failed: Throttling")

    def send(self, mail: OutgoingMail) -> str:
        if self.fail:
            self.fail -= 1
            raise self.error
        self.sent.append(mail)
        return f"ses-{len(self.sent)}"


class Metrics:
    def count(self, name: str, reason: str | None = None) -> None:
        return None


class Store:
    """One ticket; its creation's suppression reasons; the addresses that opted out."""

    def __init__(self, ticket: Ticket, reasons: Sequence[str] = (), opted: bool = False) -> None:
        self.ticket = ticket
        self.reasons = list(reasons)
        self.opted = opted
        self.events: list[str] = []

    def get_ticket(self, number: int) -> Ticket | None:
        return self.ticket

    def creation_reasons(self, ticket: Ticket) -> list[str]:
        return self.reasons

    def claim_send(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        customer: str,
        facts: Facts | None = None,
    ) -> None:
        if self.opted:
            raise OptedOut(customer)
        self.update_ticket(ticket=ticket, expected_version=expected_version, events=events)

    def update_ticket(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        if expected_version != self.ticket.version:
            raise VersionConflict("changed")
        self.ticket = ticket
        self.events += [e.kind for e in events]

    def record_answer(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        record: CsatRecord,
        message: Message | None,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        raise AssertionError("not in these tests")

    def opt_out(self, address: str, at: datetime, ticket: int) -> None:
        raise AssertionError("not in these tests")


def office(queue: str) -> BusinessCalendar:
    hours = "mon-fri 08:00-16:00" if queue == "Billing" else "mon-fri 09:00-17:00"
    zone = "Europe/Stockholm" if queue == "Billing" else "Europe/Helsinki"
    return BusinessCalendar(zone, parse_weekly_hours(hours))


def open_ticket(queue: str = "Support") -> Ticket:
    return a_ticket(
        SOLVED,
        queue=queue,
        status=Status.OPEN,
        language="sv",
        first_responded_at=SOLVED,
        thread_ids=("first@customer.example", "reply@eu-west-1.amazonses.com"),
        version=2,
    )


def planner(delete_cancelled: bool = True) -> tuple[SurveyPlanner, Sla, Scheduler]:
    sla, scheduler = Sla(), Scheduler()
    return (
        SurveyPlanner(sla, scheduler, SurveyRules(), office, delete_cancelled=delete_cancelled),
        sla,
        scheduler,
    )


# -- the planner around every write ------------------------------------------------------------


def test_a_solve_costs_one_scheduler_call_and_asks_the_sla_to_delete_nothing() -> None:
    plan, sla, scheduler = planner()
    before = open_ticket()
    after, events = plan.plan(before, replace(before, status=Status.SOLVED), SOLVED)
    plan.sync_schedules(before, after)
    assert scheduler.calls == [("create", "survey-1001-20261123T080000-send")]
    assert sla.synced == [(None, after)] and sla.budgets == [1]  # the survey spent one
    assert [e.kind for e in events] == ["survey_planned"]


def test_the_queue_calendar_decides_the_morning() -> None:
    plan, _, _ = planner()
    before = open_ticket("Billing")
    after, _ = plan.plan(before, replace(before, status=Status.SOLVED), SOLVED)
    planned = survey.survey_of(after)
    assert planned is not None  # Thursday 08:30 in Stockholm
    assert planned.send_at == datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


def test_an_agents_reopen_deletes_the_schedule_after_the_sla_sync() -> None:
    plan, sla, scheduler = planner()
    before = open_ticket()
    solved, _ = plan.plan(before, replace(before, status=Status.SOLVED), SOLVED)
    reopened, _ = plan.plan(solved, replace(solved, status=Status.OPEN), SOLVED)
    plan.sync_schedules(solved, reopened)
    assert scheduler.calls == [("delete", "survey-1001-20261123T080000-send")]
    assert sla.synced == [(solved, reopened)]


def test_customer_mail_reopening_only_cancels_on_the_ticket() -> None:
    plan, sla, scheduler = planner(delete_cancelled=False)
    before = open_ticket()
    solved, _ = plan.plan(before, replace(before, status=Status.SOLVED), SOLVED)
    reopened, _ = plan.plan(solved, replace(solved, status=Status.OPEN), SOLVED)
    plan.sync_schedules(solved, reopened)
    assert scheduler.calls == [] and sla.synced == [(solved, reopened)]
    cancelled = survey.survey_of(reopened)
    assert cancelled is not None and cancelled.stage is Stage.CANCELLED


def test_other_writes_are_the_sla_clocks_alone() -> None:
    plan, sla, scheduler = planner()
    before = open_ticket()
    after, events = plan.plan(before, replace(before, priority=Priority.HIGH), SOLVED)
    plan.sync_schedules(before, after)
    assert scheduler.calls == [] and events == [] and sla.synced == [(before, after)]


# -- sending -----------------------------------------------------------------------------------


def planned_ticket() -> Ticket:
    planned = Survey("20261123T080000", Stage.PLANNED, SEND_AT, solver="mikko@example.com")
    solved = replace(open_ticket(), status=Status.SOLVED, solved_at=SOLVED)
    return survey.with_survey(solved, planned)


def sender(
    store: Store, mailer: Mailer, scheduler: Scheduler | None = None, now: datetime = SEND_AT
) -> SurveySender:
    links = SurveyLinks("https://help.example/api/", b"s" * 32)
    return SurveySender(
        store=store,
        mailer=mailer,
        mail=SurveyMail(Renderer(), ROUTING, "Example Support", links),
        scheduler=scheduler or Scheduler(),
        rules=SurveyRules(),
        clock=Clock(now),
        metrics=Metrics(),
    )


def test_the_survey_mail_is_threaded_and_automatic() -> None:
    store, mailer = Store(planned_ticket()), Mailer()
    assert sender(store, mailer).send(1001, "20261123T080000").outcome == "sent"
    [mail] = mailer.sent
    assert mail.in_reply_to == "reply@eu-west-1.amazonses.com"
    assert mail.references == ("first@customer.example", "reply@eu-west-1.amazonses.com")
    assert mail.headers["Auto-Submitted"] == "auto-generated"
    assert mail.subject == "Re: Invoice [#1001]" and mail.language == "sv"
    assert mail.text.startswith("https://help.example/api/survey/")


def test_a_failed_send_is_recorded_and_the_retry_sends_the_same_links() -> None:
    store, mailer, scheduler = Store(planned_ticket()), Mailer(fail=1), Scheduler()
    with pytest.raises(StorageError):
        sender(store, mailer, scheduler).send(1001, "20261123T080000")
    failed = survey.survey_of(store.ticket)
    assert failed is not None and failed.stage is Stage.MAIL_FAILED
    assert scheduler.calls == []
    retried = sender(store, mailer, scheduler).send(1001, "20261123T080000")
    assert retried.outcome == "resent" and len(mailer.sent) == 1
    resent = survey.survey_of(store.ticket)
    assert resent is not None and resent.stage is Stage.SENT
    assert scheduler.calls == [("create", "survey-1001-20261123T080000-close-20261203T073000")]
    assert store.events == ["survey_sent", "survey_mail_failed", "survey_sent"]


def test_a_send_ses_refuses_for_good_is_recorded_and_never_retried() -> None:
    store, scheduler = Store(planned_ticket()), Scheduler()
    mailer = Mailer(fail=1, error=MailRejected("SES refused the mail: MessageRejected"))
    result = sender(store, mailer, scheduler).send(1001, "20261123T080000")
    assert result.outcome == "skipped" and mailer.sent == []
    refused = survey.survey_of(store.ticket)
    assert refused is not None and refused.stage is Stage.SKIPPED
    assert store.events[-1] == "survey_not_delivered" and scheduler.calls == []
    again = sender(store, mailer, scheduler).send(1001, "20261123T080000")
    assert again.outcome == "idle" and mailer.sent == []


def test_a_send_whose_outcome_is_unknown_is_never_sent_again() -> None:
    store, scheduler = Store(planned_ticket()), Scheduler()
    mailer = Mailer(fail=1, error=DeliveryUnknown("SES may have sent the mail: Read timeout"))
    assert sender(store, mailer, scheduler).send(1001, "20261123T080000").outcome == "sent"
    assert store.events[-1] == "survey_delivery_unknown"
    assert sender(store, mailer, scheduler).send(1001, "20261123T080000").outcome == "duplicate"
    assert mailer.sent == []


def test_an_opted_out_customer_is_skipped_and_not_mailed() -> None:
    store, mailer = Store(planned_ticket(), opted=True), Mailer()
    result = sender(store, mailer).send(1001, "20261123T080000")
    assert (result.outcome, result.reason) == ("skipped", "opted_out") and mailer.sent == []
    skipped = survey.survey_of(store.ticket)
    assert skipped is not None and skipped.stage is Stage.SKIPPED


def test_a_survey_that_is_not_the_tickets_current_one_does_nothing() -> None:
    store, mailer = Store(planned_ticket()), Mailer()
    result = sender(store, mailer).send(1001, "20261120T080000")
    assert result.outcome == "idle" and mailer.sent == [] and store.events == []


def test_an_early_firing_does_nothing() -> None:
    store, mailer = Store(planned_ticket()), Mailer()
    early = sender(store, mailer, now=datetime(2026, 11, 26, 7, 0, tzinfo=UTC))
    assert early.send(1001, "20261123T080000").reason == "early" and mailer.sent == []


@pytest.mark.parametrize(
    "event",
    [
        {"type": "survey_send"},
        {"type": "survey_send", "ticket": True, "survey": "20261123T080000"},
        {"type": "survey_send", "ticket": 1001, "survey": "../../etc"},
        {"type": "survey_send", "ticket": "1001", "survey": "20261123T080000"},
    ],
)
def test_a_malformed_event_is_refused(event: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        parse_event(event)
