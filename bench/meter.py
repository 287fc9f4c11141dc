"""Metering for the cost figure: DynamoDB request units from item sizes, S3 requests, SES mail.

DynamoDB on-demand rules (developer guide, "Read/write capacity mode"): a write costs one write
request unit per started KB of the larger of the item before and after (two in a transaction),
plus one write per started KB in every index whose entry it puts or deletes (an index key that
changes is a delete and a put); a read costs one read unit per started 4 KB, half of it when
eventually consistent (a Query sums its items before rounding). Sizes follow the documented
item size: attribute names plus values, 3 bytes per list or map and 1 per element.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from email import message_from_bytes, policy
from typing import Any

Key = str  # a key as canonical JSON, so that it can be a dict key
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
UNITS = ("table write request units", "index write request units", "read request units")
ITEM_OVERHEAD = 100  # bytes DynamoDB adds per item and per index entry for storage


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode("utf-8"))
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    return sum(len(b) for b in inner)  # BS


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return (len(digits) + 1) // 2 + 1


def item_size(item: Mapping[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


class DynamoMeter:
    """Request units of every call of the app's DynamoDB client (read back through `reader`)."""

    def __init__(self, client: Any, reader: Any, table: str) -> None:
        described = reader.describe_table(TableName=table)["Table"]
        self._reader, self._table = reader, table
        self._key_names = [k["AttributeName"] for k in described["KeySchema"]]
        self._indexes = [
            [k["AttributeName"] for k in g["KeySchema"]]
            for g in described.get("GlobalSecondaryIndexes", [])
        ]
        # what each index copies of an item: None for ALL, else the attribute names it holds
        self._projections: list[frozenset[str] | None] = [
            _projected(g, self._key_names) for g in described.get("GlobalSecondaryIndexes", [])
        ]
        self.units: dict[str, float] = dict.fromkeys(UNITS, 0.0)
        self.written: set[Key] = set()
        self._pending: tuple[str, dict[str, Any], list[tuple[str, Key, Any]]] | None = None
        client.meta.events.register("before-parameter-build.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        touched = list(self._touched(operation, params)) if operation in WRITES else []
        self._pending = (operation, params, [(kind, k, self._get(k)) for kind, k in touched])

    def _after(self, parsed: Mapping[str, Any], model: Any, **_: Any) -> None:
        if self._pending is None or self._pending[0] != model.name or "Error" in parsed:
            self._pending = None
            return
        operation, params, touched = self._pending
        self._pending = None
        if touched:
            self._count_writes(operation, touched)
        else:
            self.units["read request units"] += self._read_units(operation, params, parsed)

    def _touched(self, operation: str, params: Mapping[str, Any]) -> list[tuple[str, Key]]:
        if operation == "PutItem":
            return [("Put", self._key(params["Item"]))]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(operation[:-4], self._key(params["Key"]))]
        if operation == "BatchWriteItem":
            requests = params["RequestItems"].get(self._table, [])
            return [
                ("Put", self._key(r["PutRequest"]["Item"]))
                if "PutRequest" in r
                else ("Delete", self._key(r["DeleteRequest"]["Key"]))
                for r in requests
            ]
        found = []
        for action in params["TransactItems"]:
            ((kind, op),) = action.items()
            found.append((f"T{kind}", self._key(op.get("Item") or op["Key"])))
        return found

    def _count_writes(self, operation: str, touched: list[tuple[str, Key, Any]]) -> None:
        for kind, key, before in touched:
            after = self._get(key)
            transactional = kind.startswith("T") and operation == "TransactWriteItems"
            size = (
                item_size(before)
                if kind == "TConditionCheck"
                else max(item_size(before), item_size(after))
            )
            self.units["table write request units"] += _kb(size, 1024) * (2 if transactional else 1)
            if kind != "TConditionCheck":
                self.units["index write request units"] += self._index_writes(before, after)
                self.written.add(key)

    def _index_writes(self, before: Any, after: Any) -> int:
        writes = 0
        for names, projected in zip(self._indexes, self._projections, strict=True):
            old = _entry(before, names)
            new = _entry(after, names)
            if old is None and new is None:
                continue
            was, now = _copy(before, projected), _copy(after, projected)
            if old is None or new is None:  # an entry put, or deleted
                writes += _kb(item_size(now if old is None else was), 1024)
            elif old != new:
                writes += _kb(item_size(was), 1024) + _kb(item_size(now), 1024)
            elif was != now:  # the entry's copy changed (any change, with ALL projection)
                writes += _kb(item_size(now), 1024)
        return writes

    def _read_units(
        self, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]
    ) -> float:
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            return _kb(item_size(parsed.get("Item")), 4096) * factor
        if operation in ("Query", "Scan"):
            found = parsed.get("Items", [])
            scanned = max(parsed.get("ScannedCount", len(found)), 1)
            total = sum(item_size(i) for i in found) * scanned / max(len(found), 1)
            return _kb(int(total), 4096) * factor
        if operation == "BatchGetItem":
            asked = params["RequestItems"].get(self._table, {})
            got = parsed.get("Responses", {}).get(self._table, [])
            missing = len(asked.get("Keys", [])) - len(got)
            per = 1.0 if asked.get("ConsistentRead") else 0.5
            return (sum(_kb(item_size(i), 4096) for i in got) + missing) * per
        if operation == "TransactGetItems":
            got = [r.get("Item") for r in parsed.get("Responses", [])]
            return sum(_kb(item_size(i), 4096) * 2 for i in got)
        return 0.0

    def storage_bytes(self) -> int:
        """What the items this meter saw written occupy now, their index entries included."""
        total = 0
        for key in self.written:
            item = self._get(key)
            if item:
                total += item_size(item) + ITEM_OVERHEAD
                for names, projected in zip(self._indexes, self._projections, strict=True):
                    if _entry(item, names) is not None:
                        total += item_size(_copy(item, projected)) + ITEM_OVERHEAD
        return total

    def _key(self, item: Mapping[str, Any]) -> Key:
        return json.dumps({n: item[n] for n in self._key_names}, sort_keys=True, default=str)

    def _get(self, key: Key) -> Any:
        found = self._reader.get_item(
            TableName=self._table, Key=json.loads(key), ConsistentRead=True
        )
        return found.get("Item")


