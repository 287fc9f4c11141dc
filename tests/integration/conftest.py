"""Fixtures for driving the app as Lambda and API Gateway would, against moto."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from tests.fakes import FakeClock
from tests.helpers import deliver, sent_mail


@dataclass
class Helpdesk:
    """The deployed helpdesk, as the tests see it: mail in, tables and outbox to look at."""

    aws: dict[str, Any]
    client: Any
    clock: FakeClock
    container: Any

    def deliver(self, raw: bytes, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("at", self.clock.now())
        return deliver(self.aws, self.client, raw, **kwargs)

    def sent(self) -> list[EmailMessage]:
        return [
            message_from_bytes(m.raw_data.encode(), policy=policy.default)  # type: ignore[misc]
            for m in sent_mail(self.aws)
        ]

    def ticket(self, number: int) -> Any:
        return self.container.store.get_ticket(number)

    def items(self, number: int) -> list[dict[str, Any]]:
        from chalicelib.adapters.dynamo.table import from_attr

        response = self.aws["dynamodb"].query(
            TableName="helpdesk-test",
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"TICKET#{number}"}},
        )
        return [from_attr(i) for i in response["Items"]]

    def messages(self, number: int) -> list[dict[str, Any]]:
        return [i for i in self.items(number) if i["type"] == "message"]

    def events(self, number: int) -> list[dict[str, Any]]:
        return [i for i in self.items(number) if i["type"] == "event"]

    def quarantine(self) -> list[Any]:
        return list(self.container.store.list_quarantine())


@pytest.fixture
def client(container: Any) -> Iterator[Any]:
    from chalice.test import Client

    from app import app

    with Client(app) as c:
        yield c


@pytest.fixture
def helpdesk(aws: dict[str, Any], client: Any, clock: FakeClock, container: Any) -> Helpdesk:
    return Helpdesk(aws, client, clock, container)


@pytest.fixture
def no_scans(aws: dict[str, Any]) -> Iterator[list[str]]:
    """Fails any DynamoDB Scan; yields the names of every call made."""
    calls: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        calls.append(operation)
        assert operation != "Scan", "the helpdesk must never Scan"

    aws["dynamodb"].meta.events.register("before-call.dynamodb", record)
    yield calls
    aws["dynamodb"].meta.events.unregister("before-call.dynamodb", record)


@dataclass
class AwsCalls:
    """Every AWS call the app made ("dynamodb.Query", "sesv2.SendEmail"…), and Query sizes."""

    calls: list[str]
    queries: list[dict[str, int]]

    def clear(self) -> None:
        self.calls.clear()
        self.queries.clear()

    def of(self, service: str) -> list[str]:
        return [c.split(".", 1)[1] for c in self.calls if c.startswith(service + ".")]


@pytest.fixture
def aws_calls(aws: dict[str, Any]) -> Iterator[AwsCalls]:
    """Records the calls of the dynamodb, sesv2, s3 and scheduler clients; a Scan fails."""
    seen = AwsCalls([], [])

    def before(event_name: str, **_: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        seen.calls.append(f"{service}.{operation}")
        assert operation != "Scan", "the helpdesk must never Scan"

    def after(parsed: dict[str, Any], **_: Any) -> None:
        if "ScannedCount" in parsed:
            seen.queries.append({"Count": parsed["Count"], "ScannedCount": parsed["ScannedCount"]})

    services = ("dynamodb", "sesv2", "s3", "scheduler")
    for name in services:
        aws[name].meta.events.register(f"before-call.{name}", before)
    aws["dynamodb"].meta.events.register("after-call.dynamodb.Query", after)
    yield seen
    for name in services:
        aws[name].meta.events.unregister(f"before-call.{name}", before)
    aws["dynamodb"].meta.events.unregister("after-call.dynamodb.Query", after)


@dataclass
class Api:
    """The JSON API through chalice.test.Client, signed in as someone."""

    client: Any
    token: str

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token or self.token}",
            "Content-Type": "application/json",
        }

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        import json

        raw = (
            body
            if isinstance(body, str | bytes)
            else (json.dumps(body) if body is not None else None)
        )
        return getattr(self.client.http, method.lower())(
            path, headers=self.headers(token) | (headers or {}), body=raw
        )

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)

    def as_agent(self, email: str, name: str, role: str = "agent", **fields: Any) -> Api:
        self.post("/api/agents", {"email": email, "name": name, "role": role, **fields})
        token = self.post(f"/api/agents/{email}/tokens", {"label": "test"}).json_body["token"]
        return Api(self.client, token)


@pytest.fixture
def api(client: Any, container: Any) -> Api:
    issued = container.agents.ensure_admin("admin@example.com", "Ada Admin")
    return Api(client, issued.secret)
