"""Mail in and out goes on GSI8 under its desk-local day, with the row a day's mail shows."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.dynamo.items import mail_attributes, message_to_item
from chalicelib.domain.tickets.model import Message, MessageKind, Party
from tests.helpers import a_ticket

HELSINKI = ZoneInfo("Europe/Helsinki")
LATE = datetime(2026, 2, 10, 22, 30, tzinfo=UTC)  # 00:30 on 11 February in Helsinki
TICKET = a_ticket(LATE, queue="Billing", assignee="lena@example.com")


def message(kind: MessageKind = MessageKind.INBOUND) -> Message:
    return Message(
        id="m1",
        ticket_number=1001,
        kind=kind,
        created_at=LATE,
        author=Party("anna@customer.example", "Anna"),
        subject="Invoice",
        text="Hello",
        to=("billing@example.com",),
    )


def test_a_mail_is_filed_under_the_desks_day_not_utcs() -> None:
    item = message_to_item(message(), TICKET, HELSINKI)
    assert item["GSI8PK"] == "MAIL#2026-02-11"
    assert item["GSI8SK"] == "2026-02-10T22:30:00.000000+00:00#000001001#m1"
    assert (item["number"], item["queue"], item["agent"]) == (1001, "Billing", "lena@example.com")
    assert message_to_item(message(), TICKET, ZoneInfo("UTC"))["GSI8PK"] == "MAIL#2026-02-10"


@pytest.mark.parametrize("kind", [MessageKind.INBOUND, MessageKind.OUTBOUND, MessageKind.AUTO])
def test_mail_of_every_direction_is_on_it(kind: MessageKind) -> None:
    assert "GSI8PK" in mail_attributes(message(kind), TICKET, HELSINKI)


def test_notes_and_messages_written_without_their_ticket_are_not() -> None:
    assert mail_attributes(message(MessageKind.NOTE), TICKET, HELSINKI) == {}
    assert "GSI8PK" not in message_to_item(message())
    assert "GSI8PK" not in message_to_item(message(), None, HELSINKI)


def test_an_unassigned_ticket_gives_a_row_without_an_agent() -> None:
    item = message_to_item(message(), a_ticket(LATE), HELSINKI)
    assert "agent" not in item and item["queue"] == "Support"
