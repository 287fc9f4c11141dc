"""Agents and tokens: admins manage them; every agent can see who they are."""

from __future__ import annotations

from typing import Any

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
from chalicelib.domain.desk.agents import Agent, ApiToken

bp = Blueprint(__name__)


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "email": agent.email,
        "title": agent.title,
        "role": agent.role.value,
        "queues": list(agent.queues),
        "languages": list(agent.languages),
        "active": agent.active,
    }


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "label": token.label,
        "created_at": token.created_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@bp.route("/api/me", methods=["GET"])
@api_errors
def me() -> Response:
    return json_response(agent_json(current_agent(bp.current_request)))


@bp.route("/api/agents", methods=["GET"])
@api_errors
def list_agents() -> Response:
    current_agent(bp.current_request)
    agents = bootstrap.container().agents.all()
    return json_response({"agents": [agent_json(a) for a in agents]})


@bp.route("/api/agents", methods=["POST"])
@api_errors
def create_agent() -> Response:
    require_admin(bp.current_request)
    body = json_body(bp.current_request)
    agent = bootstrap.container().agents.create(
        email=field(body, "email", str, required=True),
        name=field(body, "name", str, required=True),
        role=field(body, "role", str) or "agent",
        title=field(body, "title", str) or "",
        queues=field(body, "queues", list) or [],
        languages=field(body, "languages", list) or [],
    )
    return json_response(agent_json(agent), 201)


@bp.route("/api/agents/{agent_id}", methods=["GET"])
@api_errors
def get_agent(agent_id: str) -> Response:
    current_agent(bp.current_request)
    return json_response(agent_json(bootstrap.container().agents.get(agent_id)))


@bp.route("/api/agents/{agent_id}", methods=["PATCH"])
@api_errors
def update_agent(agent_id: str) -> Response:
    require_admin(bp.current_request)
    body = json_body(bp.current_request)
    allowed = {"name", "title", "role", "queues", "languages", "active"}
    changes = {k: v for k, v in body.items() if k in allowed}
    return json_response(agent_json(bootstrap.container().agents.update(agent_id, **changes)))


@bp.route("/api/agents/{agent_id}/tokens", methods=["GET"])
@api_errors
def list_tokens(agent_id: str) -> Response:
    require_admin(bp.current_request)
    tokens = bootstrap.container().agents.tokens(agent_id)
    return json_response({"tokens": [token_json(t) for t in tokens]})


@bp.route("/api/agents/{agent_id}/tokens", methods=["POST"])
@api_errors
def issue_token(agent_id: str) -> Response:
    require_admin(bp.current_request)
    body = json_body(bp.current_request)
    issued = bootstrap.container().agents.issue_token(agent_id, field(body, "label", str) or "")
    # The secret is shown this once; only its hash is stored.
    return json_response({**token_json(issued.token), "token": issued.secret}, 201)


@bp.route("/api/agents/{agent_id}/tokens/{token_id}", methods=["DELETE"])
@api_errors
def revoke_token(agent_id: str, token_id: str) -> Response:
    require_admin(bp.current_request)
    revoked = bootstrap.container().agents.revoke_token(agent_id, token_id)
    return json_response(token_json(revoked))
