"""The MIME adapter against real fixtures, the shared corpus, generated giants and fuzzing."""

from __future__ import annotations

import base64
import random
import re
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.adapters.mime.parser import parse_email
from chalicelib.domain.mail.parsed import ParsedEmail

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "mail"
CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def load(name: str, **options: int) -> ParsedEmail:
    return parse_email((FIXTURES / name).read_bytes(), **options)


def eml(head: str, body: bytes = b"Body.\r\n") -> bytes:
    """A small message: `head` is written with \\n and sent with CRLF, like the fixtures."""
    return head.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def flat(text: str) -> str:
    return " ".join(text.split())


def header_texts(mail: ParsedEmail) -> list[str]:
    """Every str the parser derived from headers: all of them may end up in mail we send."""
    people = [a for a in (mail.sender, *mail.reply_to, *mail.to, *mail.cc) if a is not None]
    return [
        mail.subject,
        *(a.name for a in people),
        *(a.email for a in people),
        *mail.headers.values(),
        *mail.headers.keys(),
        *(mail.message_id or "",),
        *mail.in_reply_to,
        *mail.references,
        *(a.content_id or "" for a in mail.attachments),
    ]


def assert_header_safe(mail: ParsedEmail, limit: int = 2000) -> None:
    for text in header_texts(mail):
        assert not CONTROL.search(text), repr(text)
        assert len(text) <= limit
    for attachment in mail.attachments:
        assert not CONTROL.search(attachment.filename), repr(attachment.filename)
        assert 0 < len(attachment.filename) <= 150


# --- one customer mail per language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "name", "email", "subject", "phrase"),
    [
        (
            "seed_fi.eml",
            "Mikko Häkkinen",
            "mikko.hakkinen@example.fi",
            "Kysymys: sähköpostin asiakaspalvelu ja vastausajat",
            "Onko sähköposti hyödyllinen tapa tarjota asiakaspalvelua?",
        ),
        (
            "seed_sv.eml",
            "Åsa Lindström",
            "asa.lindstrom@example.se",
            "Fråga om kundtjänst via e-post",
            "Kundtjänst via e-post kanske inte är något nytt, men det är fortfarande populärt.",
        ),
        (
            "seed_pl.eml",
            "Zażółć Gęśląjaźń",
            "zazolc@example.pl",
            "Bariery w odpowiadaniu na e-maile - prośba o pomoc",
            'Z badania "Jakość obsługi klienta w Polsce" przeprowadzonego',
        ),
        (
            "seed_fa.eml",
            "مریم رضایی",
            "maryam.rezaei@example.ir",
            "مدیریت ایمیل مشتری: سؤال درباره پاسخگویی",
            "ما در مورد مدیریت ایمیل بحث می کنیم",
        ),
        (
            "seed_da.eml",
            "Søren Ærø",
            "soren.aero@example.dk",
            "Kundeservice via e-mail – spørgsmål",
            "• Når din kunde har sendt dig en e-mail",
        ),
        (
            "plain_en.eml",
            "Jane Doe",
            "jane.doe@example.com",
            "Charged twice for my subscription",
            "I was charged twice for my October subscription (order 58213).",
        ),
    ],
)
def test_customer_mail_in_each_language_decodes_sender_subject_and_body(
    fixture: str, name: str, email: str, subject: str, phrase: str
) -> None:
    mail = load(fixture)

    assert mail.sender is not None
    assert (mail.sender.name, mail.sender.email) == (name, email)
    assert mail.subject == subject
    assert flat(phrase) in flat(mail.text)
    assert "\r" not in mail.text
    assert mail.defects == ()
    assert mail.date is not None
    assert mail.date.tzinfo is not None
    assert_header_safe(mail)


def test_multipart_alternative_gives_both_text_and_html_in_their_charset() -> None:
    polish = load("seed_pl.eml")
    persian = load("seed_fa.eml")

    assert polish.content_type == "multipart/alternative"
    assert polish.html is not None
    assert "Z poważaniem<br>Zażółć Gęśląjaźń" in polish.html
    assert persian.html is not None
    assert persian.html.startswith('<div dir="rtl">')
    assert polish.attachments == persian.attachments == ()


