"""The /local routes (clock, outbox, start page): the local runner adds them, never app.py."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api import http
from chalicelib.domain.errors import InvalidInput, NotFound
from local.clock import LocalClock
from local.firing import ScheduleRunner
from local.pages import render

MAX_ADVANCE_SECONDS = 10 * 366 * 86400  # ten years: enough for any SLA, far from overflow

# The pages show mail written by strangers: no script, no remote images (tracking pixels);
# srcdoc iframes inherit this policy.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass
class LocalServices:
    clock: LocalClock
    runner: ScheduleRunner
    outbox: Callable[[], list[dict[str, Any]]]
    page: dict[str, Any] = field(default_factory=dict)  # ports and paths the pages mention


def local_blueprint(services: LocalServices, *, serve_root: bool = False) -> Blueprint:
    """`serve_root`: show the start page at / too, while app.py has no page there."""
    bp = Blueprint(__name__)

    def wants_html() -> bool:
        params: Mapping[str, str] = bp.current_request.query_params or {}
        return params.get("format") == "html"

    def page(template: str, **context: Any) -> Response:
        html = render(template, now=services.clock.now().isoformat(), **services.page, **context)
        return Response(
            body=html,
            status_code=200,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": PAGE_POLICY,
            },
        )

    @bp.route("/local", methods=["GET"])
    def start() -> Response:
        return page("index.html")

    if serve_root:
        bp.route("/", methods=["GET"])(start)

    @bp.route("/local/clock", methods=["GET"])
    def get_clock() -> Response:
        clock = services.clock
        return http.json_response(
            {"now": clock.now().isoformat(), "offset_seconds": clock.offset_seconds}
        )

    @bp.route("/local/clock", methods=["POST"])
    @http.api_errors
    def move_clock() -> Response:
        seconds = advance_seconds(http.json_body(bp.current_request))
        now, fired = services.runner.advance(seconds)
        return http.json_response({"now": now.isoformat(), "fired": [f.to_json() for f in fired]})

    @bp.route("/local/outbox", methods=["GET"])
    def outbox() -> Response:
        messages = services.outbox()
        if wants_html():
            return page("outbox.html", messages=messages)
        return http.json_response({"messages": messages})

    @bp.route("/local/outbox/{ses_message_id}", methods=["GET"])
    @http.api_errors
    def one_message(ses_message_id: str) -> Response:
        found = [m for m in services.outbox() if m["ses_message_id"] == ses_message_id]
        if not found:
            raise NotFound(f"no sent mail {ses_message_id}")
        if wants_html():
            return page("outbox.html", messages=found)
        return http.json_response(found[0])

    return bp


def advance_seconds(body: dict[str, Any]) -> float:
    value = http.field(body, "advance_seconds", object, required=True)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput("advance_seconds", "must be a number of seconds")
    if not math.isfinite(value) or value < 0 or value > MAX_ADVANCE_SECONDS:
        raise InvalidInput("advance_seconds", f"must be between 0 and {MAX_ADVANCE_SECONDS}")
    return float(value)
