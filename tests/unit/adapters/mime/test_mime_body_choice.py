"""Which part is the body: empty parts hold no slot, a lone named text part is still the text."""

from __future__ import annotations

from chalicelib.adapters.mime.parser import parse_email
from tests.unit.adapters.mime.mails import multipart, part


def test_an_empty_first_text_part_leaves_the_body_slot_to_the_text_after_it() -> None:
    raw = multipart(
        "mixed",
        part("text/plain; charset=utf-8", b"\r\n"),
        part("text/plain; charset=utf-8", b"The real question."),
    )

    mail = parse_email(raw)

    assert mail.text == "The real question."
    assert mail.attachments == ()


def test_a_blank_text_alternative_leaves_the_html_to_be_the_body() -> None:
    raw = multipart(
        "alternative",
        part("text/plain; charset=utf-8", b" \r\n\t"),
        part("text/html; charset=utf-8", b"<p>Only here.</p>"),
    )

    mail = parse_email(raw)

    assert (mail.text, mail.html) == ("", "<p>Only here.</p>")


def test_a_named_text_part_that_is_the_only_text_is_the_body() -> None:
    raw = multipart(
        "mixed",
        part('text/plain; charset=utf-8; name="message.txt"', b"My printer is on fire."),
        part("image/png", b"PNG", 'Content-Disposition: attachment; filename="fire.png"'),
    )

    mail = parse_email(raw)

    assert mail.text == "My printer is on fire."
    assert [a.filename for a in mail.attachments] == ["fire.png"]


def test_a_single_part_mail_with_a_named_text_type_is_the_body() -> None:
    raw = b'From: a@example.com\r\nContent-Type: text/plain; name="body.txt"\r\n\r\nHello.\r\n'

    mail = parse_email(raw)

    assert mail.text == "Hello.\n"
    assert mail.attachments == ()


def test_a_named_text_part_beside_a_body_stays_an_attachment() -> None:
    raw = multipart(
        "mixed",
        part("text/plain; charset=utf-8", b"See the log."),
        part('text/plain; name="log.txt"', b"line 1"),
    )

    mail = parse_email(raw)

    assert mail.text == "See the log."
    assert [(a.filename, a.data) for a in mail.attachments] == [("log.txt", b"line 1")]


def test_a_named_text_part_beside_an_html_body_stays_an_attachment() -> None:
    raw = multipart(
        "mixed",
        part("text/html; charset=utf-8", b"<p>See the log.</p>"),
        part('text/plain; name="log.txt"', b"line 1"),
    )

    mail = parse_email(raw)

    assert (mail.text, mail.html) == ("", "<p>See the log.</p>")
    assert [a.filename for a in mail.attachments] == ["log.txt"]


def test_two_named_text_parts_and_no_body_both_stay_attachments() -> None:
    raw = multipart(
        "mixed",
        part('text/plain; name="a.txt"', b"first"),
        part('text/plain; name="b.txt"', b"second"),
    )

    mail = parse_email(raw)

    assert mail.text == ""
    assert [a.filename for a in mail.attachments] == ["a.txt", "b.txt"]


def test_a_text_part_sent_as_an_attachment_is_never_the_body() -> None:
    raw = multipart(
        "mixed",
        part("text/plain", b"notes", 'Content-Disposition: attachment; filename="notes.txt"'),
    )

    mail = parse_email(raw)

    assert mail.text == ""
    assert [a.filename for a in mail.attachments] == ["notes.txt"]


def test_nul_bytes_never_reach_the_text_or_the_html() -> None:
    raw = multipart(
        "alternative",
        part("text/plain; charset=utf-8", b"A\x00B"),
        part("text/html; charset=utf-16-le", "<p>\x00C</p>".encode("utf-16-le")),
    )

    mail = parse_email(raw)

    assert (mail.text, mail.html) == ("AB", "<p>C</p>")
    assert "nul-removed" in mail.defects


def test_nul_bytes_in_an_attachment_are_kept() -> None:
    raw = multipart(
        "mixed",
        part("text/plain", b"Body."),
        part("application/octet-stream", b"\x00\x01", "Content-Disposition: attachment"),
    )

    assert parse_email(raw).attachments[0].data == b"\x00\x01"
