"""The single-table layout: keys, index attributes, and domain objects ↔ DynamoDB items.

PK / SK                          what
TICKET#<n> / META                a ticket, with the GSI attributes of the agent views
TICKET#<n> / MSG#<id>            a message of its thread (inbound, outbound, note, auto)
TICKET#<n> / EVT#<at>#<k>        one entry of its event log
MSGID#<message-id> / MSGID       threading index: a Message-ID we saw or sent → ticket
MAIL#<ses message id> / MAIL     what became of one SES delivery (idempotency)
DEDUPE#<sender>#<hash> / DEDUPE  a mail claimed by sender and content, not Message-ID (TTL 24 h)
REPLYKEY#<digest> / REPLYKEY     an agent's reply Idempotency-Key and how far it got (TTL)
ACTIONKEY#<digest> / ACTIONKEY   a note's, take's or transfer's Idempotency-Key (TTL)
QUARANTINE / <at>#<mail id>      held mail with its reason
RATE#<address> / <yyyy-mm-dd>    acknowledgements sent to one address per hour and day (TTL)
RATE#@<domain> / <yyyy-mm-dd>    the same for everyone at one domain (free-mail domains: none)
COUNTER / TICKET                 the last ticket number handed out
FIRED#<schedule> / FIRED         an SLA schedule that acted (at most once), and its mail (TTL)
TICKET#<n> / SURVEY#<id>         a survey's latest answer (adapters/dynamo/survey.py)
CUSTOMER#<address> / CUSTOMER    a customer's preferences: the survey opt-out; a hard bounce

GSI1 queue view     Q#<queue>#<group>        by due time
GSI2 assignee view  A#<agent or ->#<group>   by due time ("mine", "unassigned")
GSI3 status view    S#<group>                by due time ("all")
GSI4 requester      R#<email>                by creation
GSI5 unassigned     U#<queue>#<group>        by due time, only while unassigned
GSI6 SLA flags      F#<at_risk|breached>     by due time, only while flagged and waiting on us
GSI7 SLA records    SLA#<yyyy-mm>            <at>#<ticket>#<deadline>: met/missed deadline events
GSI8 longest wait   W#<queue>                <customer_waiting_since>#<ticket>: while waiting on us
     a day's mail   MAIL#<local yyyy-mm-dd>  <at>#<ticket>#<message>: mail in and out (messages)
AGG#… and BOARD     report aggregates and live-board counters: adapters/dynamo/aggregates.py
     CSAT records   CSAT#<yyyy-mm>           <at>#<ticket>#<survey>: survey answers (the latest)
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from chalicelib.domain.mail.delivery import AckState, MailRecord, Outcome, QuarantineEntry
from chalicelib.domain.mail.duplicates import DEDUPE_WINDOW, Fingerprint
from chalicelib.domain.tickets.model import (
    WAITING_ON_AGENT,
    AttachmentRef,
    Event,
    Message,
    MessageKind,
    Party,
    Priority,
    Status,
    Ticket,
)

Item = dict[str, Any]
META = "META"
NO_DUE = "9999-12-31T23:59:59.999999+00:00"


def ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def ticket_pk(number: int) -> str:
    return f"TICKET#{number}"


def msgid_key(message_id: str) -> Item:
    return {"PK": f"MSGID#{message_id}", "SK": "MSGID"}


def mail_key(mail_id: str) -> Item:
    return {"PK": f"MAIL#{mail_id}", "SK": "MAIL"}


def dedupe_item(found: Fingerprint, ticket: int, mail_id: str, at: datetime) -> Item:
    return {
        "PK": f"DEDUPE#{found.sender}#{found.content_hash}",
        "SK": "DEDUPE",
        "type": "dedupe",
        "ticket": ticket,
        "mail": mail_id,
        "sender": found.sender,
        "content_hash": found.content_hash,
        "expires": int((at + DEDUPE_WINDOW).timestamp()),
    }


def customer_key(address: str) -> Item:
    return {"PK": f"CUSTOMER#{address.strip().lower()}", "SK": "CUSTOMER"}


def group_of(status: Status) -> str:
    """Views sort what needs an agent by due time; "todo" is new and open together."""
    return "todo" if status in WAITING_ON_AGENT else status.value


def sort_key(ticket: Ticket) -> str:
    due = ticket.response_due
    first = ts(due) if due is not None else (NO_DUE if ticket.status in WAITING_ON_AGENT else None)
    return f"{first or ts(ticket.updated_at)}#{ticket.number:09d}"


def index_attributes(ticket: Ticket) -> Item:
    group = group_of(ticket.status)
    order = sort_key(ticket)
    attrs: Item = {
        "GSI1PK": f"Q#{ticket.queue}#{group}",
        "GSI1SK": order,
        "GSI2PK": f"A#{ticket.assignee or '-'}#{group}",
        "GSI2SK": order,
        "GSI3PK": f"S#{group}",
        "GSI3SK": order,
        "GSI4PK": f"R#{ticket.requester.email}",
        "GSI4SK": f"{ts(ticket.created_at)}#{ticket.number:09d}",
    }
    if ticket.assignee is None:
        attrs |= {"GSI5PK": f"U#{ticket.queue}#{group}", "GSI5SK": order}
    if ticket.sla_state != "ok" and ticket.status in WAITING_ON_AGENT:
        attrs |= {"GSI6PK": f"F#{ticket.sla_state}", "GSI6SK": order}
    if ticket.status in WAITING_ON_AGENT and ticket.customer_waiting_since is not None:
        waiting = f"{ts(ticket.customer_waiting_since)}#{ticket.number:09d}"
        attrs |= {"GSI8PK": f"W#{ticket.queue}", "GSI8SK": waiting}
    return attrs


def _opt_ts(value: datetime | None) -> str | None:
    return ts(value) if value is not None else None


def _compact(item: Item) -> Item:
    """DynamoDB rejects empty strings in keys and we do not store None."""
    return {k: v for k, v in item.items() if v is not None and v != ""}


def ticket_to_item(ticket: Ticket) -> Item:
    item = {
        "PK": ticket_pk(ticket.number),
        "SK": META,
        "type": "ticket",
        "number": ticket.number,
        "subject": ticket.subject,
        "requester_email": ticket.requester.email,
        "requester_name": ticket.requester.name,
        "queue": ticket.queue,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "language": ticket.language,
        "created_at": ts(ticket.created_at),
        "updated_at": ts(ticket.updated_at),
        "reply_to": ticket.reply_to,
        "cc": list(ticket.cc),
        "assignee": ticket.assignee,
        "first_response_due": _opt_ts(ticket.first_response_due),
        "first_responded_at": _opt_ts(ticket.first_responded_at),
        "next_response_due": _opt_ts(ticket.next_response_due),
        "resolution_due": _opt_ts(ticket.resolution_due),
        "customer_waiting_since": _opt_ts(ticket.customer_waiting_since),
        "sla_state": ticket.sla_state,
        "solved_at": _opt_ts(ticket.solved_at),
        "thread_ids": list(ticket.thread_ids),
        "version": ticket.version,
        "extra": ticket.extra,
        "vip": ticket.vip or None,
        "resolution_started": _opt_ts(ticket.resolution_started),
        "resolution_used_s": ticket.resolution_used.total_seconds() or None,
        "sla_flags": ticket.sla_flags or None,
        **index_attributes(ticket),
    }
    return _compact(item)


def ticket_from_item(item: Item) -> Ticket:
    return Ticket(
        number=int(item["number"]),
        subject=item.get("subject", ""),
        requester=Party(item["requester_email"], item.get("requester_name", "")),
        queue=item["queue"],
        status=Status(item["status"]),
        priority=Priority(item["priority"]),
        language=item.get("language", "en"),
        created_at=datetime.fromisoformat(item["created_at"]),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        reply_to=item.get("reply_to"),
        cc=tuple(item.get("cc", ())),
        assignee=item.get("assignee"),
        first_response_due=parse_ts(item.get("first_response_due")),
        first_responded_at=parse_ts(item.get("first_responded_at")),
        next_response_due=parse_ts(item.get("next_response_due")),
        resolution_due=parse_ts(item.get("resolution_due")),
        customer_waiting_since=parse_ts(item.get("customer_waiting_since")),
        sla_state=item.get("sla_state", "ok"),
        solved_at=parse_ts(item.get("solved_at")),
        thread_ids=tuple(item.get("thread_ids", ())),
        version=int(item.get("version", 0)),
        extra=_plain(item.get("extra", {})),
        vip=bool(item.get("vip", False)),
        resolution_started=parse_ts(item.get("resolution_started")),
        resolution_used=timedelta(seconds=float(item.get("resolution_used_s", 0))),
        sla_flags=dict(item.get("sla_flags", {})),
    )


def message_key(number: int, message_id: str) -> Item:
    return {"PK": ticket_pk(number), "SK": f"MSG#{message_id}"}


MAIL_KINDS = frozenset({MessageKind.INBOUND, MessageKind.OUTBOUND, MessageKind.AUTO})


def mail_day(day: date) -> str:
    return f"MAIL#{day.isoformat()}"


def mail_attributes(message: Message, ticket: Ticket | None, zone: tzinfo | None) -> Item:
    """GSI8, sparse: mail in and out (not notes) under its desk-local day, oldest first, with
    what a row of the day's mail shows: the ticket's number, and its queue and assignee as they
    were when the message was written. Without the ticket (or the zone) the row is left off:
    so is a survey comment (typed on the survey page, not mailed; survey.record_answer)."""
    if ticket is None or zone is None or message.kind not in MAIL_KINDS:
        return {}
    at = message.created_at
    return {
        "GSI8PK": mail_day(at.astimezone(zone).date()),
        "GSI8SK": f"{ts(at)}#{message.ticket_number:09d}#{message.id}",
        "number": message.ticket_number,
        "queue": ticket.queue,
        "agent": ticket.assignee,
    }


def message_to_item(
    message: Message, ticket: Ticket | None = None, zone: tzinfo | None = None
) -> Item:
    """`ticket` and `zone` (the desk's) put mail on the day's-mail index (mail_attributes)."""
    return _compact(
        {
            **mail_attributes(message, ticket, zone),
            **message_key(message.ticket_number, message.id),
            "type": "message",
            "id": message.id,
            "kind": message.kind.value,
            "created_at": ts(message.created_at),
            "author_email": message.author.email,
            "author_name": message.author.name,
            "subject": message.subject,
            "text": message.text,
            "quoted": message.quoted,
            "html": message.html,
            "to": list(message.to),
            "cc": list(message.cc),
            "attachments": [_attachment_to_map(a) for a in message.attachments],
            "message_id": message.message_id,
            "provider_id": message.provider_id,
            "raw_key": message.raw_key,
            "flags": list(message.flags),
            "meta": message.meta or None,
        }
    )


def message_from_item(item: Item) -> Message:
    return Message(
        id=item["id"],
        ticket_number=int(item["PK"].split("#", 1)[1]),
        kind=MessageKind(item["kind"]),
        created_at=datetime.fromisoformat(item["created_at"]),
        author=Party(item.get("author_email", ""), item.get("author_name", "")),
        subject=item.get("subject", ""),
        text=item.get("text", ""),
        quoted=item.get("quoted", ""),
        html=item.get("html"),
        to=tuple(item.get("to", ())),
        cc=tuple(item.get("cc", ())),
        attachments=tuple(_attachment_from_map(a) for a in item.get("attachments", ())),
        message_id=item.get("message_id"),
        provider_id=item.get("provider_id"),
        raw_key=item.get("raw_key"),
        flags=tuple(item.get("flags", ())),
        meta=_plain(item.get("meta", {})),
    )


def _attachment_to_map(a: AttachmentRef) -> Item:
    return _compact(
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "key": a.key,
            "content_id": a.content_id,
            "inline": a.inline,
            "skipped": a.skipped,
        }
    )


def _attachment_from_map(m: Item) -> AttachmentRef:
    return AttachmentRef(
        filename=m["filename"],
        content_type=m.get("content_type", "application/octet-stream"),
        size=int(m.get("size", 0)),
        key=m.get("key"),
        content_id=m.get("content_id"),
        inline=bool(m.get("inline", False)),
        skipped=m.get("skipped"),
    )


def event_to_item(number: int, event: Event, seq: int, tail: str | None = None) -> Item:
    """`tail` makes the key; by default a random one keeps two writers in the same microsecond
    from colliding, a given one makes a repeated write of the same event land on itself."""
    return _compact(
        {
            "PK": ticket_pk(number),
            "SK": f"EVT#{ts(event.at)}#{seq:03d}#{event.kind}#{tail or secrets.token_hex(3)}",
            "type": "event",
            "at": ts(event.at),
            "kind": event.kind,
            "actor": event.actor,
            "data": event.data or None,
            **sla_record_attributes(number, event),
        }
    )


SLA_RECORD_KINDS = frozenset({"sla_met", "sla_breached"})


def sla_period(at: datetime) -> str:
    return f"SLA#{at.astimezone(UTC):%Y-%m}"


def sla_record_attributes(number: int, event: Event) -> Item:
    """GSI7, sparse: met and missed deadlines by month, for compliance reports."""
    if event.kind not in SLA_RECORD_KINDS:
        return {}
    deadline = event.data.get("deadline", "")
    return {"GSI7PK": sla_period(event.at), "GSI7SK": f"{ts(event.at)}#{number:09d}#{deadline}"}


def event_from_item(item: Item) -> Event:
    return Event(
        at=datetime.fromisoformat(item["at"]),
        kind=item["kind"],
        actor=item.get("actor", ""),
        data=_plain(item.get("data", {})),
    )


def record_to_item(record: MailRecord) -> Item:
    return _compact(
        {
            **mail_key(record.mail_id),
            "type": "mail",
            "outcome": record.outcome.value,
            "received_at": ts(record.received_at),
            "ticket": record.ticket_number,
            "ack": record.ack.value,
            "ack_reason": record.ack_reason,
            "ack_claimed_at": _opt_ts(record.ack_claimed_at),
            "ack_provider_id": record.ack_provider_id,
            "quarantine_reason": record.quarantine_reason,
        }
    )


def record_from_item(item: Item) -> MailRecord:
    return MailRecord(
        mail_id=item["PK"].split("#", 1)[1],
        outcome=Outcome(item["outcome"]),
        received_at=datetime.fromisoformat(item["received_at"]),
        ticket_number=int(item["ticket"]) if "ticket" in item else None,
        ack=AckState(item.get("ack", AckState.NOT_WANTED.value)),
        ack_reason=item.get("ack_reason", ""),
        ack_claimed_at=parse_ts(item.get("ack_claimed_at")),
        ack_provider_id=item.get("ack_provider_id"),
        quarantine_reason=item.get("quarantine_reason", ""),
    )


def quarantine_to_item(entry: QuarantineEntry) -> Item:
    return _compact(
        {
            "PK": "QUARANTINE",
            "SK": f"{ts(entry.received_at)}#{entry.mail_id}",
            "type": "quarantine",
            "mail_id": entry.mail_id,
            "received_at": ts(entry.received_at),
            "reason": entry.reason,
            "sender": entry.sender,
            "subject": entry.subject,
            "recipients": list(entry.recipients),
            "raw_key": entry.raw_key,
            "detail": dict(entry.detail) or None,
            "status": entry.status,
        }
    )


def quarantine_from_item(item: Item) -> QuarantineEntry:
    return QuarantineEntry(
        mail_id=item["mail_id"],
        received_at=datetime.fromisoformat(item["received_at"]),
        reason=item["reason"],
        sender=item.get("sender", ""),
        subject=item.get("subject", ""),
        recipients=tuple(item.get("recipients", ())),
        raw_key=item["raw_key"],
        detail=_plain(item.get("detail", {})),
        status=item.get("status", "held"),
    )


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the domain wants int/float."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value
