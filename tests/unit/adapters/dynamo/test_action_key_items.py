"""A note's, take's or transfer's key claim as a DynamoDB item, and back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.adapters.dynamo.action_keys import action_from_item, action_to_item
from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.desk.reply_keys import key_digest

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("note_id", [None, "20261123T090000000000-0123456789abcdef"])
def test_a_claim_survives_its_item_which_ttl_forgets_a_day_later(note_id: str | None) -> None:
    claim = ActionClaim("mikko@example.com", "k", "note", 1001, "f", AT, note_id)
    item = action_to_item(claim)
    assert item["PK"] == f"ACTIONKEY#{key_digest('mikko@example.com', 'k')}"
    assert item["expires"] == int(AT.timestamp()) + 86400
    assert action_from_item(item) == claim
