"""Figure 6: AWS cost per 1,000 tickets at list prices, beside SES alone and a per-agent SaaS.

Prices: AWS list prices in us-east-1, on-demand, free tiers ignored, as given in issue 7 and in
effect since 2024-11-01 (DynamoDB on-demand after its November 2024 price cut); API Gateway is
added because agent and survey requests pass through it. Quantities are measured by this run.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from bench import survey
from bench.config import memory_mb
from bench.corpus import compose, customer_mail
from bench.desk import ENV, Desk, running_desk
from bench.meter import DynamoMeter, MailMeter
from bench.table import FigureResult, judged, reported

FIGURE = 6
LIMIT = 1.3
REGION = "us-east-1"
PRICES_DATE = "2024-11-01"
GB = 1024**3
PRICES = {  # USD per unit
    "ses mails received": 0.10 / 1000,
    "ses chunks received": 0.09 / 1000,  # per incoming 256 KB chunk
    "ses mails sent": 0.10 / 1000,
    "ses attachment GB": 0.12,
    "lambda requests": 0.20 / 1e6,
    "lambda GB-seconds": 0.0000166667,  # x86
    "api gateway requests": 3.50 / 1e6,  # REST API, first 333 million a month
    "dynamodb write request units": 0.625 / 1e6,
    "dynamodb read request units": 0.125 / 1e6,
    "dynamodb GB-month": 0.25,
    "s3 put requests": 0.005 / 1000,
    "s3 get requests": 0.0004 / 1000,
    "s3 GB-month": 0.023,  # Standard
    "scheduler invocations": 1.00 / 1e6,
    "logs GB ingested": 0.50,
}
FLOOR = ("ses mails received", "ses chunks received", "ses mails sent", "ses attachment GB")
HELP_SCOUT = {"per user month": 25.0, "users": 5, "tickets a month": 2000}
HELP_SCOUT_SOURCE = "docs.helpscout.com/article/596-billing-and-plans-guide"
AGENT = "lena@example.com"
REQUESTER = "anna.virtanen@customer.example"


@dataclass
class Lifecycle:
    desk: Desk
    token: str
    mail: MailMeter
    ticket: int = 0
    fired: Counter[str] = field(default_factory=Counter)  # "type outcome" of each firing

    def mail_in(self, raw: bytes, outcome: str) -> None:
        self.mail.received(raw)
        result = self.desk.deliver(raw)[1]
        if result["outcome"] != outcome:
            raise RuntimeError(f"the mail became {result}, not a {outcome}")
        self.ticket = self.ticket or int(result["ticket"])

    def agent_answers(self, status: str) -> None:
        path = f"/api/tickets/{self.ticket}"
        self.desk.request("GET", path, self.token)  # the agent opens the ticket first
        body = {"body": "Thank you, the corrected invoice is attached.", "status": status}
        key = {"Idempotency-Key": uuid.uuid4().hex}  # as the UI sends it
        response = self.desk.request(
            "POST", f"{path}/replies", self.token, json.dumps(body), extra=key
        )
        if response.status_code != 201:
            raise RuntimeError(f"agent reply: HTTP {response.status_code} {response.body!r}")

    def wait(self, **time: float) -> None:
        """Time passes; EventBridge Scheduler fires what falls due."""
        for _, result in self.desk.fire_until(self.desk.clock.now() + timedelta(**time)):
            kind = result.get("type", "?") if isinstance(result, dict) else "?"
            outcome = result.get("outcome", "done") if isinstance(result, dict) else "?"
            self.fired[f"{kind} {outcome}"] += 1

    def answer_survey(self) -> bool:
        token = survey.link_token(self.desk, REQUESTER)
        if token is None:
            raise RuntimeError("no survey link was mailed")
        response = survey.answer(self.desk, token)
        if response.status_code >= 400:
            raise RuntimeError(f"survey answer: HTTP {response.status_code}")
        return True


def run_lifecycle(life: Lifecycle, survey_built: bool) -> list[str]:
    """New mail, a warning, two agent answers, a customer reply, survey and answer; the steps."""
    first = compose(
        random.Random(6),
        "fi",
        5_000,
        sender=REQUESTER,
        to="support@example.com",
        subject="Laskussa on väärä summa",
        message_id="<cost-1@customer.example>",
    )
    life.mail_in(first, "ticket")
    life.wait(hours=3, minutes=12)  # 80 % of the 4-hour first response: the warning fires
    life.agent_answers("pending")
    life.wait(hours=4)
    ours = next(m for m in life.desk.outbox() if REQUESTER in " ".join(m["to"]))
    reply = customer_mail(
        subject=f"Re: {ours['subject']}",
        sender=REQUESTER,
        body="Kiitos, mutta summa on yhä väärä.\n\n> " + ours["text"][:600],
        message_id="<cost-2@customer.example>",
        headers={"In-Reply-To": ours["message_id"]},
    )
    life.mail_in(reply, "reply")
    life.wait(hours=1)
    life.agent_answers("solved")
    life.wait(days=4)  # the survey goes out on the third business morning
    steps = [
        "new mail, acknowledgement, SLA schedules",
        "agent opens the ticket and replies",
        "customer replies",
        "agent opens the ticket and solves it",
    ]
    if survey_built and life.answer_survey():
        steps.append("customer answers the survey")
    life.wait(days=60)  # what is left fires (and finds nothing to do)
    fired = ", ".join(f"{name} ×{n}" for name, n in sorted(life.fired.items()))
    return [*steps, f"schedules fired: {fired}"]


Quantities = dict[str, float]  # per ticket, by the names of PRICES


def quantities(desk: Desk, dynamo: DynamoMeter, mail: MailMeter) -> Quantities:
    q = dict.fromkeys(PRICES, 0.0)
    for function, seconds in desk.durations:  # Lambda bills each started millisecond
        q["lambda requests"] += 1
        q["lambda GB-seconds"] += math.ceil(seconds * 1000) / 1000 * memory_mb(function) / 1024
        q["api gateway requests"] += function == "api_handler"
        q["scheduler invocations"] += function == "scheduled"
    for name in (
        "ses mails received",
        "ses chunks received",
        "ses mails sent",
        "s3 put requests",
        "s3 get requests",
    ):
        q[name] = mail.counts[name]
    q["ses attachment GB"] = mail.counts["ses attachment bytes"] / GB
    q["s3 GB-month"] = mail.counts["s3 bytes stored"] / GB
    q["dynamodb write request units"] = (
        dynamo.units["table write request units"] + dynamo.units["index write request units"]
    )
    q["dynamodb read request units"] = dynamo.units["read request units"]
    q["dynamodb GB-month"] = dynamo.storage_bytes() / GB
    q["logs GB ingested"] = desk.sink.bytes / GB
    return q


def run(smoke: bool = False) -> FigureResult:
    with running_desk() as desk:
        built = survey.built(desk.app)
        token = desk.agent(AGENT, "Lena Lind", ["Support"])
        desk.request("GET", "/api/me", token)
        dynamo = DynamoMeter(desk.clients["dynamodb"], desk.aws["dynamodb"], ENV["TABLE_NAME"])
        mail = MailMeter(desk.clients["s3"], desk.clients["sesv2"])
        desk.durations.clear()
        desk.sink.bytes = 0
        steps = run_lifecycle(Lifecycle(desk, token, mail), built)
        q = quantities(desk, dynamo, mail)
        units = dynamo.units
    return report(q, units, steps, built)


def report(q: Quantities, units: dict[str, float], steps: list[str], built: bool) -> FigureResult:
    per_thousand = {name: q[name] * price * 1000 for name, price in PRICES.items()}
    total, floor = sum(per_thousand.values()), sum(per_thousand[n] for n in FLOOR)
    hs = HELP_SCOUT
    saas = hs["per user month"] * hs["users"] / hs["tickets a month"] * 1000
    note = "" if built else "; survey not built: its mail and answer are not counted"
    result = FigureResult(details=details(q, units, per_thousand, steps))
    result.add(
        reported(
            FIGURE,
            f"AWS per 1,000 tickets ({REGION} list prices of {PRICES_DATE})",
            round(total, 3),
            f"${total:.3f}{note}",
        )
    )
    result.add(
        reported(
            FIGURE,
            "floor: SES alone for those mails",
            round(floor, 3),
            f"${floor:.3f} ({q['ses mails received']:.0f} in, "
            f"{q['ses mails sent']:.0f} out per ticket)",
        )
    )
    result.add(
        judged(
            FIGURE, "AWS cost ÷ SES floor", round(total / floor, 2), LIMIT, f"{total / floor:.2f}×"
        )
    )
    result.add(
        reported(
            FIGURE,
            "Help Scout Standard: 5 users × $25/month, 2,000 tickets/month",
            round(saas, 2),
            f"${saas:.2f} per 1,000 tickets ({saas / total:.0f}× ours; {HELP_SCOUT_SOURCE})",
        )
    )
    return result


def details(
    q: Quantities, units: dict[str, float], per_thousand: dict[str, float], steps: list[str]
) -> list[str]:
    lines = [
        f"Cost of one ticket's life ({'; '.join(steps)}), {REGION} list prices of {PRICES_DATE}:",
        "",
        "| item | per ticket | price | per 1,000 tickets |",
        "|---|---|---|---|",
    ]
    for name, price in PRICES.items():
        lines.append(f"| {name} | {q[name]:.6g} | ${price:.6g} | ${per_thousand[name]:.4f} |")
    lines += [
        "",
        f"DynamoDB write units: {units['table write request units']:.0f} on the table "
        f"(transactions count twice), {units['index write request units']:.0f} in the indexes; "
        f"read units {units['read request units']:.1f}. Storage and S3 are one month's worth.",
    ]
    return lines
