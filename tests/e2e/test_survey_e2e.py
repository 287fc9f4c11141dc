"""The survey on the local stack: mail in, solved by an agent, the clock moved to the survey's
business morning, its No link opened (nothing recorded) then posted: the ticket reopens."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import REPO

if not (REPO / "local" / "__main__.py").exists():
    pytest.skip("the local stack (local/__main__.py) is not there yet", allow_module_level=True)

from local.schedules import due_time
from tests.e2e.test_local_stack import Stack, poll, send, stack
from tests.helpers import make_mail

__all__ = ["stack"]  # the module-scoped fixture: this module starts a stack of its own

pytestmark = pytest.mark.e2e

TAG = re.compile(r"\[#(\d+)\]")
NO_LINK = re.compile(r"https?://[^/\s]+(/survey/[\w-]+\.[\w-]+)\s")


def outbox(stack: Stack) -> list[dict[str, Any]]:
    return list(stack.call("GET", "/local/outbox")[1]["messages"])


def page(stack: Stack, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    """The survey page as a browser gets it: GET, or POST of a form (no script anywhere)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(stack.api + path, data=data, method="POST" if form else "GET")
    if form is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def survey_send_time(stack: Stack, number: int) -> datetime:
    scheduler = stack.aws("scheduler")
    for summary in scheduler.list_schedules(GroupName="helpdesk")["Schedules"]:
        if summary["Name"].startswith(f"survey-{number}-") and summary["Name"].endswith("-send"):
            schedule = scheduler.get_schedule(Name=summary["Name"], GroupName="helpdesk")
            at = due_time(schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"])
            assert at is not None
            return at
    pytest.fail(f"no survey schedule for ticket {number}")


def test_a_solved_ticket_is_surveyed_and_a_no_reopens_it_for_the_agent(stack: Stack) -> None:
    token = (stack.state_dir / "admin-token").read_text().strip()
    assert (
        send(stack, make_mail(subject="Wrong invoice", message_id="<e2e-csat@x.example>"))[0] == 250
    )

    def acknowledged() -> dict[str, Any] | None:
        return next((m for m in outbox(stack) if "e2e-csat" in (m["in_reply_to"] or "")), None)

    match = TAG.search(poll("no acknowledgement in the outbox", acknowledged, 20, stack)["subject"])
    assert match is not None
    number, tag = int(match[1]), match[0]
    body = {"body": "The invoice is corrected.", "status": "solved"}
    status, replied = stack.call("POST", f"/api/tickets/{number}/replies", body, token=token)
    assert status == 201 and replied["ticket"]["status"] == "solved", replied

    now = datetime.fromisoformat(stack.call("GET", "/local/clock")[1]["now"])
    at = survey_send_time(stack, number)
    assert at - now > timedelta(days=2)  # the morning of the third day after the solve
    seconds = (at - now).total_seconds() + 60
    status, moved = stack.call("POST", "/local/clock", {"advance_seconds": seconds})
    assert status == 200
    fired = [f for f in moved["fired"] if f["name"].startswith(f"survey-{number}-")]
    assert [f["ok"] for f in fired] == [True]

    surveys = [m for m in outbox(stack) if tag in m["subject"] and "/survey/" in (m["text"] or "")]
    assert len(surveys) == 1
    [survey] = surveys
    headers = {h["name"]: h["value"] for h in survey["headers"]}
    assert headers["Auto-Submitted"] == "auto-generated"
    assert "Did we solve your problem?" in survey["text"]
    no_link = [
        path for path in NO_LINK.findall(survey["text"] + "\n") if not path.endswith("opt-out")
    ][1]  # Yes first, then No

    for _ in range(2):  # a mail scanner opening the link votes for nothing
        status, html = page(stack, no_link)
        assert status == 200 and 'value="no" checked' in html
    ticket = stack.call("GET", f"/api/tickets/{number}", token=token)[1]["ticket"]
    assert ticket["status"] == "solved"

    status, html = page(stack, no_link, {"answer": "no", "comment": "It still shows 120 EUR."})
    assert status == 200 and "open again" in html

    detail = stack.call("GET", f"/api/tickets/{number}", token=token)[1]
    ticket = detail["ticket"]
    assert (ticket["status"], ticket["priority"], ticket["assignee"]) == (
        "open",
        "high",
        "admin@example.com",
    )
    assert ticket["next_response_due"] is not None
    comments = [m for m in detail["thread"] if "survey" in m["flags"] and m["kind"] == "inbound"]
    assert [c["text"] for c in comments] == ["It still shows 120 EUR."]
    notices = [m for m in outbox(stack) if m["subject"].startswith(f"[Survey: not solved] {tag}")]
    assert [n["to"] for n in notices] == [["admin@example.com"]]
