"""The outbox: every mail the helpdesk sent through SES, as the recipient would receive it."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any

from chalicelib.domain.mail.threads import ses_message_id
from local.provision import ACCOUNT

_MESSAGE_ID = re.compile(rb"^message-id[ \t]*:", re.IGNORECASE)


def delivered_raw(raw: bytes, provider_id: str, region: str) -> bytes:
    """SES replaces the Message-ID of mail it sends with `<MessageId@<region>.amazonses.com>`."""
    head, separator, body = _split_head(raw)
    eol = b"\r\n" if b"\r\n" in head else b"\n"
    ours = b"Message-ID: <" + ses_message_id(provider_id, region).encode("ascii") + b">"
    lines: list[bytes] = []
    replaced = skipping = False
    for line in head.split(eol):
        if skipping and line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the Message-ID being replaced
        skipping = bool(_MESSAGE_ID.match(line))
        if skipping:
            if not replaced:
                lines.append(ours)
                replaced = True
            continue
        lines.append(line)
    if not replaced:
        lines.append(ours)
    return eol.join(lines) + separator + body


def _split_head(raw: bytes) -> tuple[bytes, bytes, bytes]:
    ends = [(raw.find(sep), sep) for sep in (b"\r\n\r\n", b"\n\n") if raw.find(sep) >= 0]
    if not ends:
        return raw.rstrip(b"\r\n"), b"\r\n\r\n", b""
    index, separator = min(ends)
    return raw[:index], separator, raw[index + len(separator) :]


def read_outbox(region: str, account: str = ACCOUNT) -> list[dict[str, Any]]:
    """Newest first, from moto's SES backend (in this process: the embedded AWS runs here)."""
    from moto.backends import get_backend

    sent = list(get_backend("ses")[account][region].sent_messages)
    entries = (entry(m, region) for m in reversed(sent))
    return [e for e in entries if e is not None]


def entry(sent: Any, region: str) -> dict[str, Any] | None:
    raw = _raw_of(sent)
    if raw is None:
        return None  # templated sends: the helpdesk never uses them
    delivered = delivered_raw(raw, str(sent.id), region)
    msg = message_from_bytes(delivered, policy=policy.default)
    return {
        "ses_message_id": str(sent.id),
        "from": _header(msg, "from"),
        "to": _addresses(msg, "to"),
        "cc": _addresses(msg, "cc"),
        "envelope_to": _unique_addresses(getattr(sent, "destinations", [])),
        "subject": _header(msg, "subject"),
        "date": _header(msg, "date"),
        "message_id": _header(msg, "message-id"),
        "in_reply_to": _header(msg, "in-reply-to"),
        "references": _header(msg, "references"),
        "headers": [{"name": k, "value": _decoded(v)} for k, v in msg.items()],
        "text": _part(msg, "plain"),
        "html": _part(msg, "html"),
        "raw": delivered.decode("utf-8", errors="replace"),
    }


def _raw_of(sent: Any) -> bytes | None:
    raw_data = getattr(sent, "raw_data", None)
    if raw_data is not None:
        return str(raw_data).encode("utf-8", errors="surrogateescape")
    if not hasattr(sent, "body"):
        return None
    simple = EmailMessage()  # SendEmail with Simple content: SES builds the MIME itself
    simple["From"] = str(sent.source)
    simple["To"] = ", ".join(sent.destinations.get("ToAddresses", []))
    simple["Subject"] = str(getattr(sent, "subject", ""))
    simple.set_content(str(sent.body))
    return simple.as_bytes()


def _decoded(value: Any) -> str:
    try:
        return str(value)
    except Exception:  # a header the parser could not make sense of: show it as it came
        return repr(value)


def _header(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else _decoded(value)


def _addresses(msg: Message, name: str) -> list[str]:
    values = [_decoded(v) for v in msg.get_all(name) or []]
    return [f"{n} <{a}>" if n else a for n, a in getaddresses(values) if a]


def _unique_addresses(destinations: Any) -> list[str]:
    # moto lists the Destination addresses and again those of the To/Cc headers
    addresses = [a.lower() for _, a in getaddresses([str(d) for d in destinations]) if a]
    return list(dict.fromkeys(addresses))


def _part(msg: Message, subtype: str) -> str | None:
    if not isinstance(msg, EmailMessage):
        return None
    part = msg.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        return str(part.get_content())
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else None
