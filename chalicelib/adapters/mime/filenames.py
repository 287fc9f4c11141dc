"""Attachment file names: decoded, made safe to store and show, or generated from the type."""

from __future__ import annotations

import mimetypes
import re
from functools import cache

from chalicelib.adapters.mime.decoding import clean, decode_words

UNSAFE_IN_FILENAME = re.compile(r'[<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]+')

EXTENSIONS = {  # what mail carries and Python's built-in table lacks
    "text/calendar": ".ics",
    "text/vcard": ".vcf",
    "image/webp": ".webp",
    "application/pkcs7-signature": ".p7s",
    "application/pgp-signature": ".asc",
    "application/ms-tnef": ".dat",
    "message/delivery-status": ".txt",
    "text/rfc822-headers": ".txt",
}

MAX_FILENAME = 150


def safe_filename(name: str, defects: list[str]) -> str:
    name = decode_words(name, defects)
    name = re.split(r"[\\/]", clean(name, 10_000))[-1]
    name = UNSAFE_IN_FILENAME.sub("_", name).strip(" .")
    if len(name) <= MAX_FILENAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 16 and stem:
        return f"{stem[: MAX_FILENAME - len(extension) - 1].rstrip(' .')}.{extension}"
    return name[:MAX_FILENAME].rstrip(" .")


def generated_filename(content_type: str, index: int) -> str:
    if content_type == "message/rfc822":
        return "forwarded-message.eml"
    extension = EXTENSIONS.get(content_type) or mime_types().guess_extension(content_type)
    prefix = "image" if content_type.startswith("image/") else "attachment"
    return f"{prefix}-{index}{extension or '.bin'}"


@cache  # built lazily: its init reads the system's tables, ~10 ms of a Lambda cold start
def mime_types() -> mimetypes.MimeTypes:
    return mimetypes.MimeTypes()  # an instance answers from the built-in table only
