"""A day's mail for managers: every mail in and out on desk-local days, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response
from chalicelib.api.report_csv import csv_response
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.desk.day_mail import DIRECTION_OF, MailPage
from chalicelib.services.ports import MailRow

bp = Blueprint(__name__)

COLUMNS = ("at", "direction", "ticket", "queue", "agent", "subject", "from", "to")
NEXT_HEADER = "X-Next-Cursor"


@bp.route("/api/reports/mail", methods=["GET"])
@api_errors
def day_mail() -> Response:
    current_agent(bp.current_request)
    params = dict(bp.current_request.query_params or {})
    output = params.get("format") or "json"
    if output not in ("json", "csv"):
        raise InvalidInput("format", "must be json or csv")
    page = bootstrap.container().day_mail.page(
        day=params.get("date"),
        until=params.get("to"),
        direction=params.get("direction"),
        queue=params.get("queue"),
        agent=params.get("agent"),
        cursor=params.get("cursor"),
        limit=params.get("limit"),
    )
    if output == "csv":
        return mail_csv(page)
    return json_response(
        {
            "from": page.first.isoformat(),
            "to": page.last.isoformat(),
            "mails": [row_json(r) for r in page.rows],
            "next": page.next,
        }
    )


def row_json(row: MailRow) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "direction": DIRECTION_OF[row.kind],
        "ticket": row.ticket,
        "queue": row.queue,
        "agent": row.agent,
        "subject": row.subject,
        "from": row.sender,
        "to": list(row.to),
    }


def mail_csv(page: MailPage) -> Response:
    lines = [row_json(row) | {"to": ", ".join(row.to)} for row in page.rows]
    name = f"mail-{page.first}" + (f"-to-{page.last}" if page.last != page.first else "")
    more = {NEXT_HEADER: page.next} if page.next else {}
    return csv_response(lines, f"{name}.csv", columns=COLUMNS, headers=more)
