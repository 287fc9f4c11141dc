"""Reports for agents: the summary of a period, the agents, and customer satisfaction."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response
from chalicelib.api.report_csv import csv_response
from chalicelib.domain.errors import InvalidInput

bp = Blueprint(__name__)
FORMATS = ("json", "csv")


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


@bp.route("/api/reports/summary", methods=["GET"])
@api_errors
def summary() -> Response:
    current_agent(bp.current_request)
    params, as_csv = _params()
    report = bootstrap.container().summary_report.report_for(params)
    if as_csv:
        name = f"summary-{report['from']}-{report['to']}-{report['group']}.csv"
        return csv_response(report["series"], name)
    return json_response(report)


@bp.route("/api/reports/agents", methods=["GET"])
@api_errors
def agents() -> Response:
    current_agent(bp.current_request)
    params, as_csv = _params()
    report = bootstrap.container().agent_report.report_for(params)
    if as_csv:
        return csv_response(report["agents"], f"agents-{report['from']}-{report['to']}.csv")
    return json_response(report)


def _params() -> tuple[dict[str, Any], bool]:
    params = dict(bp.current_request.query_params or {})
    wanted = params.pop("format", "") or "json"
    if wanted not in FORMATS:
        raise InvalidInput("format", "must be json or csv")
    return params, wanted == "csv"
