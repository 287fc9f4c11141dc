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
        from chalicelib.adapters.dynamo_store import from_attr

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
