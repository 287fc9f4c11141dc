"""What inbound mail leaves in DynamoDB under moto: items that fit in 400 KB, duplicates told
apart from different mail that reuses a Message-ID, and mail without one delivered twice."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from chalicelib.adapters.dynamo.sizes import ITEM_BUDGET, item_size
from tests.helpers import make_mail
from tests.integration.conftest import Helpdesk

CC_HEADERS = 17
CC_PER_HEADER = 942  # 17 × 942 = 16,014 addresses


def many_attachments(count: int = 4000) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Scanner <scanner@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Every page of the archive"
    msg["Message-ID"] = make_msgid(domain="customer.example")
    msg.set_content("The scans you asked for, one file a page.\n")
    for i in range(count):
        name = f"archive-of-the-quarterly-board-meeting-minutes-and-appendices-page-{i:05d}.pdf"
        msg.add_attachment(b"%PDF-1.4 page", maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes()


def many_cc() -> bytes:
    """17 Cc headers of 942 addresses each, folded as mail programs fold them."""
    headers = [
        "From: Anna Virtanen <anna.virtanen@customer.example>",
        "To: support@example.com",
        "Subject: Please tell everyone",
        f"Message-ID: {make_msgid(domain='customer.example')}",
    ]
    for h in range(CC_HEADERS):
        addresses = [f"staff-{h:02d}-{i:04d}@branch-office.com" for i in range(CC_PER_HEADER)]
        folded = ",\r\n ".join(", ".join(addresses[j : j + 20]) for j in range(0, 942, 20))
        headers.append(f"Cc: {folded}")
    body = "Hello,\r\n\r\nplease answer all of us.\r\n"
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def stored_items(helpdesk: Helpdesk, number: int) -> list[dict[str, Any]]:
    return helpdesk.items(number)


def test_a_mail_with_4000_long_named_attachments_becomes_a_ticket_that_fits(
    helpdesk: Helpdesk,
) -> None:
    result = helpdesk.deliver(many_attachments(), source="scanner@customer.example")

    assert result["outcome"] == "ticket", result
    items = stored_items(helpdesk, result["ticket"])
    assert all(item_size(i) <= ITEM_BUDGET for i in items)
    [inbound] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    assert inbound["meta"]["counts"]["attachments"] == 4000
    assert len(inbound["attachments"]) < 4000
    assert "left-in-raw-mail" in inbound["flags"]
    [left] = [e for e in helpdesk.events(result["ticket"]) if e["kind"] == "left_in_raw_mail"]
    assert left["data"]["raw_key"] == f"inbound/{result['mail']}"
    assert any("attachments" in note for note in left["data"]["left"])


def test_a_mail_with_16000_cc_addresses_becomes_a_ticket_with_bounded_lists(
    helpdesk: Helpdesk,
) -> None:
    result = helpdesk.deliver(many_cc())

    assert result["outcome"] == "ticket", result
    ticket = helpdesk.ticket(result["ticket"])
    assert len(ticket.cc) == helpdesk.container.settings.limits.max_cc_from_mail
    items = stored_items(helpdesk, result["ticket"])
    assert all(item_size(i) <= ITEM_BUDGET for i in items)
    [inbound] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    assert inbound["meta"]["counts"]["cc"] == CC_HEADERS * CC_PER_HEADER
    assert len(inbound["cc"]) < 100
    kinds = [e["kind"] for e in helpdesk.events(result["ticket"])]
    assert "left_in_raw_mail" in kinds and "cc_not_added" in kinds


def test_the_same_mail_with_16000_cc_twice_is_still_one_ticket(helpdesk: Helpdesk) -> None:
    raw = many_cc()
    first = helpdesk.deliver(raw)
    again = helpdesk.deliver(raw)
    assert again["outcome"] == "duplicate" and again["ticket"] == first["ticket"]


def test_a_plain_mail_is_stored_whole(helpdesk: Helpdesk) -> None:
    result = helpdesk.deliver(make_mail(cc="Boss <boss@customer.example>"))
    [inbound] = [m for m in helpdesk.messages(result["ticket"]) if m["kind"] == "inbound"]
    assert "left-in-raw-mail" not in inbound.get("flags", [])
    assert "left_in_raw_mail" not in [e["kind"] for e in helpdesk.events(result["ticket"])]


# -- duplicates -----------------------------------------------------------------------------

REUSED = "<template-123@shop.example>"


def without_message_id(raw: bytes) -> bytes:
    head, _, body = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"message-id:")]
    return b"\n".join(lines) + b"\n\n" + body


def test_a_different_mail_reusing_a_message_id_is_stored_flagged_and_threading_holds(
    helpdesk: Helpdesk,
) -> None:
    helpdesk.deliver(make_mail(message_id=REUSED, body="Order 1 is late.\n"))
    second = helpdesk.deliver(make_mail(message_id=REUSED, body="Order 2 is broken.\n"))

    assert (second["outcome"], second["ticket"]) == ("ticket", 1002)
    [inbound] = [m for m in helpdesk.messages(1002) if m["kind"] == "inbound"]
    assert "reused-message-id" in inbound["flags"]
    [note] = [e for e in helpdesk.events(1002) if e["kind"] == "message_id_reused"]
    assert note["data"]["earlier_ticket"] == 1001
    reply = make_mail(subject="Re: Order", headers={"In-Reply-To": REUSED}, body="And?\n")
    assert helpdesk.deliver(reply)["ticket"] == 1001, "the id still threads to its first mail"


def test_the_same_mail_without_a_message_id_under_two_ses_ids_is_one_ticket(
    helpdesk: Helpdesk,
) -> None:
    raw = without_message_id(make_mail())
    helpdesk.deliver(raw)
    again = helpdesk.deliver(raw)
    assert (again["outcome"], again["ticket"]) == ("duplicate", 1001)
    assert helpdesk.ticket(1002) is None and len(helpdesk.sent()) == 1


def test_two_concurrent_deliveries_without_a_message_id_make_exactly_one_ticket(
    helpdesk: Helpdesk,
) -> None:
    """The second delivery runs whole while the first waits at its transaction, after every
    read and decision: only the transaction's condition can keep the first from a 2nd ticket."""
    raw = without_message_id(make_mail())
    results: list[dict[str, Any]] = []
    client = helpdesk.aws["dynamodb"]

    def meanwhile(**_: Any) -> None:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", meanwhile)
        results.append(helpdesk.deliver(raw))

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", meanwhile)
    results.append(helpdesk.deliver(raw))

    assert sorted(r["outcome"] for r in results) == ["duplicate", "ticket"]
    assert results[0]["ticket"] == results[1]["ticket"]
    tickets = [n for n in (1001, 1002) if helpdesk.ticket(n) is not None]
    assert tickets == [results[0]["ticket"]] and len(helpdesk.sent()) == 1


