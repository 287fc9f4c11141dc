"""Tickets, their messages and their event log; the state rules agents and mail share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    def raised(self) -> Priority:
        order = list(Priority)
        return order[min(order.index(self) + 1, len(order) - 1)]


class MessageKind(StrEnum):
    INBOUND = "inbound"  # a customer wrote
    OUTBOUND = "outbound"  # an agent answered
    NOTE = "note"  # internal, never emailed
    AUTO = "auto"  # something we sent by ourselves: acknowledgement, survey


WAITING_ON_AGENT = frozenset({Status.NEW, Status.OPEN})
THREAD_REFERENCES_KEPT = 20
# SES sends to at most 50 recipients; the ticket item, rewritten on every reply, stays bounded.
TICKET_CC_LIMIT = 40


@dataclass(frozen=True)
class Party:
    email: str
    name: str = ""


@dataclass(frozen=True)
class AttachmentRef:
    filename: str
    content_type: str
    size: int
    key: str | None  # None when not stored on its own (over the limits): it stays in the raw mail
    content_id: str | None = None
    inline: bool = False
    skipped: str | None = None  # why it was not stored on its own


@dataclass(frozen=True)
class Message:
    id: str
    ticket_number: int
    kind: MessageKind
    created_at: datetime
    author: Party
    subject: str
    text: str
    quoted: str = ""
    html: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    attachments: tuple[AttachmentRef, ...] = ()
    message_id: str | None = None  # RFC 5322 Message-ID (our own, for outbound)
    provider_id: str | None = None  # SES message id: of the receipt (inbound) or the send
    raw_key: str | None = None
    flags: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ticket:
    number: int
    subject: str
    requester: Party
    queue: str
    status: Status
    priority: Priority
    language: str
    created_at: datetime
    updated_at: datetime
    reply_to: str | None = None
    cc: tuple[str, ...] = ()
    assignee: str | None = None
    first_response_due: datetime | None = None
    first_responded_at: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    customer_waiting_since: datetime | None = None  # since when the customer waits for us
    sla_state: str = "ok"  # ok | at_risk | breached: of the deadline being worked against
    solved_at: datetime | None = None
    thread_ids: tuple[str, ...] = ()  # Message-IDs of the thread, oldest first, for References
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # The SLA clock (chalicelib/domain/sla/policy.py): a VIP requester, the resolution time counted
    # before the running stretch (pending time does not count), and per deadline its flag.
    vip: bool = False
    resolution_started: datetime | None = None  # start of the running stretch; None: paused
    resolution_used: timedelta = timedelta(0)  # counted before resolution_started
    sla_flags: dict[str, str] = field(default_factory=dict)  # deadline → at_risk | breached

    @property
    def tag(self) -> str:
        return f"[#{self.number}]"

    @property
    def customer_address(self) -> str:
        return self.reply_to or self.requester.email

    @property
    def participants(self) -> frozenset[str]:
        """Addresses allowed to add to this ticket by email."""
        return frozenset({self.requester.email, *(a for a in [self.reply_to] if a), *self.cc})

    @property
    def response_due(self) -> datetime | None:
        """The deadline an agent is working against now, if any."""
        if self.status not in WAITING_ON_AGENT:
            return None
        if self.first_responded_at is None:
            return self.first_response_due
        return self.next_response_due

    def with_thread_id(self, message_id: str | None) -> tuple[str, ...]:
        if not message_id or message_id in self.thread_ids:
            return self.thread_ids
        ids = (*self.thread_ids, message_id)
        if len(ids) > THREAD_REFERENCES_KEPT:
            ids = (ids[0], *ids[-(THREAD_REFERENCES_KEPT - 1) :])
        return ids


def merge_cc(current: tuple[str, ...], added: tuple[str, ...]) -> tuple[str, ...]:
    """The ticket's cc list with `added` after it, without repeats, at most TICKET_CC_LIMIT."""
    return tuple(dict.fromkeys((*current, *added)))[: max(TICKET_CC_LIMIT, len(current))]


def on_customer_reply(
    ticket: Ticket, *, at: datetime, message_id: str | None, cc: tuple[str, ...]
) -> tuple[Ticket, list[Event]]:
    """A customer wrote again: reopen work that was waiting on them or done."""
    events: list[Event] = []
    status = ticket.status
    if status in (Status.PENDING, Status.SOLVED, Status.CLOSED):
        status = Status.OPEN
        events.append(
            Event(at, "status_changed", "customer", {"from": ticket.status, "to": status})
        )
    merged_cc = merge_cc(ticket.cc, cc)
    if merged_cc != ticket.cc:
        events.append(Event(at, "cc_changed", "customer", {"cc": list(merged_cc)}))
    updated = replace(
        ticket,
        status=status,
        cc=merged_cc,
        updated_at=at,
        customer_waiting_since=ticket.customer_waiting_since or at,
        thread_ids=ticket.with_thread_id(message_id),
        solved_at=None if status == Status.OPEN else ticket.solved_at,
        version=ticket.version + 1,
    )
    return updated, events
