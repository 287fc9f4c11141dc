"""Loop safety: automatic mail is recognised and never gets an automatic answer."""

from __future__ import annotations

import pytest

from chalicelib.domain.mail.loops import AutoKind, classify
from chalicelib.domain.mail.parsed import Address, ParsedEmail

OWN = frozenset({"support@example.com", "billing@example.com"})


def mail(
    sender: str = "anna@customer.example",
    subject: str = "Hello",
    content_type: str = "text/plain",
    **headers: str,
) -> ParsedEmail:
    return ParsedEmail(
        sender=Address(sender),
        subject=subject,
        content_type=content_type,
        headers={k.replace("_", "-").lower(): v for k, v in headers.items()},
    )


def kind(m: ParsedEmail, envelope: str = "anna@customer.example") -> AutoKind | None:
    verdict = classify(m, envelope_sender=envelope, own_addresses=OWN)
    return verdict.kind if verdict else None


def test_a_person_writing_is_not_automatic() -> None:
    assert kind(mail()) is None


@pytest.mark.parametrize("value", ["auto-replied", "auto-generated", "auto-notified"])
def test_auto_submitted_marks_auto_reply(value: str) -> None:
    assert kind(mail(auto_submitted=value)) == AutoKind.AUTO_REPLY


def test_auto_submitted_no_is_a_person() -> None:
    assert kind(mail(auto_submitted="no")) is None


@pytest.mark.parametrize("header", ["x_autoreply", "x_autorespond"])
def test_x_autoreply_headers_mark_auto_reply(header: str) -> None:
    assert kind(mail(**{header: "yes"})) == AutoKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Invoice",
        "Out of Office: back Monday",
        "Automaattinen vastaus: Lasku",
        "Automatiskt svar: Faktura",
        "Automatyczna odpowiedź: Faktura",
    ],
)
def test_outlook_auto_reply_subjects_are_recognised(subject: str) -> None:
    assert kind(mail(subject=subject)) == AutoKind.AUTO_REPLY


def test_a_customer_asking_about_office_hours_is_a_person() -> None:
    assert kind(mail(subject="Question about out of office hours support")) is None


@pytest.mark.parametrize("value", ["bulk", "junk", "list"])
def test_precedence_marks_bulk(value: str) -> None:
    assert kind(mail(precedence=value)) == AutoKind.BULK


@pytest.mark.parametrize("header", ["list_id", "list_unsubscribe"])
def test_list_headers_mark_bulk(header: str) -> None:
    assert kind(mail(**{header: "<news.example.com>"})) == AutoKind.BULK


def test_delivery_reports_are_bounces() -> None:
    assert kind(mail(content_type="multipart/report")) == AutoKind.BOUNCE


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example", "postmaster@customer.example"])
def test_mailer_daemon_and_postmaster_are_bounces(sender: str) -> None:
    assert kind(mail(sender=sender)) == AutoKind.BOUNCE


def test_empty_return_path_is_a_bounce() -> None:
    assert kind(mail(), envelope="") == AutoKind.BOUNCE


@pytest.mark.parametrize(
    "sender",
    [
        "no-reply@shop.example",
        "noreply@shop.example",
        "do-not-reply@x.example",
        "donotreply@x.example",
    ],
)
def test_no_reply_senders_get_no_answer(sender: str) -> None:
    assert kind(mail(sender=sender)) == AutoKind.NO_REPLY


def test_x_auto_response_suppress_is_honoured() -> None:
    assert kind(mail(x_auto_response_suppress="All")) == AutoKind.SUPPRESS_REQUESTED


def test_our_own_address_is_a_loop() -> None:
    assert kind(mail(sender="Support@Example.com")) == AutoKind.OWN_ADDRESS


def test_auto_replies_and_bounces_may_not_open_tickets_but_bulk_may() -> None:
    auto = classify(
        mail(auto_submitted="auto-replied"), envelope_sender="a@b.example", own_addresses=OWN
    )
    bulk = classify(mail(precedence="bulk"), envelope_sender="a@b.example", own_addresses=OWN)
    assert auto is not None and not auto.may_open_ticket
    assert bulk is not None and bulk.may_open_ticket
