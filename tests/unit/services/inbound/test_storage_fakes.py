"""Storage on fakes: the same mail twice is one ticket, a different mail is never dropped, and
a mail too big for one item is cut to fit."""

from __future__ import annotations

from chalicelib.domain.mail.delivery import Outcome
from chalicelib.domain.mail.duplicates import REUSED_FLAG
from tests.helpers import make_mail
from tests.unit.services.inbound.conftest import Inbound

REUSED = "<template-123@shop.example>"  # a Message-ID a careless mailer puts on every mail
FIRST = "<first@customer.example>"  # the Message-ID of the mail that opened #1001


def without_message_id(raw: bytes) -> bytes:
    head, _, body = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"message-id:")]
    return b"\n".join(lines) + b"\n\n" + body


def test_a_different_mail_reusing_a_message_id_becomes_its_own_flagged_ticket(
    inbound: Inbound,
) -> None:
    inbound.deliver(make_mail(message_id=REUSED, body="My order 1 is late.\n"))
    second = inbound.deliver(make_mail(message_id=REUSED, body="My order 2 is broken.\n"))

    assert (second.outcome, second.ticket_number) == (Outcome.TICKET, 1002)
    assert second.acknowledged, "a new ticket, and so a first acknowledgement"
    [message] = inbound.inbound_messages(1002)
    assert REUSED_FLAG in message.flags and message.meta["reused_message_id_of"] == 1001
    [note] = [e for e in inbound.tickets.events(1002) if e.kind == "message_id_reused"]
    assert note.data["earlier_ticket"] == 1001
    assert "reuses the Message-ID of an earlier, different mail on #1001" in note.data["note"]
    assert inbound.tickets.message_ids["template-123@shop.example"] == 1001, "threading kept"


def test_the_same_text_from_another_sender_under_a_known_message_id_is_not_a_duplicate(
    inbound: Inbound,
) -> None:
    inbound.deliver(make_mail(message_id=REUSED))
    other = inbound.deliver(
        make_mail(message_id=REUSED, sender="Bo <bo@elsewhere.example>"),
        source="bo@elsewhere.example",
    )
    assert other.outcome == Outcome.TICKET and other.ticket_number == 1002


def test_a_reply_reusing_a_message_id_of_a_different_mail_joins_its_ticket_flagged(
    inbound: Inbound,
) -> None:
    inbound.deliver(make_mail(message_id=REUSED, body="First question.\n"))
    reply = make_mail(message_id=REUSED, subject="Re: Invoice [#1001]", body="One more thing.\n")
    result = inbound.deliver(reply)

    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)
    flagged = [m for m in inbound.inbound_messages(1001) if REUSED_FLAG in m.flags]
    assert [m.text.strip() for m in flagged] == ["One more thing."]
    assert "message_id_reused" in inbound.event_kinds(1001)


def test_a_mail_reusing_a_message_id_delivered_twice_is_still_one_ticket(
    inbound: Inbound,
) -> None:
    inbound.deliver(make_mail(message_id=REUSED, body="First.\n"))
    raw = make_mail(message_id=REUSED, body="Second, different.\n")
    inbound.deliver(raw)
    again = inbound.deliver(raw)

    assert (again.outcome, again.ticket_number) == (Outcome.DUPLICATE, 1002)
    assert list(inbound.tickets.tickets) == [1001, 1002] and len(inbound.mailer.sent) == 2


def test_the_same_mail_without_a_message_id_under_two_ses_ids_is_one_ticket(
    inbound: Inbound,
) -> None:
    raw = without_message_id(make_mail())
    inbound.deliver(raw, mail_id="ses-1")
    again = inbound.deliver(raw, mail_id="ses-2")

    assert (again.outcome, again.ticket_number) == (Outcome.DUPLICATE, 1001)
    assert again.reason == "same sender and content as a mail already on #1001"
    assert list(inbound.tickets.tickets) == [1001] and len(inbound.mailer.sent) == 1


def test_the_same_mail_without_a_message_id_a_day_later_is_a_new_ticket(
    inbound: Inbound,
) -> None:
    raw = without_message_id(make_mail())
    inbound.deliver(raw)
    inbound.clock.advance(hours=24, seconds=1)
    later = inbound.deliver(raw)
    assert (later.outcome, later.ticket_number) == (Outcome.TICKET, 1002)


def test_two_different_mails_without_a_message_id_are_two_tickets(inbound: Inbound) -> None:
    inbound.deliver(without_message_id(make_mail(body="One.\n")))
    second = inbound.deliver(without_message_id(make_mail(body="Two.\n")))
    assert second.outcome == Outcome.TICKET and second.ticket_number == 1002


def test_a_reply_too_big_for_one_item_joins_its_ticket_cut_to_fit(inbound: Inbound) -> None:
    inbound.existing_ticket()
    inbound.tickets.item_budget = 20_000
    cc = ", ".join(f"colleague{i}@customer.example" for i in range(800))
    result = inbound.deliver(
        make_mail(subject="Re: Invoice [#1001]", cc=cc, headers={"In-Reply-To": FIRST})
    )

    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)
    [message] = inbound.inbound_messages(1001)
    assert len(message.cc) == 50 and message.meta["counts"]["cc"] == 800
    assert inbound.tickets.message_excess(message) <= 0
    assert "left_in_raw_mail" in inbound.event_kinds(1001)
