"""The outbox shows mail as the recipient gets it: SES's own Message-ID in place of ours."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from types import SimpleNamespace

from local.outbox import delivered_raw, entry

RAW = (
    b"From: Example Support <support@example.com>\r\n"
    b"To: Anna <anna@customer.example>\r\n"
    b"Subject: =?utf-8?q?Re:_Lasku_v=C3=A4=C3=A4r=C3=A4_[#1001]?=\r\n"
    b"Message-ID: <ticket-1001.ack@helpdesk.example.com>\r\n"
    b"In-Reply-To: <abc@customer.example>\r\n"
    b"References: <abc@customer.example>\r\n"
    b"\r\n"
    b"Message-ID: <this-is-body-text@not.a.header>\r\n"
)


def test_the_message_id_becomes_the_ses_one_of_the_region() -> None:
    out = delivered_raw(RAW, "0102019abc-000000", "eu-west-1")
    headers = message_from_bytes(out, policy=policy.default)
    assert headers.get_all("message-id") == ["<0102019abc-000000@eu-west-1.amazonses.com>"]
    assert headers["in-reply-to"] == "<abc@customer.example>"
    assert out.endswith(b"\r\n\r\nMessage-ID: <this-is-body-text@not.a.header>\r\n")


def test_us_east_1_uses_the_email_amazonses_com_host() -> None:
    out = delivered_raw(RAW, "0102019abc-000000", "us-east-1")
    assert b"Message-ID: <0102019abc-000000@email.amazonses.com>\r\n" in out


def test_a_mail_without_message_id_gets_one() -> None:
    raw = b"From: a@example.com\nSubject: hi\n\nbody\n"
    out = delivered_raw(raw, "id-1", "eu-west-1")
    assert out == (
        b"From: a@example.com\nSubject: hi\nMessage-ID: <id-1@eu-west-1.amazonses.com>\n\nbody\n"
    )


def test_a_folded_message_id_is_replaced_whole() -> None:
    raw = b"Subject: hi\r\nmessage-id:\r\n <very-long-id@example.com>\r\nTo: b@example.org\r\n\r\nx"
    out = delivered_raw(raw, "id-2", "eu-north-1")
    assert out == (
        b"Subject: hi\r\nMessage-ID: <id-2@eu-north-1.amazonses.com>\r\nTo: b@example.org\r\n\r\nx"
    )


def test_an_entry_is_decoded_for_people_and_keeps_the_raw_for_machines() -> None:
    mail = EmailMessage()
    mail["From"] = "Example Support <support@example.com>"
    mail["To"] = "Anna Virtanen <anna@customer.example>"
    mail["Subject"] = "Re: Lasku väärä [#1001]"
    mail["Message-ID"] = "<ours@helpdesk.example.com>"
    mail["In-Reply-To"] = "<abc@customer.example>"
    mail.set_content("Hei Anna,\n")
    mail.add_alternative("<p>Hei <b>Anna</b></p>", subtype="html")
    sent = SimpleNamespace(
        id="ses-1",
        source="support@example.com",
        destinations=["anna@customer.example", "Anna Virtanen <anna@customer.example>"],
        raw_data=mail.as_string(),
    )
    item = entry(sent, "eu-west-1")
    assert item is not None
    assert item["subject"] == "Re: Lasku väärä [#1001]"
    assert item["to"] == ["Anna Virtanen <anna@customer.example>"]
    assert item["envelope_to"] == ["anna@customer.example"]
    assert item["message_id"] == "<ses-1@eu-west-1.amazonses.com>"
    assert item["in_reply_to"] == "<abc@customer.example>"
    assert item["text"] == "Hei Anna,\n"
    assert item["html"] == "<p>Hei <b>Anna</b></p>\n"
    assert "Message-ID: <ses-1@eu-west-1.amazonses.com>" in item["raw"]
    assert "ours@helpdesk.example.com" not in item["raw"]
    assert {"name": "Subject", "value": "Re: Lasku väärä [#1001]"} in item["headers"]


def test_a_simple_send_is_shown_too_and_templated_ones_are_skipped() -> None:
    simple = SimpleNamespace(
        id="ses-2",
        source="support@example.com",
        subject="Hello",
        body="Plain body",
        destinations={"ToAddresses": ["b@example.org"]},
    )
    templated = SimpleNamespace(id="ses-3", source="a@example.com", template="t")
    item = entry(simple, "eu-west-1")
    assert item is not None
    assert item["subject"] == "Hello"
    assert item["text"] == "Plain body\n"
    assert entry(templated, "eu-west-1") is None