def test_a_dedupe_claim_past_24_hours_counts_for_nothing_even_before_ttl_deletes_it(
    helpdesk: Helpdesk,
) -> None:
    raw = without_message_id(make_mail())
    helpdesk.deliver(raw)
    helpdesk.clock.advance(hours=25)  # moto never expires TTL items, nor does DynamoDB at once
    later = helpdesk.deliver(raw)
    assert (later["outcome"], later["ticket"]) == ("ticket", 1002)


def test_corpus_mail_is_dropped_as_duplicate_only_when_sender_and_content_repeat(
    helpdesk: Helpdesk,
) -> None:
    from chalicelib.adapters.mime.parser import parse_email
    from chalicelib.domain.mail.parsed import Receipt
    from chalicelib.services.inbound.ingest import fingerprint_of
    from chalicelib.services.inbound.opening import sender_of
    from tests.conftest import SHARED

    corpus = SHARED / "corpus"
    if not corpus.exists():
        pytest.skip("../shared/corpus is not on this machine")
    envelope = Receipt("m", helpdesk.clock.now(), "corpus@example.org", ())
    stored: set[tuple[str, str]] = set()
    outcomes: dict[str, int] = {}
    for path in sorted(corpus.glob("*/*.eml")):
        raw = path.read_bytes()
        result = helpdesk.deliver(raw, source=envelope.source)
        outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
        mail = parse_email(raw)
        sender = sender_of(mail, envelope)
        found = fingerprint_of(mail, sender) if sender else None
        key = (found.sender, found.content_hash) if found else None
        if result["outcome"] == "duplicate":
            assert key in stored, f"{path.name} dropped, but no earlier mail has its content"
        elif key is not None and result["outcome"] in ("ticket", "reply"):
            stored.add(key)
    # 26 of these 70 were dropped as duplicates before sender and content were compared
    print(f"corpus outcomes: {outcomes}")
