"""Address rules: one spelling per customer, and which addresses SES can mail."""

from __future__ import annotations

import pytest

from chalicelib.domain.mail.addresses import ascii_domain, is_valid, needs_smtputf8, normalise


def test_both_spellings_of_an_idn_address_normalise_to_the_ascii_form() -> None:
    assert normalise(" Joerg@MÜLLER.de ") == "joerg@xn--mller-kva.de"
    assert normalise("joerg@xn--mller-kva.de") == "joerg@xn--mller-kva.de"


def test_ascii_addresses_normalise_as_before() -> None:
    assert normalise(" Anna.Virtanen@Customer.Example ") == "anna.virtanen@customer.example"


def test_a_domain_that_cannot_be_ascii_is_kept_lower_case_and_stays_invalid() -> None:
    address = normalise("a@BÜ CHER.de")

    assert address == "a@bü cher.de"
    assert not is_valid(address)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("example.com", "example.com"),
        ("müller.de", "xn--mller-kva.de"),
        ("straße.de", "xn--strae-oqa.de"),
        ("例え。テスト", "xn--r8jz45g.xn--zckzah"),
        ("bü cher.de", None),
        ("bü\u200bcher.de", None),
        ("bücher..de", None),
        ("x" * 70 + "ü.de", None),
    ],
)
def test_ascii_domain_gives_a_labels_or_none(domain: str, expected: str | None) -> None:
    assert ascii_domain(domain) == expected


def test_an_idn_address_is_valid_and_mailable_once_normalised() -> None:
    address = normalise("joerg@müller.de")

    assert is_valid(address)
    assert not needs_smtputf8(address)


def test_a_utf8_local_part_is_valid_but_needs_smtputf8() -> None:
    address = normalise("Jörg@müller.de")

    assert address == "jörg@xn--mller-kva.de"
    assert is_valid(address)
    assert needs_smtputf8(address)
