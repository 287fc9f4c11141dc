"""Every /api route needs `Authorization: Bearer <token>`: the middleware that checks it."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib import bootstrap
from chalicelib.api.http import AGENT_KEY, error_response
from chalicelib.domain.errors import HelpdeskError

PROTECTED_PREFIX = "/api"


def authenticate(event: Request, get_response: Callable[[Request], Response]) -> Response:
    if event.path == PROTECTED_PREFIX or event.path.startswith(PROTECTED_PREFIX + "/"):
        try:
            agent = bootstrap.container().agents.authenticate(event.headers.get("authorization"))
        except HelpdeskError as e:
            return error_response(e)
        event.context[AGENT_KEY] = agent
    return get_response(event)
