"""Reports for agents: customer satisfaction from the survey answers (for the dashboard)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response

bp = Blueprint(__name__)


@bp.route("/api/reports/csat", methods=["GET"])
@api_errors
def csat() -> Response:
    current_agent(bp.current_request)
    params = dict(bp.current_request.query_params or {})
    report = bootstrap.container().csat_report.report(
        since=params.get("from") or None,
        until=params.get("to") or None,
        queue=params.get("queue") or None,
        agent=params.get("agent") or None,
    )
    return json_response(report)
