"""JSON in and out of routes: bodies, errors, the signed-in agent. HTTP codes are decided here."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, cast

from chalice.app import Request, Response

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import (
    Conflict,
    Forbidden,
    HelpdeskError,
    InvalidInput,
    MailRejected,
    NotFound,
    StorageError,
    TooLarge,
    Unauthorized,
)

MAX_BODY_BYTES = 256 * 1024
AGENT_KEY = "helpdesk_agent"
RETRY_AFTER_SECONDS = 5  # a throttled or failed AWS call is usually through by then

_STATUS: list[tuple[type[HelpdeskError], int, str]] = [
    (InvalidInput, 400, "invalid_input"),
    (Unauthorized, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (TooLarge, 413, "too_large"),
    (MailRejected, 422, "mail_rejected"),  # before StorageError: trying again will not help
    (StorageError, 503, "unavailable"),
]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def error_response(error: HelpdeskError) -> Response:
    status, code = next(((s, c) for t, s, c in _STATUS if isinstance(error, t)), (500, "error"))
    body: dict[str, Any] = {"error": code, "message": str(error)}
    if isinstance(error, InvalidInput):
        body["field"] = error.field
    if isinstance(error, Conflict) and error.current is not None:
        body["current"] = error.current
    return json_response(body, status, _headers(status))


def _headers(status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="helpdesk"'}
    if status == 503:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return None


def api_errors[F: Callable[..., Any]](view: F) -> F:
    """Routes raise the project's errors; this turns them into JSON with the right status."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except HelpdeskError as e:
            return error_response(e)

    return cast("F", wrapper)


def json_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise TooLarge(f"request body over {max_bytes} bytes")
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidInput("body", "not valid JSON") from e
    if not isinstance(body, dict):
        raise InvalidInput("body", "must be a JSON object")
    return body


def current_agent(request: Request) -> Agent:
    agent = (request.context or {}).get(AGENT_KEY)
    if not isinstance(agent, Agent):
        raise Unauthorized("not signed in")
    return agent


def require_admin(request: Request) -> Agent:
    agent = current_agent(request)
    if not agent.is_admin:
        raise Forbidden("this needs the admin role")
    return agent


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = False) -> Any:
    if name not in body or body[name] is None:
        if required:
            raise InvalidInput(name, "is required")
        return None
    value = body[name]
    if kind is int and isinstance(value, bool):
        raise InvalidInput(name, "must be an integer")
    if not isinstance(value, kind):
        raise InvalidInput(name, f"must be {kind.__name__}")
    return value
