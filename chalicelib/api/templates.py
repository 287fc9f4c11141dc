"""Canned templates: admins write, edit and retire them; agents list, preview and rate them."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import (
    api_errors,
    current_agent,
    field,
    json_body,
    json_response,
    require_admin,
)
from chalicelib.api.ticket_json import current_as_json, feedback_json, template_json

bp = Blueprint(__name__)


@bp.route("/api/templates", methods=["GET"])
@api_errors
def list_templates() -> Response:
    current_agent(bp.current_request)
    params = dict(bp.current_request.query_params or {})
    retired = params.get("include_retired", "").lower() in ("1", "true", "yes")
    found = bootstrap.container().canned.available(params.get("language") or None, retired)
    return json_response({"templates": [template_json(t) for t in found]})


@bp.route("/api/templates", methods=["POST"])
@api_errors
def create_template() -> Response:
    admin = require_admin(bp.current_request)
    body = json_body(bp.current_request)
    template = bootstrap.container().canned.create(
        admin,
        name=field(body, "name", str, required=True),
        language=field(body, "language", str, required=True),
        body=field(body, "body", str, required=True),
    )
    return json_response(template_json(template), 201)


@bp.route("/api/templates/{template_id}", methods=["GET"])
@api_errors
def get_template(template_id: str) -> Response:
    current_agent(bp.current_request)
    canned = bootstrap.container().canned
    template = canned.get(template_id)
    feedback = [feedback_json(f) for f in canned.feedback(template.id)]
    return json_response({**template_json(template), "recent_feedback": feedback})


@bp.route("/api/templates/{template_id}", methods=["PATCH"])
@api_errors
@current_as_json
def update_template(template_id: str) -> Response:
    admin = require_admin(bp.current_request)
    body = json_body(bp.current_request)
    template = bootstrap.container().canned.update(
        template_id,
        admin,
        name=field(body, "name", str),
        language=field(body, "language", str),
        body=field(body, "body", str),
        version=field(body, "version", int),
    )
    return json_response(template_json(template))


@bp.route("/api/templates/{template_id}", methods=["DELETE"])
@api_errors
@current_as_json
def retire_template(template_id: str) -> Response:
    admin = require_admin(bp.current_request)
    return json_response(template_json(bootstrap.container().canned.retire(template_id, admin)))


@bp.route("/api/templates/{template_id}/render", methods=["POST"])
@api_errors
def render_template(template_id: str) -> Response:
    agent = current_agent(bp.current_request)
    body = json_body(bp.current_request)
    number = field(body, "ticket", int, required=True)
    text = bootstrap.container().canned.render(template_id, number, agent)
    return json_response({"template_id": template_id, "ticket": number, "text": text})


@bp.route("/api/templates/{template_id}/feedback", methods=["POST"])
@api_errors
def template_feedback(template_id: str) -> Response:
    agent = current_agent(bp.current_request)
    body = json_body(bp.current_request)
    template = bootstrap.container().canned.give_feedback(
        template_id,
        agent,
        field(body, "helpful", bool, required=True),
        field(body, "comment", str) or "",
    )
    return json_response(template_json(template), 201)
