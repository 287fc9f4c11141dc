"""The SLA clock under moto: schedules made, moved and deleted; firings warn and escalate once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.domain.sla.policy import Vip
from local.firing import ScheduleRunner
from local.schedules import MotoSchedules
from local.ses_events import new_mail_id, ses_event
from tests.conftest import REGION, TEST_ENV
from tests.helpers import FUNCTION_ARN, make_mail
from tests.integration.conftest import Api, AwsCalls, Helpdesk

GROUP = TEST_ENV["SCHEDULER_GROUP"]
FR_WARNING = "sla-1001-fr-w-20261123T120000-20261123T080000"
FR_BREACH = "sla-1001-fr-b-20261123T120000-20261123T080000"


class SlaDesk:
    """The helpdesk plus EventBridge Scheduler's part: schedules fire as the clock moves."""

    def __init__(self, helpdesk: Helpdesk) -> None:
        self.h = helpdesk
        self.scheduler = helpdesk.aws["scheduler"]
        # Scheduler's own reads and deletes go through a client of their own: not the app's calls.
        own = boto3.client("scheduler", region_name=REGION)
        self.runner = ScheduleRunner(MotoSchedules(own, GROUP), self.invoke, helpdesk.clock)

    def invoke(self, arn: str, event: Any) -> Any:
        assert arn == TEST_ENV["SCHEDULER_TARGET_ARN"]
        return self.h.client.lambda_.invoke("scheduled", event).payload

    def advance(self, **kwargs: float) -> list[str]:
        """Move the clock, firing what falls due on the way; the names of what fired."""
        _, fired = self.runner.advance(timedelta(**kwargs).total_seconds())
        assert all(f.ok for f in fired), fired
        return [f.name for f in fired]

    def schedules(self) -> dict[str, dict[str, Any]]:
        listed = self.scheduler.list_schedules(GroupName=GROUP)["Schedules"]
        return {
            s["Name"]: self.scheduler.get_schedule(Name=s["Name"], GroupName=GROUP) for s in listed
        }

    def event_of(self, name: str) -> dict[str, Any]:
        return dict(json.loads(self.schedules()[name]["Target"]["Input"]))

    def notices(self) -> list[Any]:
        return [m for m in self.h.sent() if m["Subject"].startswith("[SLA")]


@pytest.fixture
def desk(helpdesk: Helpdesk) -> SlaDesk:
    return SlaDesk(helpdesk)


def first_mail(desk: SlaDesk) -> None:
    desk.h.deliver(make_mail(message_id="<first@customer.example>"))


def customer_reply(desk: SlaDesk, **kwargs: Any) -> dict[str, Any]:
    raw = make_mail(subject="Re: Invoice [#1001]", body="One more thing.\n", **kwargs)
    return desk.h.deliver(raw)


def reply(api: Api, status: str = "pending") -> Any:
    response = api.post("/api/tickets/1001/replies", {"body": "We are on it.", "status": status})
    assert response.status_code == 201, response.body
    return response.json_body["ticket"]


# -- schedules --------------------------------------------------------------------------------


