"""check_sla: a schedule fired; act once, and only if its point is still due and unmet.

A firing reads the ticket and its firing mark together (one BatchGetItem), writes the ticket,
its events and the mark in one transaction that fails if the mark exists (so the same schedule
firing twice acts once), sends one notice and marks it sent: four AWS calls.

The notice is internal, so it goes at least once, never lost: a send that failed, or whose
outcome is unknown, marks MAIL_FAILED and fails the invocation, and Scheduler's retry sends it
again. A retry that finds the mark still CLAIMED (the first invocation died, or is running)
fails too until the claim is stale, then sends. SES refusing the notice for good is marked
REFUSED and logged: retrying would not help.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import (
    AlreadyFired,
    DeliveryUnknown,
    InvalidInput,
    MailRejected,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.sla.firing import FiringMark, MarkState
from chalicelib.domain.sla.policy import (
    AT_RISK,
    BREACHED,
    Point,
    PointKind,
    SlaPolicy,
    points,
    running,
    sla_state,
)
from chalicelib.domain.sla.records import missed_event
from chalicelib.domain.sla.schedules import schedule_name
from chalicelib.domain.tickets.model import Event, Ticket
from chalicelib.services.ports import Clock, FiringStore, Mailer, Metrics, OutgoingMail
from chalicelib.services.recording import FactRecorder, facts_of
from chalicelib.services.sla.notices import SlaNotices
from chalicelib.services.unit_of_work import VERSION_RETRIES

log = logging.getLogger("helpdesk.sla")

EARLY_TOLERANCE = timedelta(seconds=60)  # clock skew between Scheduler and us


@dataclass(frozen=True)
class FiringResult:
    outcome: str  # warning | breach | idle | duplicate | gone | resent
    ticket: int
    schedule: str
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v != ""}


class SlaFiring:
    def __init__(
        self,
        *,
        store: FiringStore,
        mailer: Mailer,
        notices: SlaNotices,
        policy: SlaPolicy,
        clock: Clock,
        metrics: Metrics,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._mailer = mailer
        self._notices = notices
        self._policy = policy
        self._clock = clock
        self._metrics = metrics

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        number, name = _parse(event)
        return self.fire(number, name).as_dict()

    def fire(self, number: int, name: str) -> FiringResult:
        for _ in range(VERSION_RETRIES):
            ticket, mark = self._store.read_firing(number, name)
            now = self._clock.now()
            if ticket is None:
                return FiringResult("gone", number, name, "no such ticket")
            if mark is not None:
                return self._again(ticket, mark)
            point = self._due_point(ticket, name, now)
            if isinstance(point, str):
                self._metrics.count("SlaFiringsIdle", reason=point)
                return FiringResult("idle", number, name, point)
            try:
                return self._act(ticket, point, name, now)
            except VersionConflict:
                continue
            except AlreadyFired:
                return FiringResult("duplicate", number, name, "fired before")
        raise VersionConflict(f"ticket {number} kept changing while {name} fired")

    def _due_point(self, ticket: Ticket, name: str, now: datetime) -> Point | str:
        for point in points(ticket, self._policy):
            if schedule_name(ticket.number, point) == name:
                return point if point.at <= now + EARLY_TOLERANCE else "early"
        return "met, moved or already acted on"

    def _act(self, ticket: Ticket, point: Point, name: str, now: datetime) -> FiringResult:
        recipient = self._notices.recipient(ticket, point.kind)
        if point.kind is PointKind.WARNING:
            updated, events = warned(ticket, point, now, recipient)
        else:
            updated, events = breached(ticket, point, now, recipient, self._policy)
        mail = self._notices.compose(updated, point, now, was=ticket.priority)
        mark = FiringMark(name, ticket.number, point, now)
        self._store.record_firing(
            ticket=updated,
            expected_version=ticket.version,
            events=events,
            mark=mark,
            facts=facts_of(self._recorder, ticket, updated, events, at=now),
        )
        self._send(mail, mark)
        self._metrics.count("SlaWarnings" if point.kind is PointKind.WARNING else "SlaBreaches")
        log.info("sla %s", point.kind.value, extra={"ticket": ticket.number, "schedule": name})
        return FiringResult(point.kind.value, ticket.number, name)

    def _again(self, ticket: Ticket, mark: FiringMark) -> FiringResult:
        """The schedule acted before. A notice that may not have gone is sent, if still true."""
        now = self._clock.now()
        if mark.state is MarkState.CLAIMED and not mark.stale(now):
            raise StorageError(f"the notice of {mark.schedule} may be in flight; try again later")
        if mark.state not in (MarkState.MAIL_FAILED, MarkState.CLAIMED):
            return FiringResult("duplicate", ticket.number, mark.schedule, "fired before")
        still = any(
            w.deadline == mark.point.deadline and w.due == mark.point.due for w in running(ticket)
        )
        if not still:
            return FiringResult("idle", ticket.number, mark.schedule, "met since")
        mail = self._notices.compose(ticket, mark.point, now)
        self._send(mail, mark)
        return FiringResult("resent", ticket.number, mark.schedule)

    def _send(self, mail: OutgoingMail, mark: FiringMark) -> None:
        try:
            self._mailer.send(mail)
        except MailRejected as e:
            self._store.save_mark(replace(mark, state=MarkState.REFUSED))
            self._metrics.count("SlaNoticesRefused")
            log.error("sla notice refused", extra={"schedule": mark.schedule, "why": str(e)})
            return
        except (StorageError, DeliveryUnknown):  # internal: better twice than never
            self._store.save_mark(replace(mark, state=MarkState.MAIL_FAILED))
            raise
        self._store.save_mark(replace(mark, state=MarkState.SENT))


def warned(
    ticket: Ticket, point: Point, at: datetime, recipient: str
) -> tuple[Ticket, list[Event]]:
    flags = {**ticket.sla_flags, point.deadline.value: AT_RISK}
    updated = replace(ticket, sla_flags=flags, version=ticket.version + 1)
    data = {"deadline": point.deadline.value, "due": point.due.isoformat(), "notified": recipient}
    return replace(updated, sla_state=sla_state(updated)), [Event(at, "sla_warning", "sla", data)]


def breached(
    ticket: Ticket, point: Point, at: datetime, recipient: str, policy: SlaPolicy
) -> tuple[Ticket, list[Event]]:
    """Missed: flagged breached, recorded for reports, one priority up, escalated."""
    [watch] = [w for w in running(ticket) if w.deadline == point.deadline]
    missed = missed_event(ticket, watch, policy, at)
    events = [replace(missed, data={**missed.data, "notified": recipient})]
    flags = {**ticket.sla_flags, point.deadline.value: BREACHED}
    raised = ticket.priority.raised()
    if raised != ticket.priority:
        change = {"from": ticket.priority.value, "to": raised.value, "reason": "sla_breach"}
        events.append(Event(at, "priority_changed", "sla", change))
    updated = replace(ticket, sla_flags=flags, priority=raised, version=ticket.version + 1)
    return replace(updated, sla_state=sla_state(updated)), events


def _parse(event: Mapping[str, Any]) -> tuple[int, str]:
    name, number = event.get("schedule"), event.get("ticket")
    if not isinstance(name, str) or not name:
        raise InvalidInput("schedule", "the SLA event names no schedule")
    if isinstance(number, bool) or not isinstance(number, int):
        raise InvalidInput("ticket", "the SLA event names no ticket number")
    if not name.startswith(f"sla-{number}-"):
        raise InvalidInput("schedule", f"{name!r} is not an SLA schedule of ticket {number}")
    return number, name
