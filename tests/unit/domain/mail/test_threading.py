"""Threading rules: references before tags, and never for a stranger."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.mail.threads import (
    decide,
    normalise_message_id,
    ses_message_id,
    strip_tags,
    subject_tags,
)
from chalicelib.domain.tickets.model import Party, Priority, Status, Ticket

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ticket(number: int, requester: str = "anna@customer.example", **kw: object) -> Ticket:
    fields: dict[str, object] = {
        "number": number,
        "subject": "Invoice",
        "requester": Party(requester, "Anna"),
        "queue": "Billing",
        "status": Status.OPEN,
        "priority": Priority.NORMAL,
        "language": "en",
        "created_at": AT,
        "updated_at": AT,
    } | kw
    return Ticket(**fields)  # type: ignore[arg-type]


def test_subject_tags_are_found_anywhere_in_the_subject() -> None:
    assert subject_tags("Re: Invoice [#1042]") == (1042,)
    assert subject_tags("[#7] Fwd: [#1042] x [#7]") == (7, 1042)
    assert subject_tags("Order #1042 and [1042]") == ()


def test_strip_tags_leaves_readable_subject() -> None:
    assert strip_tags("Re: Invoice  [#1042] ") == "Re: Invoice"


def test_ses_message_id_uses_region_host_except_us_east_1() -> None:
    assert ses_message_id("abc", "eu-west-1") == "abc@eu-west-1.amazonses.com"
    assert ses_message_id("abc", "us-east-1") == "abc@email.amazonses.com"


def test_message_ids_are_compared_without_brackets() -> None:
    assert normalise_message_id(" <x@y> ") == "x@y"


def test_requester_reply_joins_the_referenced_ticket() -> None:
    found = decide(
        sender="Anna@Customer.example", referenced=[1042], tagged=[], tickets={1042: ticket(1042)}
    )
    assert found.ticket is not None and found.ticket.number == 1042


def test_cc_participant_may_reply_by_tag() -> None:
    t = ticket(1042, cc=("boss@customer.example",))
    found = decide(sender="boss@customer.example", referenced=[], tagged=[1042], tickets={1042: t})
    assert found.ticket is t


def test_a_stranger_copying_the_subject_tag_gets_a_new_ticket_with_a_note() -> None:
    found = decide(
        sender="mallory@evil.example", referenced=[], tagged=[1042], tickets={1042: ticket(1042)}
    )
    assert found.ticket is None
    assert "not on that ticket" in found.notes[0]


def test_a_stranger_with_a_real_reference_is_refused_too() -> None:
    found = decide(
        sender="mallory@evil.example", referenced=[1042], tagged=[], tickets={1042: ticket(1042)}
    )
    assert found.ticket is None


def test_reply_to_a_closed_ticket_becomes_a_follow_up() -> None:
    found = decide(
        sender="anna@customer.example",
        referenced=[1042],
        tagged=[],
        tickets={1042: ticket(1042, status=Status.CLOSED)},
    )
    assert found.ticket is None and found.follow_up_of == 1042


def test_references_win_over_tags() -> None:
    tickets = {1: ticket(1), 2: ticket(2)}
    found = decide(sender="anna@customer.example", referenced=[2], tagged=[1], tickets=tickets)
    assert found.ticket is not None and found.ticket.number == 2


def test_unknown_references_start_a_new_ticket_silently() -> None:
    found = decide(sender="anna@customer.example", referenced=[], tagged=[99], tickets={})
    assert found.ticket is None and found.notes == ()
