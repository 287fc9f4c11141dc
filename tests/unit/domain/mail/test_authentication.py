"""Which verdicts prove a From address: DMARC, or SPF or DKIM aligned with the From domain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.mail.authentication import aligned, authenticate, enforced_dmarc_failure
from chalicelib.domain.mail.parsed import Receipt

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def receipt(source: str = "anna@customer.example", **verdicts: str) -> Receipt:
    return Receipt("m1", AT, source, ("support@example.com",), **verdicts)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("customer.example", "customer.example", True),
        ("mail.customer.example", "customer.example", True),
        ("customer.example", "eu.customer.example", True),
        ("news.customer.example", "mail.customer.example", False),  # siblings: not proven here
        ("customer.example.attacker.example", "customer.example", False),
        ("evilcustomer.example", "customer.example", False),
        ("", "customer.example", False),
        ("example", "example", False),
    ],
)
def test_alignment(a: str, b: str, expected: bool) -> None:
    assert aligned(a, b) is expected


def test_dmarc_pass_proves() -> None:
    assert (
        authenticate(receipt(dmarc="PASS", spf="FAIL"), "anna@customer.example", ()).how == "dmarc"
    )


def test_spf_proves_only_for_an_envelope_in_the_from_domain() -> None:
    ok = authenticate(receipt(spf="PASS", dmarc="GRAY"), "anna@customer.example", ())
    assert ok.proven and ok.how == "spf"
    other = receipt("x@bulk.attacker.example", spf="PASS", dmarc="GRAY")
    assert not authenticate(other, "anna@customer.example", ()).proven
    bounce = receipt("", spf="PASS", dmarc="GRAY")
    assert not authenticate(bounce, "anna@customer.example", ()).proven


def test_dkim_proves_only_when_every_signer_aligns() -> None:
    r = receipt("x@bulk.attacker.example", dkim="PASS", spf="FAIL", dmarc="GRAY")
    assert authenticate(r, "anna@customer.example", ("customer.example",)).how == "dkim"
    assert not authenticate(
        r, "anna@customer.example", ("customer.example", "attacker.example")
    ).proven
    assert not authenticate(r, "anna@customer.example", ("",)).proven
    assert not authenticate(r, "anna@customer.example", ()).proven


def test_unproven_says_why() -> None:
    r = receipt(spf="FAIL", dkim="FAIL", dmarc="FAIL")
    found = authenticate(r, "anna@customer.example", ())
    assert not found.proven
    assert found.how == "not authenticated for customer.example (dmarc=FAIL spf=FAIL dkim=FAIL)"


@pytest.mark.parametrize(
    ("dmarc", "policy", "refused"),
    [
        ("FAIL", "reject", True),
        ("FAIL", "quarantine", True),
        ("FAIL", "none", False),
        ("FAIL", "", False),
        ("PASS", "reject", False),
    ],
)
def test_enforced_dmarc_failure(dmarc: str, policy: str, refused: bool) -> None:
    assert (
        enforced_dmarc_failure(receipt(dmarc=dmarc, dmarc_policy=policy)) is not None
    ) is refused
