"""The queue board: customers waiting per queue right now, and the oldest wait."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response
from chalicelib.api.ticket_json import queue_json

bp = Blueprint(__name__)


@bp.route("/api/queues", methods=["GET"])
@api_errors
def list_queues() -> Response:
    current_agent(bp.current_request)
    board = bootstrap.container().queue_board.overview()
    return json_response({"queues": [queue_json(q) for q in board]})
