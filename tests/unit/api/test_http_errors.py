"""Which HTTP status each of the project's errors becomes, and what it tells the client."""

from __future__ import annotations

import json

from chalicelib.api.http import error_response
from chalicelib.domain.errors import DeliveryUnknown, MailRejected, NotFound, StorageError


def test_a_refused_mail_is_422_with_ses_reason_and_no_invitation_to_retry() -> None:
    response = error_response(MailRejected("SES refused the mail: MessageRejected too many"))
    body = json.loads(response.body)
    assert response.status_code == 422
    assert body == {
        "error": "mail_rejected",
        "message": "SES refused the mail: MessageRejected too many",
    }
    assert "Retry-After" not in response.headers


def test_a_storage_error_is_503_and_says_when_to_try_again() -> None:
    response = error_response(StorageError("DynamoDB transaction failed"))
    assert response.status_code == 503
    assert json.loads(response.body)["error"] == "unavailable"
    assert response.headers["Retry-After"] == "5"


def test_other_errors_carry_no_retry_after() -> None:
    assert "Retry-After" not in error_response(NotFound("no ticket 1")).headers


def test_an_unknown_delivery_reaching_the_edge_is_a_plain_500() -> None:
    """The services handle it; should one escape, it is not a retryable 503."""
    response = error_response(DeliveryUnknown("SES timed out"))
    assert response.status_code == 500 and "Retry-After" not in response.headers
