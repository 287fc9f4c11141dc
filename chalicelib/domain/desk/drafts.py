"""What an agent asked to send, checked before anything is claimed or mailed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import InvalidInput, TooLarge
from chalicelib.domain.mail.addresses import is_valid, normalise
from chalicelib.domain.mail.language import text_direction
from chalicelib.domain.tickets.changes import REPLY_STATUSES, ensure_repliable, parse_status
from chalicelib.domain.tickets.model import TICKET_CC_LIMIT, Status, Ticket, merge_cc
from chalicelib.domain.tickets.routing import Routing

MAX_BODY_BYTES = 64 * 1024  # with its HTML twin, well inside DynamoDB's 400 KB item
MAX_CC = 10


@dataclass(frozen=True)
class ReplyRequest:
    body: str = ""
    cc: Sequence[str] = ()
    template_id: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Draft:
    body: str
    cc: tuple[str, ...]  # added by this reply, beyond the ticket's cc list
    status: Status
    template_id: str | None


class CannedText(Protocol):
    """What a reply needs from canned templates (services.canned.CannedTemplates has it)."""

    def text_for(self, template_id: str, ticket: Ticket, agent: Agent) -> str: ...


def draft_of(
    ticket: Ticket, agent: Agent, request: ReplyRequest, canned: CannedText, routing: Routing
) -> Draft:
    ensure_repliable(ticket)
    status = parse_status(request.status or Status.PENDING.value, REPLY_STATUSES)
    cc = _cc(request.cc, ticket, routing)
    body = _body(request.body)
    if request.template_id and not body:
        body = _body(canned.text_for(request.template_id, ticket, agent))
    if not body:
        raise InvalidInput("body", "is required (or a template_id to answer with)")
    return Draft(body, cc, status, request.template_id)


def _cc(values: Sequence[str], ticket: Ticket, routing: Routing) -> tuple[str, ...]:
    if len(values) > MAX_CC:
        raise InvalidInput("cc", f"at most {MAX_CC} addresses")
    addresses = []
    for value in values:
        if not isinstance(value, str) or any(c in value for c in "\r\n"):
            raise InvalidInput("cc", "one address per entry, without line breaks")
        address = normalise(value)
        if not is_valid(address):
            raise InvalidInput("cc", f"{value!r} is not an email address")
        if address in routing.own_addresses:
            raise InvalidInput("cc", f"{address} is one of the helpdesk's own addresses")
        addresses.append(address)
    known = {ticket.requester.email, ticket.reply_to}
    added = tuple(a for a in dict.fromkeys(addresses) if a not in known)
    if len(merge_cc(ticket.cc, added)) < len({*ticket.cc, *added}):
        raise InvalidInput("cc", f"a ticket copies at most {TICKET_CC_LIMIT} addresses")
    return added


def _body(text: str) -> str:
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise TooLarge(f"body over {MAX_BODY_BYTES} bytes")
    return body


def mail_context(ticket: Ticket, agent: Agent, body: str, helpdesk_name: str) -> dict[str, object]:
    paragraphs = [p.split("\n") for p in body.split("\n\n") if p.strip()]
    return {
        "customer_name": ticket.requester.name,
        "ticket_tag": ticket.tag,
        "subject": ticket.subject,
        "body": body,
        "paragraphs": paragraphs,
        "agent_name": agent.name,
        "agent_title": agent.title,
        "helpdesk_name": helpdesk_name,
        "direction": text_direction(ticket.language),
        "language": ticket.language,
    }
