"""Email address helpers: normalising, spotting automatic senders, header-safe text."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_NOREPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|noreply[-_.].*|.*[-_.]no[-_.]?reply)$"
)
_SYSTEM_LOCALPARTS = frozenset(
    {
        "mailer-daemon",
        "postmaster",
        "post_master",
        "post-master",
        "mail-daemon",
        "bounce",
        "bounces",
    }
)
# The addresses list software sends from (majordomo owner-x@, listserv x-request@, Mailman 2
# x-admin@). With the hyphen only: a plain admin@ or owner@ is often a person in a small firm.
_LIST_MANAGER = re.compile(r"^(owner-.+|.+-request|.+-admin)$")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]{2,}$")


def normalise(address: str) -> str:
    """Addresses compare case-insensitively (local parts are case-insensitive in practice)."""
    return address.strip().lower()


def is_valid(address: str) -> bool:
    return bool(_ADDRESS.match(address)) and len(address) <= 254


def header_safe(text: str, limit: int = 998) -> str:
    """Text that can go into a header we send: no control characters, bounded."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def local_part(address: str) -> str:
    return address.rpartition("@")[0].lower()


def is_noreply(address: str) -> bool:
    return bool(_NOREPLY.match(local_part(address)))


def is_system_sender(address: str) -> bool:
    local = local_part(address)
    return local in _SYSTEM_LOCALPARTS or local.startswith(("mailer-daemon", "bounce+", "bounces+"))


def is_list_manager(address: str) -> bool:
    return bool(_LIST_MANAGER.match(local_part(address)))
