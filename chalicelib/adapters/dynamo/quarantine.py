"""Held mail on DynamoDB: list it, release it into a ticket or onto the ticket it claims,
confirm it as spam (never delete).

The entry (`QUARANTINE / <at>#<mail id>`) is found from the delivery record (`MAIL#<id>`),
whose `received_at` is the entry's time. Decisions are kept on the entry with their author.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.aggregates import tally_ops
from chalicelib.adapters.dynamo.table import Item, to_attr
from chalicelib.adapters.dynamo.tickets import DynamoTicketStore
from chalicelib.adapters.dynamo.views import decode_cursor, encode_cursor
from chalicelib.domain.errors import Conflict, DuplicateMessage, StorageError, VersionConflict
from chalicelib.domain.mail.delivery import HeldMail, HeldStatus, MailRecord, Outcome
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import Event, Message, Ticket

QUARANTINE = "QUARANTINE"


def held_from_item(item: Item) -> HeldMail:
    return HeldMail(
        entry=items.quarantine_from_item(item),
        ticket_number=int(item["ticket"]) if "ticket" in item else None,
        decided_by=item.get("decided_by"),
        decided_at=items.parse_ts(item.get("decided_at")),
    )


class DynamoHeldMail(DynamoTicketStore):
    def get_held(self, mail_id: str) -> HeldMail | None:
        record = self.get(items.mail_key(mail_id))
        if record is None:
            return None
        item = self.get(self._entry_key(mail_id, record["received_at"]))
        return held_from_item(item) if item else None

    def list_held(self, limit: int, cursor: str | None) -> tuple[list[HeldMail], str | None]:
        kwargs: dict[str, Any] = {}
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, ("PK", "SK"), {"PK": QUARANTINE})
        found, last = self.query(
            KeyConditionExpression="PK = :pk",
            values={":pk": QUARANTINE},
            ScanIndexForward=False,
            Limit=limit,
            **kwargs,
        )
        return [held_from_item(i) for i in found], encode_cursor(last)

    def release(
        self,
        *,
        held: HeldMail,
        ticket: Ticket,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        by: str,
        at: datetime,
        facts: Facts | None = None,
    ) -> None:
        put = self.put_new(items.ticket_to_item(ticket))
        if self._move(held, record, ticket, put, message, events, by, at, facts):
            raise StorageError(f"ticket {ticket.number} exists already: mail {held.entry.mail_id}")

    def append(
        self,
        *,
        held: HeldMail,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        by: str,
        at: datetime,
        facts: Facts | None = None,
    ) -> None:
        put = self.put_versioned(items.ticket_to_item(ticket), expected_version)
        if self._move(held, record, ticket, put, message, events, by, at, facts):
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")

    def _move(
        self,
        held: HeldMail,
        record: MailRecord,
        ticket: Ticket,
        ticket_put: dict[str, Any],
        message: Message,
        events: Sequence[Event],
        by: str,
        at: datetime,
        facts: Facts | None = None,
    ) -> bool:
        """Held mail onto a ticket in one transaction: the entry decided, its record moved, the
        ticket written by `ticket_put`, the message, its events and its Message-ID. True when
        only the ticket's own condition failed (the caller says what that means)."""
        ops = [
            self._decide(held, HeldStatus.RELEASED, by, at, ticket.number),
            self._record_put(record),
            ticket_put,
            self.put(items.message_to_item(message, ticket, self._zone)),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
            *tally_ops(self._table, facts),
        ]
        msgid_at = None
        if message.message_id:
            msgid_at = len(ops)
            ops.append(self.put_new(self._msgid_item(message.message_id, message), return_old=True))
        cancelled = self.transact(ops)
        if cancelled is None:
            return False
        if 0 in cancelled.failed or 1 in cancelled.failed:
            raise Conflict(f"mail {held.entry.mail_id} was decided on meanwhile")
        if msgid_at is not None and msgid_at in cancelled.failed:
            old = cancelled.failed[msgid_at]
            raise DuplicateMessage(message.message_id or "", int(old.get("ticket", 0)))
        if 2 in cancelled.failed:
            return True
        raise StorageError(f"mail {held.entry.mail_id} not moved to a ticket: {cancelled.failed}")

    def mark_spam(self, *, held: HeldMail, by: str, at: datetime) -> None:
        if self.transact([self._decide(held, HeldStatus.SPAM, by, at, None)]) is not None:
            raise Conflict(f"mail {held.entry.mail_id} was decided on meanwhile")

    def _decide(
        self, held: HeldMail, status: HeldStatus, by: str, at: datetime, ticket: int | None
    ) -> dict[str, Any]:
        """The entry's new status, kept with who decided; only from the states that allow it."""
        allowed = [HeldStatus.HELD.value]
        if status == HeldStatus.RELEASED:
            allowed.append(HeldStatus.SPAM.value)  # a spam confirmation can be undone by release
        values: Item = {
            ":status": status.value,
            ":by": by,
            ":at": items.ts(at),
            ":entry": [{"at": items.ts(at), "by": by, "status": status.value}],
            ":empty": [],
            **{f":from{i}": s for i, s in enumerate(allowed)},
        }
        update = "SET #s = :status, decided_by = :by, decided_at = :at, "
        update += "history = list_append(if_not_exists(history, :empty), :entry)"
        if ticket is not None:
            update += ", #t = :ticket"
            values[":ticket"] = ticket
        allowed_keys = ", ".join(f":from{i}" for i in range(len(allowed)))
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attr(
                    self._entry_key(held.entry.mail_id, items.ts(held.entry.received_at))
                ),
                "UpdateExpression": update,
                "ConditionExpression": f"attribute_exists(PK) AND #s IN ({allowed_keys})",
                "ExpressionAttributeNames": {
                    "#s": "status",
                    **({"#t": "ticket"} if ticket else {}),
                },
                "ExpressionAttributeValues": to_attr(values),
            }
        }

    def _record_put(self, record: MailRecord) -> dict[str, Any]:
        put = self.put(items.record_to_item(record))
        put["Put"]["ConditionExpression"] = "#o = :quarantine"
        put["Put"]["ExpressionAttributeNames"] = {"#o": "outcome"}
        put["Put"]["ExpressionAttributeValues"] = to_attr({":quarantine": Outcome.QUARANTINE.value})
        return put

    @staticmethod
    def _entry_key(mail_id: str, received_at: str) -> Item:
        return {"PK": QUARANTINE, "SK": f"{received_at}#{mail_id}"}
