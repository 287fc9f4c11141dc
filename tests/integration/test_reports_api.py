"""The report routes under moto: aggregates written as the write path ADDs them, read back."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamo import reports as summary_items
from chalicelib.adapters.dynamo.aggregates import tally_ops
from chalicelib.adapters.dynamo.reports import summary_keys
from chalicelib.adapters.dynamo.table import to_attr
from chalicelib.domain.reports.facts import Cell, Duration, Facts, merged
from chalicelib.domain.reports.rollup import Rollup
from tests.integration.conftest import Api

TABLE = "helpdesk-test"
VILLE = "ville@example.com"
SUPPORT = Cell("Support", "normal", VILLE)
BILLING = Cell("Billing", "high", "-")
TODAY = date(2026, 11, 23)  # the test clock: Monday 10:00 in Helsinki


def write(aws: dict[str, Any], *all_facts: Facts) -> None:
    """The ADDs of the facts, as the write path puts them into its transactions."""
    for op in tally_ops(TABLE, merged(all_facts)):  # one by one: moto copies a table per
        aws["dynamodb"].update_item(**op["Update"])  # transaction, too slow for a year


def seed(aws: dict[str, Any], *all_facts: Facts) -> None:
    """The items the ADDs of the facts make on an empty table, put in batches (much faster
    under moto than one UpdateItem each)."""
    items = []
    for op in tally_ops(TABLE, merged(all_facts)):
        update = op["Update"]
        names, values = update["ExpressionAttributeNames"], update["ExpressionAttributeValues"]
        item = dict(update["Key"])
        for placeholder, name in names.items():
            item[name] = values[":" + placeholder[1:]]
        items.append(item)
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
        aws["dynamodb"].batch_write_item(RequestItems={TABLE: batch})


def day_facts(day: date, cell: Cell, durations: tuple[tuple[str, float, float], ...] = (),
              **counts: int) -> Facts:  # fmt: skip
    found = Facts()
    for name, amount in counts.items():
        found.add(day, cell, name, amount)
    found.durations = [Duration(day, cell, m, c, b) for m, c, b in durations]
    return found


def board(**queues: int) -> Facts:
    found = Facts()
    found.board = {f"Q#{q}": {"unsolved": n, "waiting": n} for q, n in queues.items()}
    found.board[f"A#{VILLE}"] = {"open": 2, "waiting": 1}
    return found


@pytest.fixture
def seeded(aws: dict[str, Any], container: Any) -> dict[str, Any]:
    write(
        aws,
        day_facts(
            date(2026, 11, 2),
            SUPPORT,
            created=2,
            backlog=2,
            in_h09=2,
            lang_fi=2,
            **{"in": 2, "to_support@example.com": 2},
        ),
        day_facts(date(2026, 11, 2), BILLING, created=1, backlog=1, **{"in": 1}),
        day_facts(
            date(2026, 11, 3),
            SUPPORT,
            (("frt", 3600, 1800), ("frt", 7200, 7200)),
            out=2,
            out_h11=2,
            sla_fr_met=1,
            sla_fr_missed=1,
        ),
        day_facts(date(2026, 11, 10), SUPPORT, (("res", 86_400, 28_800),), solved=1, backlog=-1),
        day_facts(TODAY, SUPPORT, created=1, backlog=1, **{"in": 1}),
        board(Support=2, Billing=1),
    )
    return aws


def test_the_summary_answers_from_the_aggregates_without_a_scan(
    seeded: dict[str, Any], api: Api, no_scans: list[str]
) -> None:
    response = api.get("/api/reports/summary?from=2026-11-02&to=2026-11-23&group=week")
    assert response.status_code == 200, response.body
    report = response.json_body
    totals = report["totals"]
    assert (totals["created"], totals["solved"], totals["replies_sent"]) == (4, 1, 2)
    assert totals["first_response"]["calendar"]["count"] == 2
    assert totals["first_response"]["business"]["mean"] == 4500.0
    assert totals["sla"]["first_response"]["compliance"] == 0.5
    assert [r["backlog_end"] for r in report["series"]] == [3, 2, 2, 3]
    assert report["series"][0] | {} and report["series"][0]["end"] == "2026-11-08"
    assert report["traffic"]["in"][0][9] == 2 and report["traffic"]["out"][1][11] == 2
    assert report["languages"] == {"fi": 2}
    assert report["filters"] == {"queue": None, "agent": None, "priority": None}
    assert set(no_scans) <= {"Query", "BatchWriteItem", "GetItem"}


def test_summaries_are_made_once_then_read_instead_of_the_cells(
    seeded: dict[str, Any], api: Api
) -> None:
    path = "/api/reports/summary?from=2026-11-02&to=2026-11-23"
    first = api.get(path).json_body
    stored = seeded["dynamodb"].query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "AGGSUM#2026"}},
    )["Items"]
    sks = {i["SK"]["S"] for i in stored}
    assert "D#11-22" in sks and "D#11-03" in sks and "D#11-23" not in sks  # today stays raw
    again = api.get(path).json_body
    assert again["totals"] == first["totals"] and again["series"] == first["series"]
    assert again["reads"]["written"] == 0 < first["reads"]["written"]
    assert again["reads"]["queries"] <= 4


def test_a_fact_after_the_summary_counts_once_its_summary_keys_are_deleted(
    seeded: dict[str, Any], api: Api
) -> None:
    path = "/api/reports/summary?from=2026-11-01&to=2026-11-23"
    assert api.get(path).json_body["totals"]["csat"]["answers"] == 0
    write(seeded, day_facts(date(2026, 11, 3), SUPPORT, csat_no=1))
    assert api.get(path).json_body["totals"]["csat"]["answers"] == 0  # the summary is kept
    for key in summary_keys(date(2026, 11, 3)):
        seeded["dynamodb"].delete_item(TableName=TABLE, Key=to_attr(key))
    assert api.get(path).json_body["totals"]["csat"] == {
        "answers": 1, "yes": 0, "no": 1, "rate": 0.0, "comments": 0
    }  # fmt: skip


def test_a_summary_too_big_for_one_item_is_split_into_parts(
    seeded: dict[str, Any], api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary_items, "PART_BYTES", 40)
    path = "/api/reports/summary?from=2026-11-02&to=2026-11-10&group=month"
    first = api.get(path).json_body
    again = api.get(path).json_body
    assert again["totals"] == first["totals"] and first["totals"]["created"] == 3
    parts = seeded["dynamodb"].query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :d)",
        ExpressionAttributeValues={":pk": {"S": "AGGSUM#2026"}, ":d": {"S": "D#11-03#"}},
    )["Items"]
    assert parts  # D#11-03#1, #2…


def test_a_year_of_history_is_a_few_hundred_items_in_a_few_queries(
    aws: dict[str, Any], api: Api, container: Any
) -> None:
    first = TODAY - timedelta(days=732)  # the year asked for, and the year before it
    history = [
        day_facts(
            first + timedelta(days=i),
            cell,
            (("frt", 600.0 + i, 300.0),),
            created=1,
            backlog=1,
            out=1,
        )
        for i in range(733)
        for cell in (SUPPORT, BILLING)
    ]
    seed(aws, *history, board(Support=733, Billing=733))
    path = "/api/reports/summary?from=2025-11-23&to=2026-11-23&group=week"
    built = api.get(path).json_body
    report = api.get(path).json_body
    print("\n1-year report by week, first:", built["reads"], "then:", report["reads"])
    assert report["totals"]["created"] == 2 * 366 and report["totals"] == built["totals"]
    assert report["previous"]["totals"]["created"] == 2 * 366
    assert report["previous"]["totals"]["backlog_end"] == 2 * (733 - 366)
    assert report["reads"]["items"] <= 450 and report["reads"]["queries"] <= 12
    api.get(path.replace("week", "month"))
    monthly = api.get(path.replace("week", "month")).json_body
    print("1-year report by month:", monthly["reads"])
    assert monthly["reads"]["items"] <= 100
    assert monthly["totals"]["first_response"] == report["totals"]["first_response"]


def test_csv_has_a_row_per_period_and_is_an_attachment(seeded: dict[str, Any], api: Api) -> None:
    response = api.get("/api/reports/summary?from=2026-11-02&to=2026-11-08&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="summary-2026-11-02-2026-11-08-day.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert [r["period"] for r in rows] == [f"2026-11-0{d}" for d in range(2, 9)]
    assert rows[0]["created"] == "3"
    assert rows[1]["first_response_calendar_count"] == "2"
    assert "first_response_business_median_s" in rows[0]


def test_the_agents_report_and_its_csv_quote_a_name_that_starts_a_formula(
    seeded: dict[str, Any], api: Api
) -> None:
    api.as_agent(VILLE, '=HYPERLINK("http://evil")')
    report = api.get("/api/reports/agents?from=2026-11-01&to=2026-11-23").json_body
    ville = next(a for a in report["agents"] if a["agent"] == VILLE)
    assert (ville["replies"], ville["solved"], ville["open_now"]) == (2, 1, 2)
    assert ville["first_response"]["calendar"]["count"] == 2
    text = api.get("/api/reports/agents?from=2026-11-01&format=csv").body.decode()
    rows = {r["agent"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[VILLE]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows[VILLE]["first_response_business_median_s"]


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-02-30",
        "to=2026-12-01",
        "from=2025-01-01",
        "group=year",
        "priority=x",
        "format=xml",
    ],
)
def test_bad_input_is_a_400(seeded: dict[str, Any], api: Api, query: str) -> None:
    for route in ("summary", "agents"):
        response = api.get(f"/api/reports/{route}?{query}")
        if route == "agents" and query == "group=year":
            continue  # the agents report is not grouped
        assert response.status_code == 400, (route, query, response.body)
        assert response.json_body["error"] == "invalid_input"


def test_the_reports_need_a_signed_in_agent(client: Any) -> None:
    for route in ("summary", "agents", "csat"):
        assert client.http.get(f"/api/reports/{route}").status_code == 401


def test_the_keys_the_write_path_deletes_are_the_summaries_the_reader_writes() -> None:
    day = date(2026, 10, 25)
    made = {(i["PK"], i["SK"]) for kind in ("D", "M")
            for i in summary_items.summary_items(kind, day.replace(day=1) if kind == "M" else day,
                                                 Rollup())}  # fmt: skip
    assert made == {(k["PK"], k["SK"]) for k in summary_keys(day)}
