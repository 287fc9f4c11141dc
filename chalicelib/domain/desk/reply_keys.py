"""Idempotency keys for agents' replies: a retried POST never mails the customer twice.

A reply is the one agent action with an effect outside the table: once SES has the mail, it is
gone. A double click, a flaky phone connection or a client retrying after a timeout would send
the customer the same answer twice. The client sends `Idempotency-Key` (the UI makes one per
draft); the key is claimed in DynamoDB before SES is called, and the claim names the message
ids the reply will have, so a repeat can tell "recorded" (answer it again), "sent, not yet
recorded" (record it, send nothing), "still being sent" (409), and "possibly sent" (SES's
answer never came, or the sender died before recording it: after CLAIM_STALE_SECONDS) —
recorded as possibly sent, never sent again: the customer gets the answer at most once.
A key is the agent's own: two agents' keys never meet, and one key reused for a different
reply is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from chalicelib.domain.desk.drafts import ReplyRequest
from chalicelib.domain.errors import InvalidInput

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
CLAIM_STALE_SECONDS = 60  # longer than the API function's timeout: the claimer is dead
CLAIM_TTL = timedelta(days=1)  # how long a key is remembered


class ClaimState(Enum):
    SENDING = "sending"
    SENT = "sent"
    RELEASED = "released"  # SES refused it: the key is free again
    UNKNOWN = "unknown"  # SES may have it (its answer never came): recorded, never resent


@dataclass(frozen=True)
class ReplyClaim:
    agent: str
    key: str
    ticket: int
    fingerprint: str
    at: datetime  # the reply's time: its message is recorded with it, even on a repeat
    local_id: str  # the message's id in the thread
    message_id: str  # its Message-ID header: a resend carries the same one
    claimed_at: datetime
    state: ClaimState = ClaimState.SENDING
    provider_id: str | None = None

    def stale(self, now: datetime) -> bool:
        return (now - self.claimed_at).total_seconds() > CLAIM_STALE_SECONDS


def parse_key(value: str | None) -> str | None:
    """The header's value: 1 to 255 visible ASCII characters (a UUID is the usual choice)."""
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise InvalidInput(HEADER, f"1 to {MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID")
    return key


def key_digest(agent: str, key: str) -> str:
    """Stable and opaque: the stored key and the message id's unique part come from it."""
    return hashlib.sha256(f"{agent}\n{key}".encode()).hexdigest()


def fingerprint(number: int, request: ReplyRequest) -> str:
    """What the reply asked for: the same key with a different reply is a client's bug."""
    asked = [number, request.body, list(request.cc), request.template_id, request.status]
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()
