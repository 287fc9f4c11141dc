"""Idempotency keys for notes, takes and transfers: a retried POST acts once.

These send no mail, so nothing happens outside the table and one transaction is enough: the
key's claim is written with the change it made (the note, the ticket's new state), or not at
all. A repeat finds the claim and is answered from it (the note made then, the ticket as it is
now) without acting again. Keys are the replies' (reply_keys.py: the header, its format, the
agent's own, a day's memory); one key is one request, so a different one under it is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.desk.reply_keys import HEADER
from chalicelib.domain.errors import InvalidInput


@dataclass(frozen=True)
class ActionClaim:
    agent: str
    key: str
    action: str  # note | take | transfer
    ticket: int
    fingerprint: str
    at: datetime
    note_id: str | None = None  # the note it added to the thread (a note's, a transfer's)


def action_fingerprint(action: str, number: int, *asked: str) -> str:
    """What the request asked for: the action, its ticket and its fields."""
    return hashlib.sha256(json.dumps([action, number, *asked]).encode()).hexdigest()


def same_request(held: ActionClaim, fingerprint: str) -> ActionClaim:
    """The claim a repeat answers from; another request under the same key is a client's bug."""
    if held.fingerprint != fingerprint:
        raise InvalidInput(HEADER, "was used for another request: a new request needs a new key")
    return held
