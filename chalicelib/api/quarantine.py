"""Quarantined mail: agents see why it was held, release it into a ticket or confirm it as spam."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response
from chalicelib.api.ticket_json import held_json
from chalicelib.api.tickets import int_param
from chalicelib.domain.errors import NotFound

bp = Blueprint(__name__)


def _mail_id(value: str) -> str:
    if not value.isalnum() or len(value) > 100:
        raise NotFound("no quarantined mail with that id")
    return value


@bp.route("/api/quarantine", methods=["GET"])
@api_errors
def list_quarantine() -> Response:
    current_agent(bp.current_request)
    params = dict(bp.current_request.query_params or {})
    limit = int_param(params, "limit")
    held, next_cursor = bootstrap.container().quarantine_desk.page(limit, params.get("cursor"))
    return json_response({"mail": [held_json(h) for h in held], "cursor": next_cursor})


@bp.route("/api/quarantine/{mail_id}/release", methods=["POST"])
@api_errors
def release(mail_id: str) -> Response:
    agent = current_agent(bp.current_request)
    held = bootstrap.container().quarantine_desk.release(_mail_id(mail_id), agent)
    return json_response(held_json(held))


@bp.route("/api/quarantine/{mail_id}/append", methods=["POST"])
@api_errors
def append(mail_id: str) -> Response:
    """A held reply whose sender was not authenticated joins the ticket it claims."""
    agent = current_agent(bp.current_request)
    held = bootstrap.container().quarantine_desk.append(_mail_id(mail_id), agent)
    return json_response(held_json(held))


@bp.route("/api/quarantine/{mail_id}/spam", methods=["POST"])
@api_errors
def confirm_spam(mail_id: str) -> Response:
    agent = current_agent(bp.current_request)
    held = bootstrap.container().quarantine_desk.mark_spam(_mail_id(mail_id), agent)
    return json_response(held_json(held))
