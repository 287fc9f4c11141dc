"""Reply idempotency keys: what a key may be, when a claim is stale, what makes two replies one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.desk.drafts import ReplyRequest
from chalicelib.domain.desk.reply_keys import ReplyClaim, fingerprint, key_digest, parse_key
from chalicelib.domain.errors import InvalidInput

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_no_header_is_no_key_and_a_uuid_is_kept() -> None:
    assert parse_key(None) is None
    assert parse_key(" 0b9d1f3e-5c7a-4e2b-9f61-2d8c4a7b3e10 ") == (
        "0b9d1f3e-5c7a-4e2b-9f61-2d8c4a7b3e10"
    )


@pytest.mark.parametrize("value", ["", "   ", "x" * 256, "avain-ä", "a b", "a\r\nX-Evil: 1"])
def test_keys_are_1_to_255_visible_ascii_characters(value: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        parse_key(value)
    assert bad.value.field == "Idempotency-Key"


def test_keys_are_the_agents_own() -> None:
    assert key_digest("anna@example.com", "k") != key_digest("mikko@example.com", "k")
    assert key_digest("anna@example.com", "k") == key_digest("anna@example.com", "k")


def test_the_fingerprint_tells_replies_apart_and_not_repeats() -> None:
    one = ReplyRequest(body="Fixed.", cc=["a@b.example"], status="solved")
    assert fingerprint(1001, one) == fingerprint(
        1001, ReplyRequest("Fixed.", ("a@b.example",), None, "solved")
    )
    assert fingerprint(1001, one) != fingerprint(1002, one)
    assert fingerprint(1001, one) != fingerprint(1001, ReplyRequest(body="Fixed!", status="solved"))
    assert fingerprint(1001, one) != fingerprint(1001, ReplyRequest(body="Fixed.", status="open"))


def test_a_claim_goes_stale_after_a_minute() -> None:
    claim = ReplyClaim("a", "k", 1001, "f", AT, "id", "reply.1001.id@example.com", AT)
    assert not claim.stale(AT + timedelta(seconds=60))
    assert claim.stale(AT + timedelta(seconds=61))