def test_windows_1252_only_characters_survive_quoted_printable() -> None:
    mail = load("seed_da.eml")

    assert "–" in mail.subject  # 0x96 in windows-1252, a C1 control in latin-1
    assert "•" in mail.text  # 0x95
    assert mail.header("x-ms-has-attach") == ""


def test_reply_in_finnish_keeps_the_quoted_english_original() -> None:
    mail = load("reply_with_quote_fi.eml")

    assert mail.text.startswith("Kiitos nopeasta vastauksesta!")
    assert "eräpäivä 31.10." in mail.text
    assert "ma 14.10.2024 klo 11.59 Support <support@helpdesk.example.com> kirjoitti:" in mail.text
    assert "> Thank you for contacting us." in mail.text
    assert mail.html is not None
    assert 'class="gmail_quote"' in mail.html
    assert mail.in_reply_to == ("0102019287a1b2c3-reply-1002@eu-west-1.amazonses.com",)


# --- headers -----------------------------------------------------------------------------------


def test_encoded_crlf_in_names_and_subject_cannot_inject_headers() -> None:
    mail = load("header_injection.eml")

    assert mail.sender is not None
    assert mail.sender.name == "Eve Bcc: x@evil.example"
    assert mail.sender.email == "eve@example.com"
    assert mail.reply_to[0].name == "Eve Bcc: y@evil.example"
    assert mail.subject == "Hello Bcc: victim@example.net body"
    assert_header_safe(mail)


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.eml")))
def test_every_header_derived_text_is_header_safe(fixture: str) -> None:
    assert_header_safe(load(fixture))
    assert_header_safe(load(fixture, max_header_chars=40), limit=40)


def test_huge_headers_are_truncated_and_reported() -> None:
    mail = load("huge_header.eml")
    short = load("huge_header.eml", max_header_chars=100)

    assert len(mail.subject) == 2000
    assert mail.subject.startswith("Order problem item0000 item0001")
    assert len(mail.header("x-long-header")) <= 2000
    assert {"header-truncated:subject", "header-truncated:x-long-header"} <= set(mail.defects)
    assert len(short.subject) <= 100
    assert short.text == "Short body.\n"


def _q(data: bytes) -> str:
    return "".join(f"={byte:02X}" for byte in data)


@pytest.mark.parametrize(
    ("charset", "encoding", "text", "codec"),
    [
        ("iso-8859-1", "Q", "Grüße aus Köln", "iso-8859-1"),
        ("ISO-8859-2", "B", "Zażółć gęślą jaźń", "iso-8859-2"),
        ("windows-1250", "Q", "Příliš žluťoučký kůň", "cp1250"),
        ("windows-1251", "B", "Привет, мир", "cp1251"),
        ("windows-1252", "Q", "Kundeservice – “tak”", "cp1252"),
        ("koi8-r", "B", "Съешь же ещё этих мягких булок", "koi8-r"),
        ("shift_jis", "B", "お問い合わせ①", "cp932"),  # ① exists only in Microsoft's Shift_JIS
        ("gb2312", "B", "朱镕基", "gbk"),  # 镕 is GBK, not GB2312: mailers label GBK as gb2312
        ("gbk", "B", "客戶服務", "gbk"),
        ("utf-8", "Q", "Hyvää päivää 👋", "utf-8"),
        ("UTF-8", "B", "مدیریت ایمیل", "utf-8"),
        ("iso-2022-jp", "B", "日本語の件名", "iso-2022-jp"),
        ("utf-8*fi", "Q", "kieli-merkintä", "utf-8"),
    ],
)
def test_subject_is_decoded_from_any_charset(
    charset: str, encoding: str, text: str, codec: str
) -> None:
    data = text.encode(codec)
    encoded = base64.b64encode(data).decode() if encoding == "B" else _q(data)

    mail = parse_email(eml(f"From: a@example.com\nSubject: Re: =?{charset}?{encoding}?{encoded}?="))

    assert mail.subject == f"Re: {text}"
    assert mail.defects == ("missing-date",)


def test_adjacent_encoded_words_join_characters_split_between_them() -> None:
    raw = eml(
        "From: a@example.com\n"
        "Subject: =?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=\n =?utf-8?B?IG9r?= and =?utf-8?B?w6TDtg?=!"
    )

    assert parse_email(raw).subject == "café ok and äö!"


