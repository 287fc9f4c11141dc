"""Logs for the seeded desk: the messages and events that bring each of bench/seed.py's tickets
to its seeded state (opened, taken, answered, written to again, solved, closed), written with
the table's codec, so that the backfill has whole lives to replay."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bench import seed
from chalicelib.adapters.dynamo.items import event_to_item, message_to_item
from chalicelib.domain.reports.history import TicketLog
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Party, Status, Ticket

MINUTE = timedelta(minutes=1)


def log_of(rng: random.Random, ticket: Ticket) -> TicketLog:
    """A life that ends where the seeded ticket is now."""
    life = _Life(ticket)
    at = ticket.created_at
    life.add(at, "created", "customer", {"queue": ticket.queue, "via": "email"})
    life.mail(at, MessageKind.INBOUND, ticket.requester.email)
    if ticket.status is Status.NEW:
        return life.log()
    agent = ticket.assignee or rng.choice(seed.AGENTS[ticket.queue])
    first = max(ticket.first_responded_at or at + 30 * MINUTE, at + 2 * MINUTE)
    last = max(ticket.updated_at, first + 10 * MINUTE)
    life.add(first - MINUTE, "assigned", agent, {"from": None, "to": agent})
    life.add(first - MINUTE, "status_changed", agent, {"from": "new", "to": "open"})
    life.reply(first, agent, "open", "pending")
    if ticket.status is Status.PENDING:
        return life.log()
    life.mail(last - 5 * MINUTE, MessageKind.INBOUND, ticket.requester.email)
    life.add(last - 5 * MINUTE, "customer_replied", "customer", {"authentication": "dmarc"})
    life.add(last - 5 * MINUTE, "status_changed", "customer", {"from": "pending", "to": "open"})
    if ticket.assignee is None:  # answered, then put back in the queue
        life.add(last - 4 * MINUTE, "assigned", agent, {"from": agent, "to": None})
    if ticket.status is Status.OPEN:
        return life.log()
    life.reply(last, agent, "open", "solved")
    if ticket.status is Status.CLOSED:
        closed = last + timedelta(days=7)
        life.add(closed, "status_changed", "survey", {"from": "solved", "to": "closed"})
        life.add(closed, "closed_automatically", "survey", {"reason": "no answer"})
    return life.log()


class _Life:
    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.messages: list[Message] = []
        self.events: list[Event] = []

    def add(self, at: datetime, kind: str, actor: str, data: dict[str, Any]) -> None:
        self.events.append(Event(at, kind, actor, data))

    def mail(self, at: datetime, kind: MessageKind, author: str) -> Message:
        t = self.ticket
        text = f"About order {t.number}: the invoice shows the wrong amount, please check."
        number = len(self.messages) + 1
        message = Message(f"m{number:03d}", t.number, kind, at, Party(author), t.subject, text)
        self.messages.append(message)
        return message

    def reply(self, at: datetime, agent: str, was: str, status: str) -> None:
        sent = self.mail(at, MessageKind.OUTBOUND, agent)
        self.add(at, "status_changed", agent, {"from": was, "to": status})
        self.add(at, "replied", agent, {"message": sent.id})

    def log(self) -> TicketLog:
        return TicketLog(self.ticket, tuple(self.messages), tuple(self.events))


def log_items(log: TicketLog) -> list[dict[str, Any]]:
    """The log's items as the ticket store writes them (event keys made repeatable)."""
    found = [message_to_item(m) for m in log.messages]
    seq: dict[datetime, int] = {}
    for event in log.events:
        seq[event.at] = seq.get(event.at, -1) + 1
        found.append(event_to_item(log.ticket.number, event, seq[event.at], tail="bench"))
    return found


def logs(tickets: Sequence[Ticket]) -> list[TicketLog]:
    rng = random.Random(13)
    return [log_of(rng, t) for t in tickets]
