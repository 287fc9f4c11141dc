"""Agent views on DynamoDB: a list is one Query of a GSI partition, a ticket one of its own."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.table import DynamoTable, Item
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.ports import Page, PartitionKind, TicketRecord, ViewQuery

_INDEX = {
    PartitionKind.QUEUE: "GSI1",
    PartitionKind.ASSIGNEE: "GSI2",
    PartitionKind.STATUS: "GSI3",
    PartitionKind.REQUESTER: "GSI4",
    PartitionKind.UNASSIGNED: "GSI5",
    PartitionKind.FLAG: "GSI6",
}


def partition_key(query: ViewQuery) -> tuple[str, str]:
    """The index and key of a view, in the formats of items.index_attributes."""
    keys = {
        PartitionKind.QUEUE: f"Q#{query.value}#{query.group}",
        PartitionKind.ASSIGNEE: f"A#{query.value}#{query.group}",
        PartitionKind.STATUS: f"S#{query.value}",
        PartitionKind.REQUESTER: f"R#{query.value}",
        PartitionKind.UNASSIGNED: f"U#{query.value}#{query.group}",
        PartitionKind.FLAG: f"F#{query.value}",
    }
    return _INDEX[query.kind], keys[query.kind]


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key_names: tuple[str, ...], pinned: dict[str, str]) -> Any:
    """LastEvaluatedKey back from a cursor; only one of this very partition is accepted."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise InvalidInput("cursor", "not a cursor this API gave out") from e
    valid = (
        isinstance(key, dict)
        and set(key) == set(key_names)
        and all(isinstance(v, dict) and list(v) == ["S"] for v in key.values())
        and all(isinstance(v["S"], str) and v["S"] for v in key.values())
        and all(key[name]["S"] == value for name, value in pinned.items())
    )
    if not valid:
        raise InvalidInput("cursor", "not a cursor of this list")
    return key


class DynamoTicketViews(DynamoTable):
    def query_view(self, query: ViewQuery) -> Page:
        index, pk = partition_key(query)
        names = {"#pk": f"{index}PK"}
        values: Item = {":pk": pk}
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ScanIndexForward": not query.newest_first,
            "Limit": query.limit,
        }
        conditions = _filters(query, names, values)
        if conditions:
            kwargs["FilterExpression"] = " AND ".join(conditions)
        if query.cursor:
            key_names = ("PK", "SK", f"{index}PK", f"{index}SK")
            kwargs["ExclusiveStartKey"] = decode_cursor(query.cursor, key_names, {f"{index}PK": pk})
        found, last = self.query(ExpressionAttributeNames=names, values=values, **kwargs)
        return Page([items.ticket_from_item(i) for i in found], encode_cursor(last))

    def ticket_record(self, number: int) -> TicketRecord | None:
        found = self._whole_partition(items.ticket_pk(number))
        meta = next((i for i in found if i["SK"] == items.META), None)
        if meta is None:
            return None
        return TicketRecord(
            ticket=items.ticket_from_item(meta),
            messages=[items.message_from_item(i) for i in found if i["SK"].startswith("MSG#")],
            events=[items.event_from_item(i) for i in found if i["SK"].startswith("EVT#")],
        )

    def _whole_partition(self, pk: str) -> list[Item]:
        found: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page, start = self.query(KeyConditionExpression="PK = :pk", values={":pk": pk}, **extra)
            found += page
            if not start:
                return found


def _filters(query: ViewQuery, names: dict[str, str], values: Item) -> list[str]:
    conditions = []
    if query.statuses:
        names["#status"] = "status"
        keys = [f":status{i}" for i in range(len(query.statuses))]
        values |= dict(zip(keys, query.statuses, strict=True))
        conditions.append(f"#status IN ({', '.join(keys)})")
    if query.queue:
        names["#queue"] = "queue"
        values[":queue"] = query.queue
        conditions.append("#queue = :queue")
    if query.assignee:
        names["#assignee"] = "assignee"
        values[":assignee"] = query.assignee
        conditions.append("#assignee = :assignee")
    if query.unassigned_only:
        names["#assignee"] = "assignee"
        conditions.append("attribute_not_exists(#assignee)")
    return conditions
