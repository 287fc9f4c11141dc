"""The views read the partitions dynamo_items writes, and cursors only resume their own list."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.dynamo.items import index_attributes
from chalicelib.adapters.dynamo.views import decode_cursor, encode_cursor, partition_key
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tickets.model import Party, Priority, Status, Ticket
from chalicelib.services.ports import PartitionKind as K
from chalicelib.services.ports import ViewQuery

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TICKET = Ticket(
    number=1001,
    subject="s",
    requester=Party("anna@customer.example"),
    queue="Second line",
    status=Status.OPEN,
    priority=Priority.NORMAL,
    language="en",
    created_at=AT,
    updated_at=AT,
    sla_state="at_risk",
)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (ViewQuery(K.QUEUE, "Second line", "todo"), "GSI1"),
        (ViewQuery(K.ASSIGNEE, "-", "todo"), "GSI2"),
        (ViewQuery(K.STATUS, "todo", "todo"), "GSI3"),
        (ViewQuery(K.REQUESTER, "anna@customer.example"), "GSI4"),
        (ViewQuery(K.UNASSIGNED, "Second line", "todo"), "GSI5"),
        (ViewQuery(K.FLAG, "at_risk", "todo"), "GSI6"),
    ],
)
def test_each_view_key_is_the_key_a_ticket_is_written_under(query: ViewQuery, index: str) -> None:
    assert partition_key(query) == (index, index_attributes(TICKET)[f"{index}PK"])


KEY = {
    "PK": {"S": "TICKET#1001"},
    "SK": {"S": "META"},
    "GSI3PK": {"S": "S#todo"},
    "GSI3SK": {"S": "2026#000001001"},
}
NAMES = ("PK", "SK", "GSI3PK", "GSI3SK")


def test_a_cursor_round_trips() -> None:
    cursor = encode_cursor(KEY)
    assert cursor is not None and "=" not in cursor
    assert decode_cursor(cursor, NAMES, {"GSI3PK": "S#todo"}) == KEY
    assert encode_cursor(None) is None


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _b64([1, 2]),
        _b64({"PK": {"S": "TICKET#1"}}),
        _b64({**KEY, "GSI3PK": {"S": "S#pending"}}),  # another list's cursor
        _b64({**KEY, "SK": {"N": "1"}}),
        _b64({**KEY, "SK": {"S": ""}}),
    ],
)
def test_a_garbage_or_foreign_cursor_is_refused_naming_it(cursor: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        decode_cursor(cursor, NAMES, {"GSI3PK": "S#todo"})
    assert bad.value.field == "cursor"
