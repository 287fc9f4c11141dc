"""Headers written without RFC 2047: raw 8-bit bytes and 7-bit ISO-2022-JP escape sequences."""

from __future__ import annotations

import base64

import pytest

from chalicelib.adapters.mime.parser import parse_email

JIS = "iso2022_jp"


def test_raw_iso_2022_jp_subject_and_name_decode_instead_of_losing_their_escapes() -> None:
    raw = (
        b"From: " + "山田太郎".encode(JIS) + b" <taro@example.jp>\r\n"
        b"Subject: " + "お問い合わせ".encode(JIS) + b"\r\n\r\nbody\r\n"
    )

    mail = parse_email(raw)

    assert mail.subject == "お問い合わせ"
    assert mail.sender is not None
    assert (mail.sender.name, mail.sender.email) == ("山田太郎", "taro@example.jp")
    assert "invalid-from" not in mail.defects


def test_a_folded_raw_iso_2022_jp_subject_decodes_each_line() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: " + "請求書について".encode(JIS) + b"\r\n "
        b"" + "再送".encode(JIS) + b"\r\n\r\nbody\r\n"
    )

    assert parse_email(raw).subject == "請求書について 再送"


@pytest.mark.parametrize(
    ("text", "jis"),
    [
        ("ｶﾀｶﾅの件", b"\x1b(I6@6E\x1b$B$N7o\x1b(B"),  # half-width katakana: ESC ( I
        ("①の件", b"\x1b$B-!$N7o\x1b(B"),  # NEC row 13, as Outlook writes ISO-2022-JP
    ],
)
def test_iso_2022_jp_extensions_decode_raw_and_encoded(text: str, jis: bytes) -> None:
    word = base64.b64encode(jis).decode()
    raw_mail = parse_email(b"From: a@example.com\r\nSubject: " + jis + b"\r\n\r\nx\r\n")
    encoded = parse_email(
        f"From: a@example.com\r\nSubject: =?ISO-2022-JP?B?{word}?=\r\n\r\nx\r\n".encode()
    )

    assert raw_mail.subject == text
    assert encoded.subject == text


def test_an_iso_2022_jp_body_with_extensions_decodes_instead_of_showing_escapes() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n"
        b"\x1b$B-!$N7o\x1b(B\r\n"
    )

    assert parse_email(raw).text == "①の件\n"


def test_an_unlabelled_iso_2022_jp_body_decodes_and_is_reported() -> None:
    raw = b"From: a@example.com\r\n\r\n" + "こんにちは".encode(JIS) + b"\r\n"

    mail = parse_email(raw)

    assert mail.text == "こんにちは\n"
    assert "missing-charset" in mail.defects


def test_terminal_escapes_in_a_body_are_not_taken_for_japanese() -> None:
    raw = b"From: a@example.com\r\nContent-Type: text/plain\r\n\r\n\x1b[31mred\x1b(B\x1b[m\r\n"

    assert parse_email(raw).text == "\x1b[31mred\x1b(B\x1b[m\n"


@pytest.mark.parametrize(
    ("charset", "codec", "name", "subject"),
    [
        ("shift_jis", "cp932", "山田太郎", "お問い合わせ①"),
        ("euc-jp", "euc-jp", "山田太郎", "お問い合わせ"),
        ("koi8-r", "koi8-r", "Иван Петров", "Привет из Москвы"),
        ("gb2312", "gb18030", "王小明", "客户服务"),
        ("iso-8859-2", "iso-8859-2", "Zażółć", "Gęślą jaźń"),
    ],
)
def test_raw_8bit_headers_are_read_in_the_charset_the_text_declares(
    charset: str, codec: str, name: str, subject: str
) -> None:
    raw = (
        f"From: {name} <x@example.org>\r\nSubject: {subject}\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n\r\n{subject}\r\n"
    ).encode(codec)

    mail = parse_email(raw)

    assert mail.sender is not None
    assert (mail.sender.name, mail.subject, mail.text) == (name, subject, f"{subject}\n")


def test_raw_8bit_headers_in_a_multipart_use_the_first_text_parts_charset() -> None:
    body = (
        b"--b\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n"
        + "Да".encode("koi8-r")
        + b"\r\n--b--\r\n"
    )
    raw = (
        b"From: a@example.com\r\nSubject: " + "Вопрос".encode("koi8-r") + b"\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + body
    )

    assert parse_email(raw).subject == "Вопрос"


def test_raw_utf8_headers_stay_utf8_whatever_the_text_declares() -> None:
    raw = (
        "From: Jörg <j@example.de>\r\nSubject: Grüße\r\n"
        "Content-Type: text/plain; charset=koi8-r\r\n\r\nx\r\n"
    ).encode()

    mail = parse_email(raw)

    assert mail.sender is not None
    assert (mail.sender.name, mail.subject) == ("Jörg", "Grüße")


def test_raw_windows_1252_headers_of_a_utf8_mail_fall_back_to_windows_1252() -> None:
    raw = (
        b"From: Ren\xe9 <r@example.fr>\r\nSubject: Caf\xe9 \x96 menu\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nx\r\n"
    )

    mail = parse_email(raw)

    assert mail.sender is not None
    assert (mail.sender.name, mail.subject) == ("René", "Café – menu")


def test_a_utf16_text_part_does_not_make_raw_headers_utf16() -> None:
    raw = (
        b"From: Ren\xe9 <re@example.fr>\r\nContent-Type: text/plain; charset=utf-16\r\n\r\n"
        + "Hi".encode("utf-16")
    )

    mail = parse_email(raw)

    assert mail.sender is not None
    assert mail.sender.name == "René"


def test_an_iso_2022_jp_body_breaking_lines_inside_the_kanji_set_still_decodes() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n"
        b"\x1b$B-!$N7o\r\n$G$9\x1b(B\r\n"
    )

    assert parse_email(raw).text == "①の件\nです\n"


def test_broken_iso_2022_jp_keeps_no_escape_bytes_and_is_reported() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n"
        b"\x1b$B$N\x7f\x7f\x1b(B ok\r\n"
    )

    mail = parse_email(raw)

    assert "\x1b" not in mail.text
    assert mail.text.endswith(" ok\n")
    assert "iso-2022-jp-invalid" in mail.defects
