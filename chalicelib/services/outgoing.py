"""Every mail we send, composed one way: subjects with the ticket tag, our ids, loop-safe
headers, threading on the ticket, and the Message that records a customer mail on the thread.

Customer mail (acknowledgement, reply, survey) is rendered in the ticket's language and comes
from the address the customer wrote to; internal notices (SLA warning and breach, a survey's
No) are rendered in English from the ticket's queue to an agent or a queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.mail.addresses import header_safe
from chalicelib.domain.mail.language import text_direction
from chalicelib.domain.mail.parsed import Address
from chalicelib.domain.mail.threads import strip_tags
from chalicelib.domain.tickets.model import Message, MessageKind, Party, Ticket
from chalicelib.domain.tickets.routing import Routing
from chalicelib.services.ports import OutgoingMail, RenderedMail, Renderer

# RFC 3834: an answer to a mail of theirs is auto-replied; mail we start ourselves is
# auto-generated. Both ask Exchange not to answer with its own auto-replies.
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
GENERATED_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
# Automatic mail also names the address it comes from in X-Loop, so that when it comes back
# through a forwarder that rewrote the From, loops.py still knows it for ours.
LOOP_HEADER = "X-Loop"
NOTICE_LANGUAGE = "en"
_REPLY_PREFIXES = ("re:", "aw:", "sv:", "vs:", "odp:", "vá:", "fw:", "fwd:", "pd:", "vl:")


def tagged_subject(ticket: Ticket, subject: str | None = None) -> str:
    """`Re: <subject> [#1042]`: the tag lets replies find their ticket, the rest stays readable."""
    text = strip_tags(header_safe(subject if subject is not None else ticket.subject, 300))
    while text.lower().startswith(_REPLY_PREFIXES):
        text = text.split(":", 1)[1].strip()
    return f"Re: {text} {ticket.tag}" if text else ticket.tag


def loop_safe(headers: Mapping[str, str] | None, sender: str) -> dict[str, str]:
    """The headers of a mail from `sender`: automatic mail (Auto-Submitted) gets our X-Loop."""
    chosen = dict(headers or {})
    if "Auto-Submitted" in chosen:
        chosen[LOOP_HEADER] = sender
    return chosen


def our_message_id(kind: str, ticket: Ticket, unique: str, from_address: str) -> str:
    domain = from_address.rpartition("@")[2] or "helpdesk.invalid"
    return f"{kind}.{ticket.number}.{unique}@{domain}"


@dataclass(frozen=True)
class Thread:
    """The threading headers of a mail: what it answers and the chain before it."""

    in_reply_to: str | None
    references: tuple[str, ...] = ()

    @classmethod
    def of(cls, ticket: Ticket) -> Thread:
        """After the ticket's latest message, so that mail clients show one conversation."""
        ids = ticket.thread_ids
        return cls(ids[-1] if ids else None, ids)


@dataclass(frozen=True)
class Recorded:
    """How a sent mail appears on the ticket's thread."""

    id: str
    kind: MessageKind
    author: Party
    at: datetime
    flags: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)


class MailComposer:
    def __init__(self, renderer: Renderer, helpdesk_name: str, routing: Routing | None = None):
        self._renderer = renderer
        self._routing = routing
        self.name = helpdesk_name

    def queue_address(self, ticket: Ticket) -> str:
        if self._routing is None:
            raise ValueError("this composer was built without routing")
        return self._routing.queue_named(ticket.queue).address

    def render(self, template: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        base = {
            "helpdesk_name": self.name,
            "direction": text_direction(language),
            "language": language,
        }
        return self._renderer.render_mail(template, language, {**base, **context})

    def to_customer(
        self,
        ticket: Ticket,
        rendered: RenderedMail,
        *,
        sender: str,
        message_id: str,
        thread: Thread | None = None,
        cc: tuple[str, ...] = (),
        headers: Mapping[str, str] | None = None,
    ) -> OutgoingMail:
        thread = thread or Thread.of(ticket)
        return OutgoingMail(
            sender=Address(sender, self.name),
            to=(Address(ticket.customer_address, ticket.requester.name),),
            cc=tuple(Address(a) for a in cc),
            subject=tagged_subject(ticket),
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            in_reply_to=thread.in_reply_to,
            references=thread.references,
            headers=loop_safe(headers, sender),
            language=ticket.language,
        )

    def record(self, ticket: Ticket, mail: OutgoingMail, how: Recorded) -> Message:
        """The thread's copy of a customer mail: what was sent, to whom, under which id."""
        return Message(
            id=how.id,
            ticket_number=ticket.number,
            kind=how.kind,
            created_at=how.at,
            author=how.author,
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            to=tuple(a.email for a in mail.to),
            cc=tuple(a.email for a in mail.cc),
            message_id=mail.message_id,
            flags=how.flags,
            meta=dict(how.meta),
        )

    def notice(
        self, ticket: Ticket, template: str, *, to: str, subject: str, context: Mapping[str, Any]
    ) -> OutgoingMail:
        """An internal mail about the ticket, to an agent or a queue, from the ticket's queue."""
        about = {
            "ticket_tag": ticket.tag,
            "ticket_number": ticket.number,
            "subject": ticket.subject,
            "requester": ticket.requester.email,
            "requester_name": ticket.requester.name,
            "queue": ticket.queue,
            "assignee": ticket.assignee or "",
            "priority": ticket.priority.value,
        }
        rendered = self.render(template, NOTICE_LANGUAGE, {**about, **context})
        sender = self.queue_address(ticket)
        return OutgoingMail(
            sender=Address(sender, self.name),
            to=(Address(to),),
            subject=subject,
            text=rendered.text,
            html=rendered.html,
            headers=loop_safe(GENERATED_HEADERS, sender),
            language=NOTICE_LANGUAGE,
        )
