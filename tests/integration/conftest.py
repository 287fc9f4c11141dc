"""Fixtures for driving the app as Lambda and API Gateway would, against moto."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from tests.conftest import FakeClock
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
        from chalicelib.adapters.dynamo_table import from_attr

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
class Api:
    """The JSON API through chalice.test.Client, signed in as someone."""

    client: Any
    token: str

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token or self.token}",
            "Content-Type": "application/json",
        }

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        import json

        raw = (
            body
            if isinstance(body, str | bytes)
            else (json.dumps(body) if body is not None else None)
        )
        return getattr(self.client.http, method.lower())(
            path, headers=self.headers(token), body=raw
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
