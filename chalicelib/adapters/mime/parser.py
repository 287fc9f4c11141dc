"""MIME adapter: raw RFC 5322 bytes in, a ParsedEmail out, and never an exception for bad mail."""

from __future__ import annotations

import binascii
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy
from email.utils import getaddresses, parsedate_to_datetime
from io import BytesIO
from itertools import islice
from typing import Any

from chalicelib.adapters.mime.decoding import (
    clean,
    decode_bytes,
    decode_words,
    label,
    lenient_b64,
    unescape_8bit,
)
from chalicelib.adapters.mime.filenames import generated_filename, safe_filename
from chalicelib.adapters.mime.nesting import CUT_HEADER, MAX_DEPTH, NestingLimitParser, was_cut
from chalicelib.domain.mail.addresses import ascii_domain
from chalicelib.domain.mail.parsed import Address, ParsedAttachment, ParsedEmail

type _Msg = Message[Any, Any]

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_LEADING_BLANK = re.compile(rb"(?:\xef\xbb\xbf)?[\r\n]*")
_ANGLE_ID = re.compile(r"<([^<>]*)>")
_EMAIL = re.compile(r"[^\s\x00-\x1f\x7f-\x9f@<>()\[\],;:\\\"]{1,64}@(?:[\w-]{1,63}\.)+[\w-]{2,63}")
_BAD_QP_ESCAPE = re.compile(rb"=(?![0-9A-Fa-f]{2}|\r?\n|\r|[ \t]*$)", re.MULTILINE)
_GUESSED_BOUNDARY = re.compile(rb"^--([^\s\"]{1,70})[ \t]*\r?\n[\w-]{1,40}:", re.MULTILINE)
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

_SERIALIZE: Policy[Any] = policy.default.clone(refold_source="none", linesep="\r\n")
_CHUNK = 1 << 20
_MAX_REFERENCES = 100
_CHARSET_HINT_PARTS = 20
MAX_DKIM_SIGNATURES = 10
_UNREADABLE_TYPE = "application/octet-stream"  # kept as an attachment, not lost


@dataclass(frozen=True)
class _Part:
    message: _Msg
    content_type: str
    disposition: str | None
    filename: str | None
    charset: str | None
    content_id: str | None
    transfer_encoding: str


def parse_email(raw: bytes, *, max_header_chars: int = 2000) -> ParsedEmail:
    try:
        return _parse(bytes(raw), max(1, max_header_chars))
    except Exception:  # never lose the mail to a parser bug: the raw bytes stay in S3
        return ParsedEmail(sender=None, size=len(raw), defects=("unparseable",))


def _parse(raw: bytes, limit: int) -> ParsedEmail:
    defects: list[str] = []
    message = _parse_tree(raw, defects)
    raw_headers: dict[str, list[str]] = {}
    hint = _text_charset(message)
    for name, value in message.raw_items():
        key = clean(str(name), limit).lower()
        raw_headers.setdefault(key, []).append(unescape_8bit(str(value), hint))
    headers = {k: _header_text(v[0], limit, defects, k) for k, v in raw_headers.items() if k}
    text, html, attachments = _body(message, limit, defects)
    return ParsedEmail(
        sender=_sender(raw_headers.get("from", []), limit, defects),
        reply_to=_addresses(raw_headers.get("reply-to", []), limit, defects),
        to=_addresses(raw_headers.get("to", []), limit, defects),
        cc=_addresses(raw_headers.get("cc", []), limit, defects),
        subject=headers.get("subject", ""),
        message_id=next(iter(_id_header(raw_headers, headers, "message-id", limit)), None),
        in_reply_to=_id_header(raw_headers, headers, "in-reply-to", limit),
        references=_references(_id_header(raw_headers, headers, "references", limit)),
        date=_date(headers.get("date", ""), defects),
        text=text,
        html=html,
        attachments=attachments,
        headers=headers,
        content_type=_describe(message, limit).content_type,
        defects=tuple(dict.fromkeys(defects + _parser_defects(message))),
        size=len(raw),
        dkim_domains=_dkim_domains(raw_headers.get("dkim-signature", [])),
        x_loops=tuple(
            _header_text(v, limit, defects, "x-loop") for v in raw_headers.get("x-loop", [])[:10]
        ),
    )


