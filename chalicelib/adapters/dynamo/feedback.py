"""FeedbackStore on DynamoDB: MSGID items find the ticket, its log takes the event, and a
hard bounce is kept on the CUSTOMER#<address> item that the acknowledgement checks."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.table import DynamoTable, to_attr
from chalicelib.domain.tickets.model import Event
from chalicelib.services.ports import SentMail


class DynamoFeedback(DynamoTable):
    def find_sent(self, message_ids: Sequence[str]) -> SentMail | None:
        for message_id in dict.fromkeys(message_ids):
            found = self.get(items.msgid_key(message_id))
            if found is None:
                continue
            number = int(found["ticket"])
            message = self.get(items.message_key(number, str(found.get("message") or "")))
            return SentMail(number, items.message_from_item(message) if message else None)
        return None

    def add_event(self, number: int, event: Event, key: str) -> None:
        tail = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        self.put_item(items.event_to_item(number, event, 0, tail=tail))

    def hard_bounced(self, address: str, at: datetime, reason: str, ticket: int | None) -> None:
        values: dict[str, Any] = {":at": items.ts(at), ":reason": reason[:300], ":t": "customer"}
        update = "SET #t = :t, hard_bounced_at = :at, hard_bounce_reason = :reason"
        if ticket is not None:
            update += ", hard_bounce_ticket = :n"
            values[":n"] = ticket
        self.call(
            "update_item",
            TableName=self._table,
            Key=to_attr(items.customer_key(address)),
            UpdateExpression=update,
            ExpressionAttributeNames={"#t": "type"},
            ExpressionAttributeValues=to_attr(values),
        )
