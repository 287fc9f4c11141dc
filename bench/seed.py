"""A busy desk's tickets, written straight to the table with its own codec (BatchWriteItem)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo.items import ticket_to_item
from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.domain.tickets.model import Party, Priority, Status, Ticket

AGENTS = {
    "Support": ("lena@example.com", "oskar@example.com", "sara@example.com", "jonas@example.com"),
    "Billing": ("mikko@example.com", "aino@example.com"),
    "Second line": ("piotr@example.com", "dana@example.com"),
}
QUEUE_WEIGHTS = (55, 30, 15)
DAYS = 120  # 10,000 tickets in four months: about 80 a day
# Status by the ticket's age in days: recent ones wait on someone, old ones are closed.
BY_AGE = (
    (1, {Status.NEW: 35, Status.OPEN: 35, Status.PENDING: 15, Status.SOLVED: 15}),
    (7, {Status.NEW: 5, Status.OPEN: 25, Status.PENDING: 25, Status.SOLVED: 35, Status.CLOSED: 10}),
    (30, {Status.OPEN: 4, Status.PENDING: 4, Status.SOLVED: 12, Status.CLOSED: 80}),
    (DAYS, {Status.SOLVED: 1, Status.CLOSED: 99}),
)
PRIORITIES = {Priority.LOW: 15, Priority.NORMAL: 65, Priority.HIGH: 15, Priority.URGENT: 5}
REGULARS = 20  # business customers who write often: 5 % of all tickets
LANGUAGES = ("en", "fi", "sv", "pl", "fa", "da")


def heavy_requester() -> str:
    return _requester(0)


def _requester(index: int) -> str:
    return f"buyer{index}@regular{index}.example" if index < REGULARS else f"c{index}@mail.example"


def ticket(rng: random.Random, number: int, now: datetime, days: float = DAYS) -> Ticket:
    age = timedelta(days=rng.random() * days)
    created = now - age
    queue = rng.choices(list(AGENTS), QUEUE_WEIGHTS)[0]
    status = _pick(rng, next(w for limit, w in BY_AGE if age <= timedelta(days=limit)))
    waiting = status in (Status.NEW, Status.OPEN)
    answered = status != Status.NEW
    updated = created + age * rng.random() if answered else created
    requester = _requester(rng.randrange(REGULARS) if rng.random() < 0.05 else number)
    return Ticket(
        number=number,
        subject=f"Question {number} about my order",
        requester=Party(requester, f"Customer {number}"),
        queue=queue,
        status=status,
        priority=_pick(rng, PRIORITIES),
        language=rng.choice(LANGUAGES),
        created_at=created,
        updated_at=updated,
        assignee=_assignee(rng, queue) if answered else None,
        first_response_due=created + timedelta(hours=4),
        first_responded_at=created + timedelta(hours=rng.random() * 4) if answered else None,
        next_response_due=updated + timedelta(hours=4) if answered and waiting else None,
        customer_waiting_since=updated if waiting else None,
        sla_state=_pick(rng, {"ok": 81, "at_risk": 12, "breached": 7}) if waiting else "ok",
        version=3 if answered else 1,
    )


def _assignee(rng: random.Random, queue: str) -> str | None:
    if rng.random() < 0.15:
        return None  # answered, then put back in the queue
    home = rng.random() < 0.9
    return rng.choice(AGENTS[queue] if home else [a for q in AGENTS.values() for a in q])


def _pick[T](rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), list(weights.values()))[0]


def seed(dynamodb: Any, table: str, count: int, now: datetime, days: float = DAYS) -> list[Ticket]:
    """`count` tickets over `days`, repeatable (a fixed random seed), in batches of 25."""
    rng = random.Random(2026)
    tickets = [ticket(rng, 1001 + i, now, days) for i in range(count)]
    write(dynamodb, table, [ticket_to_item(t) for t in tickets])
    return tickets


def write(dynamodb: Any, table: str, items: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": to_attr(i)}} for i in items[start : start + 25]]
        request: dict[str, Any] = {table: batch}
        while request:
            request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
