"""Is the From address proven? SES's verdicts, held to the From domain as DMARC holds them.

A From header alone proves nothing: anyone can write a customer's address there. A mail counts
as from that customer when one of these holds (RFC 7489's identifier alignment, relaxed):
- DMARC passed (SES evaluated alignment itself);
- SPF passed for an envelope sender (Return-Path) in the From domain;
- DKIM passed and every DKIM signature on the mail is of the From domain (SES does not say which
  signature passed, so a second signature of another domain leaves it unproven).
Domains align when one is the other or a subdomain of it. Sibling subdomains, which relaxed DMARC
would align through their organisational domain, stay unproven here: the safe side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.mail.parsed import Receipt

PASS = "PASS"  # noqa: S105 (a verdict, not a password)
FAIL = "FAIL"
ENFORCED_POLICIES = ("reject", "quarantine")


@dataclass(frozen=True)
class Authentication:
    proven: bool
    how: str  # "dmarc", "spf", "dkim", or why not

    def as_dict(self) -> dict[str, object]:
        return {"proven": self.proven, "how": self.how}


def authenticate(
    receipt: Receipt, from_address: str, dkim_domains: Sequence[str]
) -> Authentication:
    domain = from_address.rpartition("@")[2].lower()
    if receipt.dmarc.upper() == PASS:
        return Authentication(True, "dmarc")
    envelope = receipt.source.rpartition("@")[2].lower()
    if receipt.spf.upper() == PASS and envelope and aligned(envelope, domain):
        return Authentication(True, "spf")
    signers = [d.lower() for d in dkim_domains]  # "" (no d=) aligns with nothing
    if receipt.dkim.upper() == PASS and signers and all(aligned(d, domain) for d in signers):
        return Authentication(True, "dkim")
    verdicts = (
        f"dmarc={receipt.dmarc or 'none'} spf={receipt.spf or 'none'} dkim={receipt.dkim or 'none'}"
    )
    return Authentication(False, f"not authenticated for {domain or 'no domain'} ({verdicts})")


def enforced_dmarc_failure(receipt: Receipt) -> str | None:
    """The From domain asks receivers to refuse (or hold) mail that fails DMARC, and this did."""
    policy = receipt.dmarc_policy.lower()
    if receipt.dmarc.upper() == FAIL and policy in ENFORCED_POLICIES:
        return f"DMARC FAIL under the From domain's policy {policy!r}"
    return None


def aligned(a: str, b: str) -> bool:
    a, b = a.strip(".").lower(), b.strip(".").lower()
    if not a or not b or "." not in a or "." not in b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)
