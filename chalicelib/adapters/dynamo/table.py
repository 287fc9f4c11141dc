"""The one table, as every DynamoDB store sees it: typed items in, ClientError translated out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import StorageError

Item = dict[str, Any]
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_attr(item: Item) -> dict[str, Any]:
    return {k: _serializer.serialize(_dynamo_safe(v)) for k, v in item.items()}


def from_attr(attrs: dict[str, Any]) -> Item:
    return {k: _deserializer.deserialize(v) for k, v in attrs.items()}


def _dynamo_safe(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _dynamo_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_dynamo_safe(v) for v in value]
    return value


def months(prefix: str, since: datetime, until: datetime) -> list[str]:
    """The month partitions `<prefix>#yyyy-mm` a period touches, in UTC."""
    first, last = since.astimezone(UTC), until.astimezone(UTC)
    year, month, periods = first.year, first.month, []
    while (year, month) <= (last.year, last.month):
        periods.append(f"{prefix}#{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class Cancelled:
    """Which conditions of a cancelled transaction failed, and the items that failed them."""

    def __init__(self, error: ClientError) -> None:
        reasons = error.response.get("CancellationReasons") or []
        self.failed = {
            i: from_attr(r["Item"]) if "Item" in r else {}
            for i, r in enumerate(reasons)
            if r.get("Code") == "ConditionalCheckFailed"
        }


class DynamoTable:
    def __init__(self, client: Any, table: str, zone: str = "UTC") -> None:
        """`zone`: the desk's time zone ([calendar] timezone), for keys by desk-local day."""
        self._db = client
        self._table = table
        self._zone = ZoneInfo(zone)

    def put(self, item: Item) -> dict[str, Any]:
        """A Put for a transaction."""
        return {"Put": {"TableName": self._table, "Item": to_attr(item)}}

    def put_new(self, item: Item, *, return_old: bool = False) -> dict[str, Any]:
        put = self.put(item)
        put["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
        if return_old:
            put["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return put

    def put_versioned(self, item: Item, expected_version: int) -> dict[str, Any]:
        """A Put that only lands on the version the writer read (optimistic concurrency)."""
        put = self.put(item)
        put["Put"] |= {
            "ConditionExpression": "#v = :expected",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": to_attr({":expected": expected_version}),
        }
        return put

    def transact(self, ops: list[dict[str, Any]]) -> Cancelled | None:
        """Run a transaction; returns the failed conditions, or None when it committed."""
        try:
            self._db.transact_write_items(TransactItems=ops)
        except ClientError as e:
            if e.response["Error"]["Code"] == "TransactionCanceledException":
                cancelled = Cancelled(e)
                if cancelled.failed:
                    return cancelled
            raise StorageError(f"DynamoDB transaction failed: {e}") from e
        except BotoCoreError as e:  # it may have committed: every writer's conditions tell
            raise StorageError(f"DynamoDB transaction failed: {e}") from e
        return None

    def get(self, key: Item, *, consistent: bool = False) -> Item | None:
        response = self.call(
            "get_item", TableName=self._table, Key=to_attr(key), ConsistentRead=consistent
        )
        return from_attr(response["Item"]) if "Item" in response else None

    def update_if(
        self, key: Item, update: str, condition: str, *, names: dict[str, str], values: Item
    ) -> bool:
        """An UpdateItem that only lands where `condition` holds; False when it did not."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=to_attr(key),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_attr(values),
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise StorageError(f"DynamoDB update_item failed: {e}") from e
        except BotoCoreError as e:
            raise StorageError(f"DynamoDB update_item failed: {e}") from e
        return True

    def put_item(self, item: Item) -> None:
        self.call("put_item", TableName=self._table, Item=to_attr(item))

    def batch_get(self, keys: list[Item]) -> list[Item]:
        found: list[Item] = []
        pending = [to_attr(k) for k in keys]
        for start in range(0, len(pending), 100):
            request: dict[str, Any] = {self._table: {"Keys": pending[start : start + 100]}}
            while request:
                response = self.call("batch_get_item", RequestItems=request)
                found += [from_attr(i) for i in response["Responses"].get(self._table, [])]
                request = response.get("UnprocessedKeys") or {}
        return found

    def batch_put(self, items: list[Item]) -> None:
        for start in range(0, len(items), 25):
            request: dict[str, Any] = {
                self._table: [
                    {"PutRequest": {"Item": to_attr(i)}} for i in items[start : start + 25]
                ]
            }
            while request:
                response = self.call("batch_write_item", RequestItems=request)
                request = response.get("UnprocessedItems") or {}

    def query(self, **kwargs: Any) -> tuple[list[Item], dict[str, Any] | None]:
        """One Query page: the items and the LastEvaluatedKey (still in DynamoDB's form)."""
        values = kwargs.pop("values", None)
        if values is not None:
            kwargs["ExpressionAttributeValues"] = to_attr(values)
        response = self.call("query", TableName=self._table, **kwargs)
        return [from_attr(i) for i in response.get("Items", [])], response.get("LastEvaluatedKey")

    def by_month(self, prefix: str, since: datetime, until: datetime) -> list[Item]:
        """Items of the sparse GSI7 (`<prefix>#<yyyy-mm>` → `<at>#…`) in [since, until]: one
        Query a month, every page, oldest first."""
        low, high = _iso(since), _iso(until)
        found: list[Item] = []
        for period in months(prefix, since, until):
            start: dict[str, Any] | None = None
            while True:
                page = {"ExclusiveStartKey": start} if start else {}
                items, start = self.query(
                    IndexName="GSI7",
                    KeyConditionExpression="GSI7PK = :p AND GSI7SK BETWEEN :low AND :high",
                    values={":p": period, ":low": low, ":high": high},
                    **page,
                )
                found += items
                if start is None:
                    break
        return found

    def call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._db, operation)(**kwargs)
        except (BotoCoreError, ClientError) as e:
            raise StorageError(f"DynamoDB {operation} failed: {e}") from e
