"""Turn a parsed mail into a stored Message: readable text, history apart, attachments kept."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.config import Limits
from chalicelib.domain.mail.addresses import normalise
from chalicelib.domain.mail.htmltext import html_to_text
from chalicelib.domain.mail.parsed import ParsedEmail
from chalicelib.domain.mail.quotes import split_reply
from chalicelib.domain.tickets.model import AttachmentRef, Message, MessageKind, Party
from chalicelib.services.ports import RawMailStore


def new_message_id(at: datetime, unique: str | None = None) -> str:
    """Sortable ids: messages of a ticket list oldest first. A given `unique` makes it stable."""
    return f"{at.strftime('%Y%m%dT%H%M%S%f')}-{unique or secrets.token_hex(4)}"


def readable_text(mail: ParsedEmail) -> str:
    if mail.text.strip():
        return mail.text
    return html_to_text(mail.html) if mail.html else ""


def truncate_utf8(text: str, max_bytes: int) -> tuple[str, bool]:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text, False
    return data[:max_bytes].decode("utf-8", errors="ignore"), True


def store_attachments(
    raw: RawMailStore, mail_id: str, mail: ParsedEmail, limits: Limits
) -> tuple[AttachmentRef, ...]:
    refs = []
    for index, part in enumerate(mail.attachments):
        skipped = None
        if index >= limits.max_attachments:
            skipped = f"more than {limits.max_attachments} attachments"
        elif part.size > limits.max_attachment_bytes:
            skipped = f"larger than {limits.max_attachment_bytes} bytes"
        key = None if skipped else raw.put_attachment(mail_id, index, part)
        refs.append(
            AttachmentRef(
                filename=part.filename,
                content_type=part.content_type,
                size=part.size,
                key=key,
                content_id=part.content_id,
                inline=part.inline,
                skipped=skipped,
            )
        )
    return tuple(refs)


def inbound_message(
    mail: ParsedEmail,
    *,
    ticket_number: int,
    author: Party,
    at: datetime,
    mail_id: str,
    raw_key: str,
    attachments: tuple[AttachmentRef, ...],
    limits: Limits,
    flags: tuple[str, ...] = (),
) -> Message:
    new_text, history = split_reply(readable_text(mail))
    text, cut_text = truncate_utf8(new_text, limits.max_body_bytes)
    quoted, cut_quoted = truncate_utf8(history, limits.max_body_bytes // 2)
    html, cut_html = (
        truncate_utf8(mail.html, limits.max_body_bytes * 3 // 2) if mail.html else ("", False)
    )
    truncated = ("truncated",) if cut_text or cut_quoted or cut_html else ()
    return Message(
        id=new_message_id(at),
        ticket_number=ticket_number,
        kind=MessageKind.INBOUND,
        created_at=at,
        author=author,
        subject=mail.subject,
        text=text,
        quoted=quoted,
        html=html or None,
        to=tuple(normalise(a.email) for a in mail.to),
        cc=tuple(normalise(a.email) for a in mail.cc),
        attachments=attachments,
        message_id=mail.message_id,
        provider_id=mail_id,
        raw_key=raw_key,
        flags=(*flags, *truncated, *(("defects",) if mail.defects else ())),
        meta={"defects": list(mail.defects)[:20]} if mail.defects else {},
    )
