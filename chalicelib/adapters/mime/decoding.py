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

JIS_LABELS = UTF8_FAMILY | {"iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext"}

BASE64_SEGMENT = re.compile(rb"(?<==)(?=\s*[A-Za-z0-9+/])")

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
BASE64_TEXT = _BASE64_ALPHABET + b"= \t\r\n"

NOT_BASE64 = bytes(set(range(256)) - set(_BASE64_ALPHABET))

# ISO-2022-JP (RFC 1468) is 7-bit: ASCII and UTF-8 decoders accept it and keep its escapes.
# Only a designation of a Japanese set marks it; ESC ( B alone, or ESC [ (terminals), does not.
JIS_DESIGNATION = re.compile(rb"\x1b(?:\$[@AB]|\$\([CDOPQ]|\(I)")
JIS_SEGMENT = re.compile(rb"\x1b(\$[@B]|\([BJI])")
ISO_2022_JP = ("iso2022_jp_2", "iso2022_jp_ext")
LINE_BREAKS = re.compile(rb"([\r\n]+)")


def clean(text: str, limit: int) -> str:
    """Header-safe text: control runs (CR/LF, NUL, C1, lone surrogates) become one space."""
    return CONTROL.sub(" ", text).strip()[:limit]


def unescape_8bit(value: str, hint: str | None = None) -> str:
    """A header written without RFC 2047 (its bytes surrogate-escaped by the parser): UTF-8,
    else the charset the mail's text declares (`hint`: mailers write headers in it), else
    Windows-1252; 7-bit ISO-2022-JP is decoded too."""
    if value.isascii():
        return (iso_2022_jp(value.encode(), []) or value) if "\x1b" in value else value
    try:
        return decode_fallback(value.encode("utf-8", "surrogateescape"), hint)
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
    japanese = iso_2022_jp(data, defects) if codec is None or codec in JIS_LABELS else None
    if japanese is not None:
        if codec is None:
            defects.append("missing-charset")
        elif codec in UTF8_FAMILY:
            defects.append(f"charset-mismatch:{codec}")
        return japanese
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


def decode_fallback(data: bytes, hint: str | None = None) -> str:
    names = ["utf-8", "cp1252"]
    hinted = python_codec(hint)
    if hinted and hinted not in UTF8_FAMILY and ascii_compatible(hinted):
        names.insert(1, hinted)
    for name in names:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def ascii_compatible(codec: str) -> bool:
    """Header bytes are ASCII around their 8-bit words: a UTF-16 label cannot describe them."""
    try:
        return b"Re: a@b.c".decode(codec) == "Re: a@b.c"
    except (UnicodeDecodeError, LookupError):
        return False


def iso_2022_jp(data: bytes, defects: list[str]) -> str | None:
    """7-bit data designating a Japanese set, decoded; None when it is not ISO-2022-JP."""
    if not data.isascii() or not JIS_DESIGNATION.search(data):
        return None
    for name in ISO_2022_JP:
        with suppress(UnicodeDecodeError):
            return data.decode(name)
    text = jis_as_cp932(data)
    if text is None:
        defects.append("iso-2022-jp-invalid")
        return data.decode("iso2022_jp_ext", "replace")
    return text


def jis_as_cp932(data: bytes) -> str | None:
    """Microsoft's ISO-2022-JP (CP50220) holds NEC and IBM characters (①, Ⅲ) that only its
    Shift_JIS has: map each JIS pair to its Shift_JIS bytes and decode those as cp932."""
    pieces = JIS_SEGMENT.split(data)
    out = bytearray(pieces[0])
    for mode, chunk in zip(pieces[1::2], pieces[2::2], strict=True):
        if mode in (b"$@", b"$B"):  # pairs; some mailers break lines without leaving the set
            for run in LINE_BREAKS.split(chunk):
                if run.isspace() or not run:
                    out += run
                elif len(run) % 2 or not all(0x21 <= byte <= 0x7E for byte in run):
                    return None
                else:
                    out += b"".join(map(_shift_jis, run[::2], run[1::2]))
        elif mode == b"(I":  # half-width katakana: the same codes with the high bit set
            out += bytes(byte | 0x80 for byte in chunk)
        else:
            out += chunk
    try:
        return out.decode("cp932")
    except UnicodeDecodeError:
        return None


def _shift_jis(first: int, second: int) -> bytes:
    lead = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
    if first % 2 == 0:
        return bytes((lead, second + 0x7E))
    trail = second + 0x1F
    return bytes((lead, trail + 1 if trail >= 0x7F else trail))


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