def test_a_new_ticket_gets_a_warning_and_a_breach_schedule_that_delete_themselves(
    desk: SlaDesk,
) -> None:
    first_mail(desk)
    found = desk.schedules()
    assert sorted(found) == [FR_BREACH, FR_WARNING]
    warning = found[FR_WARNING]
    assert warning["ScheduleExpression"] == "at(2026-11-23T11:12:00)"  # 80 % of 4 hours
    assert found[FR_BREACH]["ScheduleExpression"] == "at(2026-11-23T12:00:00)"
    assert warning["ActionAfterCompletion"] == "DELETE"
    assert warning["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert warning["Target"]["Arn"] == TEST_ENV["SCHEDULER_TARGET_ARN"]
    event = json.loads(warning["Target"]["Input"])
    assert event == {
        "type": "sla",
        "ticket": 1001,
        "schedule": FR_WARNING,
        "deadline": "first_response",
        "kind": "warning",
        "due": "2026-11-23T12:00:00+00:00",
    }


def test_a_redelivered_mail_creates_no_schedule_twice(desk: SlaDesk) -> None:
    raw = make_mail()
    desk.h.deliver(raw, mail_id="again000000000000000000000000000000000000")
    desk.h.deliver(raw, mail_id="again000000000000000000000000000000000000")
    assert sorted(desk.schedules()) == [FR_BREACH, FR_WARNING]


def test_a_customer_writing_again_before_an_answer_changes_no_schedule(desk: SlaDesk) -> None:
    first_mail(desk)
    desk.h.clock.advance(hours=1)
    assert customer_reply(desk)["outcome"] == "reply"
    assert sorted(desk.schedules()) == [FR_BREACH, FR_WARNING]


def test_the_answer_deletes_the_schedules_and_a_late_firing_does_nothing(
    desk: SlaDesk, api: Api
) -> None:
    first_mail(desk)
    late_event = desk.event_of(FR_BREACH)
    desk.h.clock.advance(hours=2)
    ticket = reply(api)
    assert ticket["sla_state"] == "ok" and desk.schedules() == {}
    desk.h.clock.set(datetime(2026, 11, 23, 12, 0, 30, tzinfo=UTC))
    result = desk.h.client.lambda_.invoke("scheduled", late_event).payload
    assert result["outcome"] == "idle" and result["type"] == "sla"
    assert desk.notices() == []
    kinds = [e["kind"] for e in desk.h.events(1001)]
    assert "sla_breached" not in kinds and kinds.count("sla_met") == 1


def test_changing_the_priority_moves_the_deadlines_and_the_schedules(
    desk: SlaDesk, api: Api
) -> None:
    first_mail(desk)
    desk.h.clock.advance(minutes=30)
    response = api.patch("/api/tickets/1001", {"version": 1, "priority": "urgent"})
    assert response.status_code == 200, response.body
    assert response.json_body["first_response_due"] == "2026-11-23T09:00:00+00:00"
    found = desk.schedules()
    assert sorted(found) == [
        "sla-1001-fr-b-20261123T090000-20261123T080000",
        "sla-1001-fr-w-20261123T090000-20261123T080000",
    ]
    assert found["sla-1001-fr-w-20261123T090000-20261123T080000"]["ScheduleExpression"] == (
        "at(2026-11-23T08:48:00)"
    )


# -- firings ----------------------------------------------------------------------------------


def test_the_clock_passing_the_warning_then_the_breach_warns_then_escalates(
    desk: SlaDesk, api: Api
) -> None:
    first_mail(desk)
    assert desk.advance(hours=3, minutes=15) == [FR_WARNING]
    assert desk.h.ticket(1001).sla_state == "at_risk"
    at_risk = api.get("/api/tickets?view=at_risk").json_body["tickets"]
    assert [t["number"] for t in at_risk] == [1001]
    [warning] = desk.notices()
    assert warning["To"].addresses[0].addr_spec == "support@example.com"
    assert warning["From"].addresses[0].addr_spec == "support@example.com"
    assert warning["Auto-Submitted"] == "auto-generated"
    assert "first response is due today at 14:00" in warning.get_body(("plain",)).get_content()

    assert desk.advance(hours=1) == [FR_BREACH]
    ticket = desk.h.ticket(1001)
    assert (ticket.sla_state, ticket.priority) == ("breached", "high")
    breached = api.get("/api/tickets?view=breached").json_body["tickets"]
    assert [t["number"] for t in breached] == [1001]
    assert api.get("/api/tickets?view=at_risk").json_body["tickets"] == []
    escalation = desk.notices()[1]
    assert escalation["To"].addresses[0].addr_spec == "support-leads@example.com"
    text = escalation.get_body(("plain",)).get_content()
    assert "missed its first response" in text and "raised from normal to high" in text
    kinds = [e["kind"] for e in desk.h.events(1001)]
    assert kinds[-3:] == ["sla_warning", "sla_breached", "priority_changed"]
    assert desk.schedules() == {}


def test_the_warning_goes_to_the_assignee(desk: SlaDesk, api: Api) -> None:
    first_mail(desk)
    ville = api.as_agent("ville@example.com", "Ville")
    assert ville.post("/api/tickets/1001/take").status_code == 200
    desk.advance(hours=3, minutes=15)
    [warning] = desk.notices()
    assert warning["To"].addresses[0].addr_spec == "ville@example.com"


def test_the_same_schedule_firing_twice_acts_once(desk: SlaDesk) -> None:
    first_mail(desk)
    event = desk.event_of(FR_BREACH)
    desk.h.clock.set(datetime(2026, 11, 23, 12, 0, 20, tzinfo=UTC))
    first = desk.h.client.lambda_.invoke("scheduled", event).payload
    again = desk.h.client.lambda_.invoke("scheduled", event).payload
    assert (first["outcome"], again["outcome"]) == ("breach", "duplicate")
    assert len(desk.notices()) == 1 and desk.h.ticket(1001).priority == "high"
    assert [e["kind"] for e in desk.h.events(1001)].count("sla_breached") == 1


def test_an_answer_after_the_breach_is_recorded_late_and_watches_resolution(
    desk: SlaDesk, api: Api
) -> None:
    first_mail(desk)
    desk.advance(hours=5)
    ticket = reply(api, status="open")
    assert ticket["sla_state"] == "ok"
    assert sorted(n.split("-")[2] for n in desk.schedules()) == ["res", "res"]
    outcomes = [
        (e["kind"], e["data"]["outcome"])
        for e in desk.h.events(1001)
        if e["kind"] in ("sla_met", "sla_breached")
    ]
    assert outcomes == [("sla_breached", "missed"), ("sla_met", "late")]


# -- pending, next response -----------------------------------------------------------------


def test_pending_pauses_resolution_and_the_customer_writing_resumes_it(
    desk: SlaDesk, api: Api
) -> None:
    first_mail(desk)
    desk.h.clock.advance(hours=2)  # Monday 12:00 in Helsinki: 2 business hours used
    reply(api, status="pending")
    paused = desk.h.ticket(1001)
    assert paused.resolution_due is None and paused.resolution_used == timedelta(hours=2)
    desk.h.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # a week later, Monday 10:00
    customer_reply(desk)
    resumed = desk.h.ticket(1001)
    assert resumed.status == "open"
    assert resumed.resolution_due == datetime(2026, 12, 4, 14, 0, tzinfo=UTC)  # 38 hours left
    assert resumed.next_response_due == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert sorted(desk.schedules()) == [
        "sla-1001-nr-b-20261130T120000-20261130T080000",
        "sla-1001-nr-w-20261130T120000-20261130T080000",
    ]


# -- budgets (issue 7) ----------------------------------------------------------------------


def delivered(desk: SlaDesk, raw: bytes) -> None:
    """The Lambda part only: SES's S3 action has stored the raw mail before."""
    mail_id = new_mail_id()
    ses_s3 = boto3.client("s3", region_name=REGION)  # SES's own write, not one of the app's calls
    ses_s3.put_object(Bucket=TEST_ENV["MAIL_BUCKET"], Key=f"inbound/{mail_id}", Body=raw)
    event = ses_event(
        raw,
        mail_id=mail_id,
        recipients=["support@example.com"],
        source="anna.virtanen@customer.example",
        at=desk.h.clock.now(),
        function_arn=FUNCTION_ARN,
    )
    desk.h.client.lambda_.invoke("inbound_email", event)


def test_aws_calls_stay_within_their_budgets(desk: SlaDesk, api: Api, aws_calls: AwsCalls) -> None:
    aws_calls.clear()
    delivered(desk, make_mail(message_id="<first@customer.example>"))
    assert sorted(aws_calls.calls) == [
        "dynamodb.BatchWriteItem",
        "dynamodb.TransactWriteItems",
        "dynamodb.UpdateItem",
        "s3.GetObject",
        "scheduler.CreateSchedule",
        "scheduler.CreateSchedule",
        "sesv2.SendEmail",
    ]

    desk.h.clock.advance(hours=1)
    aws_calls.clear()
    reply(api, status="pending")
    # The SLA clock's share of an agent reply (GetItem, SendEmail, TransactWriteItems besides).
    assert aws_calls.of("scheduler") == ["DeleteSchedule", "DeleteSchedule"]

    desk.h.clock.advance(hours=1)
    aws_calls.clear()
    delivered(desk, make_mail(subject="Re: Invoice [#1001]", body="Still wrong.\n"))
    assert sorted(aws_calls.calls) == [
        "dynamodb.BatchGetItem",
        "dynamodb.TransactWriteItems",
        "s3.GetObject",
        "scheduler.CreateSchedule",
        "scheduler.CreateSchedule",
    ]

    for kind in ("w", "b"):  # Monday 12:00 + 4 business hours: warned 15:12, breached 16:00
        aws_calls.clear()
        [fired] = desk.advance(hours=3, minutes=12) if kind == "w" else desk.advance(minutes=48)
        assert fired.split("-")[2:4] == ["nr", kind]
        assert sorted(aws_calls.calls) == [
            "dynamodb.BatchGetItem",
            "dynamodb.PutItem",  # the notice is marked sent: a retry resends only what did not go
            "dynamodb.TransactWriteItems",
            "sesv2.SendEmail",
        ]


# -- VIPs, reports ----------------------------------------------------------------------------


@pytest.fixture
def vip_desk(helpdesk: Helpdesk, settings: Any, clock: Any, metrics: Any) -> Iterator[SlaDesk]:
    from chalicelib import bootstrap

    vip = Vip(domains=frozenset({"customer.example"}), factor=0.5)
    wired = bootstrap.Container(
        replace(settings, sla=replace(settings.sla, vip=vip)),
        clock=clock,
        metrics=metrics,
        clients=helpdesk.aws,
    )
    bootstrap.use(wired)
    yield SlaDesk(replace(helpdesk, container=wired))
    bootstrap.use(helpdesk.container)


def test_a_vip_is_promised_the_stricter_first_response(vip_desk: SlaDesk) -> None:
    first_mail(vip_desk)
    ticket = vip_desk.h.ticket(1001)
    assert ticket.vip and ticket.priority == "high"
    assert ticket.first_response_due == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 2 h, halved
    ack = vip_desk.h.sent()[0].get_body(("plain",)).get_content()
    assert "today at 11:00" in ack


def test_met_and_missed_deadlines_are_queried_by_month_for_reports(desk: SlaDesk, api: Api) -> None:
    first_mail(desk)
    desk.advance(hours=5)  # first response missed
    reply(api, status="solved")  # answered late; resolution met
    records = desk.h.container.sla_store.sla_records(
        datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    )
    summary = [(r.ticket, r.deadline.value, r.outcome.value) for r in records]
    assert summary == [
        (1001, "first_response", "missed"),
        (1001, "first_response", "late"),
        (1001, "resolution", "met"),
    ]
    assert records[0].due == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert records[2].counted == timedelta(hours=5)
    assert (
        desk.h.container.sla_store.sla_records(
            datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
        == []
    )


def test_an_event_of_no_known_type_is_refused_once_not_retried(desk: SlaDesk) -> None:
    result = desk.h.client.lambda_.invoke("scheduled", {"type": "nope"}).payload
    assert "known: sla" in result["refused"]
