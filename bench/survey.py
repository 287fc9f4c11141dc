"""The survey's fixed entry points: measured when the survey is built, never guessed at before."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from bench.config import REPO
from bench.desk import Desk

ROUTE = "/survey/{token}"
SEND_TYPE = "survey_send"
NOT_BUILT = "survey not built"
_LINK = re.compile(r"/survey/([A-Za-z0-9_\-.~%]+)")


def built(app_module: Any) -> bool:
    """The survey's service module exists and app.py serves its public route."""
    services = list((REPO / "chalicelib" / "services" / "survey").glob("*.py"))
    return bool(services) and ROUTE in app_module.app.routes


def send_schedule(desk: Desk, ticket: int) -> Any | None:
    """The one-time schedule the system made for this ticket's survey, read back from moto."""
    for schedule in desk.schedules():
        event = schedule.event()
        if isinstance(event, dict) and (event.get("type"), event.get("ticket")) == (
            SEND_TYPE,
            ticket,
        ):
            return schedule
    return None


def link_token(desk: Desk, requester: str) -> str | None:
    """The token of the newest survey link mailed to the requester (from moto's outbox)."""
    for mail in desk.outbox():
        if requester not in " ".join(mail.get("to") or []):
            continue
        found = _LINK.search(mail.get("text") or "")
        if found:
            return found.group(1)
    return None


def answer(desk: Desk, token: str, value: str = "yes", comment: str = "Solved, thanks!") -> Any:
    body = urlencode({"answer": value, "comment": comment})
    return desk.request(
        "POST", f"/survey/{token}", "", body, content_type="application/x-www-form-urlencoded"
    )