def test_unknown_charset_falls_back_to_utf8_and_is_reported() -> None:
    mail = load("unknown_charset.eml")

    assert mail.subject == "Café order № 7"
    assert mail.text == "The café order № 7 arrived broken — please help.\n"
    assert "bad-charset:x-unknown" in mail.defects


def test_unknown_charset_with_undecodable_bytes_never_crashes() -> None:
    raw = eml("From: a@example.com\nSubject: =?x-made-up?B?//79?= and =?base64?Q?=FF?= ok")

    mail = parse_email(raw)

    assert mail.subject.endswith(" ok")
    assert "bad-charset:x-made-up" in mail.defects
    assert "bad-charset:base64" in mail.defects  # a bytes-to-bytes codec is no charset


def test_raw_8bit_headers_are_read_as_utf8_or_windows_1252() -> None:
    raw = (
        b"From: J\xc3\xb6rg <j@example.de>\r\nTo: Ren\xe9 <r@example.fr>\r\n"
        b"Subject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nx\r\n"
    )

    mail = parse_email(raw)

    assert mail.sender is not None
    assert mail.sender.name == "Jörg"
    assert mail.to[0].name == "René"
    assert mail.subject == "Grüße"


def test_address_lists_skip_invalid_entries_and_duplicates() -> None:
    raw = eml(
        "From: =?utf-8?Q?Bj=C3=B6rk?= <Bjork@Example.IS>\n"
        'To: a@x.com, "A again" <A@X.COM>, not-an-address, <>, B <b@y.org>,\n'
        " undisclosed-recipients:;, MAILER-DAEMON, c@localhost\n"
        "Cc: =?utf-8?B?w4Zyw7g=?= <aero@example.dk>, b@y.org\n"
        'Reply-To: <"">'
    )

    mail = parse_email(raw)

    assert mail.sender is not None
    assert (mail.sender.name, mail.sender.email) == ("Björk", "Bjork@example.is")
    assert [a.email for a in mail.to] == ["a@x.com", "b@y.org"]
    assert [(a.name, a.email) for a in mail.cc] == [("Ærø", "aero@example.dk"), ("", "b@y.org")]
    assert mail.reply_to == ()


def test_missing_from_gives_no_sender_and_a_defect() -> None:
    mail = load("no_from.eml")

    assert mail.sender is None
    assert "missing-from" in mail.defects
    assert mail.text == "This message has no From header at all.\n"


def test_unparseable_from_gives_no_sender_and_a_defect() -> None:
    mail = parse_email(eml('From: "Mark Whatney" <>\nTo: a@example.com'))

    assert mail.sender is None
    assert "invalid-from" in mail.defects


def test_threading_ids_lose_brackets_and_keep_their_order() -> None:
    mail = load("reply_to_ticket.eml")

    assert mail.subject == "Re: Invoice question [#1001]"
    assert mail.message_id == "CAB1x7Yq2reply1001xyz@mail.gmail.com"
    assert mail.in_reply_to == ("0102019287a1b2c3-reply-1001@eu-west-1.amazonses.com",)
    assert mail.references == (
        "CAB1x7Yq0riginal1001@mail.gmail.com",
        "ticket-1001-ack@helpdesk.example.com",
        "0102019287a1b2c3-reply-1001@eu-west-1.amazonses.com",
    )
    assert mail.reference_ids[:2] == (
        "0102019287a1b2c3-reply-1001@eu-west-1.amazonses.com",
        "ticket-1001-ack@helpdesk.example.com",
    )


def test_junk_between_ids_and_folded_ids_are_tolerated() -> None:
    raw = eml(
        "From: a@example.com\n"
        "Message-ID: bare-id@example.com\n"
        "In-Reply-To: <one@x.org> (Jane's message of Mon, 1 Jan) <two@x.org>\n"
        "References: <one@x.org>  junk, (comment)\n\t<one@x.org> <thr\n ee@x.org>"
    )

    mail = parse_email(raw)

    assert mail.message_id == "bare-id@example.com"
    assert mail.in_reply_to == ("one@x.org", "two@x.org")
    assert mail.references == ("one@x.org", "three@x.org")


