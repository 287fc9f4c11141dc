"""Idempotency keys of notes, takes and transfers: what makes two requests one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.desk.action_keys import ActionClaim, action_fingerprint, same_request
from chalicelib.domain.errors import InvalidInput

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_the_fingerprint_is_the_action_its_ticket_and_its_fields() -> None:
    transfer = action_fingerprint("transfer", 1001, "Billing", "Refund.")
    assert transfer == action_fingerprint("transfer", 1001, "Billing", "Refund.")
    assert transfer != action_fingerprint("transfer", 1002, "Billing", "Refund.")
    assert transfer != action_fingerprint("transfer", 1001, "Billing", "Refund!")
    assert action_fingerprint("take", 1001) != action_fingerprint("note", 1001)


def test_a_repeat_is_answered_from_the_claim_and_another_request_is_refused() -> None:
    held = ActionClaim("mikko@example.com", "k", "take", 1001, action_fingerprint("take", 1001), AT)
    assert same_request(held, action_fingerprint("take", 1001)) is held
    with pytest.raises(InvalidInput) as refused:
        same_request(held, action_fingerprint("take", 1002))
    assert refused.value.field == "Idempotency-Key"