def _projected(index: Mapping[str, Any], table_keys: list[str]) -> frozenset[str] | None:
    projection = index.get("Projection", {})
    if projection.get("ProjectionType", "ALL") == "ALL":
        return None
    keys = [k["AttributeName"] for k in index["KeySchema"]]
    return frozenset({*table_keys, *keys, *projection.get("NonKeyAttributes", [])})


def _copy(item: Any, projected: frozenset[str] | None) -> Any:
    """What an index holds of an item: all of it, or its keys and included attributes."""
    if not item or projected is None:
        return item
    return {k: v for k, v in item.items() if k in projected}


def _entry(item: Any, names: list[str]) -> tuple[str, ...] | None:
    """An item's key in an index, or None when the index (sparse) does not hold it."""
    if not item or not all(n in item for n in names):
        return None
    return tuple(json.dumps(item[n], sort_keys=True, default=str) for n in names)


def _kb(size: int, unit: int) -> int:
    return max(1, math.ceil(size / unit))


class MailMeter:
    """S3 requests and bytes, and SES mails sent (per recipient) with their attachment bytes."""

    PUT_CLASS = (
        "PutObject",
        "CopyObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "ListObjects",
        "ListObjectsV2",
    )

    def __init__(self, s3: Any, ses: Any) -> None:
        self.counts: Counter[str] = Counter()
        self._body = 0
        s3.meta.events.register("before-parameter-build.s3.PutObject", self._put_body)
        # requests counted before-call: presigning a link builds parameters too, but sends nothing
        s3.meta.events.register("before-call.s3.*", self._s3)
        ses.meta.events.register("before-parameter-build.sesv2.SendEmail", self._send)

    def _put_body(self, params: Mapping[str, Any], **_: Any) -> None:
        body = params.get("Body", b"")
        self._body = len(body) if isinstance(body, bytes | str) else 0

    def _s3(self, model: Any, **_: Any) -> None:
        if model.name in self.PUT_CLASS:
            self.counts["s3 put requests"] += 1
            self.counts["s3 bytes stored"] += self._body
            self._body = 0
        else:
            self.counts["s3 get requests"] += 1

    def _send(self, params: Mapping[str, Any], **_: Any) -> None:
        to = params.get("Destination", {})
        recipients = sum(len(to.get(k, [])) for k in ("ToAddresses", "CcAddresses", "BccAddresses"))
        self.counts["ses mails sent"] += recipients
        raw = params.get("Content", {}).get("Raw", {}).get("Data", b"")
        self.counts["ses attachment bytes"] += attachment_bytes(raw) * recipients

    def received(self, raw: bytes) -> None:
        """SES receiving: one mail, its 256 KB chunks, and the S3 action's PUT."""
        self.counts["ses mails received"] += 1
        self.counts["ses chunks received"] += _kb(len(raw), 256 * 1024)
        self.counts["s3 put requests"] += 1
        self.counts["s3 bytes stored"] += len(raw)


def attachment_bytes(raw: bytes | str) -> int:
    data = raw.encode() if isinstance(raw, str) else raw
    message = message_from_bytes(data, policy=policy.default)
    return sum(
        len(part.get_payload(decode=True) or b"")
        for part in message.walk()
        if part.get_content_disposition() == "attachment"
    )
