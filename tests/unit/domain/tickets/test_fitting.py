"""A message too big to store is cut step by step, and says what stayed in the raw mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.tickets.fitting import FLAG, fit, left_in_raw_mail
from chalicelib.domain.tickets.model import AttachmentRef, Message, MessageKind, Party

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


BASE = Message(
    id="m1",
    ticket_number=1001,
    kind=MessageKind.INBOUND,
    created_at=AT,
    author=Party("anna@customer.example"),
    subject="Hello",
    text="t" * 40_000,
    quoted="q" * 1000,
    html="<p>hello</p>",
    raw_key="inbound/abc",
)


def message(**fields: Any) -> Message:
    return replace(BASE, **fields)


def size(m: Message) -> int:
    """A stand-in for the store's measure: what each field costs, roughly."""
    listed = sum(len(a) for a in (*m.to, *m.cc)) + 100 * len(m.attachments)
    return listed + len(m.text) + len(m.quoted) + len(m.html or "")


def over(budget: int) -> Callable[[Message], int]:
    return lambda m: size(m) - budget


def test_a_message_that_fits_is_kept_whole_and_unflagged() -> None:
    whole = message(cc=("boss@customer.example",))
    assert fit(whole, over(10**6)) == whole
    assert left_in_raw_mail(whole) == []


def test_long_address_lists_are_cut_first_and_their_counts_kept() -> None:
    cc = tuple(f"person{i}@customer.example" for i in range(5000))
    fitted = fit(message(cc=cc), over(50_000))
    assert len(fitted.cc) == 50 and fitted.meta["counts"] == {"cc": 5000}
    assert fitted.html == "<p>hello</p>" and fitted.quoted, "cutting the list was enough"
    assert FLAG in fitted.flags
    assert fitted.meta["left_in_raw_mail"] == ["cc: 5000 addresses, the first 50 listed"]


def test_attachments_stored_on_their_own_stay_listed_before_skipped_ones() -> None:
    skipped = AttachmentRef("late.pdf", "application/pdf", 1, key=None, skipped="too many")
    stored = AttachmentRef("kept.pdf", "application/pdf", 1, key="attachments/abc/000/kept.pdf")
    fitted = fit(message(attachments=(skipped,) * 300 + (stored,)), over(60_000))
    assert len(fitted.attachments) == 100 and fitted.attachments[0] == stored
    assert fitted.meta["counts"] == {"attachments": 301}


def test_then_the_html_the_quoted_history_and_the_text_go_until_it_fits() -> None:
    fitted = fit(message(), over(10_000))
    assert fitted.html is None and fitted.quoted == ""
    assert len(fitted.text.encode()) == 16 * 1024
    assert fitted.meta["left_in_raw_mail"] == [
        "the HTML part (its text is kept)",
        "the quoted history",
        "the text after its first 16384 bytes",
    ]


def test_the_ticket_is_told_what_stayed_in_the_raw_mail() -> None:
    fitted = fit(message(cc=("x@y.example",) * 100), over(41_600))
    [event] = left_in_raw_mail(fitted)
    assert event.kind == "left_in_raw_mail" and event.at == AT
    assert event.data == {
        "message": "m1",
        "raw_key": "inbound/abc",
        "left": ["cc: 100 addresses, the first 50 listed"],
    }