def test_very_long_references_keep_the_root_and_the_newest() -> None:
    ids = " ".join(f"<id{n:03d}@x.org>" for n in range(150))
    folded = ids.replace("> <", ">\n <")

    mail = parse_email(eml(f"From: a@example.com\nReferences: {folded}"))

    assert len(mail.references) == 100
    assert mail.references[0] == "id000@x.org"
    assert mail.references[-1] == "id149@x.org"
    assert "header-truncated:references" in mail.defects


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mon, 14 Oct 2024 10:11:12 +0200", datetime(2024, 10, 14, 8, 11, 12, tzinfo=UTC)),
        ("Mon, 14 Oct 2024 10:11:12 -0000", datetime(2024, 10, 14, 10, 11, 12, tzinfo=UTC)),
        ("14 Oct 2024 10:11:12 GMT", datetime(2024, 10, 14, 10, 11, 12, tzinfo=UTC)),
        ("Mon, 14 Oct 2024 10:11:12 (no zone)", datetime(2024, 10, 14, 10, 11, 12, tzinfo=UTC)),
    ],
)
def test_dates_are_timezone_aware(value: str, expected: datetime) -> None:
    date = parse_email(eml(f"From: a@example.com\nDate: {value}")).date

    assert date == expected
    assert date is not None
    assert date.utcoffset() is not None


@pytest.mark.parametrize("value", ["yesterday", "Mon, 99 Foo 2024 99:99:99 +0000", "32/13/2024"])
def test_unparseable_dates_are_none_with_a_defect(value: str) -> None:
    mail = parse_email(eml(f"From: a@example.com\nDate: {value}"))

    assert mail.date is None
    assert "bad-date" in mail.defects


def test_headers_keep_first_values_under_lower_case_names() -> None:
    mail = load("no_content_type.eml")

    assert mail.header("Received").startswith("from relay.example.net (relay.example.net")
    assert "by mx.helpdesk.example.com with ESMTP" in mail.header("received")
    assert mail.headers["message-id"] == "<no-ct-1@example.net>"
    assert mail.content_type == "text/plain"
    assert mail.size == len((FIXTURES / "no_content_type.eml").read_bytes())


@pytest.mark.parametrize(
    ("fixture", "header", "value"),
    [
        ("auto_submitted.eml", "auto-submitted", "auto-replied"),
        ("x_autoreply.eml", "x-autoreply", "yes"),
        ("precedence_bulk.eml", "precedence", "bulk"),
        ("list_mail.eml", "list-id", "Developer announcements <dev-announce.lists.example.org>"),
        ("bounce_dsn.eml", "return-path", "<>"),
        ("x_auto_response_suppress.eml", "x-auto-response-suppress", "All"),
    ],
)
def test_loop_detection_headers_are_kept(fixture: str, header: str, value: str) -> None:
    assert load(fixture).header(header) == value


def test_list_unsubscribe_is_unfolded() -> None:
    assert load("list_mail.eml").header("list-unsubscribe") == (
        "<mailto:dev-announce-leave@lists.example.org>, "
        "<https://lists.example.org/unsubscribe/dev-announce>"
    )


def test_noreply_sender_is_parsed_like_any_other() -> None:
    mail = load("noreply.eml")

    assert mail.sender is not None
    assert mail.sender.email == "no-reply@shop.example.com"


# --- body ----------------------------------------------------------------------------------------


def test_utf8_label_on_latin1_bytes_falls_back_and_is_reported() -> None:
    mail = load("lying_charset.eml")

    assert mail.text == "Grüße aus Köln! Die Rechnung für März ist falsch.\n\nJörg Müller\n"
    assert "charset-mismatch:utf-8" in mail.defects


def test_ascii_label_on_8bit_bytes_is_read_as_utf8_or_windows_1252() -> None:
    head = "From: a@example.com\nContent-Type: text/plain; charset=us-ascii"

    utf8 = parse_email(eml(head, "Smörgåsbord\r\n".encode()))
    cp1252 = parse_email(eml(head, "Smörgåsbord – 5 €\r\n".encode("cp1252")))

    assert utf8.text == "Smörgåsbord\n"
    assert cp1252.text == "Smörgåsbord – 5 €\n"
    assert "charset-mismatch:ascii" in cp1252.defects


def test_latin1_label_on_utf8_bytes_is_read_as_utf8() -> None:
    head = "From: a@example.com\nContent-Type: text/plain; charset=iso-8859-1"

    mail = parse_email(eml(head, "ピーター・ジョーンズ\r\n".encode()))

    assert mail.text == "ピーター・ジョーンズ\n"
    assert "charset-mismatch:iso8859-1" in mail.defects


