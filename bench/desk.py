"""The helpdesk in-process under moto, driven as SES, Lambda, API Gateway and Scheduler drive it."""

from __future__ import annotations

import importlib
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any

from bench.config import memory_mb
from bench.observe import CallLog, LogSink
from local.provision import AWS_SERVICES

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK = "helpdesk-bench"
ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SESSION_TOKEN": "bench",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "TABLE_NAME": "helpdesk-bench",
    "MAIL_BUCKET": "helpdesk-mail-bench",
    "SCHEDULER_GROUP": "helpdesk-bench",
    "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/{STACK}-scheduler",
    "SCHEDULER_TARGET_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-scheduled",
    "HELPDESK_STAGE": "bench",
    "POWERTOOLS_SERVICE_NAME": "helpdesk",
    "POWERTOOLS_METRICS_NAMESPACE": "Helpdesk",
    "PUBLIC_BASE_URL": "https://helpdesk.example/api",  # where the survey links point
    "SURVEY_SECRET_PARAMETER": "/helpdesk-bench/survey-secret",  # as deployed: read from SSM
}
HARNESS_SERVICES = (*AWS_SERVICES, "ssm")  # what provision() creates, and the survey secret
APP_SERVICES = ("s3", "dynamodb", "sesv2", "scheduler")
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Helsinki
INBOUND_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}-inbound-email"


class MovableClock:
    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def set(self, at: datetime) -> None:
        self.current = at.astimezone(UTC)

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


