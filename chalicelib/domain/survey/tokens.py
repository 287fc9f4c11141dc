"""Survey links carry a signed, expiring claim: which ticket, which survey, which answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

DEFAULT_VALIDITY = timedelta(days=28)
MAX_TOKEN_CHARS = 512


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


class TokenProblem(StrEnum):
    MALFORMED = "malformed"
    FORGED = "forged"
    EXPIRED = "expired"


class InvalidSurveyToken(ValueError):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class SurveyClaim:
    ticket: int
    survey: str  # the survey's id: a new survey on the same ticket gets a new id
    answer: Answer
    expires_at: datetime


def sign(claim: SurveyClaim, secret: bytes) -> str:
    payload = json.dumps(
        {
            "t": claim.ticket,
            "s": claim.survey,
            "a": claim.answer.value,
            "e": int(claim.expires_at.timestamp()),
        },
        separators=(",", ":"),
    ).encode()
    body = _b64(payload)
    return f"{body}.{_b64(_mac(body, secret))}"


def verify(token: str, secret: bytes, now: datetime) -> SurveyClaim:
    """The claim in a token we signed and that has not expired; InvalidSurveyToken otherwise."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise InvalidSurveyToken(TokenProblem.MALFORMED)
    body, signature = token.split(".")
    try:
        given = _unb64(signature)
    except ValueError as e:
        raise InvalidSurveyToken(TokenProblem.MALFORMED) from e
    if not hmac.compare_digest(given, _mac(body, secret)):
        raise InvalidSurveyToken(TokenProblem.FORGED)
    claim = _claim(body)
    if claim.expires_at <= now:
        raise InvalidSurveyToken(TokenProblem.EXPIRED)
    return claim


def _claim(body: str) -> SurveyClaim:
    try:
        data = json.loads(_unb64(body))
        return SurveyClaim(
            ticket=int(data["t"]),
            survey=str(data["s"]),
            answer=Answer(data["a"]),
            expires_at=datetime.fromtimestamp(int(data["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError) as e:
        raise InvalidSurveyToken(TokenProblem.MALFORMED) from e


def _mac(body: str, secret: bytes) -> bytes:
    return hmac.new(secret, b"survey-v1." + body.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text.replace("-", "").replace("_", "").isalnum():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