def test_declared_multibyte_charset_with_a_bad_byte_keeps_the_rest() -> None:
    head = "From: a@example.com\nContent-Type: text/plain; charset=shift_jis"

    mail = parse_email(eml(head, "お問い合わせ".encode("cp932") + b"\x81\r\n"))

    assert mail.text.startswith("お問い合わせ")
    assert "charset-mismatch:cp932" in mail.defects


def test_missing_content_type_reads_8bit_text_and_reports_it() -> None:
    mail = load("no_content_type.eml")

    assert mail.text == "No MIME headers here, but a naïve café sneaks in.\n"
    assert mail.defects == ("missing-charset",)


def test_broken_base64_decodes_what_it_can() -> None:
    mail = load("broken_base64.eml")
    (pdf,) = mail.attachments

    assert mail.text == "Please find the broken attachment.\nRegards, Bob\n"
    assert pdf.filename == "invoice.pdf"
    assert pdf.data.startswith(b"%PDF-1.4")
    assert pdf.size == len(pdf.data) > 500
    assert {"base64-padding", "base64-invalid-characters", "base64-truncated"} <= set(mail.defects)


def test_concatenated_base64_is_decoded_past_the_first_padding() -> None:
    head = "From: a@example.com\nContent-Transfer-Encoding: base64"

    mail = parse_email(eml(head, b"SGk=\r\nIHRoZXJl\r\n"))

    assert mail.text == "Hi there"


def test_broken_quoted_printable_keeps_bad_escapes_and_reports_them() -> None:
    head = (
        "From: a@example.com\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable"
    )

    mail = parse_email(eml(head, b"caf=E9 costs 5=ZZ and=\r\n more=\r\n"))

    assert mail.text == "café costs 5=ZZ and more"
    assert "quoted-printable-invalid" in mail.defects


def test_nul_in_charset_or_rfc2231_names_does_not_stop_the_parser() -> None:
    # both crash the stdlib's own getters (ValueError: embedded null character); found by fuzzing
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b'--b\r\nContent-Type: text/plain; charset="utf\x00-8"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC\xc3\x9fe\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*0*=\x00utf-8''%C3%A4.pdf\r\n"
        b"\r\n%PDF\r\n--b--\r\n"
    )

    mail = parse_email(raw)

    assert mail.text == "Grüße"
    assert mail.attachments[0].data == b"%PDF"
    assert_header_safe(mail)


def test_html_only_mail_keeps_the_html_untouched() -> None:
    mail = load("script_html.eml")

    assert mail.text == ""
    assert mail.html is not None
    assert "<script>" in mail.html
    assert 'onerror="alert(1)"' in mail.html
    assert 'href="javascript:alert(2)"' in mail.html


def test_wrong_boundary_is_recovered_from_the_body() -> None:
    mail = load("malformed_mime.eml")
    (image,) = mail.attachments

    assert mail.text == "The body text survives a wrong boundary."
    assert image.filename == "screenshot.png"
    assert image.data.startswith(PNG_MAGIC)
    assert "multipart-boundary-recovered" in mail.defects


def test_multipart_without_boundary_or_parts_is_read_as_text() -> None:
    raw = eml(
        "From: a@example.com\nContent-Type: multipart/alternative",
        b"Just text, though it claims to be multipart.\r\n-- \r\nSignature\r\n",
    )

    mail = parse_email(raw)

    assert mail.text == "Just text, though it claims to be multipart.\n-- \nSignature\n"
    assert mail.content_type == "multipart/alternative"
    assert "multipart-without-parts" in mail.defects


def test_inline_image_has_its_content_id_and_is_inline() -> None:
    mail = load("inline_image.eml")
    (image,) = mail.attachments

    assert mail.text == "Here is the error I see:\n\n\nBest,\nLena\n"
    assert mail.html is not None
    assert 'src="cid:9C2E0F44-3B1A-4E59-8C2B-0D3F1E2A7B6C"' in mail.html
    assert image.content_id == "9C2E0F44-3B1A-4E59-8C2B-0D3F1E2A7B6C"
    assert image.inline
    assert (image.filename, image.content_type) == ("error.png", "image/png")
    assert image.data.startswith(PNG_MAGIC)


