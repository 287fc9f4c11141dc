"""Hostile nesting: multiparts deeper than the limit are kept whole as one file, not parsed."""

from __future__ import annotations

from chalicelib.adapters.mime.nesting import MAX_DEPTH
from chalicelib.adapters.mime.parser import parse_email
from tests.unit.adapters.mime.mails import nested, part


def test_a_thousand_deep_multipart_is_cut_and_its_parts_kept_as_one_file() -> None:
    mail = parse_email(nested(1_000))
    (cut,) = mail.attachments

    assert "multipart-too-deep" in mail.defects
    assert "parser-fallback" not in mail.defects
    assert "--b" not in mail.text  # not the raw boundaries as the text
    assert cut.filename == f"parts-nested-deeper-than-{MAX_DEPTH}.eml"
    assert cut.content_type == "message/rfc822"
    assert cut.data.startswith(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % MAX_DEPTH)
    assert b"Deep text." in cut.data
    assert cut.data.count(b"Content-Type: multipart/mixed") == 1_000 - MAX_DEPTH + 1


def test_the_text_before_a_too_deep_chain_is_still_the_body() -> None:
    mail = parse_email(nested(1_000, first=part("text/plain", b"Hello, see below.")))

    assert mail.text == "Hello, see below."
    assert [a.filename for a in mail.attachments] == [f"parts-nested-deeper-than-{MAX_DEPTH}.eml"]


def test_nesting_up_to_the_limit_is_parsed_as_before() -> None:
    mail = parse_email(nested(MAX_DEPTH - 1))

    assert mail.text == "Deep text."
    assert mail.attachments == ()
    assert "multipart-too-deep" not in mail.defects


def test_a_deep_chain_behind_a_wrong_boundary_is_cut_when_recovered() -> None:
    raw = nested(1_000).replace(b'boundary="b0"', b'boundary="declared"', 1)

    mail = parse_email(raw)

    assert "multipart-boundary-recovered" in mail.defects
    assert "multipart-too-deep" in mail.defects
    assert "--b" not in mail.text
    assert any(b"Deep text." in a.data for a in mail.attachments)


def test_deeply_nested_forwarded_messages_are_cut_too() -> None:
    raw = b"From: a@example.com\r\nSubject: fwd\r\n"
    for _ in range(300):
        raw += b"Content-Type: message/rfc822\r\n\r\nFrom: b@example.com\r\n"
    raw += b"Content-Type: text/plain\r\n\r\ninnermost\r\n"

    mail = parse_email(raw)

    assert "unparseable" not in mail.defects
    assert "multipart-too-deep" in mail.defects
    assert b"innermost" in mail.attachments[0].data


def test_a_sender_writing_the_cut_header_gets_an_ordinary_attachment() -> None:
    raw = nested(
        1,
        first=part(
            "application/pdf",
            b"%PDF",
            'Content-Disposition: attachment; filename="a.pdf"',
            "X-Helpdesk-Cut-Content-Type: multipart/mixed",
        ),
    )

    mail = parse_email(raw)

    assert [(a.filename, a.data) for a in mail.attachments] == [("a.pdf", b"%PDF")]
