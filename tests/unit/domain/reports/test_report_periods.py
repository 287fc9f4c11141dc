"""Report periods are desk-local: weeks start on Monday, a day settles an hour after it ends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.reports.periods import (
    Group,
    Period,
    local_today,
    previous,
    series,
    settled,
    whole_months,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_weeks_are_iso_weeks_cut_at_the_ends_of_the_period() -> None:
    rows = series(Period(date(2026, 11, 4), date(2026, 11, 17), "p"), Group.WEEK)
    assert [(r.label, r.start, r.end) for r in rows] == [
        ("2026-11-02", date(2026, 11, 4), date(2026, 11, 8)),
        ("2026-11-09", date(2026, 11, 9), date(2026, 11, 15)),
        ("2026-11-16", date(2026, 11, 16), date(2026, 11, 17)),
    ]


def test_months_and_days_cover_the_period_once() -> None:
    period = Period(date(2026, 1, 30), date(2026, 3, 2), "p")
    months = series(period, Group.MONTH)
    assert [m.label for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert months[1].days == 28
    assert sum(r.days for r in months) == len(series(period, Group.DAY)) == period.days


def test_the_previous_period_has_the_same_length_just_before() -> None:
    before = previous(Period(date(2026, 3, 1), date(2026, 3, 31), "p"))
    assert (before.start, before.end) == (date(2026, 1, 29), date(2026, 2, 28))


def test_only_months_wholly_inside_count_as_months() -> None:
    inside = whole_months(Period(date(2026, 1, 15), date(2026, 4, 30), "p"))
    assert inside == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def test_a_day_settles_an_hour_after_local_midnight_even_on_the_dst_change() -> None:
    long_day = date(2026, 10, 25)  # 25 hours in Helsinki: clocks go back at 04:00 EEST
    assert not settled(long_day, datetime(2026, 10, 25, 22, 59, tzinfo=UTC), HELSINKI)
    assert settled(long_day, datetime(2026, 10, 25, 23, 0, tzinfo=UTC), HELSINKI)
    summer = date(2026, 10, 24)  # midnight is 21:00 UTC in summer time
    assert settled(summer, datetime(2026, 10, 24, 22, 0, tzinfo=UTC), HELSINKI)


def test_today_is_the_desks_date_not_utcs() -> None:
    assert local_today(datetime(2026, 11, 22, 22, 30, tzinfo=UTC), HELSINKI) == date(2026, 11, 23)
