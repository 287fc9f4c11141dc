"""The mark a fired SLA schedule leaves: at most one action per schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.sla.policy import Point

CLAIM_STALE_SECONDS = 90  # longer than the scheduled function's 60 s timeout: the claimer is dead


class MarkState(StrEnum):
    CLAIMED = "claimed"  # acted; the notice is being sent
    MAIL_FAILED = "mail_failed"  # acted, but the notice did not (surely) go: a retry sends it
    SENT = "sent"  # the notice went out
    REFUSED = "refused"  # SES refused the notice for good (a suppressed agent address)


@dataclass(frozen=True)
class FiringMark:
    """What one schedule did, keyed by its name: at most one action per schedule."""

    schedule: str
    ticket: int
    point: Point
    at: datetime
    state: MarkState = MarkState.CLAIMED

    def stale(self, now: datetime) -> bool:
        """Claimed so long ago that its claimer is dead: the notice may never have gone."""
        return (now - self.at).total_seconds() > CLAIM_STALE_SECONDS
