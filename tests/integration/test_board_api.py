"""The live board on moto: counters the write path keeps, each queue's longest wait, and a poll
whose reads do not grow with the backlog."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo.table import to_attr
from local import moto_patch
from tests.helpers import make_mail
from tests.integration.conftest import Api, AwsCalls, Helpdesk


def mail_in(helpdesk: Helpdesk, n: int, to: str = "support@example.com") -> int:
    raw = make_mail(
        sender=f"Customer {n} <c{n}@customer{n % 7}.example>",
        subject=f"Question {n}",
        to=to,
        message_id=f"<board-{n}@customer.example>",
    )
    result = helpdesk.deliver(raw, recipients=(to,), source=f"c{n}@customer{n % 7}.example")
    assert result["outcome"] == "ticket", result
    return int(result["ticket"])


def board(api: Api) -> dict[str, Any]:
    response = api.get("/api/board")
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def test_the_board_counts_each_queue_and_agent_and_names_who_waits_longest(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    start = helpdesk.clock.now()
    oldest = mail_in(helpdesk, 1)
    helpdesk.clock.advance(minutes=30)
    taken = mail_in(helpdesk, 2)
    answered = mail_in(helpdesk, 3)
    mail_in(helpdesk, 4, "billing@example.com")
    api.post(f"/api/tickets/{taken}/take")
    api.post(f"/api/tickets/{answered}/take")
    api.post(f"/api/tickets/{answered}/replies", {"body": "Which order?"})  # now pending
    helpdesk.clock.advance(minutes=30)
    api.get("/api/me")
    aws_calls.clear()

    found = board(api)
    assert aws_calls.of("dynamodb") == ["Query"] * 5 and found["reads"] == {"queries": 5}
    queues = {q["queue"]: q for q in found["queues"]}
    support = queues["Support"]
    assert (support["waiting"], support["unassigned"], support["pending"]) == (2, 1, 1)
    assert (support["unsolved"], support["at_risk"], support["breached"]) == (3, 0, 0)
    assert (support["oldest_ticket"], support["oldest_wait_seconds"]) == (oldest, 3600)
    assert support["oldest_waiting_since"] == start.isoformat()
    assert support["address"] == "support@example.com"
    assert (queues["Billing"]["waiting"], queues["Second line"]["waiting"]) == (1, 0)
    assert queues["Second line"]["oldest_ticket"] is None
    assert found["agents"] == [
        {"agent": "admin@example.com", "name": "Ada Admin", "open": 2, "waiting": 1}
    ]
    totals = found["totals"]
    assert (totals["waiting"], totals["unassigned"], totals["unsolved"]) == (3, 2, 4)
    assert totals["oldest_ticket"] == oldest and "customers_waiting" not in totals
    assert found["at"] == helpdesk.clock.now().isoformat()


def test_queues_keep_their_fields_and_gain_the_boards(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    first = mail_in(helpdesk, 1)
    helpdesk.clock.advance(minutes=10)
    api.get("/api/me")
    aws_calls.clear()
    queues = {q["name"]: q for q in api.get("/api/queues").json_body["queues"]}
    assert aws_calls.of("dynamodb") == ["Query"] * 4  # the counters, then one head per queue
    support = queues["Support"]
    assert set(support) >= {
        "name",
        "address",
        "waiting",
        "unassigned",
        "oldest_waiting_since",
        "oldest_wait_seconds",
        "at_risk",
        "breached",
        "pending",
        "unsolved",
        "oldest_ticket",
    }
    assert (support["waiting"], support["oldest_ticket"], support["oldest_wait_seconds"]) == (
        1,
        first,
        600,
    )


def poll(api: Api, aws_calls: AwsCalls, path: str) -> tuple[list[str], int]:
    api.get("/api/me")
    aws_calls.clear()
    assert api.get(path).status_code == 200
    return aws_calls.of("dynamodb"), sum(q["ScannedCount"] for q in aws_calls.queries)


def test_a_poll_costs_the_same_with_5_or_200_customers_waiting(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    moto_patch.apply()  # moto copies the whole table per transaction otherwise: 200 mails, minutes
    for n in range(5):
        mail_in(helpdesk, n, "billing@example.com" if n % 3 == 0 else "support@example.com")
    small = {path: poll(api, aws_calls, path) for path in ("/api/board", "/api/queues")}
    for n in range(5, 200):
        mail_in(helpdesk, n, "billing@example.com" if n % 3 == 0 else "support@example.com")
    large = {path: poll(api, aws_calls, path) for path in ("/api/board", "/api/queues")}
    assert large == small
    assert small["/api/board"][0] == ["Query"] * 5 and small["/api/queues"][0] == ["Query"] * 4
    assert board(api)["totals"]["waiting"] == 200


def test_counters_older_than_the_write_path_show_as_zero(
    helpdesk: Helpdesk, api: Api, aws: dict[str, Any]
) -> None:
    for sk, counters in (
        ("Q#Support", {"waiting": -2, "unassigned": -1}),
        ("A#gone@example.com", {"open": -1}),
    ):
        item = {"PK": "BOARD", "SK": sk, "type": "board", **counters}
        aws["dynamodb"].put_item(TableName="helpdesk-test", Item=to_attr(item))
    found = board(api)
    support = next(q for q in found["queues"] if q["queue"] == "Support")
    assert (support["waiting"], support["unassigned"], support["unsolved"]) == (0, 0, 0)
    assert "gone@example.com" not in [a["agent"] for a in found["agents"]]
    assert found["totals"]["waiting"] == 0
