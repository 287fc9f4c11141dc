"""moto's TransactWriteItems deep-copies a whole table per action to roll back: quadratic.

The local stack and the benchmarks apply this: the rollback keeps a copy of the items the
transaction touches instead, so that a thousand mails cost what a thousand mails cost, not what
moto's snapshots cost (a long `make run` session would otherwise slow down with every ticket).
Behaviour is unchanged: a cancelled transaction leaves every item as it was. moto is pinned in
requirements-dev.txt; a test checks the patch still rolls back on the pinned version.
"""

from __future__ import annotations

import copy
from typing import Any

_applied = False
Saved = list[tuple[Any, Any, Any, Any]]  # (table, hash key, range key or None, the old item)


class _TablesByReference:
    """Stands in for the `copy` module in moto's dynamodb models: tables are not copied."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, self._table_type) else copy.deepcopy(value, memo)


def apply() -> None:
    """Idempotent; call before the first transaction."""
    global _applied
    if _applied:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _touched(self, transact_items)
        try:
            original(self, transact_items)
        except Exception:
            _restore(saved)
            raise

    models.copy = _TablesByReference(Table)  # type: ignore[attr-defined,assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _applied = True


def _touched(backend: Any, transact_items: list[dict[str, Any]]) -> Saved:
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved: Saved = []
    for action in transact_items:
        op_type, op = next(iter(action.items()))
        table = backend.tables.get(op.get("TableName"))
        key = op.get("Item") if op_type == "Put" else op.get("Key")
        if table is None or not key or table.hash_key_attr not in key:
            continue
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        current = table.items.get(hash_key)
        if range_key is not None:
            current = current.get(range_key) if current else None
        saved.append((table, hash_key, range_key, copy.deepcopy(current)))
    return saved


def _restore(saved: Saved) -> None:
    for table, hash_key, range_key, old in reversed(saved):
        if range_key is None:
            if old is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = old
        elif old is None:
            table.items[hash_key].pop(range_key, None)
        else:
            table.items[hash_key][range_key] = old
