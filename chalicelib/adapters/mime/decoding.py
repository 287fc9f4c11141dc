"""Decoding mail text that lies about itself: charsets, RFC 2047 words, sloppy base64."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from contextlib import suppress

ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")

# Labels mail software uses for charsets Python names differently, or supersets that decode more.
CHARSET_ALIASES = {
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

NOT_MAIL_CODECS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
)

UTF8_FAMILY = frozenset({"utf-8", "ascii"})

BASE64_SEGMENT = re.compile(rb"(?<==)(?=\s*[A-Za-z0-9+/])")

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
BASE64_TEXT = _BASE64_ALPHABET + b"= \t\r\n"

NOT_BASE64 = bytes(set(range(256)) - set(_BASE64_ALPHABET))


def clean(text: str, limit: int) -> str:
    """Header-safe text: control runs (CR/LF, NUL, C1, lone surrogates) become one space."""
    return CONTROL.sub(" ", text).strip()[:limit]


def unescape_8bit(value: str) -> str:
    """Raw 8-bit header bytes (surrogate-escaped by the parser): UTF-8, else Windows-1252."""
    if value.isascii():
        return value
    try:
        return decode_fallback(value.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return value


def decode_words(value: str, defects: list[str]) -> str:
    """RFC 2047: adjacent words of one charset are joined first, as mailers split characters."""
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []
    position = 0
    for word in ENCODED_WORD.finditer(value):
        between = value[position : word.start()]
        if not pending or between.strip():
            out.extend(decode_bytes(data, charset, defects) for charset, data in pending)
            out.append(between)
            pending = []
        charset = word[1].partition("*")[0]
        data = word_bytes(word[2], word[3])
        if pending and pending[-1][0] == charset:
            pending[-1] = (charset, pending[-1][1] + data)
        else:
            pending.append((charset, data))
        position = word.end()
    out.extend(decode_bytes(data, charset, defects) for charset, data in pending)
    out.append(value[position:])
    return "".join(out)


def word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "Bb":
        return lenient_b64(text.encode("ascii", "ignore"), [])
    return binascii.a2b_qp(text.encode("utf-8", "surrogateescape"), header=True)


def label(text: str) -> str:
    return re.sub(r"[^\w.:+-]", "", text.lower(), flags=re.ASCII)[:40] or "?"


def python_codec(charset: str | None) -> str | None:
    name = (charset or "").strip().strip("\"'").lower()
    try:
        info = codecs.lookup(CHARSET_ALIASES.get(name, name))
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_MAIL_CODECS:
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """The declared charset if it fits; else UTF-8, the declared one lossily, cp1252, Latin-1."""
    codec = python_codec(charset)
    if charset and codec is None:
        defects.append(f"bad-charset:{label(charset)}")
    if is_legacy_8bit(codec) and not data.isascii() and is_utf8(data):
        defects.append(f"charset-mismatch:{codec}")  # UTF-8 labelled as ASCII or Latin-1
        return data.decode("utf-8")
    attempts: list[tuple[str, str]] = [(codec, "strict")] if codec else []
    if codec != "utf-8":
        attempts.append(("utf-8", "strict"))
    if codec and codec not in UTF8_FAMILY:
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
    return decode_fallback(data)


def is_legacy_8bit(codec: str | None) -> bool:
    return codec == "ascii" or (codec or "").startswith(("iso8859-", "cp125"))


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_fallback(data: bytes) -> str:
    for name in ("utf-8", "cp1252"):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def lenient_b64(data: bytes, defects: list[str]) -> bytes:
    """As much as base64 allows: junk skipped, padding repaired, a lone tail cut, and
    concatenated encodings (padding mid-stream, where b64decode stops) decoded one by one."""
    if data.translate(None, BASE64_TEXT):
        defects.append("base64-invalid-characters")
    padding = data.find(b"=")
    if padding < 0 or not data[padding:].strip(b"= \t\r\n"):
        return b64_segment(data, defects)
    return b"".join(b64_segment(segment, defects) for segment in BASE64_SEGMENT.split(data))


def b64_segment(data: bytes, defects: list[str]) -> bytes:
    with suppress(binascii.Error):
        return base64.b64decode(data)  # not validating: line breaks and junk are skipped
    clean = data.translate(None, NOT_BASE64)
    if len(clean) % 4 == 1:
        defects.append("base64-truncated")
        clean = clean[:-1]
    else:
        defects.append("base64-padding")
    return base64.b64decode(clean + b"=" * (-len(clean) % 4))