def test_attachment_names_are_decoded_from_rfc2047_and_rfc2231() -> None:
    mail = load("with_pdf.eml")
    pdf, csv = mail.attachments

    assert mail.subject == "Lasku 2024-1001 liitteenä"
    assert (pdf.filename, pdf.content_type, pdf.inline) == (
        "Lasku 2024-1001 (kopio).pdf",
        "application/pdf",
        False,
    )
    assert pdf.data.startswith(b"%PDF-1.4")
    assert pdf.data.rstrip().endswith(b"%%EOF")
    assert pdf.size == len(pdf.data)
    assert csv.filename == "äärimmäinen pitkä-nimi.csv"
    assert csv.data == b"tuote;hinta\r\nkahvi;3,50\r\n"


def test_two_hundred_attachments_with_hostile_names() -> None:
    mail = load("attachments_many.eml")
    names = [a.filename for a in mail.attachments]

    assert mail.text == "All pages attached."
    assert len(mail.attachments) == 199
    assert names[0] == "page-001.txt"
    assert mail.attachments[0].data == b"1"
    assert names[6:11] == ["passwd", "evil.bat", "ä bäd.txt", names[9], "äöü.txt"]
    assert len(names[9]) == 150
    assert names[9].endswith("x.txt")
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in names)


def test_generated_filenames_follow_the_content_type() -> None:
    parts = [
        ("application/pdf", b"%PDF-1.4\r\n"),
        ("image/png", b"png\r\n"),
        ("application/x-unknown-thing", b"?\r\n"),
        ("text/calendar", b"BEGIN:VCALENDAR\r\n"),
    ]
    body = b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
    for content_type, data in parts:
        body += f"--b\r\nContent-Type: {content_type}\r\n\r\n".encode() + data
    body += b"--b--\r\n"

    mail = parse_email(
        eml('From: a@example.com\nContent-Type: multipart/mixed; boundary="b"', body)
    )

    assert [a.filename for a in mail.attachments] == [
        "attachment-1.pdf",
        "image-2.png",
        "attachment-3.bin",
        "attachment-4.ics",
    ]


FORWARDED = (
    b"From: Inner Person <inner@example.org>\r\nSubject: The original\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nInner body.\r\n"
)


def test_forwarded_message_is_an_attachment_not_the_body() -> None:
    body = (
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Forwarding this.</p>\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + FORWARDED + b"--b--\r\n"
    )

    mail = parse_email(
        eml('From: a@example.com\nContent-Type: multipart/mixed; boundary="b"', body)
    )
    (forwarded,) = mail.attachments
    inner = parse_email(forwarded.data)

    assert mail.text == ""
    assert mail.html == "<p>Forwarding this.</p>"
    assert (forwarded.filename, forwarded.content_type) == (
        "forwarded-message.eml",
        "message/rfc822",
    )
    assert inner.subject == "The original"
    assert inner.text == "Inner body."  # the line break before a boundary is the boundary's


def test_text_and_html_attachments_are_not_the_body() -> None:
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe body.\r\n"
        b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=log.txt"
        b"\r\n\r\nlog line\r\n"
        b'--b\r\nContent-Type: text/html; name="page.html"\r\n\r\n<p>page</p>\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nA second text part.\r\n--b--\r\n"
    )

    mail = parse_email(
        eml('From: a@example.com\nContent-Type: multipart/mixed; boundary="b"', body)
    )

    assert mail.text == "The body."
    assert mail.html is None
    assert [(a.filename, a.data) for a in mail.attachments] == [
        ("log.txt", b"log line"),
        ("page.html", b"<p>page</p>"),
        ("attachment-3.txt", b"A second text part."),
    ]


def test_signed_mail_gives_the_signed_body_and_the_signature_as_attachment() -> None:
    body = (
        b"--s\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
        b"--a\r\nContent-Type: text/plain\r\n\r\nSigned text.\r\n"
        b"--a\r\nContent-Type: text/html\r\n\r\n<p>Signed html.</p>\r\n--a--\r\n"
        b'--s\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQE=\r\n--s--\r\n"
    )
    head = 'From: a@example.com\nContent-Type: multipart/signed; protocol="x"; boundary="s"'

    mail = parse_email(eml(head, body))

    assert (mail.text, mail.html) == ("Signed text.", "<p>Signed html.</p>")
    assert mail.attachments[0].filename == "smime.p7s"
    assert mail.attachments[0].data.startswith(b"0\x80\x06\t")


