"""Tickets, messages, events and held mail as the API shows them (JSON-ready dicts)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from chalicelib.domain.desk.canned import CannedTemplate, Feedback
from chalicelib.domain.errors import Conflict
from chalicelib.domain.mail.delivery import HeldMail
from chalicelib.domain.reports.facts import promised
from chalicelib.domain.survey.model import survey_of
from chalicelib.domain.tickets.changes import is_spam
from chalicelib.domain.tickets.model import Event, Message, Ticket
from chalicelib.services.desk.detail import AttachmentView, MessageView, TicketDetail
from chalicelib.services.desk.queues import QueueSummary


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_json(t: Ticket) -> dict[str, Any]:
    return {
        "number": t.number,
        "tag": t.tag,
        "status": t.status.value,
        "priority": t.priority.value,
        "queue": t.queue,
        "assignee": t.assignee,
        "requester": {"email": t.requester.email, "name": t.requester.name},
        "reply_to": t.reply_to,
        "cc": list(t.cc),
        "subject": t.subject,
        "language": t.language,
        "version": t.version,
        "created_at": _iso(t.created_at),
        "updated_at": _iso(t.updated_at),
        "first_response_due": _iso(t.first_response_due),
        # what the acknowledgement promised; differs from first_response_due once moved
        "promised_first_response": _iso(promised(t)),
        "first_responded_at": _iso(t.first_responded_at),
        "next_response_due": _iso(t.next_response_due),
        "response_due": _iso(t.response_due),
        "resolution_due": _iso(t.resolution_due),
        "customer_waiting_since": _iso(t.customer_waiting_since),
        "sla_state": t.sla_state,
        "solved_at": _iso(t.solved_at),
        "spam": is_spam(t),
        "survey": _survey(t),
    }


def _survey(t: Ticket) -> dict[str, Any] | None:
    survey = survey_of(t)
    if survey is None:
        return None
    return {
        "stage": survey.stage.value,
        "send_at": _iso(survey.send_at),
        "sent_at": _iso(survey.sent_at),
        "answer": survey.answer.value if survey.answer else None,
        "answered_at": _iso(survey.answered_at),
    }


def attachment_json(a: AttachmentView) -> dict[str, Any]:
    ref = a.ref
    return {
        "filename": ref.filename,
        "content_type": ref.content_type,
        "size": ref.size,
        "inline": ref.inline,
        "content_id": ref.content_id,
        "url": a.url,
        "skipped": ref.skipped,
    }


def message_json(m: Message, view: MessageView | None = None) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind.value,
        "author": {"email": m.author.email, "name": m.author.name},
        "created_at": _iso(m.created_at),
        "subject": m.subject,
        "text": m.text,
        "quoted": m.quoted,
        "html": view.html if view else None,
        "to": list(m.to),
        "cc": list(m.cc),
        "attachments": [attachment_json(a) for a in view.attachments] if view else [],
        "raw_url": view.raw_url if view else None,
        "flags": list(m.flags),
    }


def event_json(e: Event) -> dict[str, Any]:
    return {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "data": e.data}


def detail_json(d: TicketDetail) -> dict[str, Any]:
    return {
        "ticket": ticket_json(d.ticket),
        "thread": [message_json(v.message, v) for v in d.thread],
        "events": [event_json(e) for e in d.events],
    }


def queue_json(q: QueueSummary) -> dict[str, Any]:
    return {
        "name": q.name,
        "address": q.address,
        "waiting": q.waiting,
        "unassigned": q.unassigned,
        "oldest_waiting_since": _iso(q.oldest_waiting_since),
        "oldest_wait_seconds": q.oldest_wait_seconds,
        "oldest_ticket": q.oldest_ticket,
        "at_risk": q.at_risk,
        "breached": q.breached,
        "pending": q.pending,
        "unsolved": q.unsolved,
    }


def template_json(t: CannedTemplate) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "language": t.language,
        "body": t.body,
        "active": t.active,
        "version": t.version,
        "created_at": _iso(t.created_at),
        "created_by": t.created_by,
        "updated_at": _iso(t.updated_at),
        "updated_by": t.updated_by,
        "retired_at": _iso(t.retired_at),
        "feedback": {"helpful": t.helpful, "not_helpful": t.not_helpful},
    }


def feedback_json(f: Feedback) -> dict[str, Any]:
    return {"agent": f.agent, "helpful": f.helpful, "comment": f.comment, "at": _iso(f.at)}


def held_json(h: HeldMail) -> dict[str, Any]:
    e = h.entry
    return {
        "mail_id": e.mail_id,
        "received_at": _iso(e.received_at),
        "reason": e.reason,
        "sender": e.sender,
        "subject": e.subject,
        "recipients": list(e.recipients),
        "status": e.status,
        "ticket": h.ticket_number,
        "claims_ticket": _claimed(e.detail.get("claims_ticket")),
        "decided_by": h.decided_by,
        "decided_at": _iso(h.decided_at),
    }


def _claimed(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def current_as_json[F: Callable[..., Any]](view: F) -> F:
    """A 409 carries the state that won; the services give it as a domain object."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except Conflict as e:
            current = e.current
            if isinstance(current, Ticket):
                raise Conflict(str(e), ticket_json(current)) from e
            if isinstance(current, CannedTemplate):
                raise Conflict(str(e), template_json(current)) from e
            raise

    return cast("F", wrapper)
