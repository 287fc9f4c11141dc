"""The ticket writes of agents on DynamoDB: edits with their events, notes beside the thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.adapters.dynamo.tickets import DynamoTicketStore
from chalicelib.domain.errors import NotFound, StorageError, VersionConflict
from chalicelib.domain.tickets.model import Event, Message, Ticket


class DynamoDesk(DynamoTicketStore):
    def update_ticket(
        self, *, ticket: Ticket, expected_version: int, events: Sequence[Event]
    ) -> None:
        ops: list[dict[str, Any]] = [
            self.put_versioned(items.ticket_to_item(ticket), expected_version),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
        ]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        if 0 in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"ticket {ticket.number} not updated: {cancelled.failed}")

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
