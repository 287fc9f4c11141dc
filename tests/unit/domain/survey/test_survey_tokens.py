"""Survey tokens: only what we signed, only until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.survey.tokens import (
    Answer,
    InvalidSurveyToken,
    SurveyClaim,
    TokenProblem,
    sign,
    verify,
)

SECRET = b"s" * 32
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CLAIM = SurveyClaim(1042, "sv1", Answer.NO, NOW + timedelta(days=28))


def problem(token: str, secret: bytes = SECRET, now: datetime = NOW) -> TokenProblem:
    with pytest.raises(InvalidSurveyToken) as caught:
        verify(token, secret, now)
    return caught.value.problem


def test_a_signed_token_verifies_to_its_claim() -> None:
    assert verify(sign(CLAIM, SECRET), SECRET, NOW) == CLAIM


def test_a_token_is_url_safe() -> None:
    assert all(c.isalnum() or c in "-_." for c in sign(CLAIM, SECRET))


def test_another_secret_is_forged() -> None:
    assert problem(sign(CLAIM, b"x" * 32)) == TokenProblem.FORGED


def test_changing_the_answer_is_forged() -> None:
    body, signature = sign(CLAIM, SECRET).split(".")
    yes = sign(SurveyClaim(1042, "sv1", Answer.YES, CLAIM.expires_at), SECRET).split(".")[0]
    assert problem(f"{yes}.{signature}") == TokenProblem.FORGED
    assert body != yes


def test_an_expired_token_is_refused() -> None:
    assert problem(sign(CLAIM, SECRET), now=CLAIM.expires_at) == TokenProblem.EXPIRED


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "x" * 600 + ".y"])
def test_garbage_is_malformed(token: str) -> None:
    assert problem(token) in (TokenProblem.MALFORMED, TokenProblem.FORGED)


@given(st.text(max_size=300))
def test_no_input_raises_anything_but_invalid_token(token: str) -> None:
    with pytest.raises(InvalidSurveyToken):
        verify(token, SECRET, NOW)
