"""Ports of the agent desk: what views, ticket actions, templates and quarantine need outside."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.desk.canned import CannedTemplate, Feedback
from chalicelib.domain.tickets.model import Event, Message, Ticket
from chalicelib.services.ports import MailRecord, QuarantineEntry, TicketStore


class PartitionKind(StrEnum):
    """The lists the table keeps sorted (one index each); the adapter knows their keys."""

    QUEUE = "queue"  # a queue's tickets of one status group
    ASSIGNEE = "assignee"  # an agent's tickets ("-" for unassigned) of one status group
    STATUS = "status"  # every ticket of one status group
    REQUESTER = "requester"  # a customer's tickets, newest first
    UNASSIGNED = "unassigned"  # a queue's unassigned tickets of one status group
    FLAG = "flag"  # tickets waiting on us whose SLA is at risk or breached


@dataclass(frozen=True)
class ViewQuery:
    """One Query: a partition, read in order, with the (rare) filters the partition cannot key."""

    kind: PartitionKind
    value: str
    group: str = ""
    newest_first: bool = False
    statuses: tuple[str, ...] = ()
    queue: str | None = None
    assignee: str | None = None
    unassigned_only: bool = False
    limit: int = 50
    cursor: str | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.statuses or self.queue or self.assignee or self.unassigned_only)


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    cursor: str | None


@dataclass(frozen=True)
class TicketRecord:
    """A ticket's whole partition: the ticket, its thread oldest first, its event log."""

    ticket: Ticket
    messages: list[Message]
    events: list[Event]


@dataclass(frozen=True)
class WaitingStats:
    waiting: int
    unassigned: int
    oldest_waiting_since: datetime | None


class ViewStore(Protocol):
    def query_view(self, query: ViewQuery) -> Page:
        """Raises InvalidInput("cursor") for a cursor that is not one of this query's."""
        ...

    def ticket_record(self, number: int) -> TicketRecord | None: ...

    def waiting_stats(self, queue: str) -> WaitingStats: ...


class DeskStore(TicketStore, Protocol):
    def update_ticket(
        self, *, ticket: Ticket, expected_version: int, events: Sequence[Event]
    ) -> None:
        """One transaction. Raises VersionConflict when the ticket changed."""
        ...

    def add_to_thread(self, *, message: Message, events: Sequence[Event]) -> None:
        """A message that changes nothing on the ticket (a note). Raises NotFound."""
        ...


class Presigner(Protocol):
    def presign(self, key: str, *, filename: str | None = None, expires: int = 300) -> str: ...


class HtmlSanitizer(Protocol):
    def __call__(self, html: str, inline_images: Mapping[str, str]) -> str:
        """Safe HTML; `cid:` images point at `inline_images[content_id]`."""
        ...


class AgentDirectory(Protocol):
    def get(self, agent_id: str) -> Agent:
        """Raises NotFound."""
        ...


class TemplateEngine(Protocol):
    def check(self, source: str) -> None:
        """Raises InvalidInput("body") for a template that may not be saved."""
        ...

    def render(self, source: str, values: Mapping[str, str]) -> str:
        """Raises InvalidInput("template_id") when the template fails to render."""
        ...


class TemplateStore(Protocol):
    def get_template(self, template_id: str) -> CannedTemplate | None: ...

    def list_templates(self) -> list[CannedTemplate]: ...

    def create_template(self, template: CannedTemplate) -> None: ...

    def save_template(self, template: CannedTemplate, expected_version: int) -> None:
        """Raises VersionConflict."""
        ...

    def get_feedback(self, template_id: str, agent: str) -> Feedback | None: ...

    def list_feedback(self, template_id: str, limit: int) -> list[Feedback]: ...

    def put_feedback(self, feedback: Feedback, previous: Feedback | None) -> None:
        """Stores the agent's vote and moves the counts. Raises VersionConflict, NotFound."""
        ...


class HeldStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    SPAM = "spam"


@dataclass(frozen=True)
class HeldMail:
    """A quarantine entry and what agents decided about it."""

    entry: QuarantineEntry
    ticket_number: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @property
    def status(self) -> HeldStatus:
        return HeldStatus(self.entry.status)


class HeldMailStore(Protocol):
    def get_held(self, mail_id: str) -> HeldMail | None: ...

    def list_held(self, limit: int, cursor: str | None) -> tuple[list[HeldMail], str | None]:
        """Newest first. Raises InvalidInput("cursor")."""
        ...

    def release(
        self,
        *,
        held: HeldMail,
        ticket: Ticket,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        by: str,
        at: datetime,
    ) -> None:
        """One transaction: the ticket, its first message, the delivery record and the entry.

        Raises Conflict when the entry was decided meanwhile, DuplicateMessage when its
        Message-ID is already on a ticket.
        """
        ...

    def mark_spam(self, *, held: HeldMail, by: str, at: datetime) -> None:
        """Raises Conflict when the entry was decided meanwhile."""
        ...
