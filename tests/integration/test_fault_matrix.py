"""Faults at every AWS call, then the retry AWS makes: nothing lost, nothing twice (issue 12).

Each run injects one fault at the k-th AWS call the app makes in one step of a ticket's life,
then retries the step as its caller would (SES and Scheduler invoke the function again, a
person presses the button again), and checks what the customer and the team received:
- ClientError and EndpointConnectionError before the request (nothing reached AWS);
- ReadTimeoutError after the request was carried out (AWS did it; we never heard).
Goals: 0 lost tickets, replies or notices; 0 duplicate tickets; 0 customer mail sent twice.
Steps with fewer calls than k run clean: the matrix is wider than any step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from local.ses_events import ses_event
from tests.helpers import FUNCTION_ARN, make_mail
from tests.integration.conftest import Api, Helpdesk
from tests.integration.test_survey_flow import SurveyDesk

SERVICES = ("dynamodb", "s3", "sesv2", "scheduler")
FAULTS = ("client_error", "no_connection", "timeout_after")
ATTEMPTS = 3  # SES's asynchronous invoke: the first and two retries
ANNA = "anna.virtanen@customer.example"


class Faults:
    """One fault at the app's k-th AWS call while armed; counts every call made."""

    def __init__(self, aws: dict[str, Any], fault: str, at: int) -> None:
        self.aws, self.fault, self.at = aws, fault, at
        self.calls: list[str] = []
        self.armed = False
        self.fired = ""

    def _before(self, event_name: str, **_: Any) -> None:
        if not self.armed:
            return
        self.calls.append(event_name.split(".", 1)[1])
        if len(self.calls) - 1 != self.at or self.fault == "timeout_after":
            return
        self.fired = self.calls[-1]
        if self.fault == "client_error":
            error = {"Error": {"Code": "InternalServerError", "Message": "injected"}}
            raise ClientError(error, event_name.rsplit(".", 1)[-1])
        raise EndpointConnectionError(endpoint_url="https://injected.example")

    def _after(self, event_name: str, **_: Any) -> None:
        at_it = self.armed and len(self.calls) - 1 == self.at and not self.fired
        if at_it and self.fault == "timeout_after":
            self.fired = self.calls[-1]
            raise ReadTimeoutError(endpoint_url="https://injected.example")

    @contextmanager
    def on(self) -> Iterator[None]:
        for name in SERVICES:
            self.aws[name].meta.events.register(f"before-call.{name}", self._before)
            self.aws[name].meta.events.register(f"after-call.{name}", self._after)
        self.armed = True
        try:
            yield
        finally:
            self.armed = False
            for name in SERVICES:
                self.aws[name].meta.events.unregister(f"before-call.{name}", self._before)
                self.aws[name].meta.events.unregister(f"after-call.{name}", self._after)


