"""Item sizes by DynamoDB's rules, and the items inbound mail writes staying under the budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.adapters.dynamo.items import message_to_item, ticket_to_item
from chalicelib.adapters.dynamo.sizes import ITEM_BUDGET, ITEM_LIMIT, item_size, value_size
from chalicelib.domain.tickets.changes import after_agent_reply
from chalicelib.domain.tickets.fitting import fit
from chalicelib.domain.tickets.model import (
    AttachmentRef,
    Message,
    MessageKind,
    Party,
    Status,
    on_customer_reply,
)
from tests.helpers import a_ticket

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("abc", 3),
        ("ä€", 5),  # UTF-8 bytes, not characters
        (True, 1),
        (None, 1),
        (b"\x00\x01", 2),
        (7, 2),  # one significant digit: 1 byte + 1
        (123456, 4),  # six digits: 3 bytes + 1
        (1000, 2),  # trailing zeros are trimmed
        (Decimal("0.0015"), 2),  # so are leading ones
        ([], 3),
        (["ab", "c"], 3 + (1 + 2) + (1 + 1)),  # 3 bytes, then 1 byte an element
        ({"k": "vv"}, 3 + 1 + 1 + 2),  # map keys count as names
        ({"a", "bb"}, 3),  # a set: its elements only
    ],
)
def test_values_measure_as_dynamodb_counts_them(value: object, size: int) -> None:
    assert value_size(value) == size


def test_an_item_is_its_names_plus_its_values() -> None:
    assert item_size({"PK": "TICKET#1", "n": 12, "cc": ["a@b.c"]}) == (2 + 8) + (1 + 2) + (2 + 9)


def test_the_budget_leaves_a_margin_under_the_400_kb_limit() -> None:
    assert ITEM_BUDGET <= ITEM_LIMIT * 0.9


def worst_message() -> Message:
    """Every field at the largest the parser and inbound_message produce."""
    long_name = "ä" * 150  # MAX_FILENAME characters, two bytes each
    attachment = AttachmentRef(
        long_name, "application/vnd." + "x" * 100, 25 * 1024 * 1024, key=None, skipped="x" * 40
    )
    return Message(
        id="20261123T080000000000-abcd1234",
        ticket_number=1001,
        kind=MessageKind.INBOUND,
        created_at=AT,
        author=Party("a" * 64 + "@customer.example", "n" * 2000),
        subject="s" * 2000,
        text="t" * 96_000,
        quoted="q" * 48_000,
        html="h" * 144_000,
        to=tuple(f"{'t' * 200}{i}@relay.example" for i in range(16_000)),
        cc=tuple(f"{'c' * 200}{i}@relay.example" for i in range(16_000)),
        attachments=(attachment,) * 4000,
        message_id="m" * 2000,
        provider_id="p" * 40,
        raw_key="inbound/" + "p" * 40,
        flags=("truncated", "defects"),
        meta={"defects": ["d" * 100] * 20},
    )


def test_the_largest_mail_the_parser_can_give_is_cut_to_fit() -> None:
    message = worst_message()
    assert item_size(message_to_item(message)) > ITEM_LIMIT

    fitted = fit(message, lambda m: item_size(message_to_item(m)) - ITEM_BUDGET)

    assert item_size(message_to_item(fitted)) <= ITEM_BUDGET
    assert fitted.meta["counts"] == {"to": 16_000, "cc": 16_000, "attachments": 4000}


def test_the_ticket_item_stays_bounded_over_a_thousand_replies() -> None:
    ticket = a_ticket(AT, status=Status.OPEN, thread_ids=("first@customer.example",))
    sizes = []
    for n in range(1000):
        at = AT + timedelta(minutes=n)
        offered = tuple(f"{'x' * 200}-{n}-{i}@customer.example" for i in range(20))
        ticket, _ = on_customer_reply(ticket, at=at, message_id="m" * 1990 + f"{n:05d}", cc=offered)
        agent_cc = tuple(f"agent-{n}-{i}@partner.example" for i in range(10))
        ticket, _ = after_agent_reply(
            ticket, at=at, actor="mikko", status=Status.PENDING, cc=agent_cc, thread_id=f"s{n}"
        )
        ticket = replace(ticket, version=ticket.version + 1)
        sizes.append(item_size(ticket_to_item(ticket)))
    assert max(sizes) <= ITEM_BUDGET // 4
    assert max(sizes[100:]) - min(sizes[100:]) < 100, "after a hundred replies it stops growing"
