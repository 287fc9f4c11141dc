"""Acknowledgement limits under moto: one counter item per address and one per domain, both
checked in the ticket's transaction."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest

from tests.helpers import make_mail
from tests.integration.conftest import Helpdesk


@pytest.fixture
def settings(aws_env: None) -> Any:
    from chalicelib.config import Settings

    base = Settings.from_env(dict(os.environ))
    return replace(base, ack=replace(base.ack, max_per_domain_per_hour=2))


def deliver_from(helpdesk: Helpdesk, address: str) -> dict[str, Any]:
    return helpdesk.deliver(make_mail(sender=address, subject=f"From {address}"), source=address)


def counted(helpdesk: Helpdesk, key: str) -> int | None:
    """The day's total of one counter item (RATE#<key>), None when there is none."""
    from chalicelib.adapters.dynamo.table import from_attr

    found = helpdesk.aws["dynamodb"].query(
        TableName="helpdesk-test",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"RATE#{key}"}},
    )["Items"]
    return int(from_attr(found[0])["total"]) if found else None


def test_the_third_address_of_one_domain_in_an_hour_gets_no_ack(helpdesk: Helpdesk) -> None:
    results = [deliver_from(helpdesk, f"user{i}@customer.example") for i in range(3)]

    assert [r["acknowledged"] for r in results] == [True, True, False]
    assert results[2]["reason"] == "rate_limited" and results[2]["outcome"] == "ticket"
    assert len(helpdesk.sent()) == 2
    assert counted(helpdesk, "@customer.example") == 2
    assert counted(helpdesk, "user2@customer.example") is None  # its transaction counted nothing
    helpdesk.clock.advance(hours=1)
    assert deliver_from(helpdesk, "user2@customer.example")["acknowledged"]


def test_plus_tags_share_one_counter_item(helpdesk: Helpdesk) -> None:
    for address in ("anna+a@customer.example", "anna+b@customer.example"):
        assert deliver_from(helpdesk, address)["acknowledged"]
    assert counted(helpdesk, "anna@customer.example") == 2


def test_free_mail_senders_have_no_domain_counter(helpdesk: Helpdesk) -> None:
    results = [deliver_from(helpdesk, f"user{i}@gmail.com") for i in range(3)]
    assert all(r["acknowledged"] for r in results)
    assert counted(helpdesk, "@gmail.com") is None
