"""Tickets for agents: the views, one ticket with its thread, and edits with optimistic locking."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, field, json_body, json_response
from chalicelib.api.ticket_json import current_as_json, detail_json, ticket_json
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.tickets.changes import UNCHANGED
from chalicelib.services.desk.actions import PatchRequest
from chalicelib.services.desk.views import ViewRequest

bp = Blueprint(__name__)


def ticket_number(value: str) -> int:
    """Ticket numbers in paths; anything else names no ticket."""
    if not value.isdigit() or len(value) > 9:
        raise NotFound(f"no ticket {value[:20]}")
    return int(value)


def query_params() -> dict[str, str]:
    return dict(bp.current_request.query_params or {})


def int_param(params: dict[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 6:
        raise InvalidInput(name, "must be a positive integer")
    return int(value)


@bp.route("/api/tickets", methods=["GET"])
@api_errors
def list_tickets() -> Response:
    agent = current_agent(bp.current_request)
    params = query_params()
    request = ViewRequest(
        view=params.get("view") or "all",
        queue=params.get("queue"),
        status=params.get("status"),
        requester=params.get("requester") or None,
        limit=int_param(params, "limit"),
        cursor=params.get("cursor"),
    )
    page = bootstrap.container().ticket_views.page(request, agent)
    return json_response({"tickets": [ticket_json(t) for t in page.tickets], "cursor": page.cursor})


@bp.route("/api/tickets/{number}", methods=["GET"])
@api_errors
def get_ticket(number: str) -> Response:
    current_agent(bp.current_request)
    detail = bootstrap.container().ticket_details.get(ticket_number(number))
    return json_response(detail_json(detail))


@bp.route("/api/tickets/{number}", methods=["PATCH"])
@api_errors
@current_as_json
def patch_ticket(number: str) -> Response:
    agent = current_agent(bp.current_request)
    body = json_body(bp.current_request)
    request = PatchRequest(
        version=field(body, "version", int, required=True),
        status=field(body, "status", str),
        priority=field(body, "priority", str),
        queue=field(body, "queue", str),
        assignee=_assignee(body),
        spam=field(body, "spam", bool),
    )
    ticket = bootstrap.container().ticket_actions.patch(ticket_number(number), agent, request)
    return json_response(ticket_json(ticket))


def _assignee(body: dict[str, Any]) -> Any:
    """Absent: unchanged; null or "": unassign; a string: that agent."""
    if "assignee" not in body:
        return UNCHANGED
    value = body["assignee"]
    if value is not None and not isinstance(value, str):
        raise InvalidInput("assignee", "must be an agent id, or null to unassign")
    return value or None