def _dkim_domains(signatures: list[str]) -> tuple[str, ...]:
    """The signing domain (d=) of each DKIM-Signature (RFC 6376 3.5), in order."""
    found: list[str] = []
    for signature in signatures[:MAX_DKIM_SIGNATURES]:
        tags: dict[str, str] = {}
        for part in str(signature).split(";"):
            name, _, value = part.partition("=")
            tags.setdefault(name.strip().lower(), "".join(value.split()))
        found.append(tags.get("d", "").lower()[:253])  # "" for a signature without d=
    return tuple(found)


def _text_charset(message: _Msg) -> str | None:
    """The charset declared for the first text part: raw 8-bit headers are likely in it too."""
    for part in islice(_walk(message), _CHARSET_HINT_PARTS):
        if _read(part, lambda m: m.get_content_maintype(), "") == "text":
            return _read(part, lambda m: m.get_content_charset(), None)
    return None


def _parse_tree(raw: bytes, defects: list[str]) -> _Msg:
    blank = _LEADING_BLANK.match(raw)
    start = blank.end() if blank else 0
    if start:  # a blank first line would end the headers before they start
        defects.append("leading-blank-lines")
    for mail_policy in (policy.default, policy.compat32):
        try:
            return _feed(NestingLimitParser(policy=mail_policy), raw, start)
        except Exception:  # the stdlib parser has known crashes on hostile input: try the next
            defects.append("parser-fallback")
    return BytesParser(policy=policy.compat32).parsebytes(raw[start:], headersonly=True)


def _feed(parser: NestingLimitParser, raw: bytes, start: int) -> _Msg:
    """In chunks: parsebytes() would hold the mail as str and again in a UCS-4 StringIO."""
    for offset in range(start, len(raw), _CHUNK):
        parser.feed(raw[offset : offset + _CHUNK])
    message: _Msg = parser.close()
    return message


# --- headers -------------------------------------------------------------------------------


def _first(raw_headers: dict[str, list[str]], name: str) -> str:
    values = raw_headers.get(name)
    return values[0] if values else ""


def _header_text(value: str, limit: int, defects: list[str], name: str) -> str:
    capped = value[: limit * 16 + 64]  # bounds the work on hostile headers; words expand ~12x
    text = clean(decode_words(_FOLD.sub("", capped), defects), limit * 2)
    if len(text) > limit or len(capped) < len(value):
        defects.append(f"header-truncated:{label(name)}")
    return text[:limit].rstrip()


def _sender(values: list[str], limit: int, defects: list[str]) -> Address | None:
    if not any(value.strip() for value in values):
        defects.append("missing-from")
        return None
    found = _addresses(values[:1], limit, defects)
    if not found:
        defects.append("invalid-from")
    return found[0] if found else None


def _addresses(values: list[str], limit: int, defects: list[str]) -> tuple[Address, ...]:
    found: dict[str, Address] = {}
    for value in values:
        unfolded = _FOLD.sub("", value[: limit * 16 + 64])
        for display, addr in getaddresses([unfolded]):
            email = _mailbox(addr)
            # the legacy parser glues stray words onto addresses: keep only what was written
            if (
                email
                and _EMAIL.fullmatch(email)
                and addr.lower() in unfolded.lower()
                and len(email) <= min(254, limit)
            ):
                name = clean(decode_words(display, defects), limit).strip("\"' ")
                found.setdefault(email.lower(), Address(email=email, name=name))
    return tuple(found.values())


def _mailbox(addr: str) -> str | None:
    """RFC 6532: a UTF-8 local part is kept as written (NFC); the domain as its A-labels, the
    form SES and every mail system send to."""
    local, _, domain = addr.strip().rpartition("@")
    ascii_name = ascii_domain(domain)
    return f"{unicodedata.normalize('NFC', local)}@{ascii_name}" if ascii_name else None


def _ids(value: str, limit: int) -> tuple[str, ...]:
    """Message ids without brackets; bare ids from sloppy mailers; junk between them ignored."""
    found = _ANGLE_ID.findall(value) or [token for token in value.split() if "@" in token]
    ids = (clean("".join(found_id.split()), limit) for found_id in found)
    return tuple(dict.fromkeys(ident for ident in ids if ident))


