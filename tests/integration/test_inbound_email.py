"""inbound_email end to end under moto: SES event in, ticket and acknowledgement out."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.helpers import make_mail
from tests.integration.conftest import Helpdesk


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_customer_mail_becomes_ticket_1001_with_its_message_and_log(
    helpdesk: Helpdesk, no_scans: list[str]
) -> None:
    result = helpdesk.deliver(make_mail(cc="Boss <boss@customer.example>"))

    assert result["outcome"] == "ticket" and result["ticket"] == 1001 and result["acknowledged"]
    ticket = helpdesk.ticket(1001)
    assert ticket.status == "new" and ticket.priority == "normal" and ticket.queue == "Support"
    assert ticket.requester.email == "anna.virtanen@customer.example"
    assert ticket.requester.name == "Anna Virtanen"
    assert ticket.cc == ("boss@customer.example",)
    assert ticket.subject == "Invoice shows the wrong amount"
    assert ticket.created_at == helpdesk.clock.now()
    assert ticket.first_response_due is not None and ticket.first_responded_at is None
    inbound = [m for m in helpdesk.messages(1001) if m["kind"] == "inbound"]
    assert "120 EUR" in inbound[0]["text"]
    assert inbound[0]["raw_key"].startswith("inbound/")
    assert [e["kind"] for e in helpdesk.events(1001)] == ["created"]
    assert "Scan" not in no_scans


def test_the_raw_mail_stays_in_s3(helpdesk: Helpdesk) -> None:
    raw = make_mail()
    helpdesk.deliver(raw, mail_id="rawstays0000000000000000000000000000000")
    stored = helpdesk.aws["s3"].get_object(
        Bucket="helpdesk-mail-test", Key="inbound/rawstays0000000000000000000000000000000"
    )
    assert stored["Body"].read() == raw


def test_ticket_numbers_count_up(helpdesk: Helpdesk) -> None:
    numbers = [helpdesk.deliver(make_mail(subject=f"Question {i}"))["ticket"] for i in range(3)]
    assert numbers == [1001, 1002, 1003]


# -- acknowledgement ------------------------------------------------------------------------


def test_acknowledgement_greets_names_the_ticket_and_promises_a_time(helpdesk: Helpdesk) -> None:
    helpdesk.deliver(make_mail(message_id="<q1@customer.example>"))

    [ack] = helpdesk.sent()
    assert ack["Subject"] == "Re: Invoice shows the wrong amount [#1001]"
    assert ack["From"].addresses[0].addr_spec == "support@example.com"
    assert ack["To"].addresses[0].addr_spec == "anna.virtanen@customer.example"
    assert ack["In-Reply-To"] == "<q1@customer.example>"
    assert "<q1@customer.example>" in ack["References"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Auto-Response-Suppress"] == "All"
    assert ack["X-Loop"] == "support@example.com"  # if it ever comes back, it is known as ours
    text = ack.get_body(("plain",)).get_content()
    assert "Hello Anna Virtanen" in text
    assert "[#1001]" in text and "Invoice shows the wrong amount" in text
    # Monday 08:00 UTC is 10:00 in Helsinki: four business hours later is 14:00 the same day.
    assert "today at 14:00" in text
    html = ack.get_body(("html",)).get_content()
    assert "Anna Virtanen" in html and "<strong>[#1001]</strong>" in html


def test_friday_afternoon_mail_is_promised_for_monday(helpdesk: Helpdesk) -> None:
    helpdesk.clock.set(datetime(2026, 11, 20, 14, 30, tzinfo=UTC))  # Friday 16:30 in Helsinki
    helpdesk.deliver(make_mail())
    text = helpdesk.sent()[0].get_body(("plain",)).get_content()
    assert "Monday 23 November at 12:30" in text
    assert helpdesk.ticket(1001).first_response_due == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def test_finnish_independence_day_is_skipped(helpdesk: Helpdesk) -> None:
    helpdesk.clock.set(
        datetime(2027, 12, 3, 14, 30, tzinfo=UTC)
    )  # Friday; Monday 6.12. is a holiday
    helpdesk.deliver(make_mail())
    assert helpdesk.ticket(1001).first_response_due == datetime(2027, 12, 7, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "language", "phrase"),
    [
        ("seed_fi.eml", "fi", "kiitos viestistäsi"),
        ("seed_sv.eml", "sv", "tack för ditt meddelande"),
        ("seed_pl.eml", "pl", "dziękujemy za wiadomość"),
        ("seed_fa.eml", "fa", "از پیام شما سپاسگزاریم"),
        ("seed_da.eml", "da", "tak for din henvendelse"),
        ("plain_en.eml", "en", "Thank you for your message"),
    ],
)
def test_acknowledgement_speaks_the_customers_language(
    helpdesk: Helpdesk, name: str, language: str, phrase: str
) -> None:
    helpdesk.deliver(fixture(name), recipients=("support@example.com",))
    assert helpdesk.ticket(1001).language == language
    [ack] = helpdesk.sent()
    assert phrase in ack.get_body(("plain",)).get_content()
    assert ack["Content-Language"] == language
    html = ack.get_body(("html",)).get_content()
    assert f'dir="{"rtl" if language == "fa" else "ltr"}"' in html


def test_names_and_subjects_cannot_inject_headers_into_the_acknowledgement(
    helpdesk: Helpdesk,
) -> None:
    helpdesk.deliver(fixture("header_injection.eml"), source="eve@example.com")
    [ack] = helpdesk.sent()
    assert ack.get_all("Bcc") is None
    assert "victim@example.net" not in "".join(ack["To"].addresses[0].addr_spec)
    raw_headers = ack.as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in raw_headers
    assert helpdesk.ticket(1001).subject.startswith("Hello Bcc: victim@example.net")


# -- queues ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "queue", "reply_from"),
    [
        ("billing@example.com", "Billing", "billing@example.com"),
        ("anna@example.com", "Billing", "anna@example.com"),
        ("unknown@example.com", "Support", "support@example.com"),
    ],
)
def test_the_address_written_to_picks_the_queue(
    helpdesk: Helpdesk, address: str, queue: str, reply_from: str
) -> None:
    helpdesk.deliver(make_mail(to=address), recipients=(address,))
    assert helpdesk.ticket(1001).queue == queue
    assert helpdesk.sent()[0]["From"].addresses[0].addr_spec == reply_from


# -- threading ------------------------------------------------------------------------------


def first_ticket_and_ack(helpdesk: Helpdesk) -> Any:
    helpdesk.deliver(make_mail(message_id="<first@customer.example>"))
    return helpdesk.sent()[0]


def reply_mail(**kwargs: Any) -> bytes:
    defaults = {
        "subject": "Re: Invoice shows the wrong amount",
        "body": "Here is the order number: 555.\n",
    }
    return make_mail(**(defaults | kwargs))


def test_reply_through_the_ses_message_id_joins_the_ticket_without_a_new_ack(
    helpdesk: Helpdesk,
) -> None:
    first_ticket_and_ack(helpdesk)
    ses_id = helpdesk.items(1001)
    ack_item = next(i for i in ses_id if i["type"] == "message" and i["kind"] == "auto")
    in_reply_to = f"<{ack_item['provider_id']}@eu-west-1.amazonses.com>"
    helpdesk.clock.advance(minutes=5)

    result = helpdesk.deliver(
        reply_mail(headers={"In-Reply-To": in_reply_to, "References": in_reply_to})
    )

    assert result == {
        "mail": result["mail"],
        "outcome": "reply",
        "ticket": 1001,
        "acknowledged": False,
        "reason": "",
    }
    assert len(helpdesk.sent()) == 1
    inbound = [m for m in helpdesk.messages(1001) if m["kind"] == "inbound"]
    assert len(inbound) == 2 and "555" in inbound[-1]["text"]


def test_reply_by_subject_tag_joins_the_ticket(helpdesk: Helpdesk) -> None:
    first_ticket_and_ack(helpdesk)
    result = helpdesk.deliver(reply_mail(subject="Re: Invoice shows the wrong amount [#1001]"))
    assert result["outcome"] == "reply" and result["ticket"] == 1001


def test_a_stranger_copying_the_tag_opens_a_new_ticket_that_notes_it(helpdesk: Helpdesk) -> None:
    first_ticket_and_ack(helpdesk)
    result = helpdesk.deliver(
        reply_mail(
            sender="Mallory <mallory@evil.example>", subject="Re: [#1001] give me the invoice"
        ),
        source="mallory@evil.example",
    )
    assert result["outcome"] == "ticket" and result["ticket"] == 1002
    created = helpdesk.events(1002)[0]
    assert "refers to #1001" in created["data"]["notes"][0]
    assert len([m for m in helpdesk.messages(1001) if m["kind"] == "inbound"]) == 1


def test_a_cc_participant_can_reply(helpdesk: Helpdesk) -> None:
    helpdesk.deliver(make_mail(cc="boss@customer.example"))
    result = helpdesk.deliver(
        reply_mail(sender="boss@customer.example", subject="Re: Invoice [#1001]"),
        source="boss@customer.example",
    )
    assert result["outcome"] == "reply"


@pytest.mark.parametrize("status", ["pending", "solved"])
def test_a_customer_reply_reopens_pending_and_solved_tickets(
    helpdesk: Helpdesk, status: str
) -> None:
    first_ticket_and_ack(helpdesk)
    set_status(helpdesk, 1001, status)
    helpdesk.deliver(reply_mail(subject="Re: x [#1001]"))
    assert helpdesk.ticket(1001).status == "open"
    assert "status_changed" in [e["kind"] for e in helpdesk.events(1001)]
    assert len(helpdesk.sent()) == 1


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(helpdesk: Helpdesk) -> None:
    first_ticket_and_ack(helpdesk)
    set_status(helpdesk, 1001, "closed")
    result = helpdesk.deliver(reply_mail(subject="Re: x [#1001]"))
    assert result["ticket"] == 1002
    assert helpdesk.events(1002)[0]["data"]["follow_up_of"] == 1001


def set_status(helpdesk: Helpdesk, number: int, status: str) -> None:
    helpdesk.aws["dynamodb"].update_item(
        TableName="helpdesk-test",
        Key={"PK": {"S": f"TICKET#{number}"}, "SK": {"S": "META"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}},
    )


# -- duplicates and retries -----------------------------------------------------------------


def test_the_same_ses_delivery_twice_gives_one_ticket_and_one_ack(
    helpdesk: Helpdesk, no_scans: list[str]
) -> None:
    raw = make_mail()
    first = helpdesk.deliver(raw, mail_id="samedelivery00000000000000000000000000000")
    again = helpdesk.deliver(raw, mail_id="samedelivery00000000000000000000000000000")
    assert first["ticket"] == again["ticket"] == 1001
    assert again["reason"] == "already processed" and not again["acknowledged"]
    assert len(helpdesk.sent()) == 1
    assert helpdesk.ticket(1002) is None


def test_one_mail_to_two_of_our_addresses_gives_one_ticket(helpdesk: Helpdesk) -> None:
    raw = make_mail(to="support@example.com, billing@example.com")
    helpdesk.deliver(raw, recipients=("support@example.com", "billing@example.com"))
    assert helpdesk.ticket(1001).queue == "Support"
    assert helpdesk.events(1001)[0]["data"]["also_addressed_to"] == ["billing@example.com"]
    assert helpdesk.ticket(1002) is None and len(helpdesk.sent()) == 1


def test_the_same_message_id_in_two_deliveries_gives_one_ticket(helpdesk: Helpdesk) -> None:
    raw = make_mail(
        to="support@example.com, billing@example.com", message_id="<twice@customer.example>"
    )
    helpdesk.deliver(raw, recipients=("support@example.com",))
    second = helpdesk.deliver(raw, recipients=("billing@example.com",))
    assert second["outcome"] == "duplicate" and second["ticket"] == 1001
    assert len(helpdesk.sent()) == 1


def test_ses_failing_half_way_is_finished_by_the_retry(
    helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.domain.errors import StorageError

    mailer = helpdesk.container.mailer
    real_send = mailer.send

    def failing(mail: Any) -> str:
        raise StorageError("SES throttled")

    monkeypatch.setattr(mailer, "send", failing)
    raw = make_mail()
    with pytest.raises(StorageError):
        helpdesk.deliver(raw, mail_id="sesfails00000000000000000000000000000000")
    assert helpdesk.ticket(1001) is not None and helpdesk.sent() == []

    monkeypatch.setattr(mailer, "send", real_send)
    helpdesk.clock.advance(minutes=1)
    retry = helpdesk.deliver(raw, mail_id="sesfails00000000000000000000000000000000")
    assert retry["ticket"] == 1001 and retry["acknowledged"]
    assert len(helpdesk.sent()) == 1 and helpdesk.ticket(1002) is None


def test_dynamodb_failing_after_the_send_does_not_send_twice(
    helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.domain.errors import StorageError

    store = helpdesk.container.store
    real = store.record_sent

    def failing(**kwargs: Any) -> None:
        raise StorageError("DynamoDB throttled")

    monkeypatch.setattr(store, "record_sent", failing)
    raw = make_mail()
    with pytest.raises(StorageError):
        helpdesk.deliver(raw, mail_id="dynamofails0000000000000000000000000000")
    monkeypatch.setattr(store, "record_sent", real)
    helpdesk.clock.advance(minutes=3)
    helpdesk.deliver(raw, mail_id="dynamofails0000000000000000000000000000")
    assert len(helpdesk.sent()) == 1
    kinds = [m["kind"] for m in helpdesk.messages(1001)]
    assert kinds.count("auto") == 1, "the retry recorded the acknowledgement on the thread"


# -- loop safety ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source", "reason"),
    [
        ("auto_submitted.eml", "anna.kowalski@example.com", "Auto-Submitted"),
        ("x_autoreply.eml", "pekka.nieminen@example.fi", "x-autoreply"),
        ("bounce_dsn.eml", "", "delivery report"),
    ],
)
def test_unthreaded_automatic_mail_is_quarantined_without_an_ack(
    helpdesk: Helpdesk, name: str, source: str, reason: str
) -> None:
    result = helpdesk.deliver(fixture(name), source=source)
    assert result["outcome"] == "quarantine" and reason in result["reason"]
    assert helpdesk.sent() == []
    [held] = helpdesk.quarantine()
    assert reason in held.reason and held.raw_key == f"inbound/{result['mail']}"


@pytest.mark.parametrize(
    ("name", "source", "reason"),
    [
        ("precedence_bulk.eml", "news@shop.example.com", "bulk"),
        ("list_mail.eml", "announce@lists.example.org", "bulk"),
        ("noreply.eml", "no-reply@shop.example.com", "no_reply"),
        ("x_auto_response_suppress.eml", "servicedesk@corp.example.com", "suppress_requested"),
    ],
)
def test_bulk_and_no_reply_mail_becomes_a_ticket_without_an_ack(
    helpdesk: Helpdesk, name: str, source: str, reason: str
) -> None:
    result = helpdesk.deliver(fixture(name), source=source)
    assert (
        result["outcome"] == "ticket" and not result["acknowledged"] and result["reason"] == reason
    )
    assert helpdesk.sent() == []
    assert "acknowledgement_suppressed" in [e["kind"] for e in helpdesk.events(result["ticket"])]


def test_an_out_of_office_reply_to_our_ack_stays_on_the_ticket_without_reopening(
    helpdesk: Helpdesk,
) -> None:
    first_ticket_and_ack(helpdesk)
    set_status(helpdesk, 1001, "pending")
    result = helpdesk.deliver(
        reply_mail(
            subject="Automatic reply: Invoice [#1001]", headers={"Auto-Submitted": "auto-replied"}
        )
    )
    assert result["outcome"] == "reply"
    assert helpdesk.ticket(1001).status == "pending"
    assert len(helpdesk.sent()) == 1


def test_mail_from_our_own_address_is_quarantined(helpdesk: Helpdesk) -> None:
    result = helpdesk.deliver(make_mail(sender="support@example.com"), source="support@example.com")
    assert result["outcome"] == "quarantine" and "own address" in result["reason"]


def test_a_sender_gets_at_most_three_acks_an_hour(helpdesk: Helpdesk, metrics: Any) -> None:
    results = [helpdesk.deliver(make_mail(subject=f"Question {i}")) for i in range(5)]
    assert [r["acknowledged"] for r in results] == [True, True, True, False, False]
    assert results[3]["reason"] == "rate_limited"
    assert len(helpdesk.sent()) == 3
    helpdesk.clock.advance(hours=1)
    assert helpdesk.deliver(make_mail(subject="Next hour"))["acknowledged"]
    assert ("AcknowledgementsSuppressed", "rate_limited") in metrics.counts


# -- spam and viruses -----------------------------------------------------------------------


@pytest.mark.parametrize(("verdict", "reason"), [("spam", "spam"), ("virus", "virus")])
def test_spam_and_viruses_are_quarantined_with_their_reason(
    helpdesk: Helpdesk, verdict: str, reason: str
) -> None:
    result = helpdesk.deliver(make_mail(), verdicts={verdict: "FAIL"})
    assert result["outcome"] == "quarantine" and reason in result["reason"]
    [held] = helpdesk.quarantine()
    assert held.detail["verdicts"][verdict] == "FAIL"
    assert helpdesk.sent() == []


def test_spf_dkim_and_dmarc_verdicts_are_recorded(helpdesk: Helpdesk) -> None:
    helpdesk.deliver(make_mail(), verdicts={"spf": "FAIL", "dkim": "GRAY", "dmarc": "PASS"})
    verdicts = helpdesk.events(1001)[0]["data"]["verdicts"]
    assert verdicts | {} == {
        "spam": "PASS",
        "virus": "PASS",
        "spf": "FAIL",
        "dkim": "GRAY",
        "dmarc": "PASS",
    }


# -- parsing, attachments, bad input --------------------------------------------------------


def test_attachments_and_inline_images_are_stored_beside_the_raw_mail(helpdesk: Helpdesk) -> None:
    result = helpdesk.deliver(fixture("with_pdf.eml"))
    [inbound] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    [pdf] = [a for a in inbound["attachments"] if a["content_type"] == "application/pdf"]
    assert pdf["key"].startswith(f"attachments/{result['mail']}/")
    stored = (
        helpdesk.aws["s3"].get_object(Bucket="helpdesk-mail-test", Key=pdf["key"])["Body"].read()
    )
    assert stored.startswith(b"%PDF") and len(stored) == pdf["size"]

    inline = helpdesk.deliver(fixture("inline_image.eml"))
    [msg] = [m for m in helpdesk.messages(inline["ticket"]) if m["kind"] == "inbound"]
    assert any(a["inline"] and a.get("content_id") for a in msg["attachments"])


def test_attachment_limits_keep_the_rest_in_the_raw_mail(helpdesk: Helpdesk) -> None:
    from dataclasses import replace

    settings = helpdesk.container.settings
    limits = replace(settings.limits, max_attachments=5)
    helpdesk.container.ingest._limits = limits
    result = helpdesk.deliver(fixture("attachments_many.eml"), source="scanner@example.org")
    [msg] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    stored = [a for a in msg["attachments"] if "key" in a]
    skipped = [a for a in msg["attachments"] if "skipped" in a]
    assert len(stored) == 5 and len(skipped) == len(msg["attachments"]) - 5 > 100
    assert "more than 5 attachments" in skipped[0]["skipped"]


def test_reply_text_is_separated_from_the_quoted_history(helpdesk: Helpdesk) -> None:
    result = helpdesk.deliver(
        fixture("reply_with_quote_fi.eml"), source="mikko.hakkinen@example.fi"
    )
    [msg] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    assert msg["quoted"] and msg["text"]
    assert msg["quoted"] not in msg["text"]


def test_html_only_mail_gets_readable_text_and_keeps_its_html(helpdesk: Helpdesk) -> None:
    result = helpdesk.deliver(fixture("script_html.eml"), source="mallory@example.net")
    [msg] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    assert msg["text"] and "<" not in msg["text"] and "alert(" not in msg["text"]
    assert "<script" in msg["html"], "kept as received; it is sanitised when shown"


BAD_INPUT = [
    "no_from.eml",
    "unknown_charset.eml",
    "lying_charset.eml",
    "broken_base64.eml",
    "header_injection.eml",
    "huge_header.eml",
    "script_html.eml",
    "malformed_mime.eml",
    "no_content_type.eml",
    "attachments_many.eml",
]


@pytest.mark.parametrize("name", BAD_INPUT)
def test_bad_input_becomes_a_ticket_or_a_quarantine_entry(helpdesk: Helpdesk, name: str) -> None:
    raw = fixture(name)
    result = helpdesk.deliver(raw, source="someone@example.org")
    assert result["outcome"] in ("ticket", "quarantine")
    if result["outcome"] == "quarantine":
        assert result["reason"]
    stored = helpdesk.aws["s3"].get_object(
        Bucket="helpdesk-mail-test", Key=f"inbound/{result['mail']}"
    )
    assert stored["Body"].read() == raw


def test_mail_without_from_or_envelope_is_quarantined_with_a_reason(helpdesk: Helpdesk) -> None:
    result = helpdesk.deliver(fixture("no_from.eml"), source="")
    assert result["outcome"] == "quarantine"
    assert "no sender" in result["reason"] or "Return-Path" in result["reason"]


def test_a_20_mb_mail_becomes_a_ticket(helpdesk: Helpdesk) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Big Sender <big@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Scans"
    msg["Message-ID"] = make_msgid()
    msg.set_content("Twenty megabytes of scans attached.\n")
    msg.add_attachment(
        b"\x89PNG" + bytes(range(256)) * 58_000,
        maintype="image",
        subtype="png",
        filename="scan.png",
    )
    raw = msg.as_bytes()
    assert len(raw) > 20_000_000
    result = helpdesk.deliver(raw, source="big@customer.example")
    assert result["outcome"] == "ticket"


def test_an_event_that_is_not_from_ses_is_refused_clearly(helpdesk: Helpdesk) -> None:
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Records"):
        helpdesk.client.lambda_.invoke("inbound_email", {"hello": "world"})


def test_missing_raw_mail_raises_so_ses_retries(helpdesk: Helpdesk) -> None:
    from chalicelib.domain.errors import NotFound
    from local.ses_events import ses_event

    event = ses_event(
        make_mail(),
        mail_id="missing0000000000000000000000000000000",
        recipients=["support@example.com"],
        source="a@b.example",
        at=helpdesk.clock.now(),
        function_arn="arn",
    )
    with pytest.raises(NotFound):
        helpdesk.client.lambda_.invoke("inbound_email", event)


# -- observability --------------------------------------------------------------------------


def test_metrics_count_what_happened(helpdesk: Helpdesk, metrics: Any) -> None:
    first_ticket_and_ack(helpdesk)
    helpdesk.deliver(reply_mail(subject="Re: x [#1001]"))
    helpdesk.deliver(make_mail(), verdicts={"spam": "FAIL"})
    helpdesk.deliver(fixture("noreply.eml"), source="no-reply@shop.example.com")
    assert metrics.total("TicketsCreated") == 2
    assert metrics.total("AcknowledgementsSent") == 1
    assert metrics.total("RepliesThreaded") == 1
    assert metrics.total("Quarantined") == 1
    assert ("AcknowledgementsSuppressed", "no_reply") in metrics.counts


def test_logs_are_structured_json_with_the_ticket_number(helpdesk: Helpdesk) -> None:
    import io
    import json
    import logging

    from app import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger("helpdesk").addHandler(handler)
    try:
        helpdesk.deliver(make_mail())
    finally:
        logging.getLogger("helpdesk").removeHandler(handler)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    created = [line for line in lines if line.get("message") == "ticket created"]
    assert created and created[0]["ticket"] == 1001 and created[0]["service"] == "helpdesk"


def test_corpus_mail_never_crashes_the_handler(helpdesk: Helpdesk) -> None:
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    if not corpus.exists():
        pytest.skip("../shared/corpus is not on this machine")
    outcomes = {}
    paths = sorted(corpus.glob("*/*.eml"))
    for path in paths:
        result = helpdesk.deliver(path.read_bytes(), source="corpus@example.org")
        outcomes[str(path.relative_to(corpus))] = result["outcome"]
        assert result["outcome"] in ("ticket", "reply", "quarantine", "duplicate")
    assert len(outcomes) == len(paths) > 0
