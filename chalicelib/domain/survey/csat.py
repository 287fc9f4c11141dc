"""One survey answer as reports read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.survey.tokens import Answer


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
