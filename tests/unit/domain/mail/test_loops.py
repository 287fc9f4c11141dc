"""Loop safety: automatic mail is recognised and never gets an automatic answer."""

from __future__ import annotations

from dataclasses import replace

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


# -- issue 12: the remaining holes ------------------------------------------------------------


def test_precedence_auto_reply_is_an_auto_reply() -> None:
    assert kind(mail(precedence="auto_reply")) == AutoKind.AUTO_REPLY


@pytest.mark.parametrize(
    "header",
    ["list_post", "list_help", "list_subscribe", "mailing_list", "x_mailing_list", "x_ml_name"],
)
def test_list_mail_without_a_list_id_is_bulk(header: str) -> None:
    assert kind(mail(**{header: "<mailto:news@lists.example>"})) == AutoKind.BULK


@pytest.mark.parametrize("sender", ["post_master@customer.example", "post-master@customer.example"])
def test_postmaster_spellings_are_bounces(sender: str) -> None:
    assert kind(mail(sender=sender)) == AutoKind.BOUNCE


@pytest.mark.parametrize(
    "sender", ["owner-staff@lists.example", "staff-request@lists.example", "staff-admin@x.example"]
)
def test_list_software_addresses_get_no_answer_but_may_open_a_ticket(sender: str) -> None:
    verdict = classify(mail(sender=sender), envelope_sender=sender, own_addresses=OWN)
    assert verdict is not None and verdict.kind == AutoKind.BULK and verdict.may_open_ticket


def test_a_list_post_is_known_by_its_envelope_sender_too() -> None:
    assert kind(mail(), envelope="owner-staff@lists.example") == AutoKind.BULK


@pytest.mark.parametrize(
    "sender",
    ["admin@smallfirm.example", "owner@shop.example", "requests@x.example", "sysadmin@x.example"],
)
def test_admin_and_owner_without_a_hyphen_are_people(sender: str) -> None:
    assert kind(mail(sender=sender), envelope=sender) is None


@pytest.mark.parametrize(
    "content_type",
    [
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
    ],
)
def test_a_report_at_the_top_level_is_a_bounce(content_type: str) -> None:
    assert kind(mail(content_type=content_type)) == AutoKind.BOUNCE


@pytest.mark.parametrize(
    "subject",
    [
        "Mail delivery failed: returning message to sender",  # Exim
        "Returned mail: see transcript for details",  # Sendmail
        "Undelivered Mail Returned to Sender",  # Postfix
        "Undeliverable: Invoice 55",  # Exchange
        "Delivery Status Notification (Failure)",  # Gmail
        "failure notice",  # qmail
        "DELIVERY FAILURE: User anna not listed",  # Domino
        "Unzustellbar: Rechnung",
        "Nicht zustellbar: Rechnung",
        "Non remis : Facture",
        "Onbestelbaar: Factuur",
        "No se puede entregar: Factura",
        "Ei voitu toimittaa: Lasku",
        "Olevererbart: Faktura",
        "Ikke-leverbar: Faktura",
        "Niedostarczalne: Faktura",
        "قابل تحویل نیست: صورتحساب",
    ],
)
def test_delivery_failure_subjects_are_bounces_in_many_languages(subject: str) -> None:
    assert kind(mail(subject=subject)) == AutoKind.BOUNCE


@pytest.mark.parametrize(
    "subject",
    [
        "Undeliverable parcel, where is my order?",
        "Returned mail order form",
        "Fwd: Mail delivery failed: returning message to sender",
        "Re: Undeliverable: Invoice 55",
        "Why did my mail delivery fail?",
        "Zustellung meines Pakets",
    ],
)
def test_a_person_writing_about_delivery_is_a_person(subject: str) -> None:
    assert kind(mail(subject=subject)) is None


def test_an_x_loop_naming_our_address_is_our_own_mail_coming_back() -> None:
    looped = replace(mail(sender="forwarder@customer.example"), x_loops=("support@example.com",))
    verdict = classify(looped, envelope_sender="forwarder@customer.example", own_addresses=OWN)
    assert verdict is not None and verdict.kind == AutoKind.OWN_ADDRESS
    assert not verdict.may_open_ticket


def test_our_x_loop_is_found_below_a_robots_own() -> None:
    looped = replace(mail(), x_loops=("list@lists.example", "Example <Support@Example.com>"))
    assert kind(looped) == AutoKind.OWN_ADDRESS


@pytest.mark.parametrize("value", ["otrs", "robot@elsewhere.example"])
def test_any_other_x_loop_gets_no_answer_but_stays_a_ticket(value: str) -> None:
    verdict = classify(mail(x_loop=value), envelope_sender="a@b.example", own_addresses=OWN)
    assert verdict is not None and verdict.kind == AutoKind.BULK and verdict.may_open_ticket


def test_an_empty_x_loop_is_no_sign() -> None:
    assert kind(replace(mail(), x_loops=("  ",))) is None


@pytest.mark.parametrize("subject", ["Respuesta automática: Factura", "Automatisch antwoord: X"])
def test_spanish_and_dutch_auto_reply_subjects_are_recognised(subject: str) -> None:
    assert kind(mail(subject=subject)) == AutoKind.AUTO_REPLY
