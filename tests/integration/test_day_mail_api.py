"""A day's mail: every mail in and out of desk-local days, one Query a page, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers import make_mail
from tests.integration.conftest import Api, AwsCalls, Helpdesk

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki
LATE_MONDAY = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 23:30 in Helsinki
TUESDAY_NIGHT = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 00:30 on Tuesday in Helsinki


def mail_in(helpdesk: Helpdesk, sender: str, subject: str, to: str = "support@example.com") -> int:
    raw = make_mail(sender=sender, subject=subject, to=to)
    result = helpdesk.deliver(raw, recipients=(to,), source=sender.split("<")[-1].rstrip(">"))
    assert result["outcome"] == "ticket", result
    return int(result["ticket"])


@pytest.fixture
def two_days(helpdesk: Helpdesk, api: Api) -> dict[str, int]:
    """Monday: Anna (answered by the admin, with a note), Bob late at night to Billing.
    Tuesday 00:30 local (still Monday in UTC): Carl."""
    helpdesk.clock.set(MONDAY)
    anna = mail_in(helpdesk, "Anna <anna@customer.example>", "Invoice 4711")
    api.post(f"/api/tickets/{anna}/take")
    helpdesk.clock.advance(minutes=20)
    assert api.post(f"/api/tickets/{anna}/replies", {"body": "Fixed."}).status_code == 201
    api.post(f"/api/tickets/{anna}/notes", {"body": "Refund booked."})
    helpdesk.clock.set(LATE_MONDAY)
    bob = mail_in(helpdesk, "Bob <bob@other.example>", "=HYPERLINK(1)", "billing@example.com")
    helpdesk.clock.set(TUESDAY_NIGHT)
    carl = mail_in(helpdesk, "Carl <carl@third.example>", "Login fails")
    api.get("/api/me")
    return {"anna": anna, "bob": bob, "carl": carl}


def mails(response: Any) -> list[tuple[str, int, str]]:
    """The rows, oldest first; a mail and its acknowledgement share their instant, and rows of
    one instant come in message-id order, so those are put in a fixed order here."""
    assert response.status_code == 200, response.json_body
    rows = response.json_body["mails"]
    times = [m["at"] for m in rows]
    assert times == sorted(times), "oldest first"
    rank = {"in": 0, "auto": 1, "out": 2}
    rows = sorted(rows, key=lambda m: (m["at"], m["ticket"], rank[m["direction"]]))
    return [(m["direction"], m["ticket"], m["from"]) for m in rows]


def test_a_day_lists_every_mail_in_and_out_oldest_first_without_notes(
    api: Api, two_days: dict[str, int], aws_calls: AwsCalls
) -> None:
    anna, bob = two_days["anna"], two_days["bob"]
    aws_calls.clear()
    response = api.get("/api/reports/mail?date=2026-11-23")
    assert aws_calls.of("dynamodb") == ["Query"]
    assert mails(response) == [
        ("in", anna, "anna@customer.example"),
        ("auto", anna, "support@example.com"),
        ("out", anna, "admin@example.com"),
        ("in", bob, "bob@other.example"),
        ("auto", bob, "billing@example.com"),
    ]
    body = response.json_body
    assert (body["from"], body["to"], body["next"]) == ("2026-11-23", "2026-11-23", None)
    first, reply, late = (
        next(m for m in body["mails"] if (m["ticket"], m["direction"]) == wanted)
        for wanted in ((anna, "in"), (anna, "out"), (bob, "in"))
    )
    assert first["at"] == "2026-11-23T10:00:00+02:00" and first["subject"] == "Invoice 4711"
    assert (first["queue"], first["agent"], first["to"]) == (
        "Support",
        None,
        ["support@example.com"],
    )
    assert (reply["agent"], reply["to"]) == ("admin@example.com", ["anna@customer.example"])
    assert (late["queue"], late["at"]) == ("Billing", "2026-11-23T23:30:00+02:00")


def test_the_day_is_the_desks_not_utcs(api: Api, two_days: dict[str, int]) -> None:
    carl = two_days["carl"]
    tuesday = api.get("/api/reports/mail?date=2026-11-24")
    assert [m[:2] for m in mails(tuesday)] == [("in", carl), ("auto", carl)]
    assert tuesday.json_body["mails"][0]["at"] == "2026-11-24T00:30:00+02:00"


def test_direction_queue_and_agent_narrow_the_rows(api: Api, two_days: dict[str, int]) -> None:
    both = "/api/reports/mail?date=2026-11-23&to=2026-11-24"
    received = [m[1] for m in mails(api.get(f"{both}&direction=in&limit=50"))]
    assert received == [two_days["anna"], two_days["bob"]]  # Monday; Tuesday is the next page
    assert [m[0] for m in mails(api.get(f"{both}&queue=Billing"))] == ["in", "auto"]
    assert [m[0] for m in mails(api.get(f"{both}&agent=ADMIN@example.com"))] == ["out"]


def test_a_range_is_read_page_by_page_one_query_each_into_the_next_day(
    api: Api, two_days: dict[str, int], aws_calls: AwsCalls
) -> None:
    seen: list[tuple[str, int, str]] = []
    times: list[str] = []
    cursor, pages = "", 0
    while True:
        aws_calls.clear()
        page = api.get(f"/api/reports/mail?date=2026-11-22&to=2026-11-24&limit=2{cursor}")
        assert aws_calls.of("dynamodb") == ["Query"]
        seen += mails(page)
        times += [m["at"] for m in page.json_body["mails"]]
        pages += 1
        if page.json_body["next"] is None:
            break
        cursor = f"&cursor={page.json_body['next']}"
    everything = api.get("/api/reports/mail?date=2026-11-22&to=2026-11-24&limit=1000")
    monday_and_tuesday = mails(everything)
    while everything.json_body["next"]:
        everything = api.get(
            "/api/reports/mail?date=2026-11-22&to=2026-11-24&limit=1000"
            f"&cursor={everything.json_body['next']}"
        )
        monday_and_tuesday += mails(everything)
    # a mail and its acknowledgement share an instant: a page may end between the two
    assert sorted(seen) == sorted(monday_and_tuesday) and len(seen) == 7
    assert times == sorted(times), "oldest first across pages and days"
    assert pages >= 1 + 3 + 1  # Sunday (empty), Monday in pages of 2, Tuesday


def test_csv_is_the_same_page_with_its_cursor_in_a_header_and_no_formulas(
    api: Api, two_days: dict[str, int]
) -> None:
    response = api.get("/api/reports/mail?date=2026-11-23&to=2026-11-24&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="mail-2026-11-23-to-2026-11-24.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == ["at", "direction", "ticket", "queue", "agent", "subject", "from", "to"]
    assert sorted(r[1] for r in rows[1:]) == ["auto", "auto", "in", "in", "out"]
    bobs = {r[1]: r[5] for r in rows if r[2] == str(two_days["bob"])}
    assert bobs == {"in": "'=HYPERLINK(1)", "auto": "Re: =HYPERLINK(1) [#1002]"}
    following = response.headers["X-Next-Cursor"]
    tuesday = api.get(f"/api/reports/mail?date=2026-11-23&to=2026-11-24&cursor={following}")
    assert [m[:2] for m in mails(tuesday)] == [("in", two_days["carl"]), ("auto", two_days["carl"])]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "date"),
        ("date=2026-13-01", "date"),
        ("date=2026-11-23&to=2026-11-22", "to"),
        ("date=2026-11-23&direction=both", "direction"),
        ("date=2026-11-23&format=xlsx", "format"),
        ("date=2026-11-23&cursor=bm9wZQ", "cursor"),
    ],
)
def test_what_cannot_be_answered_is_a_400_naming_the_field(
    api: Api, query: str, field: str
) -> None:
    response = api.get(f"/api/reports/mail?{query}")
    assert response.status_code == 400 and response.json_body["field"] == field


def test_released_mail_and_the_survey_are_on_their_days(helpdesk: Helpdesk, api: Api) -> None:
    from tests.integration.test_quarantine_api import hold
    from tests.integration.test_survey_flow import SurveyDesk

    held = hold(helpdesk, "Held question")  # on Monday, released on Thursday
    desk = SurveyDesk(helpdesk, api)
    desk.solved_and_sent()  # 1001 mailed and solved on Monday, its survey sent on Thursday
    released = api.post(f"/api/quarantine/{held}/release").json_body["ticket"]
    monday = mails(api.get("/api/reports/mail?date=2026-11-23"))
    assert ("in", released, "anna.virtanen@customer.example") in monday
    thursday = api.get("/api/reports/mail?date=2026-11-26").json_body["mails"]
    assert [(m["direction"], m["ticket"]) for m in thursday] == [("auto", 1001)]
    assert thursday[0]["at"] == "2026-11-26T09:30:00+02:00"
