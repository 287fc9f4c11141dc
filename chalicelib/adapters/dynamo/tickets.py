"""TicketStore on DynamoDB: one table, every read a GetItem/Query/BatchGetItem, writes that
must agree in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.aggregates import tally_ops
from chalicelib.adapters.dynamo.sizes import ITEM_BUDGET, item_size
from chalicelib.adapters.dynamo.table import Cancelled, DynamoTable, from_attr, to_attr
from chalicelib.domain.errors import (
    AlreadyProcessed,
    DuplicateMessage,
    HardBounced,
    RateLimited,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.mail.delivery import AckState, MailRecord, QuarantineEntry, Quota, RateLimit
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Ticket
from chalicelib.services.ports import ThreadLookup

FIRST_TICKET_NUMBER = 1000
RATE_TTL = timedelta(days=2)


class DynamoTicketStore(DynamoTable):
    # -- reads ------------------------------------------------------------------------------

    def get_ticket(self, number: int) -> Ticket | None:
        item = self.get({"PK": items.ticket_pk(number), "SK": items.META})
        return items.ticket_from_item(item) if item else None

    def get_mail_record(self, mail_id: str) -> MailRecord | None:
        item = self.get(items.mail_key(mail_id))
        return items.record_from_item(item) if item else None

    def get_message(self, number: int, message_id: str) -> Message | None:
        item = self.get(items.message_key(number, message_id))
        return items.message_from_item(item) if item else None

    def find_threads(self, message_ids: Sequence[str], numbers: Iterable[int]) -> ThreadLookup:
        wanted = list(dict.fromkeys(numbers))
        keys = [items.msgid_key(m) for m in dict.fromkeys(message_ids)]
        keys += [{"PK": items.ticket_pk(n), "SK": items.META} for n in wanted]
        found = self.batch_get(keys)
        ids = [i for i in found if i["SK"] == "MSGID"]
        by_id = {i["PK"].split("#", 1)[1]: int(i["ticket"]) for i in ids}
        sent_to = {i["PK"].split("#", 1)[1]: frozenset(i.get("sent_to") or ()) for i in ids}
        tickets = {
            t.number: t for t in (items.ticket_from_item(i) for i in found if i["SK"] == items.META)
        }
        missing = [n for n in dict.fromkeys(by_id.values()) if n not in tickets]
        if missing:
            more = self.batch_get([{"PK": items.ticket_pk(n), "SK": items.META} for n in missing])
            tickets |= {t.number: t for t in map(items.ticket_from_item, more)}
        return ThreadLookup(by_message_id=by_id, tickets=tickets, sent_to=sent_to)

    def message_excess(self, message: Message) -> int:
        return item_size(items.message_to_item(message)) - ITEM_BUDGET

    def list_quarantine(self, limit: int = 50) -> list[QuarantineEntry]:
        found, _ = self.query(
            KeyConditionExpression="PK = :pk",
            values={":pk": "QUARANTINE"},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [items.quarantine_from_item(i) for i in found]

    # -- writes -----------------------------------------------------------------------------

    def allocate_number(self) -> int:
        response = self.call(
            "update_item",
            TableName=self._table,
            Key=to_attr({"PK": "COUNTER", "SK": "TICKET"}),
            UpdateExpression="SET #v = if_not_exists(#v, :start) + :one",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues=to_attr({":start": FIRST_TICKET_NUMBER, ":one": 1}),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_attr(response["Attributes"])["value"])

    def create_ticket(
        self,
        *,
        ticket: Ticket,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        rate_limit: RateLimit | None,
        facts: Facts | None = None,
    ) -> None:
        ops = [
            self.put_new(items.record_to_item(record), return_old=True),
            self.put_new(items.ticket_to_item(ticket)),
            self.put(items.message_to_item(message, ticket, self._zone)),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
            *tally_ops(self._table, facts),
        ]
        claim_at = None
        claim = self._claim(message, record)
        if claim is not None:
            claim_at = len(ops)
            ops.append(claim)
        quotas = {}  # the position of each quota's counter in the transaction
        for quota in rate_limit.quotas if rate_limit else ():
            quotas[len(ops)] = quota.key
            ops.append(self._rate_update(quota, record))
        bounce_at = None
        if rate_limit is not None:  # the acknowledgement's check, in the same transaction
            bounce_at = len(ops)
            ops.append(self._not_hard_bounced(rate_limit.sender))
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        self._raise_for(cancelled, claim_at)
        full = [key for at, key in quotas.items() if at in cancelled.failed]
        if full:
            raise RateLimited(full[0])
        if bounce_at is not None and bounce_at in cancelled.failed:
            raise HardBounced(rate_limit.sender if rate_limit else "")
        raise StorageError(f"ticket {ticket.number} not created: {cancelled.failed}")

    def append_message(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        record: MailRecord | None,
        index_ids: Sequence[str] = (),
        facts: Facts | None = None,
    ) -> None:
        ops: list[dict[str, Any]] = []
        if record is not None:
            ops.append(self.put_new(items.record_to_item(record), return_old=True))
        ticket_at = len(ops)
        ops.append(self.put_versioned(items.ticket_to_item(ticket), expected_version))
        ops.append(self.put(items.message_to_item(message, ticket, self._zone)))
        ops += [self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)]
        ops += tally_ops(self._table, facts)
        claim_at = None
        claim = self._claim(message, record)
        if claim is not None:
            claim_at = len(ops)
            ops.append(claim)
        ops += [
            self.put(self._msgid_item(i, message)) for i in index_ids if i != message.message_id
        ]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        self._raise_for(cancelled, claim_at)
        if ticket_at in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"message not added to {ticket.number}: {cancelled.failed}")

    def update_ticket(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        ops: list[dict[str, Any]] = [
            self.put_versioned(items.ticket_to_item(ticket), expected_version),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
            *tally_ops(self._table, facts),
        ]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        if 0 in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"ticket {ticket.number} not updated: {cancelled.failed}")

    def record_sent(
        self,
        *,
        record: MailRecord,
        message: Message,
        ids: Sequence[str],
        ticket: Ticket | None = None,
    ) -> None:
        puts = [items.record_to_item(record), items.message_to_item(message, ticket, self._zone)]
        puts += [self._msgid_item(i, message) for i in dict.fromkeys(ids)]
        self.batch_put(puts)

    def save_record(self, record: MailRecord, events: Sequence[Event] = ()) -> None:
        if not events or record.ticket_number is None:
            self.put_item(items.record_to_item(record))
            return
        number = record.ticket_number
        puts = [items.event_to_item(number, e, i) for i, e in enumerate(events)]
        self.batch_put([items.record_to_item(record), *puts])

    def release_ack_claim(self, mail_id: str) -> None:
        self.update_if(
            items.mail_key(mail_id),
            "SET #a = :failed",
            "#a = :claimed",
            names={"#a": "ack"},
            values={":failed": AckState.FAILED.value, ":claimed": AckState.CLAIMED.value},
        )

    def quarantine(self, *, entry: QuarantineEntry, record: MailRecord) -> None:
        cancelled = self.transact(
            [
                self.put_new(items.record_to_item(record), return_old=True),
                self.put(items.quarantine_to_item(entry)),
            ]
        )
        if cancelled is not None:
            self._raise_for(cancelled, None)
            raise StorageError(f"mail {entry.mail_id} not quarantined: {cancelled.failed}")

    # -- helpers ----------------------------------------------------------------------------

    def _claim(self, message: Message, record: MailRecord | None) -> dict[str, Any] | None:
        """The put that makes a mail's write its first: its Message-ID, unless an earlier,
        different mail holds it; else (and for mail without one) its sender and content."""
        found = record.fingerprint if record is not None else None
        if message.message_id and not (found and found.reuses_message_id):
            item = self._msgid_item(message.message_id, message)
            if found is not None:
                item |= {"sender": found.sender, "content_hash": found.content_hash}
            return self.put_new(item, return_old=True)
        if found is None or record is None:
            return None
        at = record.received_at
        put = self.put(items.dedupe_item(found, message.ticket_number, record.mail_id, at))
        put["Put"] |= {
            # TTL deletes late (within days): an expired claim is as good as none
            "ConditionExpression": "attribute_not_exists(PK) OR #e < :now",
            "ExpressionAttributeNames": {"#e": "expires"},
            "ExpressionAttributeValues": to_attr({":now": int(at.timestamp())}),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        return put

    def _msgid_item(self, message_id: str, message: Message) -> items.Item:
        item: items.Item = {
            **items.msgid_key(message_id),
            "type": "msgid",
            "ticket": message.ticket_number,
            "message": message.id,
        }
        if message.kind in (MessageKind.OUTBOUND, MessageKind.AUTO):
            # whom we sent it to: quoting this id later vouches for that address only
            item["sent_to"] = sorted({a.lower() for a in (*message.to, *message.cc)})[:50]
        return item

    def _raise_for(self, cancelled: Cancelled, claim_at: int | None) -> None:
        if 0 in cancelled.failed and cancelled.failed[0].get("type") == "mail":
            raise AlreadyProcessed(items.record_from_item(cancelled.failed[0]))
        if claim_at is not None and claim_at in cancelled.failed:
            old = cancelled.failed[claim_at]
            raise DuplicateMessage(
                old["PK"].split("#", 1)[1] if old.get("type") == "msgid" else "",
                int(old["ticket"]),
                sender=old.get("sender"),
                content_hash=old.get("content_hash"),
            )

    def _not_hard_bounced(self, address: str) -> dict[str, Any]:
        """The acknowledgement's check, in the same transaction: no read of its own."""
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": to_attr(items.customer_key(address)),
                "ConditionExpression": "attribute_not_exists(hard_bounced_at)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _rate_update(self, limit: Quota, record: MailRecord) -> dict[str, Any]:
        at = record.received_at
        hour = f"h{at.hour:02d}"
        expires = int((at + RATE_TTL).timestamp())
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attr({"PK": f"RATE#{limit.key}", "SK": at.date().isoformat()}),
                "UpdateExpression": "ADD #h :one, #t :one SET #e = :expires",
                "ConditionExpression": "(attribute_not_exists(#h) OR #h < :per_hour) AND "
                "(attribute_not_exists(#t) OR #t < :per_day)",
                "ExpressionAttributeNames": {"#h": hour, "#t": "total", "#e": "expires"},
                "ExpressionAttributeValues": to_attr(
                    {
                        ":one": 1,
                        ":expires": expires,
                        ":per_hour": limit.per_hour,
                        ":per_day": limit.per_day,
                    }
                ),
            }
        }
