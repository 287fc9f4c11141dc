"""The live board: per queue what waits right now and the longest wait; per agent their load."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, json_response
from chalicelib.api.ticket_json import queue_json
from chalicelib.services.desk.queues import Board, QueueSummary

bp = Blueprint(__name__)


@bp.route("/api/queues", methods=["GET"])
@api_errors
def list_queues() -> Response:
    current_agent(bp.current_request)
    board = bootstrap.container().queue_board.overview()
    return json_response({"queues": [queue_json(q) for q in board]})


@bp.route("/api/board", methods=["GET"])
@api_errors
def live_board() -> Response:
    current_agent(bp.current_request)
    return json_response(board_json(bootstrap.container().queue_board.board()))


def board_json(board: Board) -> dict[str, Any]:
    return {
        "at": board.at.isoformat(),
        "queues": [_line(q) for q in board.queues],
        "agents": [
            {"agent": a.agent, "name": a.name, "open": a.open, "waiting": a.waiting}
            for a in board.agents
        ],
        "totals": {k: v for k, v in _line(board.totals).items() if k not in ("queue", "address")},
        "reads": {"queries": board.queries},
    }


def _line(q: QueueSummary) -> dict[str, Any]:
    line = queue_json(q)
    return {"queue": line.pop("name"), **line}
