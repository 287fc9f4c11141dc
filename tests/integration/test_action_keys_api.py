"""Notes, take and transfer retried with their Idempotency-Key act once, on DynamoDB (moto)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, AwsCalls, Helpdesk
from tests.integration.test_ticket_work_api import keyed, mail_in

TRANSFER = {"queue": "Second line", "note": "Needs a developer."}


@pytest.fixture
def mikko(api: Api) -> Api:
    return api.as_agent("mikko@example.com", "Mikko Mallikas", queues=["Billing"])


def notes(helpdesk: Helpdesk, number: int) -> list[str]:
    return [m["text"] for m in helpdesk.messages(number) if m["kind"] == "note"]


def events(api: Api, number: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in api.get(f"/api/tickets/{number}").json_body["events"] if e["kind"] == kind]


def test_a_repeated_note_with_its_key_adds_one_note_and_answers_the_same(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/notes"
    first = api.post(path, {"body": "Customer is VIP."}, headers=keyed("note-1"))
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    helpdesk.clock.advance(seconds=5)
    again = api.post(path, {"body": "Customer is VIP."}, headers=keyed("note-1"))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json_body == first.json_body
    assert notes(helpdesk, number) == ["Customer is VIP."]
    assert len(events(api, number, "note_added")) == 1


def test_a_key_reused_with_another_body_is_400_naming_the_header(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/notes"
    api.post(path, {"body": "One."}, headers=keyed("note-2"))
    other = api.post(path, {"body": "Two."}, headers=keyed("note-2"))
    assert other.status_code == 400 and other.json_body["field"] == "Idempotency-Key"
    moved = api.post(f"/api/tickets/{number}/transfer", TRANSFER, headers=keyed("note-2"))
    assert moved.status_code == 400 and moved.json_body["field"] == "Idempotency-Key"
    assert notes(helpdesk, number) == ["One."]


def test_keys_are_the_agents_own(helpdesk: Helpdesk, api: Api, mikko: Api) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/notes"
    assert api.post(path, {"body": "Mine."}, headers=keyed("k")).status_code == 201
    assert mikko.post(path, {"body": "Mine."}, headers=keyed("k")).status_code == 201
    assert notes(helpdesk, number) == ["Mine.", "Mine."]


def test_a_repeated_take_acts_once_even_after_a_colleague_unassigned_it(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/take"
    first = api.post(path, headers=keyed("take-1"))
    assert first.status_code == 200 and first.json_body["assignee"] == "admin@example.com"
    version = first.json_body["version"]
    api.patch(f"/api/tickets/{number}", {"version": version, "assignee": None})
    again = api.post(path, headers=keyed("take-1"))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json_body["assignee"] is None and again.json_body["version"] == version + 1
    assert len(events(api, number, "assigned")) == 2  # the take and the unassignment


def test_a_repeated_transfer_moves_once_with_one_note(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/transfer"
    first = api.post(path, TRANSFER, headers=keyed("move-1"))
    assert first.status_code == 200 and first.json_body["queue"] == "Second line"
    again = api.post(path, TRANSFER, headers=keyed("move-1"))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json_body == first.json_body  # nothing changed it since
    assert notes(helpdesk, number) == ["Needs a developer."]
    assert len(events(api, number, "transferred")) == 1


@pytest.mark.parametrize("route", ["notes", "take", "transfer"])
def test_a_malformed_key_is_400_and_does_nothing(helpdesk: Helpdesk, api: Api, route: str) -> None:
    number = mail_in(helpdesk)
    body = {"notes": {"body": "x"}, "take": None, "transfer": TRANSFER}[route]
    response = api.post(f"/api/tickets/{number}/{route}", body, headers=keyed(" "))
    assert response.status_code == 400 and response.json_body["field"] == "Idempotency-Key"
    assert helpdesk.ticket(number).version == 1 and notes(helpdesk, number) == []


# -- what a key costs -------------------------------------------------------------------------


def test_a_keyed_note_costs_no_call_more_and_its_repeat_one_read(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/notes"
    api.get("/api/me")
    aws_calls.clear()
    api.post(path, {"body": "Plain."})
    assert aws_calls.calls == ["dynamodb.TransactWriteItems"]
    aws_calls.clear()
    api.post(path, {"body": "Keyed."}, headers=keyed("cost-1"))
    assert aws_calls.calls == ["dynamodb.TransactWriteItems"]  # the claim is one item more
    aws_calls.clear()
    api.post(path, {"body": "Keyed."}, headers=keyed("cost-1"))
    assert aws_calls.calls == ["dynamodb.TransactWriteItems", "dynamodb.GetItem"]


@pytest.mark.parametrize(("route", "body"), [("take", None), ("transfer", TRANSFER)])
def test_a_keyed_take_or_transfer_costs_one_read_more_and_its_repeat_two_reads(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls, route: str, body: Any
) -> None:
    plain, number = mail_in(helpdesk), mail_in(helpdesk, message_id="<other@customer.example>")
    api.get("/api/me")
    aws_calls.clear()
    api.post(f"/api/tickets/{plain}/{route}", body)
    assert aws_calls.of("dynamodb") == ["GetItem", "TransactWriteItems"]
    unkeyed = len(aws_calls.calls)
    aws_calls.clear()
    api.post(f"/api/tickets/{number}/{route}", body, headers=keyed(f"cost-{route}"))
    assert aws_calls.of("dynamodb") == ["GetItem", "GetItem", "TransactWriteItems"]
    assert len(aws_calls.calls) == unkeyed + 1 <= 5, aws_calls.calls
    aws_calls.clear()
    api.post(f"/api/tickets/{number}/{route}", body, headers=keyed(f"cost-{route}"))
    assert aws_calls.calls == ["dynamodb.GetItem", "dynamodb.GetItem"]
