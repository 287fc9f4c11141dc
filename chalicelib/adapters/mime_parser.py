"""MIME adapter: raw RFC 5322 bytes in, a ParsedEmail out, and never an exception for bad mail."""

from __future__ import annotations

import base64
import binascii
import codecs
import mimetypes
import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.feedparser import BytesFeedParser
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy
from email.utils import getaddresses, parsedate_to_datetime
from functools import cache
from io import BytesIO
from typing import Any

from chalicelib.domain.mail import Address, ParsedAttachment, ParsedEmail

type _Msg = Message[Any, Any]

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
_UNSAFE_IN_FILENAME = re.compile(r'[<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]+')
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_LEADING_BLANK = re.compile(rb"(?:\xef\xbb\xbf)?[\r\n]*")
_ANGLE_ID = re.compile(r"<([^<>]*)>")
_EMAIL = re.compile(r"[^\s\x00-\x1f\x7f-\x9f@<>()\[\],;:\\\"]{1,64}@(?:[\w-]{1,63}\.)+[\w-]{2,63}")
_BAD_QP_ESCAPE = re.compile(rb"=(?![0-9A-Fa-f]{2}|\r?\n|\r|[ \t]*$)", re.MULTILINE)
_GUESSED_BOUNDARY = re.compile(rb"^--([^\s\"]{1,70})[ \t]*\r?\n[\w-]{1,40}:", re.MULTILINE)
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BASE64_TEXT = _BASE64_ALPHABET + b"= \t\r\n"
_NOT_BASE64 = bytes(set(range(256)) - set(_BASE64_ALPHABET))
_BASE64_SEGMENT = re.compile(rb"(?<==)(?=\s*[A-Za-z0-9+/])")

# Labels mail software uses for charsets Python names differently, or supersets that decode more.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "ansi_x3.4-1968": "ascii",
    "unicode-1-1-utf-7": "utf-7",
}
_NOT_MAIL_CODECS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
)
_UTF8_FAMILY = frozenset({"utf-8", "ascii"})
_EXTENSIONS = {  # what mail carries and Python's built-in table lacks
    "text/calendar": ".ics",
    "text/vcard": ".vcf",
    "image/webp": ".webp",
    "application/pkcs7-signature": ".p7s",
    "application/pgp-signature": ".asc",
    "application/ms-tnef": ".dat",
    "message/delivery-status": ".txt",
    "text/rfc822-headers": ".txt",
}
_SERIALIZE: Policy[Any] = policy.default.clone(refold_source="none", linesep="\r\n")
_CHUNK = 1 << 20
_MAX_REFERENCES = 100
_UNREADABLE_TYPE = "application/octet-stream"  # kept as an attachment, not lost
_MAX_FILENAME = 150


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
    for name, value in message.raw_items():
        raw_headers.setdefault(_clean(str(name), limit).lower(), []).append(str(value))
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
    )


def _parse_tree(raw: bytes, defects: list[str]) -> _Msg:
    blank = _LEADING_BLANK.match(raw)
    start = blank.end() if blank else 0
    if start:  # a blank first line would end the headers before they start
        defects.append("leading-blank-lines")
    for mail_policy in (policy.default, policy.compat32):
        try:
            return _feed(BytesFeedParser(policy=mail_policy), raw, start)
        except Exception:  # the stdlib parser has known crashes on hostile input: try the next
            defects.append("parser-fallback")
    return BytesParser(policy=policy.compat32).parsebytes(raw[start:], headersonly=True)


def _feed(parser: BytesFeedParser[Any], raw: bytes, start: int) -> _Msg:
    """In chunks: parsebytes() would hold the mail as str and again in a UCS-4 StringIO."""
    for offset in range(start, len(raw), _CHUNK):
        parser.feed(raw[offset : offset + _CHUNK])
    message: _Msg = parser.close()
    return message


# --- headers -------------------------------------------------------------------------------


def _first(raw_headers: dict[str, list[str]], name: str) -> str:
    values = raw_headers.get(name)
    return _unescape_8bit(values[0]) if values else ""


def _header_text(value: str, limit: int, defects: list[str], name: str) -> str:
    capped = value[: limit * 16 + 64]  # bounds the work on hostile headers; words expand ~12x
    text = _clean(_decode_words(_FOLD.sub("", _unescape_8bit(capped)), defects), limit * 2)
    if len(text) > limit or len(capped) < len(value):
        defects.append(f"header-truncated:{_label(name)}")
    return text[:limit].rstrip()


