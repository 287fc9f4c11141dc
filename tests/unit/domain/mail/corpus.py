"""Real mail from the shared corpus beside the repository; tests skip when it is absent."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"


def names(folder: str) -> list[str]:
    return sorted(path.name for path in (CORPUS / folder).glob("*.eml"))


def expectations(folder: str) -> dict[str, Any]:
    path = CORPUS / folder / "expectations.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def read_mail(folder: str, name: str) -> EmailMessage:
    path = CORPUS / folder / name
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    # Why: some fixtures start with a blank line, which would end the headers at once.
    raw = path.read_bytes().lstrip()
    return email.message_from_bytes(raw, _class=EmailMessage, policy=policy.default)


def first_part(message: EmailMessage, subtype: str) -> str | None:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            content: str = part.get_content()
            return content
    payload = message.get_payload()
    # Why: a multipart without boundaries (gitlab dutch.eml) keeps its text as the payload.
    return payload if subtype == "plain" and isinstance(payload, str) else None
