"""A day's-mail cursor resumes in its day, or hands over to the next day, and only in its range."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.adapters.dynamo.day_mail import _next, _resume
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.ports import MailQuery

FEB = MailQuery(first=date(2026, 2, 10), last=date(2026, 2, 12))
KEY = {
    "PK": {"S": "TICKET#1001"},
    "SK": {"S": "MSG#m1"},
    "GSI8PK": {"S": "MAIL#2026-02-11"},
    "GSI8SK": {"S": "2026-02-11T08:00:00.000000+00:00#000001001#m1"},
}


def resumed(cursor: str | None, query: MailQuery = FEB) -> tuple[date, object]:
    return _resume(MailQuery(query.first, query.last, cursor=cursor))


def test_the_first_page_starts_at_the_first_day() -> None:
    assert resumed(None) == (date(2026, 2, 10), None)


def test_a_day_cut_by_the_limit_resumes_in_that_day_after_the_last_row() -> None:
    assert resumed(_next(FEB, date(2026, 2, 11), KEY)) == (date(2026, 2, 11), KEY)


def test_a_day_read_to_its_end_hands_over_to_the_next_day_and_the_last_day_ends_it() -> None:
    assert resumed(_next(FEB, date(2026, 2, 10), None)) == (date(2026, 2, 11), None)
    assert _next(FEB, date(2026, 2, 12), None) is None


def test_a_cursor_of_another_range_or_day_is_refused() -> None:
    later = _next(FEB, date(2026, 2, 12), {**KEY, "GSI8PK": {"S": "MAIL#2026-02-12"}})
    assert later is not None
    with pytest.raises(InvalidInput):
        resumed(later, MailQuery(date(2026, 2, 10), date(2026, 2, 11)))
    forged = _next(FEB, date(2026, 2, 10), KEY)  # a key of the 11th claimed for the 10th
    assert forged is not None
    with pytest.raises(InvalidInput):
        resumed(forged)
    for junk in ("x", "bm90IGpzb24", "WzFd"):
        with pytest.raises(InvalidInput):
            resumed(junk)
