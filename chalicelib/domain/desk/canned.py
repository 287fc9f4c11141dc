"""Canned answers ("best answers"): reusable templates, their placeholders, their feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.tickets.model import Ticket

MAX_TEMPLATE_CHARS = 20_000
MAX_NAME_CHARS = 200
MAX_COMMENT_CHARS = 2_000

PLACEHOLDERS = {
    "customer_name": "the customer's name (may be empty)",
    "customer_email": "the customer's address",
    "ticket_number": "1042",
    "ticket_tag": "[#1042]",
    "subject": "the ticket's subject",
    "queue": "the ticket's queue",
    "status": "the ticket's status",
    "priority": "the ticket's priority",
    "agent_name": "the answering agent's name",
    "agent_title": "the answering agent's title",
    "helpdesk_name": "the helpdesk's name",
}


@dataclass(frozen=True)
class CannedTemplate:
    id: str
    name: str
    language: str
    body: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int = 1
    retired_at: datetime | None = None
    helpful: int = 0
    not_helpful: int = 0

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True)
class Feedback:
    template_id: str
    agent: str
    helpful: bool
    at: datetime
    comment: str = ""


def placeholder_values(ticket: Ticket, agent: Agent, helpdesk_name: str) -> dict[str, str]:
    """Only plain strings reach a template: nothing with attributes worth escaping through."""
    return {
        "customer_name": ticket.requester.name,
        "customer_email": ticket.requester.email,
        "ticket_number": str(ticket.number),
        "ticket_tag": ticket.tag,
        "subject": ticket.subject,
        "queue": ticket.queue,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "agent_name": agent.name,
        "agent_title": agent.title,
        "helpdesk_name": helpdesk_name,
    }


def sample_values() -> dict[str, str]:
    """Values to try a template with before it is saved."""
    return {
        **{key: "x" for key in PLACEHOLDERS},
        "ticket_number": "1042",
        "ticket_tag": "[#1042]",
    }
