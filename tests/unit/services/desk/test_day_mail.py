"""A day's mail: the days asked are desk-local, times come back in the desk's zone, and what
cannot be asked is refused before any read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.tickets.model import MessageKind
from chalicelib.services.desk.day_mail import DayMail
from chalicelib.services.ports import MailRow
from tests.fakes import RecordingDayMail

ROW = MailRow(
    at=datetime(2026, 2, 10, 22, 30, tzinfo=UTC),
    kind=MessageKind.INBOUND,
    ticket=1001,
    queue="Billing",
    agent=None,
    subject="Invoice",
    sender="anna@customer.example",
    sender_name="Anna",
    to=("billing@example.com",),
)


def test_a_days_page_reads_that_day_and_shows_desk_time() -> None:
    store = RecordingDayMail(ROW, next_cursor="more")
    page = DayMail(store, "Europe/Helsinki").page(day="2026-02-11")
    (query,) = store.queries
    assert (query.first, query.last, query.limit, query.kind) == (
        date(2026, 2, 11),
        date(2026, 2, 11),
        100,
        None,
    )
    assert page.rows[0].at.isoformat() == "2026-02-11T00:30:00+02:00"
    assert page.next == "more" and (page.first, page.last) == (query.first, query.last)


def test_filters_and_a_range_go_to_the_store_as_asked() -> None:
    store = RecordingDayMail(ROW)
    DayMail(store, "Europe/Helsinki").page(
        day="2026-02-01",
        until="2026-02-28",
        direction="out",
        queue="Billing",
        agent=" Lena@Example.com ",
        cursor="c",
        limit="500",
    )
    query = store.queries[0]
    assert (query.last, query.kind, query.queue) == (
        date(2026, 2, 28),
        MessageKind.OUTBOUND,
        "Billing",
    )
    assert (query.agent, query.cursor, query.limit) == ("lena@example.com", "c", 500)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": ""}, "date"),
        ({"day": "11.2.2026"}, "date"),
        ({"day": "2026-02-11", "until": "2026-02-10"}, "to"),
        ({"day": "2024-01-01", "until": "2025-01-01"}, "to"),
        ({"day": "2026-02-11", "direction": "sideways"}, "direction"),
        ({"day": "2026-02-11", "limit": "0"}, "limit"),
        ({"day": "2026-02-11", "limit": "1001"}, "limit"),
        ({"day": "2026-02-11", "limit": "ten"}, "limit"),
    ],
)
def test_what_cannot_be_asked_is_refused_without_a_read(params: dict[str, str], field: str) -> None:
    store = RecordingDayMail()
    with pytest.raises(InvalidInput) as refused:
        DayMail(store, "Europe/Helsinki").page(**params)  # type: ignore[arg-type]
    assert refused.value.field == field and store.queries == []


def test_a_whole_year_is_one_range() -> None:
    store = RecordingDayMail()
    DayMail(store, "UTC").page(day="2025-01-01", until="2025-12-31")
    assert store.queries[0].last == date(2025, 12, 31)