def _id_header(
    raw_headers: dict[str, list[str]], headers: dict[str, str], name: str, limit: int
) -> tuple[str, ...]:
    """Ids as written; some mailers RFC 2047-encode long ids, so try the decoded value too."""
    return _ids(_first(raw_headers, name), limit) or _ids(headers.get(name, ""), limit)


def _references(ids: tuple[str, ...]) -> tuple[str, ...]:
    if len(ids) <= _MAX_REFERENCES:
        return ids
    return ids[:1] + ids[-(_MAX_REFERENCES - 1) :]  # the thread's root and its newest messages


def _date(value: str, defects: list[str]) -> datetime | None:
    if not value:
        defects.append("missing-date")
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("bad-date")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parser_defects(message: _Msg) -> list[str]:
    names: list[str] = []
    for part in _walk(message):
        for defect in getattr(part, "defects", ()):
            name = type(defect).__name__.removesuffix("Defect")
            names.append(re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower())
    return names


# --- charsets ------------------------------------------------------------------------------


# --- body and attachments ------------------------------------------------------------------


def _body(
    message: _Msg, limit: int, defects: list[str]
) -> tuple[str, str | None, tuple[ParsedAttachment, ...]]:
    slots: dict[str, str] = {}
    kept: list[_Part] = []
    named: list[_Part] = []
    for part in _leaves(message, limit, defects):
        kind = _body_kind(part)
        if kind in ("text/plain", "text/html") and kind not in slots:
            body = _text(part, defects)
            if body.strip():  # an empty part holds no slot (and holds nothing to keep)
                slots[kind] = body
            continue
        if kind == "named-text":
            named.append(part)
        kept.append(part)
    if not slots and len(named) == 1:  # `text/plain; name=...` as a mailer's only text
        slots["text/plain"] = _text(named[0], defects)
        kept = [part for part in kept if part is not named[0]]
    attachments = (_attachment(part, index, defects) for index, part in enumerate(kept, 1))
    return slots.get("text/plain", ""), slots.get("text/html"), tuple(attachments)


def _body_kind(part: _Part) -> str:
    """text/plain or text/html for a body candidate, named-text, or attachment."""
    if part.disposition == "attachment" or part.content_type not in ("text/plain", "text/html"):
        return "attachment"
    if part.filename is None:
        return part.content_type
    return "named-text" if part.content_type == "text/plain" else "attachment"


def _leaves(message: _Msg, limit: int, defects: list[str], recover: bool = True) -> Iterator[_Part]:
    """Leaf parts in order; attached messages stay whole, broken multiparts get a second look."""
    stack = [message]
    while stack:
        part = _describe(stack.pop(), limit)
        if part.content_type.startswith("message/"):
            yield part
        elif part.message.is_multipart():
            stack.extend(reversed(_children(part.message)))
        elif part.content_type.startswith("multipart/"):
            recovered = _recover_multipart(part, defects) if recover else None
            if recovered is None:
                yield _as_text(part)
            else:
                yield from _leaves(recovered, limit, defects, recover=False)
        else:
            yield part


def _walk(message: _Msg) -> Iterator[_Msg]:
    stack = [message]
    while stack:
        part = stack.pop()
        yield part
        stack.extend(reversed(_children(part)))


def _children(message: _Msg) -> list[_Msg]:
    payload = message.get_payload() if message.is_multipart() else None
    return [part for part in payload if isinstance(part, Message)] if payload else []


def _describe(message: _Msg, limit: int) -> _Part:
    content_id = _raw_header(message, "content-id")
    found = _ANGLE_ID.search(content_id)
    content_id = clean("".join((found[1] if found else content_id).split()), limit)
    encoding = _raw_header(message, "content-transfer-encoding")
    return _Part(
        message=message,
        content_type=_read(message, lambda m: m.get_content_type().lower(), _UNREADABLE_TYPE),
        disposition=_read(message, lambda m: m.get_content_disposition(), None),
        filename=_read(message, lambda m: m.get_filename(), None),
        charset=_read(message, lambda m: m.get_content_charset(), None),
        content_id=content_id or None,
        transfer_encoding=encoding.split(";")[0].strip().lower(),
    )


