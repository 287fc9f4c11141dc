"""The SES mailer and international addresses: A-labels go out, SMTPUTF8 is refused cleanly."""

from __future__ import annotations

import pytest

from chalicelib.adapters.aws.ses import build_mime
from chalicelib.domain.errors import MailRejected
from chalicelib.domain.mail.parsed import Address
from chalicelib.services.ports import OutgoingMail
from tests.fakes import FakeClock

SUPPORT = Address("support@example.com", "Support")


def to(address: str) -> OutgoingMail:
    return OutgoingMail(sender=SUPPORT, to=(Address(address, "Jörg"),), subject="Hi", text="x")


def test_an_idn_address_in_its_ascii_form_is_written_into_the_mail() -> None:
    mime = build_mime(to("joerg@xn--mller-kva.de"), FakeClock())

    assert "joerg@xn--mller-kva.de" in mime["To"]


def test_a_utf8_local_part_is_refused_as_a_rejection_not_a_crash() -> None:
    with pytest.raises(MailRejected, match="SMTPUTF8"):
        build_mime(to("jörg@xn--mller-kva.de"), FakeClock())
