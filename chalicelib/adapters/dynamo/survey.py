"""The survey on DynamoDB: its ticket writes, answer records by month (GSI7), customer opt-outs.

PK / SK                          what
TICKET#<n> / SURVEY#<id>         a survey's answer (the latest), on GSI7 under CSAT#<yyyy-mm>
CUSTOMER#<address> / CUSTOMER    a customer's preferences: survey_opt_out
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.aggregates import tally_ops
from chalicelib.adapters.dynamo.desk import DynamoDesk
from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.domain.errors import OptedOut, StorageError, VersionConflict
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.survey.csat import CsatRecord
from chalicelib.domain.survey.tokens import Answer
from chalicelib.domain.tickets.model import Event, Message, Ticket

SUPPRESSED = "acknowledgement_suppressed"


customer_key = items.customer_key  # CUSTOMER#<address>: opt-outs here, hard bounces beside


def csat_period(at: datetime) -> str:
    return f"CSAT#{at.astimezone(UTC):%Y-%m}"


def record_to_item(record: CsatRecord) -> items.Item:
    at = items.ts(record.at)
    return {
        "PK": items.ticket_pk(record.ticket),
        "SK": f"SURVEY#{record.survey}",
        "type": "survey_answer",
        "ticket": record.ticket,
        "survey": record.survey,
        "answer": record.answer.value,
        "answered_at": at,
        "queue": record.queue,
        "agent": record.agent,
        "language": record.language,
        "GSI7PK": csat_period(record.at),
        "GSI7SK": f"{at}#{record.ticket:09d}#{record.survey}",
    }


def record_from_item(item: items.Item) -> CsatRecord:
    return CsatRecord(
        ticket=int(item["ticket"]),
        survey=str(item["survey"]),
        answer=Answer(item["answer"]),
        at=datetime.fromisoformat(item["answered_at"]),
        queue=str(item.get("queue", "")),
        agent=str(item.get("agent", "")),
        language=str(item.get("language", "en")),
    )


class DynamoSurveyStore(DynamoDesk):
    def creation_reasons(self, ticket: Ticket) -> list[str]:
        """The events written with the ticket (they share its creation time): one small Query."""
        found, _ = self.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :created)",
            values={
                ":pk": items.ticket_pk(ticket.number),
                ":created": f"EVT#{items.ts(ticket.created_at)}#",
            },
        )
        events = (items.event_from_item(i) for i in found)
        return [str(e.data.get("reason", "")) for e in events if e.kind == SUPPRESSED]

    def claim_send(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        customer: str,
        facts: Facts | None = None,
    ) -> None:
        ops: list[dict[str, Any]] = [
            self.put_versioned(items.ticket_to_item(ticket), expected_version),
            self.put(items.message_to_item(message, ticket, self._zone)),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
            *tally_ops(self._table, facts),
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": to_attr(customer_key(customer)),
                    "ConditionExpression": "attribute_not_exists(survey_opt_out)",
                }
            },
        ]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        if len(ops) - 1 in cancelled.failed:
            raise OptedOut(customer)
        if 0 in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"survey of {ticket.number} not claimed: {cancelled.failed}")

    def record_answer(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        record: CsatRecord,
        message: Message | None,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        ops = [
            self.put_versioned(items.ticket_to_item(ticket), expected_version),
            self.put(record_to_item(record)),
            *([self.put(items.message_to_item(message))] if message is not None else []),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
            *tally_ops(self._table, facts),
        ]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        if 0 in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"survey answer on {ticket.number} not recorded: {cancelled.failed}")

    def opt_out(self, address: str, at: datetime, ticket: int) -> None:
        self.call(
            "update_item",
            TableName=self._table,
            Key=to_attr(customer_key(address)),
            UpdateExpression="SET #t = :t, survey_opt_out = :yes, survey_opt_out_at = :at, "
            "survey_opt_out_ticket = :n",
            ExpressionAttributeNames={"#t": "type"},
            ExpressionAttributeValues=to_attr(
                {":t": "customer", ":yes": True, ":at": items.ts(at), ":n": ticket}
            ),
        )

    def csat_records(self, since: datetime, until: datetime) -> list[CsatRecord]:
        return [record_from_item(i) for i in self.by_month("CSAT", since, until)]
