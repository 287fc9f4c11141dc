"""The report facts of one ticket write, in the desk's time zone and the queues' calendars.

Every service that writes a ticket asks `FactRecorder.facts(before, after, ...)` and hands the
result to the store, which adds it in the same transaction as the ticket: a write that lands
counts once, a write that fails (or is retried after a version conflict) counts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.reports.facts import Facts, facts
from chalicelib.domain.sla.policy import SlaPolicy
from chalicelib.domain.tickets.model import Event, Message, Ticket


class FactRecorder:
    def __init__(self, policy: SlaPolicy, timezone: str) -> None:
        self._policy = policy
        self._zone = ZoneInfo(timezone)

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def facts(
        self,
        before: Ticket | None,
        after: Ticket,
        events: Sequence[Event],
        message: Message | None = None,
        at: datetime | None = None,
    ) -> Facts:
        return facts(
            before,
            after,
            events,
            message,
            zone=self._zone,
            calendar_of=self._policy.calendar_of,
            at=at,
        )


def facts_of(
    recorder: FactRecorder | None,
    before: Ticket | None,
    after: Ticket,
    events: Sequence[Event],
    message: Message | None = None,
    at: datetime | None = None,
) -> Facts | None:
    """None when the service runs without reports (unit tests of other flows)."""
    return recorder.facts(before, after, events, message, at) if recorder is not None else None
