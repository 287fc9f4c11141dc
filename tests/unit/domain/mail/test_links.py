"""What an acknowledgement may restate of a mail whose sender is not authenticated."""

from __future__ import annotations

import pytest

from chalicelib.domain.mail.links import without_links


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Account locked: https://evil.example/login now", "Account locked: … now"),
        ("Visit www.evil.example today", "Visit … today"),
        ("see evil.example/reset?x=1", "see …"),
        ("write to helpdesk@evil.example", "write to …"),
        ("open //evil.example/a", "open …"),
        ("javascript:alert(1) here", "… here"),
        ("tiedot osoitteessa pankki.fi/kirjaudu", "tiedot osoitteessa …"),
        ("بازدید از بانک.ایران", "بازدید از …"),
    ],
)
def test_links_addresses_and_host_names_are_taken_out(text: str, shown: str) -> None:
    assert without_links(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Lasku 1234 on väärin",
        "Min faktura er forkert, version 2.1",
        "Order #55: 3.5 kg, not 35",
        "Hej! Hvad koster det?",
    ],
)
def test_ordinary_subjects_stay_as_written(text: str) -> None:
    assert without_links(text) == text
