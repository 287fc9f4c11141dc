"""International addresses: RFC 6532 UTF-8 local parts and IDN domains are senders."""

from __future__ import annotations

import unicodedata

import pytest

from chalicelib.adapters.mime.parser import parse_email


def sender_of(from_header: str) -> tuple[str, str] | None:
    mail = parse_email(f"From: {from_header}\r\nSubject: x\r\n\r\nbody\r\n".encode())
    return (mail.sender.email, mail.sender.name) if mail.sender else None


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Jörg <joerg@müller.de>", "joerg@xn--mller-kva.de"),
        ("Jörg <joerg@MÜLLER.DE>", "joerg@xn--mller-kva.de"),
        ("Jörg <joerg@xn--mller-kva.de>", "joerg@xn--mller-kva.de"),
        ("Jörg <joerg@straße.de>", "joerg@xn--strae-oqa.de"),  # IDNA 2008: not strasse.de
        ("Jörg <info@пример.рф>", "info@xn--e1afmkfd.xn--p1ai"),
        ("Jörg <info@例え。テスト>", "info@xn--r8jz45g.xn--zckzah"),  # ideographic full stop
    ],
)
def test_an_idn_domain_is_a_sender_stored_in_its_ascii_form(written: str, stored: str) -> None:
    assert sender_of(written) == (stored, "Jörg")


def test_a_utf8_local_part_is_a_sender_kept_as_written() -> None:
    assert sender_of("Jörg <jörg@müller.de>") == ("jörg@xn--mller-kva.de", "Jörg")
    assert sender_of("用户@例子.广告") == ("用户@xn--fsqu00a.xn--4rr70v", "")


def test_a_utf8_local_part_is_stored_composed_whatever_the_mailer_wrote() -> None:
    decomposed = unicodedata.normalize("NFD", "jörg")

    assert sender_of(f"<{decomposed}@example.de>") == ("jörg@example.de", "")


def test_to_and_cc_keep_international_addresses_too() -> None:
    raw = (
        "From: a@example.com\r\nTo: support@example.com, Zoë <zoë@bücher.example>\r\n"
        "Cc: kontakt@bücher.example\r\n\r\nx\r\n"
    ).encode()

    mail = parse_email(raw)

    assert [a.email for a in mail.to] == ["support@example.com", "zoë@xn--bcher-kva.example"]
    assert [a.email for a in mail.cc] == ["kontakt@xn--bcher-kva.example"]


@pytest.mark.parametrize(
    "domain",
    ["bü cher.de", "bü\u200bcher.de", "bücher..de", "x" * 70 + "ü.de", "bü<cher.de"],
)
def test_a_domain_that_cannot_be_an_idn_is_no_address(domain: str) -> None:
    mail = parse_email(f"From: <a@{domain}>\r\n\r\nx\r\n".encode())

    assert mail.sender is None
    assert "invalid-from" in mail.defects