def retried(step: Callable[[], bool], desk: SurveyDesk, pause_minutes: float) -> int:
    """Run `step` until it succeeds, as its caller retries; the attempts it took."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            if step():
                return attempt
        except Exception:  # noqa: S110 - the caller sees a failed invocation and retries
            pass
        desk.h.clock.advance(minutes=pause_minutes * attempt)
    raise AssertionError(f"still failing after {ATTEMPTS} attempts")


def inbound(desk: SurveyDesk, raw: bytes, mail_id: str) -> Callable[[], bool]:
    h = desk.h
    h.aws["s3"].put_object(Bucket="helpdesk-mail-test", Key=f"inbound/{mail_id}", Body=raw)
    event = ses_event(
        raw,
        mail_id=mail_id,
        recipients=("support@example.com",),
        source=ANNA,
        at=h.clock.now(),
        function_arn=FUNCTION_ARN,
    )
    return lambda: bool(h.client.lambda_.invoke("inbound_email", event).payload)


def scheduled(desk: SurveyDesk, name: str) -> Callable[[], bool]:
    event = desk.event_of(name)
    return lambda: "refused" not in desk.h.client.lambda_.invoke("scheduled", event).payload


def to_customer(desk: SurveyDesk) -> list[Any]:
    return [m for m in desk.h.sent() if ANNA in str(m["To"])]


def tickets(desk: SurveyDesk) -> list[int]:
    return [n for n in range(1000, 1010) if desk.h.ticket(n) is not None]


# -- the steps of a ticket's life: arrange, then the step under faults, then what must hold ---


def new_ticket(desk: SurveyDesk, faults: Faults) -> None:
    step = inbound(desk, make_mail(message_id="<q1@customer.example>"), "m" + "1" * 30)
    with faults.on():
        retried(step, desk, 1)
    assert len(tickets(desk)) == 1, "one ticket, whatever failed"
    [number] = tickets(desk)
    assert len(to_customer(desk)) == 1, "one acknowledgement, never two"
    assert any(s.startswith(f"sla-{number}-") for s in desk.schedules()), "its deadlines are set"


def customer_reply(desk: SurveyDesk, faults: Faults) -> None:
    desk.mail_in(message_id="<q1@customer.example>")
    before = len(desk.h.sent())
    raw = make_mail(subject="Re: Invoice [#1001]", body="It is still wrong.\n")
    step = inbound(desk, raw, "m" + "2" * 30)
    with faults.on():
        retried(step, desk, 1)
    assert tickets(desk) == [1001]
    inbound_texts = [m["text"] for m in desk.h.messages(1001) if m["kind"] == "inbound"]
    assert sum("still wrong" in t for t in inbound_texts) == 1, "the reply, once"
    assert len(desk.h.sent()) == before


def agent_reply(desk: SurveyDesk, faults: Faults) -> None:
    desk.mail_in(message_id="<q1@customer.example>")
    before = len(to_customer(desk))
    path, headers = "/api/tickets/1001/replies", {"Idempotency-Key": "draft-1"}

    def step() -> bool:
        response = desk.api.post(path, {"body": "Corrected."}, headers=headers)
        return bool(response.status_code < 500)

    with faults.on():
        retried(step, desk, 0.1)
    assert len(to_customer(desk)) == before + 1, "the answer, once"
    assert len([m for m in desk.h.messages(1001) if m["kind"] == "outbound"]) == 1


def sla_firing(desk: SurveyDesk, faults: Faults) -> None:
    desk.mail_in(message_id="<q1@customer.example>")
    [name] = [s for s in desk.schedules() if s.startswith("sla-1001-fr-b-")]
    desk.h.clock.advance(hours=30)
    step = scheduled(desk, name)
    with faults.on():
        retried(step, desk, 2)
    assert len(desk.notices()) >= 1, "the escalation is never lost"
    assert desk.h.ticket(1001).sla_state == "breached"


def survey_send(desk: SurveyDesk, faults: Faults) -> None:
    desk.mail_in(message_id="<q1@customer.example>")
    desk.solve()
    [name] = [s for s in desk.schedules() if s.endswith("-send")]
    desk.h.clock.advance(days=3, hours=1)
    step = scheduled(desk, name)
    with faults.on():
        retried(step, desk, 2)
    assert len(desk.surveys()) == 1, "the survey, once"


def survey_answer(desk: SurveyDesk, faults: Faults) -> None:
    links = desk.solved_and_sent()

    def step() -> bool:
        return bool(desk.post(links["no"], "answer=no&comment=Not+yet.").status_code < 500)

    with faults.on():
        retried(step, desk, 0.1)
    desk.advance(minutes=5)  # a notice that failed goes from its schedule
    assert len(desk.survey_notices()) >= 1, "the agent hears of the No"
    assert desk.h.ticket(1001).status == "open"


STEPS: dict[str, tuple[Callable[[SurveyDesk, Faults], None], int]] = {
    # each step's AWS calls, counted in a clean run, plus one: the last index runs clean
    "new_ticket": (new_ticket, 8),
    "customer_reply": (customer_reply, 4),
    "agent_reply": (agent_reply, 8),
    "sla_firing": (sla_firing, 5),
    "survey_send": (survey_send, 6),
    "survey_answer": (survey_answer, 5),
}
CASES = [
    (step, fault, at)
    for step, (_, width) in STEPS.items()
    for fault in FAULTS
    for at in range(width)
]


@pytest.mark.parametrize(("step", "fault", "at"), CASES)
def test_no_fault_loses_a_mail_or_sends_one_twice(
    helpdesk: Helpdesk, api: Api, step: str, fault: str, at: int
) -> None:
    desk = SurveyDesk(helpdesk, api)
    faults = Faults(helpdesk.aws, fault, at)
    STEPS[step][0](desk, faults)


@pytest.mark.parametrize("step", sorted(STEPS))
def test_the_matrix_reaches_every_aws_call_of_each_step(
    helpdesk: Helpdesk, api: Api, step: str
) -> None:
    desk = SurveyDesk(helpdesk, api)
    faults = Faults(helpdesk.aws, "none", -1)
    STEPS[step][0](desk, faults)
    assert len(faults.calls) < STEPS[step][1], faults.calls
