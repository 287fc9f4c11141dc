"""DayMailStore on DynamoDB: GSI8's `MAIL#<desk-local day>` partitions, one Query per page.

A page never spans two days: a day read to its end hands the cursor to the next day of the
range, so each page costs one Query (about 0.5 read units per 4 KB of rows: a row is ~300
bytes). Direction, queue and agent are FilterExpressions: they cut the rows returned, not the
rows read, and a filtered page may come back short or empty while `next` says there is more.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.table import DynamoTable, Item
from chalicelib.adapters.dynamo.views import decode_cursor, encode_cursor
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tickets.model import MessageKind
from chalicelib.services.ports import MailQuery, MailRow

_KEYS = ("PK", "SK", "GSI8PK", "GSI8SK")


class DynamoDayMail(DynamoTable):
    def mail_page(self, query: MailQuery) -> tuple[list[MailRow], str | None]:
        day, start = _resume(query)
        names: dict[str, str] = {}
        values: Item = {":pk": items.mail_day(day)}
        kwargs: dict[str, Any] = {
            "IndexName": "GSI8",
            "KeyConditionExpression": "GSI8PK = :pk",
            "ScanIndexForward": True,
            "Limit": query.limit,
        }
        conditions = _filters(query, names, values)
        if conditions:
            kwargs |= {"FilterExpression": " AND ".join(conditions)}
            kwargs |= {"ExpressionAttributeNames": names}
        if start is not None:
            kwargs["ExclusiveStartKey"] = start
        found, last = self.query(values=values, **kwargs)
        return [_row(i) for i in found], _next(query, day, last)


def _filters(query: MailQuery, names: dict[str, str], values: Item) -> list[str]:
    conditions = []
    for name, value in (
        ("kind", query.kind.value if query.kind else None),
        ("queue", query.queue),
        ("agent", query.agent),
    ):
        if value:
            names[f"#{name}"] = name
            values[f":{name}"] = value
            conditions.append(f"#{name} = :{name}")
    return conditions


def _row(item: Item) -> MailRow:
    return MailRow(
        at=datetime.fromisoformat(item["created_at"]),
        kind=MessageKind(item["kind"]),
        ticket=int(item["number"]),
        queue=str(item.get("queue", "")),
        agent=item.get("agent"),
        subject=str(item.get("subject", "")),
        sender=str(item.get("author_email", "")),
        sender_name=str(item.get("author_name", "")),
        to=tuple(item.get("to", ())),
    )


def _next(query: MailQuery, day: date, last: dict[str, Any] | None) -> str | None:
    if last:
        return _encode(day, encode_cursor(last))
    if day < query.last:
        return _encode(day + timedelta(days=1), None)
    return None


def _encode(day: date, key: str | None) -> str:
    raw = json.dumps({"d": day.isoformat(), "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _resume(query: MailQuery) -> tuple[date, dict[str, Any] | None]:
    """The day and start key a cursor names; only a day of this very range is accepted."""
    if not query.cursor:
        return query.first, None
    try:
        raw = base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4))
        found = json.loads(raw)
        day = date.fromisoformat(found["d"])
        key = found["k"]
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError, KeyError) as e:
        raise InvalidInput("cursor", "not a cursor this API gave out") from e
    if not query.first <= day <= query.last or not (key is None or isinstance(key, str)):
        raise InvalidInput("cursor", "not a cursor of this range")
    if key is None:
        return day, None
    return day, decode_cursor(key, _KEYS, {"GSI8PK": items.mail_day(day)})
