"""BoardStore on DynamoDB: the BOARD counters (aggregates.py) and GSI8's longest waits.

A poll reads the BOARD partition once (one item per queue and per agent, each a few dozen
bytes) and the head of each queue's `W#<queue>` partition of GSI8 (Limit 1, oldest first):
1 + queues Queries, about 0.5 read units each, whether 5 or 50,000 customers wait.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo.aggregates import BOARD
from chalicelib.adapters.dynamo.table import DynamoTable, Item
from chalicelib.services.ports import BoardCounts, LongestWait


class DynamoBoard(DynamoTable):
    def board_counts(self) -> BoardCounts:
        queues: dict[str, dict[str, int]] = {}
        agents: dict[str, dict[str, int]] = {}
        queries, start = 0, None
        while True:
            extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            found, start = self.query(
                KeyConditionExpression="PK = :pk", values={":pk": BOARD}, **extra
            )
            queries += 1
            for item in found:
                kind, _, name = str(item["SK"]).partition("#")
                target = queues if kind == "Q" else agents if kind == "A" else None
                if target is not None and name:
                    target[name] = _numbers(item)
            if not start:
                return BoardCounts(queues, agents, queries)

    def longest_wait(self, queue: str) -> LongestWait | None:
        found, _ = self.query(
            IndexName="GSI8",
            KeyConditionExpression="GSI8PK = :pk",
            values={":pk": f"W#{queue}"},
            ScanIndexForward=True,
            Limit=1,
        )
        if not found:
            return None
        since, _, number = str(found[0]["GSI8SK"]).rpartition("#")  # items.index_attributes
        return LongestWait(ticket=int(number), since=datetime.fromisoformat(since))


def _numbers(item: Item) -> dict[str, int]:
    return {k: int(v) for k, v in item.items() if isinstance(v, Decimal | int)}
