"""An agent's reply: sent once through SES from the queue's address, then recorded on the ticket.

Replies come from the address of the ticket's current queue (`[queues.X] address`): after a
transfer to Billing the customer hears from billing@, and a second-line queue configured with
support@ keeps answering from support@. The thread does not depend on the From address: the
subject keeps the ticket tag and References carry the ids the customer's mail program knows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from chalicelib.domain import threading
from chalicelib.domain.addresses import is_valid, normalise
from chalicelib.domain.agents import Agent
from chalicelib.domain.errors import InvalidInput, NotFound, StorageError, TooLarge
from chalicelib.domain.language import text_direction
from chalicelib.domain.mail import Address
from chalicelib.domain.routing import Routing
from chalicelib.domain.survey import note_solver
from chalicelib.domain.ticket_changes import (
    REPLY_STATUSES,
    after_agent_reply,
    ensure_repliable,
    parse_status,
)
from chalicelib.domain.tickets import Event, Message, MessageKind, Party, Status, Ticket
from chalicelib.services.messages import new_message_id
from chalicelib.services.outgoing import our_message_id, sync_after_commit, tagged_subject
from chalicelib.services.ports import (
    Clock,
    Mailer,
    OutgoingMail,
    Renderer,
    SlaPlanner,
    TicketStore,
    VersionConflict,
)

log = logging.getLogger("helpdesk.replies")

MAX_BODY_BYTES = 64 * 1024  # with its HTML twin, well inside DynamoDB's 400 KB item
MAX_CC = 10
VERSION_RETRIES = 3


@dataclass(frozen=True)
class ReplyRequest:
    body: str = ""
    cc: Sequence[str] = ()
    template_id: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Reply:
    ticket: Ticket
    message: Message


class CannedText(Protocol):
    """What a reply needs from canned templates (services.canned.CannedTemplates has it)."""

    def text_for(self, template_id: str, ticket: Ticket, agent: Agent) -> str: ...


class ReplyService:
    def __init__(
        self,
        *,
        store: TicketStore,
        mailer: Mailer,
        renderer: Renderer,
        canned: CannedText,
        sla: SlaPlanner,
        clock: Clock,
        routing: Routing,
        helpdesk_name: str,
        region: str,
    ) -> None:
        self._store = store
        self._mailer = mailer
        self._renderer = renderer
        self._canned = canned
        self._sla = sla
        self._clock = clock
        self._routing = routing
        self._name = helpdesk_name
        self._region = region

    def reply(self, number: int, agent: Agent, request: ReplyRequest) -> Reply:
        ticket = self._store.get_ticket(number)
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        ensure_repliable(ticket)
        status = parse_status(request.status or Status.PENDING.value, REPLY_STATUSES)
        cc = self._cc(request.cc, ticket)
        body = _body(request.body)
        if request.template_id and not body:
            body = _body(self._canned.text_for(request.template_id, ticket, agent))
        if not body:
            raise InvalidInput("body", "is required (or a template_id to answer with)")
        now = self._clock.now()
        message, mail = self._compose(ticket, agent, body, cc, now)
        provider_id = self._mailer.send(mail)
        ses_id = threading.ses_message_id(provider_id, self._region)
        sent = replace(message, provider_id=provider_id)
        log.info("reply sent", extra={"ticket": number, "ses_id": provider_id})
        extra = [Event(now, "template_used", agent.id, {"template": request.template_id})]
        events = extra if request.template_id else []
        return Reply(self._record(ticket, agent, sent, ses_id, (status, cc), events, now), sent)

    def _cc(self, values: Sequence[str], ticket: Ticket) -> tuple[str, ...]:
        if len(values) > MAX_CC:
            raise InvalidInput("cc", f"at most {MAX_CC} addresses")
        addresses = []
        for value in values:
            if not isinstance(value, str) or any(c in value for c in "\r\n"):
                raise InvalidInput("cc", "one address per entry, without line breaks")
            address = normalise(value)
            if not is_valid(address):
                raise InvalidInput("cc", f"{value!r} is not an email address")
            if address in self._routing.own_addresses:
                raise InvalidInput("cc", f"{address} is one of the helpdesk's own addresses")
            addresses.append(address)
        known = {ticket.requester.email, ticket.reply_to}
        return tuple(a for a in dict.fromkeys(addresses) if a not in known)

    def _compose(
        self, ticket: Ticket, agent: Agent, body: str, cc: tuple[str, ...], now: datetime
    ) -> tuple[Message, OutgoingMail]:
        queue = self._routing.queue_named(ticket.queue)
        rendered = self._renderer.render_mail(
            "reply", ticket.language, _context(ticket, agent, body, self._name)
        )
        local_id = new_message_id(now)
        message_id = our_message_id("reply", ticket, local_id, queue.address)
        all_cc = tuple(dict.fromkeys((*ticket.cc, *cc)))
        mail = OutgoingMail(
            sender=Address(queue.address, self._name),
            to=(Address(ticket.customer_address, ticket.requester.name),),
            cc=tuple(Address(a) for a in all_cc),
            subject=tagged_subject(ticket),
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            in_reply_to=ticket.thread_ids[-1] if ticket.thread_ids else None,
            references=ticket.thread_ids,
            language=ticket.language,
        )
        message = Message(
            id=local_id,
            ticket_number=ticket.number,
            kind=MessageKind.OUTBOUND,
            created_at=now,
            author=Party(agent.email, agent.name),
            subject=mail.subject,
            text=rendered.text,
            html=rendered.html,
            to=(ticket.customer_address,),
            cc=all_cc,
            message_id=message_id,
            meta={"from": queue.address},
        )
        return message, mail

    def _record(
        self,
        ticket: Ticket,
        agent: Agent,
        message: Message,
        ses_id: str,
        wanted: tuple[Status, tuple[str, ...]],
        extra: list[Event],
        now: datetime,
    ) -> Ticket:
        """Write what was sent; a concurrent change is re-read and re-applied, never re-sent."""
        status, cc = wanted
        replied = Event(now, "replied", agent.id, {"message": message.id, "ses_id": ses_id})
        for _ in range(VERSION_RETRIES):
            after, events = after_agent_reply(
                ticket, at=now, actor=agent.id, status=status, cc=cc, thread_id=ses_id
            )
            after = note_solver(ticket, after, agent)  # the survey names who solved it
            after, sla_events = self._sla.plan(ticket, after, now)
            try:
                self._store.append_message(
                    ticket=after,
                    expected_version=ticket.version,
                    message=message,
                    events=[replied, *events, *extra, *sla_events],
                    record=None,
                    index_ids=[ses_id],
                )
            except VersionConflict:
                fresh = self._store.get_ticket(ticket.number)
                if fresh is None:
                    break
                ticket = fresh
                continue
            sync_after_commit(self._sla, ticket, after)
            return after
        log.error("reply sent but not recorded", extra={"ticket": ticket.number, "ses": ses_id})
        raise StorageError(f"the reply to {ticket.tag} was sent but could not be recorded")


def _body(text: str) -> str:
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise TooLarge(f"body over {MAX_BODY_BYTES} bytes")
    return body


def _context(ticket: Ticket, agent: Agent, body: str, helpdesk_name: str) -> dict[str, object]:
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
