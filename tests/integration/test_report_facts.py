"""Report facts land with the ticket writes they come from: created, answered, solved, board."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo.table import from_attr
from tests.helpers import make_mail
from tests.integration.conftest import Api, Helpdesk


def partition(helpdesk: Helpdesk, pk: str) -> list[dict[str, Any]]:
    response = helpdesk.aws["dynamodb"].query(
        TableName="helpdesk-test",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
    )
    return [from_attr(i) for i in response["Items"]]


def counts(helpdesk: Helpdesk, month: str) -> dict[str, int]:
    """Every count of the month's cells, summed."""
    total: dict[str, int] = {}
    for item in partition(helpdesk, f"AGG#{month}"):
        if item["type"] != "agg_counts":
            continue
        for name, value in item.items():
            if not isinstance(value, str):
                total[name] = total.get(name, 0) + int(value)
    return total


def board(helpdesk: Helpdesk) -> dict[str, dict[str, int]]:
    return {
        i["SK"]: {k: int(v) for k, v in i.items() if not isinstance(v, str)}
        for i in partition(helpdesk, "BOARD")
    }


def test_a_ticket_life_is_counted_once_per_write(helpdesk: Helpdesk, api: Api) -> None:
    mikko = api.as_agent("mikko@example.com", "Mikko", queues=["Support"])
    result = helpdesk.deliver(
        make_mail(to="support@example.com"), recipients=("support@example.com",)
    )
    number = int(result["ticket"])
    month = f"{helpdesk.clock.now():%Y-%m}"
    created = counts(helpdesk, month)
    assert created["created"] == 1 and created["in"] == 1 and created["backlog"] == 1
    assert board(helpdesk)["Q#Support"] == {
        "unsolved": 1,
        "waiting": 1,
        "unassigned": 1,
    }

    helpdesk.clock.advance(minutes=30)
    taken = mikko.post(f"/api/tickets/{number}/take", {})
    assert taken.status_code == 200, taken.json_body
    helpdesk.clock.advance(minutes=30)
    reply = mikko.post(f"/api/tickets/{number}/replies", {"body": "Fixed.", "status": "solved"})
    assert reply.status_code == 201, reply.json_body

    done = counts(helpdesk, month)
    assert done["out"] == 1 and done["solved"] == 1 and done["created"] == 1
    assert done["backlog"] == 0  # +1 created, moved to Mikko's cell, -1 solved
    histograms = [i for i in partition(helpdesk, f"AGG#{month}") if i["type"] == "agg_histogram"]
    by_metric = {i["metric"]: i for i in histograms}
    assert set(by_metric) == {"frt", "wait", "res"}
    assert int(by_metric["frt"]["n"]) == 1 and float(by_metric["frt"]["cs"]) == 3600.0
    assert by_metric["frt"]["agent"] == "mikko@example.com"
    assert all(v == 0 for v in board(helpdesk)["Q#Support"].values())
    assert all(v == 0 for v in board(helpdesk)["A#mikko@example.com"].values())


def test_the_promise_stays_when_a_priority_change_moves_the_deadline(
    helpdesk: Helpdesk, api: Api
) -> None:
    mikko = api.as_agent("mikko@example.com", "Mikko", queues=["Support"])
    result = helpdesk.deliver(
        make_mail(to="support@example.com"), recipients=("support@example.com",)
    )
    number = int(result["ticket"])
    shown = mikko.get(f"/api/tickets/{number}").json_body["ticket"]
    promised = shown["promised_first_response"]
    assert promised == shown["first_response_due"]
    ack = helpdesk.sent()[-1].get_body(("plain",)).get_content()
    assert ack  # the acknowledgement went out with that promise

    edited = mikko.patch(f"/api/tickets/{number}", {"priority": "low", "version": shown["version"]})
    assert edited.status_code == 200, edited.json_body
    moved = edited.json_body
    assert moved["promised_first_response"] == promised
    assert moved["first_response_due"] > promised  # low priority: a later deadline

    helpdesk.clock.advance(minutes=10)
    assert mikko.post(f"/api/tickets/{number}/replies", {"body": "On it."}).status_code == 201
    month = f"{helpdesk.clock.now():%Y-%m}"
    assert counts(helpdesk, month)["promise_kept"] == 1