def _raw_header(message: _Msg, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name:
            return _FOLD.sub("", str(value))
    return ""


def _read[T](message: _Msg, getter: Callable[[_Msg], T], default: T) -> T:
    """policy.default's header parser can raise on hostile values; compat32 strings rarely do."""
    with suppress(Exception):
        return getter(message)
    legacy: _Msg = Message()
    for name, value in message.raw_items():
        legacy[name] = value
    with suppress(Exception):  # even compat32 fails on some (a NUL in an RFC 2231 charset)
        return getter(legacy)
    return default


def _as_text(part: _Part) -> _Part:
    return _Part(part.message, "text/plain", None, None, part.charset, None, part.transfer_encoding)


def _recover_multipart(part: _Part, defects: list[str]) -> _Msg | None:
    """A multipart whose boundary is missing or wrong: reparse with the boundary its body uses."""
    body = _payload_bytes(part, defects)
    found = _GUESSED_BOUNDARY.search(body)
    if found is None:
        defects.append("multipart-without-parts")
        return None
    head = f'Content-Type: {part.content_type}; boundary="'.encode() + found[1] + b'"\r\n\r\n'
    try:
        recovered = _feed(NestingLimitParser(policy=part.message.policy), head + body, 0)
    except Exception:  # as in _parse_tree: read it as text rather than fail
        return None
    defects.append("multipart-boundary-recovered")
    defects.extend(_parser_defects(recovered))  # a cut below is a defect of this mail too
    return recovered


def _text(part: _Part, defects: list[str]) -> str:
    text = decode_bytes(_payload_bytes(part, defects), part.charset, defects)
    if "\x00" in text:  # a NUL ends C strings and is refused by some stores: never text
        defects.append("nul-removed")
        text = text.replace("\x00", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachment(part: _Part, index: int, defects: list[str]) -> ParsedAttachment:
    if was_cut(part.message):
        return _cut_parts(part, _raw_header(part.message, CUT_HEADER.lower()))
    if part.message.is_multipart():
        data = _serialized_body(part.message, defects)
    else:
        data = _payload_bytes(part, defects)
    return ParsedAttachment(
        filename=safe_filename(part.filename or "", defects)
        or generated_filename(part.content_type, index),
        content_type=part.content_type,
        size=len(data),
        data=data,
        content_id=part.content_id,
        inline=part.disposition == "inline"
        or (part.content_id is not None and part.disposition != "attachment"),
    )


def _cut_parts(part: _Part, content_type: str) -> ParsedAttachment:
    """Parts nested too deep to parse, kept as one file a mail program opens: none is lost."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("utf-8", "surrogateescape")
    data = head + _as_bytes(getattr(part.message, "_payload", None))
    return ParsedAttachment(
        filename=f"parts-nested-deeper-than-{MAX_DEPTH}.eml",
        content_type="message/rfc822",
        size=len(data),
        data=data,
    )


def _payload_bytes(part: _Part, defects: list[str]) -> bytes:
    # get_payload() re-decodes 8-bit bytes with the declared charset (lossy, and it raises on
    # some labels) and gives up on broken base64: read the parser's raw payload and decode here
    raw = _as_bytes(getattr(part.message, "_payload", None))
    if part.transfer_encoding == "base64":
        return lenient_b64(raw, defects)
    if part.transfer_encoding == "quoted-printable":
        if _BAD_QP_ESCAPE.search(raw):
            defects.append("quoted-printable-invalid")
        return binascii.a2b_qp(raw)
    if part.transfer_encoding not in ("", "7bit", "8bit", "binary"):
        defects.append(f"unknown-transfer-encoding:{label(part.transfer_encoding)}")
    return raw


def _as_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _serialized_body(message: _Msg, defects: list[str]) -> bytes:
    """The bytes of an attached message (the part's own headers removed)."""
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=_SERIALIZE).flatten(message)
    except Exception:  # serialising re-reads headers, which can fail like parsing does
        defects.append("attached-message-unserializable")
        return b""
    flat = buffer.getvalue()
    return flat[2:] if flat.startswith(b"\r\n") else flat.partition(b"\r\n\r\n")[2]
