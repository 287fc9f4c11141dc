"""The SLA clock on DynamoDB: firing marks (at most one action per schedule) and the met/missed
records reports read by month from the sparse GSI7."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.aggregates import tally_ops
from chalicelib.adapters.dynamo.table import DynamoTable
from chalicelib.domain.errors import AlreadyFired, StorageError, VersionConflict
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.sla.firing import FiringMark, MarkState
from chalicelib.domain.sla.policy import Deadline, Point, PointKind, SlaRecord
from chalicelib.domain.tickets.model import Event, Ticket

MARK_TTL = timedelta(days=7)  # longer than Scheduler retries a firing (24 h)


def mark_key(schedule: str) -> items.Item:
    return {"PK": f"FIRED#{schedule}", "SK": "FIRED"}


def mark_to_item(mark: FiringMark) -> items.Item:
    point = mark.point
    return {
        **mark_key(mark.schedule),
        "type": "sla_firing",
        "ticket": mark.ticket,
        "state": mark.state.value,
        "at": items.ts(mark.at),
        "deadline": point.deadline.value,
        "kind": point.kind.value,
        "point_at": items.ts(point.at),
        "due": items.ts(point.due),
        "start": items.ts(point.start),
        "expires": int((mark.at + MARK_TTL).timestamp()),
    }


def mark_from_item(item: items.Item) -> FiringMark:
    point = Point(
        deadline=Deadline(item["deadline"]),
        kind=PointKind(item["kind"]),
        at=datetime.fromisoformat(item["point_at"]),
        due=datetime.fromisoformat(item["due"]),
        start=datetime.fromisoformat(item["start"]),
    )
    return FiringMark(
        schedule=item["PK"].split("#", 1)[1],
        ticket=int(item["ticket"]),
        point=point,
        at=datetime.fromisoformat(item["at"]),
        state=MarkState(item["state"]),
    )


class DynamoSlaStore(DynamoTable):
    def read_firing(self, number: int, schedule: str) -> tuple[Ticket | None, FiringMark | None]:
        ticket_key = {"PK": items.ticket_pk(number), "SK": items.META}
        found = self.batch_get([ticket_key, mark_key(schedule)])
        ticket = next((items.ticket_from_item(i) for i in found if i["SK"] == items.META), None)
        mark = next((mark_from_item(i) for i in found if i["SK"] == "FIRED"), None)
        return ticket, mark

    def record_firing(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        mark: FiringMark,
        facts: Facts | None = None,
    ) -> None:
        ops = [
            self.put_versioned(items.ticket_to_item(ticket), expected_version),
            *(self.put(items.event_to_item(ticket.number, e, i)) for i, e in enumerate(events)),
            *tally_ops(self._table, facts),
            self.put_new(mark_to_item(mark), return_old=True),
        ]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        mark_at = len(ops) - 1
        if mark_at in cancelled.failed:
            old = cancelled.failed[mark_at]
            raise AlreadyFired(mark_from_item(old) if old else None)
        if 0 in cancelled.failed:
            raise VersionConflict(f"ticket {ticket.number} is no longer version {expected_version}")
        raise StorageError(f"SLA firing {mark.schedule} not recorded: {cancelled.failed}")

    def save_mark(self, mark: FiringMark) -> None:
        self.put_item(mark_to_item(mark))

    def sla_records(self, since: datetime, until: datetime) -> list[SlaRecord]:
        """Met and missed deadlines recorded in [since, until), oldest first, by month."""
        return [_record(i) for i in self.by_month("SLA", since, until)]


def _record(item: items.Item) -> SlaRecord:
    number = int(item["PK"].split("#", 1)[1])
    return SlaRecord.from_data(items.event_from_item(item).data, ticket=number)