@dataclass
class Desk:
    """The deployed helpdesk as the benchmarks see it."""

    app: Any  # the app module
    aws: dict[str, Any]  # the harness's own clients: SES's S3 action, reading moto; not counted
    clients: dict[str, Any]  # the app's clients, every call counted in `log`
    container: Any
    http: Any  # chalice.test.Client
    clock: MovableClock
    log: CallLog
    sink: LogSink
    durations: list[tuple[str, float]] = field(default_factory=list)  # (function, seconds)

    def deliver(
        self,
        raw: bytes,
        *,
        recipients: Sequence[str] = ("support@example.com",),
        verdicts: Mapping[str, str] | None = None,
        mail_id: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """SES's part: the S3 action stores the raw mail, then the Lambda action runs."""
        from local.ses_events import new_mail_id, ses_event

        mail_id = mail_id or new_mail_id()
        self.aws["s3"].put_object(Bucket=ENV["MAIL_BUCKET"], Key=f"inbound/{mail_id}", Body=raw)
        event = ses_event(
            raw,
            mail_id=mail_id,
            recipients=recipients,
            source=envelope_sender(raw),
            at=self.clock.now(),
            function_arn=INBOUND_ARN,
            verdicts=verdicts,
        )
        result = self.invoke("inbound_email", event)
        return mail_id, dict(result["results"][0])

    def invoke(self, function: str, event: Any) -> Any:
        """One Lambda invocation, timed, its log lines and metrics counted."""
        from chalice.local import LambdaContext

        context = LambdaContext(f"{STACK}-{function}", memory_mb(function), 60_000)
        context.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STACK}"
        handler: Callable[[Any, Any], Any] = getattr(self.app, function)
        started = time.perf_counter()
        with redirect_stdout(self.sink):
            result = handler(event, context)
        self.durations.append((function, time.perf_counter() - started))
        return result

    def request(
        self,
        method: str,
        path: str,
        token: str,
        body: str = "",
        content_type: str = "",
        extra: Mapping[str, str] | None = None,
    ) -> Any:
        """One API Gateway request through Chalice's test client, timed like an invocation."""
        headers = {**(extra or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        if body:
            headers["Content-Type"] = content_type or "application/json"
        started = time.perf_counter()
        with redirect_stdout(self.sink):
            response = self.http.http.request(method, path, headers=headers, body=body.encode())
        self.durations.append(("api_handler", time.perf_counter() - started))
        return response

    def agent(self, email: str, name: str, queues: Sequence[str] = ()) -> str:
        """A new agent and an API token for it (the harness's calls are not counted)."""
        agents = self.container.agents
        agents.create(email=email, name=name, queues=list(queues))
        token: str = agents.issue_token(email, "bench").secret
        return token

    def admin(self) -> str:
        token: str = self.container.agents.ensure_admin("admin@example.com", "Ada Admin").secret
        return token

    def outbox(self) -> list[dict[str, Any]]:
        """What the helpdesk sent through SES, newest first, as the recipients see it."""
        from local.outbox import read_outbox

        return read_outbox(REGION, ACCOUNT)

    def schedules(self) -> list[Any]:
        from local.schedules import MotoSchedules

        return MotoSchedules(self.aws["scheduler"], ENV["SCHEDULER_GROUP"]).schedules()

    def fire(self, schedule: Any) -> Any:
        """EventBridge Scheduler's part: at the due time, invoke the target with the Input."""
        from local.schedules import MotoSchedules, due_time

        at = due_time(schedule.expression, schedule.timezone)
        if at is not None and at > self.clock.now():
            self.clock.set(at)
        result = self.invoke(target_function(schedule.target_arn), schedule.event())
        if schedule.after_completion == "DELETE":
            MotoSchedules(self.aws["scheduler"], ENV["SCHEDULER_GROUP"]).delete(schedule)
        return result

    def fire_until(self, until: datetime) -> list[Any]:
        """Every schedule due by `until`, in due order (firings may create more); the results."""
        from local.schedules import due_time

        results, fired = [], set()
        for _ in range(50):
            due = [
                (at, s)
                for s in self.schedules()
                if s.key not in fired and (at := due_time(s.expression, s.timezone)) is not None
                if at <= until
            ]
            if not due:
                break
            at, first = min(due, key=lambda pair: (pair[0], pair[1].name))
            fired.add(first.key)
            results.append((first, self.fire(first)))
        self.clock.set(max(until, self.clock.now()))
        return results


def target_function(arn: str) -> str:
    """`...:function:helpdesk-bench-scheduled` → `scheduled` (the app's handler name)."""
    name = arn.rsplit(":function:", 1)[-1]
    return name.removeprefix(f"{STACK}-").replace("-", "_")


def envelope_sender(raw: bytes) -> str:
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    return parseaddr(str(headers.get("From", "")))[1] or "unknown@customer.example"


@contextmanager
def bench_env(extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """The benchmark's dummy AWS environment; nothing can reach a real account."""
    saved = dict(os.environ)
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(key, None)
    os.environ.update(ENV | dict(extra or {}))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def running_desk(start: datetime = START) -> Iterator[Desk]:
    """moto in-process with the resources infra/ declares, and the app wired to it."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib import bootstrap
    from local import moto_patch
    from local.provision import Names, provision

    moto_patch.apply()
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with bench_env(), mock_aws():
        aws = {name: boto3.client(name, region_name=REGION) for name in HARNESS_SERVICES}
        names = Names(ENV["MAIL_BUCKET"], ENV["TABLE_NAME"], ENV["SCHEDULER_GROUP"], REGION, STACK)
        provision(aws, names)
        put_survey_secret(aws["ssm"])
        app = importlib.import_module("app")
        log, sink, clock = CallLog(), LogSink(), MovableClock(start)
        container = counted_container(log, clock)
        handler = app.logger.registered_handler
        stream = handler.setStream(sink)
        bootstrap.use(container)
        try:
            with Client(app.app) as http:
                clients = {name: container.client(name) for name in APP_SERVICES}
                yield Desk(app, aws, clients, container, http, clock, log, sink)
        finally:
            bootstrap.use(None)
            handler.setStream(stream)


def put_survey_secret(ssm: Any) -> None:
    """The SecureString the deployment guide has an operator create before deploying."""
    ssm.put_parameter(
        Name=ENV["SURVEY_SECRET_PARAMETER"],
        Type="SecureString",
        Value="bench-survey-secret-" + "0123456789abcdef" * 2,
        Overwrite=True,
    )


def counted_container(log: CallLog, clock: MovableClock) -> Any:
    """The production wiring (Powertools metrics included), every client it makes watched."""
    from chalicelib.adapters.aws.runtime import PowertoolsMetrics
    from chalicelib.bootstrap import Container
    from chalicelib.config import Settings

    class Counted(Container):
        def client(self, name: str) -> Any:
            made = name in self._clients
            client = super().client(name)
            if not made:
                log.watch(client)
            return client

    counted = Counted(Settings.from_env(dict(os.environ)), clock=clock, metrics=PowertoolsMetrics())
    for name in APP_SERVICES:
        counted.client(name)
    return counted
