"""/api/openapi.json: the OpenAPI 3 document of the agent API."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import api_errors, current_agent, json_response
from chalicelib.api.openapi_paths import AGENTS, QUARANTINE, TEMPLATES, TICKETS
from chalicelib.api.openapi_spec import SCHEMAS

bp = Blueprint(__name__)


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Helpdesk agent API",
            "version": "1.0.0",
            "description": "Every route needs `Authorization: Bearer <token>`. Errors are JSON "
            "with `error`, `message`, and `field` (400) or `current` (409).",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": t} for t in ("tickets", "queues", "templates", "quarantine", "agents", "meta")
        ],
        "paths": {**TICKETS, **TEMPLATES, **QUARANTINE, **AGENTS},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }


@bp.route("/api/openapi.json", methods=["GET"])
@api_errors
def openapi() -> Response:
    current_agent(bp.current_request)
    return json_response(document())
