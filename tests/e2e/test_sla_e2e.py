"""The SLA clock on the local stack: a mail in, the clock moved past the warning and the breach,
the notices in /local/outbox, the ticket breached in the agent API."""

from __future__ import annotations

import re
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


def outbox(stack: Stack) -> list[dict[str, Any]]:
    return list(stack.call("GET", "/local/outbox")[1]["messages"])


def notices(stack: Stack, kind: str, tag: str) -> list[dict[str, Any]]:
    # strip(): a long Subject is folded right after "Subject:", and the stdlib parser keeps
    # the folding space.
    return [m for m in outbox(stack) if m["subject"].strip().startswith(f"[SLA {kind}] {tag}")]


def sla_points(stack: Stack, number: int) -> dict[str, datetime]:
    """The ticket's schedules by kind ("w", "b"): when EventBridge Scheduler would fire them."""
    scheduler = stack.aws("scheduler")
    found = {}
    for summary in scheduler.list_schedules(GroupName="helpdesk")["Schedules"]:
        name = summary["Name"]
        if name.startswith(f"sla-{number}-fr-"):
            schedule = scheduler.get_schedule(Name=name, GroupName="helpdesk")
            at = due_time(schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"])
            assert at is not None
            found[name.split("-")[3]] = at
    return found


def move_clock_to(stack: Stack, when: datetime) -> list[dict[str, Any]]:
    now = datetime.fromisoformat(stack.call("GET", "/local/clock")[1]["now"])
    seconds = max(0.0, (when - now).total_seconds())
    status, moved = stack.call("POST", "/local/clock", {"advance_seconds": seconds})
    assert status == 200, moved
    return list(moved["fired"])


def test_a_ticket_nobody_answers_is_warned_then_escalated_and_shows_breached(
    stack: Stack,
) -> None:
    token = (stack.state_dir / "admin-token").read_text().strip()
    raw = make_mail(subject="Nobody answers me", message_id="<e2e-sla@customer.example>")
    assert send(stack, raw)[0] == 250

    def acknowledged() -> dict[str, Any] | None:
        return next((m for m in outbox(stack) if "e2e-sla" in (m["in_reply_to"] or "")), None)

    ack = poll("no acknowledgement in the outbox", acknowledged, 20, stack)
    match = TAG.search(ack["subject"])
    assert match is not None
    number, tag = int(match[1]), match[0]
    # ingest creates the schedules after it sends the acknowledgement: wait for both
    points = poll(
        "no warning and breach schedules",
        lambda: found if sorted(found := sla_points(stack, number)) == ["b", "w"] else None,
        20,
        stack,
    )
    assert points["w"] < points["b"]

    fired = move_clock_to(stack, points["w"] + timedelta(seconds=30))
    assert [(f["name"].split("-")[3], f["ok"]) for f in fired if f"sla-{number}-" in f["name"]] == [
        ("w", True)
    ]
    [warning] = notices(stack, "warning", tag)
    assert warning["to"] == ["support@example.com"]
    status, at_risk = stack.call("GET", "/api/tickets?view=at_risk", token=token)
    assert status == 200 and number in [t["number"] for t in at_risk["tickets"]]

    fired = move_clock_to(stack, points["b"] + timedelta(seconds=30))
    assert [(f["name"].split("-")[3], f["ok"]) for f in fired if f"sla-{number}-" in f["name"]] == [
        ("b", True)
    ]
    [escalation] = notices(stack, "breached", tag)
    assert escalation["to"] == ["support-leads@example.com"]
    assert "missed its first response" in (escalation["text"] or "")

    status, detail = stack.call("GET", f"/api/tickets/{number}", token=token)
    assert status == 200
    assert (detail["ticket"]["sla_state"], detail["ticket"]["priority"]) == ("breached", "high")
    kinds = [e["kind"] for e in detail["events"]]
    assert {"sla_warning", "sla_breached", "priority_changed"} <= set(kinds)
    status, breached = stack.call("GET", "/api/tickets?view=breached", token=token)
    assert status == 200 and number in [t["number"] for t in breached["tickets"]]
    assert len(notices(stack, "warning", tag)) == 1, "each notice once"
