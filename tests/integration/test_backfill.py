"""`python -m ops.backfill` against moto: tickets worked through the real handlers, their report
items as the write path left them, and what the backfill rebuilds from the tickets alone."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.adapters.dynamo.table import from_attr, to_attr
from ops import backfill
from tests.helpers import make_mail
from tests.integration.conftest import Api, Helpdesk

TABLE = "helpdesk-test"
DIMENSIONS = {"PK", "SK", "type", "day", "queue", "priority", "agent", "metric", "kind", "name"}
Items = dict[tuple[str, str], dict[str, Any]]


def mail_in(helpdesk: Helpdesk, to: str = "support@example.com", **kwargs: Any) -> int:
    result = helpdesk.deliver(make_mail(to=to, **kwargs), recipients=(to,))
    assert result["outcome"] == "ticket", result
    return int(result["ticket"])


def customer_writes(helpdesk: Helpdesk, number: int) -> None:
    mail = make_mail(subject=f"Re: Invoice shows the wrong amount [#{number}]", body="Still wrong.")
    result = helpdesk.deliver(mail)
    assert (result["outcome"], result["ticket"]) == ("reply", number), result


def work_the_desk(helpdesk: Helpdesk, api: Api) -> list[int]:
    """Three days of a small desk: mail in, take, replies, reopen, transfer, edits, close."""
    mikko = api.as_agent("mikko@example.com", "Mikko")
    first = mail_in(helpdesk)
    billing = mail_in(helpdesk, to="billing@example.com", subject="Refund")
    helpdesk.clock.advance(minutes=40)
    assert mikko.post(f"/api/tickets/{first}/take").status_code == 200
    helpdesk.clock.advance(minutes=20)
    assert mikko.post(f"/api/tickets/{first}/replies", {"body": "Checking."}).status_code == 201
    helpdesk.clock.advance(hours=20)
    customer_writes(helpdesk, first)
    helpdesk.clock.advance(hours=2)
    solved = {"body": "Corrected.", "status": "solved"}
    assert mikko.post(f"/api/tickets/{first}/replies", solved).status_code == 201
    third = mail_in(helpdesk, subject="Login fails", sender="Bob <bob@other.example>")
    raised = {"version": 1, "priority": "high"}
    assert api.patch(f"/api/tickets/{billing}", raised).status_code == 200
    transfer = {"queue": "Second line", "note": "Needs a developer"}
    assert api.post(f"/api/tickets/{billing}/transfer", transfer).status_code == 200
    api.post(f"/api/tickets/{third}/notes", {"body": "Asked the customer by phone."})
    helpdesk.clock.advance(days=1)
    customer_writes(helpdesk, first)  # reopens the solved ticket
    version = helpdesk.ticket(third).version
    closed = {"version": version, "status": "closed"}
    assert api.patch(f"/api/tickets/{third}", closed).status_code == 200
    helpdesk.clock.advance(minutes=5)
    return [first, billing, third]


def report_items(helpdesk: Helpdesk) -> Items:
    """Every AGG#, AGGSUM# and BOARD item of the table (read by the harness, not the app)."""
    found: Items = {}
    start: dict[str, Any] | None = None
    while True:
        page = {"ExclusiveStartKey": start} if start else {}
        response = helpdesk.aws["dynamodb"].scan(TableName=TABLE, **page)
        for item in map(from_attr, response["Items"]):
            if item["PK"].startswith("AGG") or item["PK"] == "BOARD":
                found[(item["PK"], item["SK"])] = item
        start = response.get("LastEvaluatedKey")
        if not start:
            return found


def counted(items: Items) -> Items:
    """What the items count: counters that ADDs left at 0 mean the same as absent ones."""
    result: Items = {}
    for key, item in items.items():
        counters = {k: v for k, v in item.items() if k not in DIMENSIONS and v != 0}
        if counters:
            result[key] = {k: v for k, v in item.items() if k in DIMENSIONS} | counters
    return result


def wipe(helpdesk: Helpdesk, keys: Any) -> None:
    for pk, sk in keys:
        helpdesk.aws["dynamodb"].delete_item(TableName=TABLE, Key=to_attr({"PK": pk, "SK": sk}))


