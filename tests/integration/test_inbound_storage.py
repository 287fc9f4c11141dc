"""What inbound mail leaves in DynamoDB under moto: items that fit in 400 KB, duplicates told
apart from different mail that reuses a Message-ID, and mail without one delivered twice."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

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
