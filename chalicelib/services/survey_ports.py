"""Ports of the satisfaction survey: its table reads and writes, and the CSAT answer records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.survey.tokens import Answer
from chalicelib.domain.tickets.model import Event, Message, Ticket


class OptedOut(Exception):
    """The customer asked for no more surveys (a CUSTOMER#<address> item says so)."""


@dataclass(frozen=True)
class CsatRecord:
    """One survey's answer as reports read it: one per survey, the latest answer wins."""

    ticket: int
    survey: str
    answer: Answer
    at: datetime
    queue: str
    agent: str  # who solved the ticket ("" when unknown)
    language: str = "en"


class SurveyStore(Protocol):
    def get_ticket(self, number: int) -> Ticket | None: ...

    def creation_reasons(self, ticket: Ticket) -> list[str]:
        """Why the acknowledgement was suppressed when the ticket was created (may be none)."""
        ...

    def claim_send(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        customer: str,
    ) -> None:
        """One transaction: the ticket (survey sent), the mail on its thread, its events, and
        a check that `customer` has not opted out. Raises OptedOut or VersionConflict."""
        ...

    def update_ticket(
        self, *, ticket: Ticket, expected_version: int, events: Sequence[Event]
    ) -> None:
        """One transaction. Raises VersionConflict."""
        ...

    def record_answer(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        record: CsatRecord,
        message: Message | None,
        events: Sequence[Event],
    ) -> None:
        """One transaction: the ticket, its answer record, the comment. Raises VersionConflict."""
        ...

    def opt_out(self, address: str, at: datetime, ticket: int) -> None: ...


class CsatRecords(Protocol):
    def csat_records(self, since: datetime, until: datetime) -> list[CsatRecord]:
        """Answers recorded in [since, until), by month, without reading tickets."""
        ...