def put(helpdesk: Helpdesk, item: dict[str, Any]) -> None:
    helpdesk.aws["dynamodb"].put_item(TableName=TABLE, Item=to_attr(item))


def run(helpdesk: Helpdesk, *args: str) -> int:
    return backfill.main(
        ["--table", TABLE, "--segments", "1", *args],
        clients=helpdesk.container.client,
        clock=helpdesk.clock,
    )


def test_the_backfill_rebuilds_the_counts_the_write_path_wrote(
    helpdesk: Helpdesk, api: Api
) -> None:
    work_the_desk(helpdesk, api)
    live = report_items(helpdesk)
    assert any(k[0].startswith("AGG#") for k in live), "the write path wrote no aggregates"
    wipe(helpdesk, live)  # as on a table older than the write path

    assert run(helpdesk) == 0

    rebuilt = report_items(helpdesk)
    assert counted(rebuilt) == counted(live)


def test_a_second_run_leaves_the_same_table(helpdesk: Helpdesk, api: Api) -> None:
    work_the_desk(helpdesk, api)
    assert run(helpdesk) == 0
    once = report_items(helpdesk)
    assert run(helpdesk) == 0
    assert report_items(helpdesk) == once
    assert {k for k in once if k[0] == "BOARD"} >= {("BOARD", "Q#Second line")}


def test_it_overwrites_doubled_counts_and_deletes_what_no_ticket_makes(
    helpdesk: Helpdesk, api: Api
) -> None:
    work_the_desk(helpdesk, api)
    assert run(helpdesk) == 0
    right = report_items(helpdesk)
    key = next(k for k, i in right.items() if i.get("created"))
    put(helpdesk, right[key] | {"created": Decimal(99)})
    put(helpdesk, {"PK": "AGG#2020-01", "SK": "05#C#Gone#low#-", "created": 3})
    put(helpdesk, {"PK": "AGGSUM#2026", "SK": "M#11", "summary": "built by the reader"})
    put(helpdesk, {"PK": "BOARD", "SK": "Q#Closed queue", "waiting": 4})

    assert run(helpdesk) == 0

    assert report_items(helpdesk) == right


def test_a_dry_run_reads_everything_and_changes_nothing(
    helpdesk: Helpdesk, api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    work_the_desk(helpdesk, api)
    before = report_items(helpdesk)

    assert run(helpdesk, "--dry-run") == 0

    assert report_items(helpdesk) == before
    out = capsys.readouterr().out
    assert "3 tickets" in out and "would put" in out and "nothing changed" in out


def test_before_a_month_leaves_that_month_on_and_the_board_alone(
    helpdesk: Helpdesk, api: Api
) -> None:
    work_the_desk(helpdesk, api)  # November 2026
    put(helpdesk, {"PK": "AGG#2026-10", "SK": "05#C#Gone#low#-", "created": 3})
    put(helpdesk, {"PK": "BOARD", "SK": "Q#Closed queue", "waiting": 4})
    before = report_items(helpdesk)

    assert run(helpdesk, "--before", "2026-11") == 0

    after = report_items(helpdesk)
    assert ("AGG#2026-10", "05#C#Gone#low#-") not in after  # rebuilt: no ticket makes it
    assert {k: v for k, v in after.items() if k[0] != "AGG#2026-10"} == {
        k: v for k, v in before.items() if k[0] != "AGG#2026-10"
    }


def test_it_names_the_tickets_written_while_it_ran(
    helpdesk: Helpdesk, api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = work_the_desk(helpdesk, api)
    helpdesk.clock.advance(minutes=-10)  # the run "began" before the last writes

    assert run(helpdesk) == 1

    out = capsys.readouterr().out
    assert f"#{numbers[2]}" in out and "quiet hour" in out


def test_the_stack_names_the_table(helpdesk: Helpdesk, api: Api) -> None:
    work_the_desk(helpdesk, api)
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"TableName": {"Value": TABLE}},
    }
    cloudformation = helpdesk.container.client("cloudformation")
    cloudformation.create_stack(StackName="helpdesk-test", TemplateBody=json.dumps(template))

    code = backfill.main(
        ["--stack", "helpdesk-test", "--segments", "2"],
        clients=helpdesk.container.client,
        clock=helpdesk.clock,
    )

    assert code == 0
    assert ("BOARD", "Q#Second line") in report_items(helpdesk)
