"""Working a ticket: reply to the customer, note for colleagues, take it, transfer it."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import bootstrap
from chalicelib.api.http import api_errors, current_agent, field, json_body, json_response
from chalicelib.api.ticket_json import current_as_json, message_json, ticket_json
from chalicelib.api.tickets import ticket_number
from chalicelib.domain.desk.reply_keys import HEADER, parse_key
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.desk.replies import ReplyRequest

bp = Blueprint(__name__)


@bp.route("/api/tickets/{number}/replies", methods=["POST"])
@api_errors
def reply(number: str) -> Response:
    agent = current_agent(bp.current_request)
    body = json_body(bp.current_request)
    request = ReplyRequest(
        body=field(body, "body", str) or "",
        cc=_strings(body, "cc"),
        template_id=field(body, "template_id", str),
        status=field(body, "status", str),
    )
    key = parse_key(bp.current_request.headers.get(HEADER))
    sent = bootstrap.container().replies.reply(ticket_number(number), agent, request, key)
    return json_response(
        {"ticket": ticket_json(sent.ticket), "message": message_json(sent.message)},
        *_status(sent.replayed, 201),
    )


@bp.route("/api/tickets/{number}/notes", methods=["POST"])
@api_errors
def add_note(number: str) -> Response:
    agent = current_agent(bp.current_request)
    body = json_body(bp.current_request)
    text = field(body, "body", str, required=True)
    key = parse_key(bp.current_request.headers.get(HEADER))
    note = bootstrap.container().ticket_actions.note(ticket_number(number), agent, text, key)
    return json_response({"message": message_json(note.result)}, *_status(note.replayed, 201))


@bp.route("/api/tickets/{number}/take", methods=["POST"])
@api_errors
@current_as_json
def take(number: str) -> Response:
    agent = current_agent(bp.current_request)
    key = parse_key(bp.current_request.headers.get(HEADER))
    taken = bootstrap.container().ticket_actions.take(ticket_number(number), agent, key)
    return json_response(ticket_json(taken.result), *_status(taken.replayed))


@bp.route("/api/tickets/{number}/transfer", methods=["POST"])
@api_errors
@current_as_json
def transfer(number: str) -> Response:
    agent = current_agent(bp.current_request)
    body = json_body(bp.current_request)
    moved = bootstrap.container().ticket_actions.transfer(
        ticket_number(number),
        agent,
        field(body, "queue", str, required=True),
        field(body, "note", str, required=True),
        parse_key(bp.current_request.headers.get(HEADER)),
    )
    return json_response(ticket_json(moved.result), *_status(moved.replayed))


def _status(replayed: bool, made: int = 200) -> tuple[int, dict[str, str] | None]:
    """A repeat under the same Idempotency-Key answers 200 and says it is one."""
    return (200, {"Idempotent-Replayed": "true"}) if replayed else (made, None)


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = field(body, name, list) or []
    if not all(isinstance(v, str) for v in value):
        raise InvalidInput(name, "must be a list of strings")
    return list(value)
