"""The ticket writes only agents make on DynamoDB: notes beside the thread, and changes asked
with an Idempotency-Key, whose claim is written in the same transaction (or not at all)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.action_keys import action_from_item, action_key, action_to_item
from chalicelib.adapters.dynamo.aggregates import tally_ops
from chalicelib.adapters.dynamo.table import Cancelled, to_attr
from chalicelib.adapters.dynamo.tickets import DynamoTicketStore
from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.errors import KeyUsed, NotFound, StorageError, VersionConflict
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import Event, Message, Ticket


class DynamoDesk(DynamoTicketStore):
    def add_to_thread(
        self, *, message: Message, events: Sequence[Event], claim: ActionClaim | None = None
    ) -> None:
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
        cancelled = self.transact(self._with_claim(ops, claim))
        if cancelled is not None:
            self._raise_if_claimed(cancelled, len(ops), claim)
            raise NotFound(f"no ticket {number}")

    def write_claimed(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        message: Message | None,
        claim: ActionClaim,
        facts: Facts | None = None,
    ) -> None:
        ops = [self.put_versioned(items.ticket_to_item(ticket), expected_version)]
        if message is not None:
            ops.append(self.put(items.message_to_item(message, ticket, self._zone)))
        ops += [self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)]
        ops += tally_ops(self._table, facts)
        cancelled = self.transact(self._with_claim(ops, claim))
        if cancelled is None:
            return
        self._raise_if_claimed(cancelled, len(ops), claim)
        if 0 in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"ticket {ticket.number} not changed: {cancelled.failed}")

    def action_claim(self, agent: str, key: str) -> ActionClaim | None:
        item = self.get(action_key(agent, key), consistent=True)
        return action_from_item(item) if item else None

    def _with_claim(
        self, ops: list[dict[str, Any]], claim: ActionClaim | None
    ) -> list[dict[str, Any]]:
        """The claim goes last: its position tells a used key from the change's own failure."""
        if claim is None:
            return ops
        return [*ops, self.put_new(action_to_item(claim), return_old=True)]

    def _raise_if_claimed(
        self, cancelled: Cancelled, claim_at: int, claim: ActionClaim | None
    ) -> None:
        if claim is None or claim_at not in cancelled.failed:
            return
        held = cancelled.failed[claim_at]
        found = action_from_item(held) if held else self.action_claim(claim.agent, claim.key)
        if found is None:  # expired by TTL in between: the caller's retry will write it
            raise StorageError(f"the claim of key {claim.key!r} changed meanwhile; try again")
        raise KeyUsed(found)
