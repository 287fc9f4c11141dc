"""Email address helpers: normalising, spotting automatic senders, header-safe text.

Internationalised addresses: a domain is kept in its ASCII form (IDNA A-labels, `xn--`), which
every mail system, SES included, sends to. A non-ASCII local part (RFC 6532) has no ASCII form
and is kept as written (NFC); mailing it needs SMTPUTF8, which SES does not offer.
"""

from __future__ import annotations

import re
import unicodedata

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
_LABEL_DOTS = re.compile("[.\u3002\uff0e\uff61]")  # the dots IDNA accepts between labels
_LDH_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


def normalise(address: str) -> str:
    """Addresses compare case-insensitively (local parts are case-insensitive in practice);
    a Unicode domain compares in its ASCII form, so both spellings are one customer."""
    address = address.strip().lower()
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    return f"{unicodedata.normalize('NFC', local)}{at}{ascii_domain(domain) or domain}"


def ascii_domain(domain: str) -> str | None:
    """The domain with each Unicode label as its A-label (RFC 5891: NFC, lower case, Punycode,
    so `straße.de` stays `xn--strae-oqa.de` and is not mapped to `strasse.de` as IDNA 2003
    did); None when a label cannot be one."""
    labels = _LABEL_DOTS.split(unicodedata.normalize("NFC", domain).lower())
    encoded = [_a_label(label) for label in labels]
    return ".".join(encoded) if all(_LDH_LABEL.match(label) for label in encoded) else None


def _a_label(label: str) -> str:
    """Punycode keeps ASCII characters as they are, so the LDH check still sees them."""
    if label.isascii():
        return label
    if not label.isprintable():  # Unicode spaces, zero-width and control characters
        return ""
    return "xn--" + label.encode("punycode").decode("ascii")


def needs_smtputf8(address: str) -> bool:
    """A non-ASCII local part can be mailed only over SMTPUTF8 (RFC 6531): SES cannot."""
    return not address.rpartition("@")[0].isascii()


def is_valid(address: str) -> bool:
    """A customer's address: any local part (RFC 6532), an ASCII domain (normalise() first)."""
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
