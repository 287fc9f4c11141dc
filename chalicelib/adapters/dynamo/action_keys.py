"""The item of a note's, take's or transfer's Idempotency-Key: written in the change's own
transaction (adapters/dynamo/desk.py), forgotten by TTL a day later as reply keys are."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamo import items
from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.desk.reply_keys import CLAIM_TTL, key_digest


def action_key(agent: str, key: str) -> items.Item:
    return {"PK": f"ACTIONKEY#{key_digest(agent, key)}", "SK": "ACTIONKEY"}


def action_to_item(claim: ActionClaim) -> items.Item:
    item = {
        **action_key(claim.agent, claim.key),
        "type": "action_key",
        "agent": claim.agent,
        "key": claim.key,
        "action": claim.action,
        "ticket": claim.ticket,
        "fingerprint": claim.fingerprint,
        "at": items.ts(claim.at),
        "expires": int((claim.at + CLAIM_TTL).timestamp()),
    }
    if claim.note_id:
        item["note_id"] = claim.note_id
    return item


def action_from_item(item: items.Item) -> ActionClaim:
    return ActionClaim(
        agent=item["agent"],
        key=item["key"],
        action=item["action"],
        ticket=int(item["ticket"]),
        fingerprint=item["fingerprint"],
        at=datetime.fromisoformat(item["at"]),
        note_id=item.get("note_id"),
    )
