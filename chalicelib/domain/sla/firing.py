"""The mark a fired SLA schedule leaves: at most one action per schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.sla.policy import Point


class MarkState(StrEnum):
    CLAIMED = "claimed"  # acted; the notice is being sent (or was)
    MAIL_FAILED = "mail_failed"  # acted, but SES refused: a retry sends the notice
    SENT = "sent"  # the retry sent it


@dataclass(frozen=True)
class FiringMark:
    """What one schedule did, keyed by its name: at most one action per schedule."""

    schedule: str
    ticket: int
    point: Point
    at: datetime
    state: MarkState = MarkState.CLAIMED
