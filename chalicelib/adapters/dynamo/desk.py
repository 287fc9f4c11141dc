"""The ticket writes only agents make on DynamoDB: notes beside the thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.adapters.dynamo.tickets import DynamoTicketStore
from chalicelib.domain.errors import NotFound
from chalicelib.domain.tickets.model import Event, Message


class DynamoDesk(DynamoTicketStore):
    def add_to_thread(self, *, message: Message, events: Sequence[Event]) -> None:
        number = message.ticket_number
        ops: list[dict[str, Any]] = [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": to_attr({"PK": items.ticket_pk(number), "SK": items.META}),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            self.put(items.message_to_item(message)),
            *(self.put(items.event_to_item(number, e, i)) for i, e in enumerate(events)),
        ]
        if self.transact(ops) is not None:
            raise NotFound(f"no ticket {number}")
