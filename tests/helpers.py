"""Test helpers: write mail like a customer would, deliver it the way SES does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from chalicelib.domain.tickets.model import Party, Priority, Status, Ticket
from local.ses_events import new_mail_id, ses_event

FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-inbound-email"


def make_mail(
    *,
    sender: str = "Anna Virtanen <anna.virtanen@customer.example>",
    to: str = "support@example.com",
    subject: str = "Invoice shows the wrong amount",
    body: str = "Hello,\n\nmy invoice 4711 shows 120 EUR but the order was 100 EUR.\n\nAnna\n",
    html: str | None = None,
    cc: str | None = None,
    headers: Mapping[str, str] | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if date:
        msg["Date"] = format_datetime(date)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    # Real mail programs fold long ids on spaces; the stdlib would RFC 2047-encode them instead.
    return msg.as_bytes(policy=policy.default.clone(max_line_length=998))


def deliver(
    aws: Mapping[str, Any],
    client: Any,
    raw: bytes,
    *,
    recipients: Sequence[str] = ("support@example.com",),
    source: str = "anna.virtanen@customer.example",
    at: datetime,
    verdicts: Mapping[str, str] | None = None,
    mail_id: str | None = None,
    bucket: str = "helpdesk-mail-test",
) -> dict[str, Any]:
    """Do what SES does: the S3 action writes the raw mail, then the Lambda action runs."""
    mail_id = mail_id or new_mail_id()
    aws["s3"].put_object(Bucket=bucket, Key=f"inbound/{mail_id}", Body=raw)
    event = ses_event(
        raw,
        mail_id=mail_id,
        recipients=recipients,
        source=source,
        at=at,
        function_arn=FUNCTION_ARN,
        verdicts=verdicts,
    )
    result = client.lambda_.invoke("inbound_email", event).payload
    return dict(result["results"][0])


def sent_mail(aws: Mapping[str, Any]) -> list[Any]:
    """What went out through SES, oldest first (moto keeps it in its backend)."""
    from moto.backends import get_backend

    return list(get_backend("ses")["123456789012"]["eu-west-1"].sent_messages)


def a_ticket(at: datetime, **changes: Any) -> Ticket:
    """Ticket #1001: Anna's invoice question, new in Support since `at`; `changes` replace."""
    base = Ticket(
        number=1001,
        subject="Invoice",
        requester=Party("anna@customer.example", "Anna"),
        queue="Support",
        status=Status.NEW,
        priority=Priority.NORMAL,
        language="en",
        created_at=at,
        updated_at=at,
    )
    return replace(base, **changes)
