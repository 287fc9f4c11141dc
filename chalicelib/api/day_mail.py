"""A day's mail for managers: every mail in and out on desk-local days, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response
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
        return csv_response(page)
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


def csv_response(page: MailPage) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in page.rows:
        line = row_json(row)
        line["to"] = ", ".join(line["to"])
        writer.writerow([_cell(line[c]) for c in COLUMNS])
    name = f"mail-{page.first}" + (f"-to-{page.last}" if page.last != page.first else "")
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}.csv"',
    }
    if page.next:
        headers[NEXT_HEADER] = page.next
    return Response(body=out.getvalue(), status_code=200, headers=headers)


def _cell(value: Any) -> str:
    """A customer's subject is not a formula: a spreadsheet must not run "=HYPERLINK(...)"."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
