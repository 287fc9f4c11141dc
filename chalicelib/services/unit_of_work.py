"""One way to change a ticket: read, decide, plan the SLA, write with the version, retry, sync.

cosmicpython's unit of work, adapted to a single-table DynamoDB store: the "transaction" is one
conditional write of the ticket at the version it was read (with its events, and the message
when the change adds one to the thread). A concurrent writer makes that write fail with
VersionConflict; the ticket is read again and `decide` runs again on the fresh copy, at most
VERSION_RETRIES times. Only after the write succeeded are the SLA schedules synced, within the
call budget of the operation.

`decide(ticket, now)` returns a `Change` to write, or anything else to stop there and hand it to
the caller unchanged (an idle result, the ticket as it was). It must be pure: it may run more
than once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from chalicelib.domain.errors import NotFound, StorageError, VersionConflict
from chalicelib.domain.mail.delivery import MailRecord
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import Event, Message, Ticket
from chalicelib.services.ports import CALL_BUDGET, Clock, SlaPlanner, VersionedTickets
from chalicelib.services.recording import FactRecorder, facts_of

log = logging.getLogger("helpdesk.unit_of_work")

VERSION_RETRIES = 3  # writes of one change; more than two concurrent writers on a ticket is rare


@dataclass(frozen=True)
class Change:
    """What one decision does to a ticket: the new state, why (events), maybe a new message."""

    after: Ticket
    events: Sequence[Event]
    message: Message | None = None
    index_ids: Sequence[str] = ()  # more Message-IDs that thread to the ticket (a sent SES id)
    record: MailRecord | None = None  # the SES delivery this change comes from, written with it
    # A write of its own (after, expected_version, events, report facts) when the change moves
    # more than the ticket in the same transaction, such as a quarantine entry; raises
    # VersionConflict. It must write the facts in that transaction too.
    write: Callable[[Ticket, int, list[Event], Facts | None], None] | None = None


class Sync(Enum):
    QUIET = "quiet"  # after an agent's change: a Scheduler failure is logged, never answered
    STRICT = "strict"  # inbound mail: a Scheduler failure fails the Lambda, SES delivers again
    NONE = "none"  # the caller's schedules need no sync (its own schedule fired)


class TicketUnit:
    def __init__(
        self,
        *,
        store: VersionedTickets,
        sla: SlaPlanner,
        clock: Clock,
        sync: Sync = Sync.QUIET,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._store = store
        self._sla = sla
        self._clock = clock
        self._sync = sync
        self._recorder = recorder

    def get(self, number: int) -> Ticket:
        ticket = self._store.get_ticket(number)
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        return ticket

    def change[R](
        self,
        ticket: Ticket | int,
        decide: Callable[[Ticket, datetime], Change | R],
        *,
        at: datetime | None = None,
        budget: int = CALL_BUDGET,
        retries: int = VERSION_RETRIES,
    ) -> Ticket | R:
        """The planned ticket as written, or what `decide` returned instead of a Change.

        Raises NotFound when the ticket does not exist, VersionConflict when it kept changing.
        `at` fixes the change's time (a reply is recorded at the time it was sent)."""
        current = self.get(ticket) if isinstance(ticket, int) else ticket
        for attempt in range(retries):
            if attempt:
                current = self.get(current.number)
            now = at or self._clock.now()
            decided = decide(current, now)
            if not isinstance(decided, Change):
                return decided
            after, sla_events = self._sla.plan(current, decided.after, now)
            events = [*decided.events, *sla_events]
            found = facts_of(self._recorder, current, after, events, decided.message, now)
            try:
                self._write(current, after, events, decided, found)
            except VersionConflict:
                continue
            self._after_commit(current, after, budget)
            return after
        raise VersionConflict(f"ticket {current.number} kept changing")

    def _write(
        self,
        before: Ticket,
        after: Ticket,
        events: list[Event],
        change: Change,
        found: Facts | None,
    ) -> None:
        if change.write is not None:
            change.write(after, before.version, events, found)
            return
        if change.message is None:
            self._store.update_ticket(
                ticket=after, expected_version=before.version, events=events, facts=found
            )
            return
        self._store.append_message(
            ticket=after,
            expected_version=before.version,
            message=change.message,
            events=events,
            record=change.record,
            index_ids=change.index_ids,
            facts=found,
        )

    def _after_commit(self, before: Ticket, after: Ticket, budget: int) -> None:
        if self._sync is Sync.QUIET:
            sync_after_commit(self._sla, before, after, budget)
        elif self._sync is Sync.STRICT:
            self._sla.sync_schedules(before, after, budget)


def sync_after_commit(
    sla: SlaPlanner, before: Ticket | None, after: Ticket, budget: int = CALL_BUDGET
) -> None:
    """Schedules after an agent's change is committed (and maybe mailed): a Scheduler failure
    must not answer the agent with an error that invites them to send the reply again.
    The next write of the ticket syncs again; a leftover schedule fires and does nothing."""
    try:
        sla.sync_schedules(before, after, budget)
    except StorageError:
        log.exception("SLA schedules not synced", extra={"ticket": after.number})


class _Reads(Protocol):
    def get_ticket(self, number: int) -> Ticket | None: ...


def landed(store: _Reads, after: Ticket, part: Callable[[Ticket], object]) -> bool:
    """After a write whose answer never came: is the ticket now what that write made it?

    Its version says a write of that version landed; `part` (what the write was about) says it
    was this one. A second read that fails too answers no: the caller's retry decides then.
    """
    try:
        current = store.get_ticket(after.number)
    except StorageError:
        return False
    return current is not None and current.version == after.version and part(current) == part(after)
