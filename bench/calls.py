"""Figure 1: AWS calls per operation, counted by name on every client the app makes, under moto."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, NamedTuple

from bench import survey
from bench.corpus import customer_mail
from bench.desk import Desk, running_desk
from bench.table import FigureResult, Row, Verdict, judged, not_measured, reported

FIGURE = 1
REQUESTER = "anna.virtanen@customer.example"
AGENT = "lena@example.com"


class Done(NamedTuple):
    """What a step did: a problem if it did not do what it is named for, and a note."""

    problem: str = ""
    note: str = ""


Step = Callable[[], Done]


def describe(operations: Iterable[str]) -> str:
    """`GetObject, UpdateItem, CreateSchedule×2`: each name once, in order of first use."""
    counted = Counter(operations)
    return ", ".join(f"{name}×{n}" if n > 1 else name for name, n in counted.items()) or "none"


class Lifecycle:
    """One ticket's life; each step's calls recorded (the harness's own calls are not)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.token = desk.agent(AGENT, "Lena Lind", ["Support"])
        self.ticket = 0

    def measure(self, step: Step, *, warm: bool = True) -> tuple[list[str], Done]:
        if warm:  # the agent's token is checked and cached first: its 2 reads are not counted
            self.desk.request("GET", "/api/me", self.token)
        self.desk.log.clear()
        done = step()
        return self.desk.log.operations(), done

    def cold_auth(self) -> Done:
        return _status(self.desk.request("GET", "/api/me", self.token), 200)

    def new_ticket(self) -> Done:
        raw = customer_mail(
            subject="Invoice 4711 shows the wrong amount",
            body="Hello,\n\nmy invoice 4711 shows 120 EUR but the order was 100 EUR.\n\nAnna\n",
            message_id="<calls-1@customer.example>",
        )
        _, result = self.desk.deliver(raw)
        self.ticket = int(result.get("ticket") or 0)
        return _outcome(result, "ticket", acknowledged=True)

    def new_ticket_with_attachments(self) -> Done:
        raw = customer_mail(
            subject="Photos of the damaged parcel",
            body="Hi,\n\nthe parcel arrived broken, photos attached.\n\nMikko\n",
            sender="Mikko Mäkelä <mikko@customer.example>",
            message_id="<calls-2@customer.example>",
            attachments=[("parcel-1.pdf", 200_000), ("parcel-2.pdf", 200_000)],
        )
        return _outcome(self.desk.deliver(raw)[1], "ticket", acknowledged=True)

    def sla_firing(self) -> Done:
        due = sorted(
            (s for s in self.desk.schedules() if _event(s).get("type") == "sla"),
            key=lambda s: s.expression,
        )
        warnings = [s for s in due if "-w-" in s.name and _event(s).get("ticket") == self.ticket]
        if not warnings:
            return Done("no SLA warning schedule was created")
        fired = self.desk.fire(warnings[0])
        return Done("" if fired.get("outcome") == "warning" else f"the firing was {fired}")

    def agent_reply(self, status: str = "pending") -> Done:
        """As the UI sends it: with an Idempotency-Key (one conditional PutItem more)."""
        body = json.dumps({"body": "Thank you, the invoice is corrected.", "status": status})
        path = f"/api/tickets/{self.ticket}/replies"
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return _status(self.desk.request("POST", path, self.token, body, extra=key), 201)

    def customer_reply(self) -> Done:
        ours = self._latest_to_requester()
        raw = customer_mail(
            subject=f"Re: {ours['subject']}",
            body="Thanks, but the new invoice still says 120 EUR.\n\nAnna\n",
            message_id="<calls-3@customer.example>",
            headers={"In-Reply-To": ours["message_id"], "References": ours["message_id"]},
        )
        return _outcome(self.desk.deliver(raw)[1], "reply", acknowledged=False)

    def auto_reply_on_ticket(self) -> Done:
        ours = self._latest_to_requester()
        raw = customer_mail(
            subject=f"Automatic reply: {ours['subject']}",
            body="I am out of the office until Monday.\n",
            message_id="<calls-4@customer.example>",
            headers={"In-Reply-To": ours["message_id"], "Auto-Submitted": "auto-replied"},
        )
        return _outcome(self.desk.deliver(raw)[1], "reply", acknowledged=False)

    def auto_reply_new(self) -> Done:
        raw = customer_mail(
            subject="Automatic reply: Your order",
            body="I am on holiday until 2 December.\n",
            sender="Pekka <pekka@stranger.example>",
            message_id="<calls-5@stranger.example>",
            headers={"Auto-Submitted": "auto-replied"},
        )
        _, result = self.desk.deliver(raw)
        acked = "an acknowledgement was sent" if result.get("acknowledged") else ""
        return Done(acked, f"{result.get('outcome')}, {result.get('reason') or 'no reason'}")

    def list_page(self) -> Done:
        return _status(self.desk.request("GET", "/api/tickets?limit=50", self.token), 200)

    def detail(self) -> Done:
        return _status(self.desk.request("GET", f"/api/tickets/{self.ticket}", self.token), 200)

    def survey_secret(self) -> Done:
        """The link-signing key: read from SSM on first use in a container, then kept."""
        return Done("" if self.desk.container.survey_secret else "no secret")

    def survey_send(self) -> Done:
        schedule = survey.send_schedule(self.desk, self.ticket)
        if schedule is None:
            return Done("solving created no survey_send schedule")
        self.desk.fire(schedule)
        return Done("" if survey.link_token(self.desk, REQUESTER) else "no survey link was mailed")

    def survey_answer(self) -> Done:
        token = survey.link_token(self.desk, REQUESTER)
        if token is None:
            return Done("no survey link to answer")
        response = survey.answer(self.desk, token)
        return Done("" if response.status_code < 400 else f"HTTP {response.status_code}")

    def _latest_to_requester(self) -> dict[str, Any]:
        return next(m for m in self.desk.outbox() if REQUESTER in " ".join(m["to"]))


def run(smoke: bool = False) -> FigureResult:
    result = FigureResult()
    with running_desk() as desk:
        life = Lifecycle(desk)
        for row in rows(life, survey.built(desk.app)):
            result.add(row)
    return result


def rows(life: Lifecycle, survey_built: bool) -> Iterable[Row]:
    yield _row(
        "API auth: first request of a token (then cached 60 s)",
        None,
        life.measure(life.cold_auth, warm=False),
    )
    yield _row(
        "new ticket (parse, store, acknowledge, SLA schedules)", 7, life.measure(life.new_ticket)
    )
    yield _row(
        "new ticket with 2 attachments", None, life.measure(life.new_ticket_with_attachments)
    )
    yield _row("SLA firing (a real schedule's payload)", 4, life.measure(life.sla_firing))
    yield _row("agent reply", 5, life.measure(life.agent_reply))
    yield _row("customer reply on a ticket", 5, life.measure(life.customer_reply))
    yield _row("auto-reply on a ticket, suppressed", None, life.measure(life.auto_reply_on_ticket))
    yield _row("auto-reply, new sender, suppressed", None, life.measure(life.auto_reply_new))
    yield _row("list-view page (50)", 2, life.measure(life.list_page))
    yield _row("ticket detail", 2, life.measure(life.detail))
    yield _row("agent reply that solves", 5, life.measure(lambda: life.agent_reply("solved")))
    if not survey_built:
        yield not_measured(FIGURE, "survey send", "report", survey.NOT_BUILT)
        yield not_measured(FIGURE, "survey answer", "≤ 4", survey.NOT_BUILT)
        return
    yield _row(
        "survey secret: first use in a container (then kept)",
        None,
        life.measure(life.survey_secret, warm=False),
    )
    yield _row("survey send (a real schedule's payload)", None, life.measure(life.survey_send))
    yield _row("survey answer", 4, life.measure(life.survey_answer))


def _row(name: str, limit: int | None, measured: tuple[list[str], Done]) -> Row:
    operations, (problem, note) = measured
    remarks = "; ".join(r for r in (problem, note) if r)
    text = f"{len(operations)}: {describe(operations)}" + (f" ({remarks})" if remarks else "")
    if limit is None:
        return reported(FIGURE, name, len(operations), text)
    row = judged(FIGURE, name, len(operations), limit, text)
    return replace(row, verdict=Verdict.MISS) if problem else row  # it did not do its job


def _event(schedule: Any) -> dict[str, Any]:
    event = schedule.event()
    return event if isinstance(event, dict) else {}


def _status(response: Any, expected: int) -> Done:
    return Done("" if response.status_code == expected else f"HTTP {response.status_code}")


def _outcome(result: dict[str, Any], outcome: str, *, acknowledged: bool) -> Done:
    problems = []
    if result.get("outcome") != outcome:
        problems.append(f"outcome {result.get('outcome')}, not {outcome}")
    if bool(result.get("acknowledged")) != acknowledged:
        problems.append("acknowledged" if result.get("acknowledged") else "not acknowledged")
    return Done("; ".join(problems))