def _clean(text: str, limit: int) -> str:
    """Header-safe text: control runs (CR/LF, NUL, C1, lone surrogates) become one space."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def _unescape_8bit(value: str) -> str:
    """Raw 8-bit header bytes (surrogate-escaped by the parser): UTF-8, else Windows-1252."""
    if value.isascii():
        return value
    try:
        return _decode_fallback(value.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return value


def _decode_words(value: str, defects: list[str]) -> str:
    """RFC 2047: adjacent words of one charset are joined first, as mailers split characters."""
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []
    position = 0
    for word in _ENCODED_WORD.finditer(value):
        between = value[position : word.start()]
        if not pending or between.strip():
            out.extend(_decode_bytes(data, charset, defects) for charset, data in pending)
            out.append(between)
            pending = []
        charset = word[1].partition("*")[0]
        data = _word_bytes(word[2], word[3])
        if pending and pending[-1][0] == charset:
            pending[-1] = (charset, pending[-1][1] + data)
        else:
            pending.append((charset, data))
        position = word.end()
    out.extend(_decode_bytes(data, charset, defects) for charset, data in pending)
    out.append(value[position:])
    return "".join(out)


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "Bb":
        return _lenient_b64(text.encode("ascii", "ignore"), [])
    return binascii.a2b_qp(text.encode("utf-8", "surrogateescape"), header=True)


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
        unfolded = _FOLD.sub("", _unescape_8bit(value[: limit * 16 + 64]))
        for display, addr in getaddresses([unfolded]):
            local, _, domain = addr.strip().rpartition("@")
            email = f"{local}@{domain.lower()}"
            # the legacy parser glues stray words onto addresses: keep only what was written
            if (
                _EMAIL.fullmatch(email)
                and addr.lower() in unfolded.lower()
                and len(email) <= min(254, limit)
            ):
                name = _clean(_decode_words(display, defects), limit).strip("\"' ")
                found.setdefault(email.lower(), Address(email=email, name=name))
    return tuple(found.values())


def _ids(value: str, limit: int) -> tuple[str, ...]:
    """Message ids without brackets; bare ids from sloppy mailers; junk between them ignored."""
    found = _ANGLE_ID.findall(value) or [token for token in value.split() if "@" in token]
    ids = (_clean("".join(found_id.split()), limit) for found_id in found)
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


def _label(text: str) -> str:
    return re.sub(r"[^\w.:+-]", "", text.lower(), flags=re.ASCII)[:40] or "?"


# --- charsets ------------------------------------------------------------------------------


def _codec(charset: str | None) -> str | None:
    name = (charset or "").strip().strip("\"'").lower()
    try:
        info = codecs.lookup(_CHARSET_ALIASES.get(name, name))
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_MAIL_CODECS:
        return None
    return info.name


def _decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """The declared charset if it fits; else UTF-8, the declared one lossily, cp1252, Latin-1."""
    codec = _codec(charset)
    if charset and codec is None:
        defects.append(f"bad-charset:{_label(charset)}")
    if _is_legacy_8bit(codec) and not data.isascii() and _is_utf8(data):
        defects.append(f"charset-mismatch:{codec}")  # UTF-8 labelled as ASCII or Latin-1
        return data.decode("utf-8")
    attempts: list[tuple[str, str]] = [(codec, "strict")] if codec else []
    if codec != "utf-8":
        attempts.append(("utf-8", "strict"))
    if codec and codec not in _UTF8_FAMILY:
        attempts.append((codec, "replace"))
    for index, (name, errors) in enumerate(attempts):
        try:
            text = data.decode(name, errors)
        except (UnicodeError, LookupError):
            continue
        if index and codec:
            defects.append(f"charset-mismatch:{codec}")
        elif not charset and not data.isascii():
            defects.append("missing-charset")
        return text
    defects.append(f"charset-mismatch:{codec}" if codec else "missing-charset")
    return _decode_fallback(data)


def _is_legacy_8bit(codec: str | None) -> bool:
    return codec == "ascii" or (codec or "").startswith(("iso8859-", "cp125"))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_fallback(data: bytes) -> str:
    for name in ("utf-8", "cp1252"):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# --- body and attachments ------------------------------------------------------------------


def _body(
    message: _Msg, limit: int, defects: list[str]
) -> tuple[str, str | None, tuple[ParsedAttachment, ...]]:
    text: str | None = None
    html: str | None = None
    attachments: list[ParsedAttachment] = []
    for part in _leaves(message, limit, defects):
        is_body = part.disposition != "attachment" and part.filename is None
        if is_body and text is None and part.content_type == "text/plain":
            text = _text(part, defects)
        elif is_body and html is None and part.content_type == "text/html":
            html = _text(part, defects)
        else:
            attachments.append(_attachment(part, len(attachments) + 1, defects))
    return text or "", html, tuple(attachments)


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
    content_id = _clean("".join((found[1] if found else content_id).split()), limit)
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
        recovered: _Msg = BytesParser(policy=part.message.policy).parsebytes(head + body)
    except Exception:  # as in _parse_tree: read it as text rather than fail
        return None
    defects.append("multipart-boundary-recovered")
    return recovered


def _text(part: _Part, defects: list[str]) -> str:
    text = _decode_bytes(_payload_bytes(part, defects), part.charset, defects)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachment(part: _Part, index: int, defects: list[str]) -> ParsedAttachment:
    if part.message.is_multipart():
        data = _serialized_body(part.message, defects)
    else:
        data = _payload_bytes(part, defects)
    return ParsedAttachment(
        filename=_safe_filename(part.filename or "", defects)
        or _generated_filename(part.content_type, index),
        content_type=part.content_type,
        size=len(data),
        data=data,
        content_id=part.content_id,
        inline=part.disposition == "inline"
        or (part.content_id is not None and part.disposition != "attachment"),
    )


def _payload_bytes(part: _Part, defects: list[str]) -> bytes:
    # get_payload() re-decodes 8-bit bytes with the declared charset (lossy, and it raises on
    # some labels) and gives up on broken base64: read the parser's raw payload and decode here
    raw = _as_bytes(getattr(part.message, "_payload", None))
    if part.transfer_encoding == "base64":
        return _lenient_b64(raw, defects)
    if part.transfer_encoding == "quoted-printable":
        if _BAD_QP_ESCAPE.search(raw):
            defects.append("quoted-printable-invalid")
        return binascii.a2b_qp(raw)
    if part.transfer_encoding not in ("", "7bit", "8bit", "binary"):
        defects.append(f"unknown-transfer-encoding:{_label(part.transfer_encoding)}")
    return raw


def _as_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _lenient_b64(data: bytes, defects: list[str]) -> bytes:
    """As much as base64 allows: junk skipped, padding repaired, a lone tail cut, and
    concatenated encodings (padding mid-stream, where b64decode stops) decoded one by one."""
    if data.translate(None, _BASE64_TEXT):
        defects.append("base64-invalid-characters")
    padding = data.find(b"=")
    if padding < 0 or not data[padding:].strip(b"= \t\r\n"):
        return _b64_segment(data, defects)
    return b"".join(_b64_segment(segment, defects) for segment in _BASE64_SEGMENT.split(data))


def _b64_segment(data: bytes, defects: list[str]) -> bytes:
    with suppress(binascii.Error):
        return base64.b64decode(data)  # not validating: line breaks and junk are skipped
    clean = data.translate(None, _NOT_BASE64)
    if len(clean) % 4 == 1:
        defects.append("base64-truncated")
        clean = clean[:-1]
    else:
        defects.append("base64-padding")
    return base64.b64decode(clean + b"=" * (-len(clean) % 4))


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


def _safe_filename(name: str, defects: list[str]) -> str:
    name = _decode_words(name, defects)
    name = re.split(r"[\\/]", _clean(name, 10_000))[-1]
    name = _UNSAFE_IN_FILENAME.sub("_", name).strip(" .")
    if len(name) <= _MAX_FILENAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 16 and stem:
        return f"{stem[: _MAX_FILENAME - len(extension) - 1].rstrip(' .')}.{extension}"
    return name[:_MAX_FILENAME].rstrip(" .")


def _generated_filename(content_type: str, index: int) -> str:
    if content_type == "message/rfc822":
        return "forwarded-message.eml"
    extension = _EXTENSIONS.get(content_type) or _mime_types().guess_extension(content_type)
    prefix = "image" if content_type.startswith("image/") else "attachment"
    return f"{prefix}-{index}{extension or '.bin'}"


@cache  # built lazily: its init reads the system's tables, ~10 ms of a Lambda cold start
def _mime_types() -> mimetypes.MimeTypes:
    return mimetypes.MimeTypes()  # an instance answers from the built-in table only