def test_bounce_keeps_report_type_and_reads_the_human_part() -> None:
    mail = load("bounce_dsn.eml")
    status, original = mail.attachments

    assert mail.content_type == "multipart/report"
    assert mail.sender is not None
    assert mail.sender.email == "MAILER-DAEMON@mx.example.net"
    assert "your message could not\nbe delivered" in mail.text
    assert status.content_type == "message/delivery-status"
    assert b"Status: 5.1.1" in status.data
    assert original.filename == "forwarded-message.eml"
    assert parse_email(original.data).subject == "Re: Invoice question [#1001]"


# --- size --------------------------------------------------------------------------------------


def _big_mail(payload: bytes) -> bytes:
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    return (
        eml(
            'From: Big <big@example.org>\nContent-Type: multipart/mixed; boundary="B"',
            b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the dump.\r\n"
            b"--B\r\nContent-Type: application/octet-stream\r\n"
            b'Content-Disposition: attachment; filename="dump.bin"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n",
        )
        + encoded
        + b"--B--\r\n"
    )


def test_a_20_mb_message_parses_holding_few_copies() -> None:
    payload = random.Random(20).randbytes(15 * 1024 * 1024)
    raw = _big_mail(payload)
    assert len(raw) > 20_000_000

    tracemalloc.start()
    try:
        mail = parse_email(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert mail.text == "See the dump."
    assert mail.attachments[0].data == payload
    assert mail.size == len(raw)
    assert peak < 5 * len(raw)  # measured ~3x: raw as str while parsing, then bytes, then data


def test_hundreds_of_generated_attachments_all_arrive() -> None:
    parts = b"".join(
        f'--m\r\nContent-Type: image/png; name="p{n}.png"\r\nContent-ID: <p{n}@x>\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n".encode()
        + base64.b64encode(PNG_MAGIC + bytes([n % 256]))
        + b"\r\n"
        for n in range(500)
    )
    head = 'From: a@example.com\nContent-Type: multipart/related; boundary="m"'

    mail = parse_email(eml(head, parts + b"--m--\r\n"))

    assert len(mail.attachments) == 500
    assert mail.attachments[499].content_id == "p499@x"
    assert mail.attachments[499].data == PNG_MAGIC + bytes([499 % 256])
    assert all(a.inline for a in mail.attachments)


# --- the shared corpus of real mail ------------------------------------------------------------


def _corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*/*.eml")) if CORPUS.is_dir() else []


def _manifest_says_no_sender(path: Path) -> bool:
    manifest = path.parent / "MANIFEST.tsv"
    for line in manifest.read_text(encoding="utf-8").splitlines():
        name, _, rest = line.partition("\t")
        if name == path.name:
            return bool(re.search(r"no From|no usable sender|From: [^;]*<>", rest))
    return False


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_mail_parses_sensibly(path: Path) -> None:
    raw = path.read_bytes()

    mail = parse_email(raw)

    assert "unparseable" not in mail.defects
    assert mail.size == len(raw)
    assert (mail.sender is None) == _manifest_says_no_sender(path)
    assert_header_safe(mail)
    assert "\ufffd" not in mail.text
    assert "\ufffd" not in mail.subject
    if path.name not in ("wrong_authentication_token.eml", "attachments_without_text.eml"):
        assert mail.text.strip() or (mail.html or "").strip()


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("gitlab-fixtures/dutch.eml", "text", "Dit is een antwoord in het Nederlands."),
        ("gitlab-fixtures/service_desk_reply_illegal_utf8.eml", "text", "ピーター・ジョーンズ"),
        ("gitlab-fixtures/service_desk_encoding.eml", "subject", "ťžščľžťťč"),
        ("gitlab-fixtures/service_desk_encoding.eml", "text", "test: ťžščľžťťč"),
        ("chatwoot-fixtures/non_utf_encoded_mail.eml", "subject", "أهلين عميلنا الكريم"),
        ("chatwoot-fixtures/non_utf_encoded_mail.eml", "text", "أنا أحتاجها"),
        ("mailgun-talon/android.eml", "text", "пользователь"),
        ("chatwoot-fixtures/bounced_gmail.eml", "content_type", "multipart/report"),
        ("gitlab-fixtures/outlook_html.eml", "html", "urn:schemas-microsoft-com"),
    ],
)
def test_corpus_non_english_and_odd_mail_decodes_to_readable_text(
    name: str, field: str, expected: str
) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not next to this checkout")

    mail = parse_email((CORPUS / name).read_bytes())

    assert expected in str(getattr(mail, field))


def test_corpus_inline_images_and_pdfs_are_attachments() -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not next to this checkout")

    pdf = parse_email((CORPUS / "chatwoot-fixtures/email_with_inline_pdf.eml").read_bytes())
    cid = parse_email(
        (CORPUS / "chatwoot-fixtures/cid_inline_images_without_disposition.eml").read_bytes()
    )

    assert pdf.attachments[0].data.startswith(b"%PDF")
    assert cid.attachments[0].content_id == "image001.jpg@test"
    assert cid.attachments[0].inline


# --- fuzzing -----------------------------------------------------------------------------------

_SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
_TOKENS = [
    b"\r\n",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff",
    b"=?",
    b"?=",
    b"=?utf-8?b?",
    b"=?x?q?=",
    b"--",
    b"<",
    b">",
    b";",
    b'"',
    b"\\",
    b"(",
    b"=",
    b"*",
    b"'",
    b"boundary=",
    b"charset=",
    b"filename*0*=",
    b"\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=x\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Type: message/rfc822\r\n",
]


def _mutate(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 10)):
        at = rnd.randrange(len(out) + 1)
        match rnd.randrange(6):
            case 0:
                out[at : at + 1] = bytes([rnd.randrange(256)])
            case 1:
                out[at:at] = rnd.choice(_TOKENS)
            case 2:
                del out[at : at + rnd.randint(1, 60)]
            case 3:
                del out[at:]
            case 4:
                out[at:at] = rnd.randbytes(rnd.randint(1, 40))
            case _:
                source = rnd.randrange(len(out) + 1)
                out[at:at] = out[source : source + rnd.randint(1, 300)]
    return bytes(out)


@pytest.mark.parametrize("seed", range(8))
def test_mutated_fixtures_never_make_the_parser_give_up(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(150):
        raw = _mutate(rnd, rnd.choice(_SEEDS))

        mail = parse_email(raw)

        assert "unparseable" not in mail.defects, raw
        assert mail.size == len(raw)
        assert_header_safe(mail)


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    mail = parse_email(raw)

    assert mail.size == len(raw)
    assert_header_safe(mail)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(_TOKENS) | st.binary(max_size=12), max_size=60))
def test_random_mime_shaped_input_never_raises(pieces: list[bytes]) -> None:
    raw = b"From: a@example.com\r\nSubject: " + b"".join(pieces) + b"\r\n\r\n" + b"".join(pieces)

    mail = parse_email(raw)

    assert mail.size == len(raw)
    assert_header_safe(mail)


def test_non_bytes_like_input_still_returns_a_result() -> None:
    raw = bytearray(b"From: a@example.com\r\n\r\nhi")

    mail = parse_email(raw)  # type: ignore[arg-type]

    assert mail.text == "hi"
    assert mail.size == len(raw)


def test_encoded_word_message_ids_are_still_found() -> None:
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\n"
        b"In-Reply-To: =?utf-8?q?=3Clong-id=40eu-west-1=2Eamazonses=2Ecom=3E?=\r\n\r\nbody\r\n"
    )
    assert parse_email(raw).in_reply_to == ("long-id@eu-west-1.amazonses.com",)


def test_dkim_signing_domains_are_read_from_every_signature() -> None:
    raw = (
        b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
        b" d=Customer.Example; s=mail; h=from:to; bh=abc; b=def\r\n"
        b"DKIM-Signature: v=1; a=rsa-sha256; d = bulk.example ; s=s1; bh=x; b=y\r\n"
        b"DKIM-Signature: v=1; s=nodomain; bh=x; b=y\r\n"
        b"From: anna@customer.example\r\nSubject: x\r\n\r\nbody\r\n"
    )
    assert parse_email(raw).dkim_domains == ("customer.example", "bulk.example", "")
