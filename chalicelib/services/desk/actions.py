"""Agents change tickets: notes, edits with the version they saw, take, transfer to a queue.

Every change is written with the events that explain it (the audit trail) and goes through the
SLA clock: `plan` before the write, `sync_schedules` after it. A note, take or transfer may
carry an `Idempotency-Key` (services/desk/action_keys.py): a repeat of it does not act again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import (
    Conflict,
    InvalidInput,
    KeyUsed,
    NotFound,
    TooLarge,
    VersionConflict,
)
from chalicelib.domain.mail.addresses import normalise
from chalicelib.domain.survey.model import note_solver
from chalicelib.domain.tickets.changes import (
    SETTABLE_STATUSES,
    UNCHANGED,
    TicketChanges,
    apply_changes,
    parse_priority,
    parse_status,
    take,
    transfer,
)
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Party, Ticket
from chalicelib.services.desk.action_keys import Acted, ActionKeys, asked, unique
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.ports import AgentDirectory, Clock, DeskStore, SlaPlanner
from chalicelib.services.recording import FactRecorder
from chalicelib.services.unit_of_work import Change, TicketUnit

MAX_NOTE_BYTES = 64 * 1024


@dataclass(frozen=True)
class PatchRequest:
    version: int
    status: str | None = None
    priority: str | None = None
    queue: str | None = None
    assignee: Any = UNCHANGED  # an agent id, None to unassign, UNCHANGED when not asked
    spam: bool | None = None


class TicketActions:
    def __init__(
        self,
        *,
        store: DeskStore,
        agents: AgentDirectory,
        sla: SlaPlanner,
        clock: Clock,
        queues: tuple[str, ...],
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._agents = agents
        self._unit = TicketUnit(store=store, sla=sla, clock=clock, recorder=recorder)
        self._keys = ActionKeys(store, self._unit)
        self._clock = clock
        self._queues = queues

    def note(self, number: int, agent: Agent, body: str, key: str | None = None) -> Acted[Message]:
        now = self._clock.now()
        text = _text("body", body)
        message = _note(number, agent, text, now, unique=unique(agent, key))
        event = Event(now, "note_added", agent.id, {"message": message.id})
        claim = asked(agent, key, "note", number, now, text, note_id=message.id)
        try:
            self._store.add_to_thread(message=message, events=[event], claim=claim)
        except KeyUsed as e:
            if claim is None:
                raise
            return self._keys.note_again(e.claim, claim)
        return Acted(message)

    def patch(self, number: int, agent: Agent, request: PatchRequest) -> Ticket:
        changes = self._changes(request)

        def decide(ticket: Ticket, now: datetime) -> Change | Ticket:
            if ticket.version != request.version:
                raise Conflict(
                    f"ticket {ticket.tag} changed since version {request.version}", ticket
                )
            try:
                after, events = apply_changes(ticket, changes, at=now, actor=agent.id)
            except Conflict as e:
                raise Conflict(str(e), ticket) from None
            if not events:
                return ticket
            return Change(note_solver(ticket, after, agent), events)  # the survey names the solver

        try:
            return self._unit.change(number, decide, retries=1)
        except VersionConflict:
            current = self._unit.get(number)
            raise Conflict(f"ticket {current.tag} changed meanwhile", current) from None

    def take(self, number: int, agent: Agent, key: str | None = None) -> Acted[Ticket]:
        claim = asked(agent, key, "take", number, self._clock.now())

        def decide(ticket: Ticket, now: datetime) -> Change | Ticket:
            try:
                after, events = take(ticket, agent.id, at=now)
            except Conflict as e:
                raise Conflict(str(e), ticket) from None
            if not events:
                return ticket  # mine already: nothing is written, the key's claim neither
            return self._keys.claimed(Change(after, events), claim, now)

        return self._keeps_changing(number, decide, claim)

    def transfer(
        self, number: int, agent: Agent, queue: str, note: str, key: str | None = None
    ) -> Acted[Ticket]:
        target = self._queue(queue)
        text = _text("note", note)
        claim = asked(agent, key, "transfer", number, self._clock.now(), target, text)

        def decide(ticket: Ticket, now: datetime) -> Change:
            message = _note(number, agent, text, now, ("transfer",), unique(agent, key))
            after, events = transfer(ticket, target, at=now, actor=agent.id, note_id=message.id)
            return self._keys.claimed(Change(after, events, message), claim, now)

        return self._keeps_changing(number, decide, claim)

    def _keeps_changing(
        self,
        number: int,
        decide: Callable[[Ticket, datetime], Change | Ticket],
        claim: ActionClaim | None,
    ) -> Acted[Ticket]:
        held = self._keys.held(claim)
        if held is not None and claim is not None:
            return self._keys.ticket_again(held, claim)
        try:
            return Acted(self._unit.change(number, decide))
        except KeyUsed as e:  # a concurrent repeat of the same request was written first
            if claim is None:
                raise
            return self._keys.ticket_again(e.claim, claim)
        except VersionConflict:
            current = self._unit.get(number)
            raise Conflict(f"ticket {current.tag} keeps changing; try again", current) from None

    def _changes(self, request: PatchRequest) -> TicketChanges:
        return TicketChanges(
            status=parse_status(request.status, SETTABLE_STATUSES)
            if request.status is not None
            else None,
            priority=parse_priority(request.priority) if request.priority is not None else None,
            queue=self._queue(request.queue) if request.queue is not None else None,
            assignee=self._assignee(request.assignee),
            spam=request.spam,
        )

    def _queue(self, queue: str) -> str:
        if queue not in self._queues:
            raise InvalidInput("queue", f"unknown queue {queue!r}")
        return queue

    def _assignee(self, value: Any) -> Any:
        if value is UNCHANGED or value is None or value == "":
            return value if value is UNCHANGED else None
        try:
            agent = self._agents.get(normalise(str(value)))
        except NotFound as e:
            raise InvalidInput("assignee", f"no agent {value}") from e
        if not agent.active:
            raise InvalidInput("assignee", f"{agent.id} is not an active agent")
        return agent.id


def _text(field: str, value: str) -> str:
    text = value.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(field, "is required")
    if len(text.encode("utf-8")) > MAX_NOTE_BYTES:
        raise TooLarge(f"{field} over {MAX_NOTE_BYTES} bytes")
    return text


def _note(
    number: int,
    agent: Agent,
    text: str,
    at: datetime,
    flags: tuple[str, ...] = (),
    unique: str | None = None,
) -> Message:
    return Message(
        id=new_message_id(at, unique),
        ticket_number=number,
        kind=MessageKind.NOTE,
        created_at=at,
        author=Party(agent.email, agent.name),
        subject="",
        text=text,
        flags=flags,
    )
