"""Business hours maths: parsing hours, deadlines across weekends, holidays and clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.domain.sla.business_time import (
    END_OF_DAY,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_open,
    next_opening,
    parse_weekly_hours,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
NEW_YORK = ZoneInfo("America/New_York")
SANTIAGO = ZoneInfo("America/Santiago")
OFFICE = "mon-fri 09:00-17:00"
LUNCH = "mon-fri 08:00-12:00,13:00-17:00"


def calendar(
    hours: str = OFFICE, zone: str = "Europe/Helsinki", closed: tuple[date, ...] = ()
) -> BusinessCalendar:
    return BusinessCalendar(zone, parse_weekly_hours(hours), frozenset(closed))


def helsinki(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, s: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, s, tzinfo=HELSINKI)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


FRIDAY_1630 = helsinki(2025, 11, 21, 16, 30)
MONDAY = date(2025, 11, 24)


# --- parsing weekly hours -------------------------------------------------------------------


def test_office_hours_open_monday_to_friday_only() -> None:
    weekly = parse_weekly_hours(OFFICE)
    assert weekly[:5] == (((time(9), time(17)),),) * 5
    assert weekly[5:] == ((), ())


def test_several_periods_a_day_and_several_clauses_are_read() -> None:
    weekly = parse_weekly_hours("mon-fri 08:00-12:00,13:00-17:00; sat 10:00-14:00")
    assert weekly[0] == ((time(8), time(12)), (time(13), time(17)))
    assert weekly[5] == ((time(10), time(14)),)
    assert weekly[6] == ()


def test_twenty_four_hours_ends_at_end_of_day_and_equals_always_open() -> None:
    weekly = parse_weekly_hours("mon-sun 00:00-24:00")
    assert weekly[0] == ((time(0), END_OF_DAY),)
    assert weekly == BusinessCalendar.always_open().weekly


def test_day_lists_ranges_that_wrap_and_repeated_days_are_merged() -> None:
    weekly = parse_weekly_hours(" Sat-Mon 13:00-17:00 ; wed , mon 9:00-12:00 ")
    assert weekly[0] == ((time(9), time(12)), (time(13), time(17)))
    assert weekly[2] == ((time(9), time(12)),)
    assert weekly[5] == weekly[6] == ((time(13), time(17)),)
    assert weekly[1] == weekly[3] == weekly[4] == ()


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("", "no hours given"),
        ("  ;  ", "no hours given"),
        ("mon-fri", "is not"),
        ("mon-fri 9-17", "is not a period"),
        ("mnd 09:00-17:00", "unknown day 'mnd'"),
        ("mon 17:00-09:00", "passes midnight"),
        ("mon 09:00-09:00", "does not end after it starts"),
        ("mon 09:00-12:00,11:00-13:00", "overlap"),
        ("mon 09:00-12:00; mon 11:00-13:00", "overlap"),
        ("mon 24:00-24:00", "impossible time 24:00"),
        ("mon 09:00-25:00", "impossible time 25:00"),
        ("mon 09:60-10:00", "impossible time 09:60"),
    ],
)
def test_bad_weekly_hours_raise_a_clear_value_error(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match="bad weekly hours") as error:
        parse_weekly_hours(spec)
    assert problem in str(error.value)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Atlantis'"):
        BusinessCalendar("Europe/Atlantis", parse_weekly_hours(OFFICE))


def test_a_week_needs_seven_days() -> None:
    with pytest.raises(ValueError, match="7 days"):
        BusinessCalendar("UTC", parse_weekly_hours(OFFICE)[:6])


def test_hand_built_periods_are_checked_too() -> None:
    with pytest.raises(ValueError, match="tue: 12:00-11:00"):
        BusinessCalendar("UTC", ((), ((time(12), time(11)),), (), (), (), (), ()))


# --- deadlines ------------------------------------------------------------------------------


def test_friday_afternoon_mail_with_four_hours_is_due_monday_midday() -> None:
    due = add_business_time(calendar(), FRIDAY_1630, hours(4))
    assert due == helsinki(2025, 11, 24, 12, 30)
    assert due.tzinfo is UTC


def test_one_hour_left_on_friday_is_due_monday_morning_not_friday_evening() -> None:
    assert add_business_time(calendar(), FRIDAY_1630, hours(1)) == helsinki(2025, 11, 24, 9, 30)


def test_a_holiday_monday_moves_the_deadline_to_tuesday() -> None:
    due = add_business_time(calendar(closed=(MONDAY,)), FRIDAY_1630, hours(4))
    assert due == helsinki(2025, 11, 25, 12, 30)


def test_a_mail_on_a_closed_date_counts_from_the_next_open_day() -> None:
    christmas = calendar(closed=(date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26)))
    due = add_business_time(christmas, helsinki(2025, 12, 24, 10, 0), hours(4))
    assert due == helsinki(2025, 12, 29, 13, 0)


def test_a_start_in_another_zone_is_the_same_instant() -> None:
    same_instant = datetime(2025, 11, 21, 14, 30, tzinfo=UTC)
    assert add_business_time(calendar(), same_instant, hours(4)) == helsinki(2025, 11, 24, 12, 30)


def test_a_deadline_ending_exactly_at_closing_is_that_closing_time() -> None:
    due = add_business_time(calendar(), helsinki(2025, 11, 24, 16, 0), hours(1))
    assert due == helsinki(2025, 11, 24, 17, 0)


def test_lunch_break_is_skipped() -> None:
    due = add_business_time(calendar(LUNCH), helsinki(2025, 11, 24, 11, 0), hours(2))
    assert due == helsinki(2025, 11, 24, 14, 0)


def test_a_mail_during_lunch_counts_from_the_afternoon() -> None:
    due = add_business_time(calendar(LUNCH), helsinki(2025, 11, 24, 12, 15), hours(1))
    assert due == helsinki(2025, 11, 24, 14, 0)


def test_a_deadline_ending_at_lunch_is_due_at_noon_not_after_lunch() -> None:
    due = add_business_time(calendar(LUNCH), helsinki(2025, 11, 24, 11, 0), hours(1))
    assert due == helsinki(2025, 11, 24, 12, 0)


def test_zero_duration_while_open_is_the_start_itself() -> None:
    start = helsinki(2025, 11, 24, 10, 15)
    assert add_business_time(calendar(), start, timedelta(0)) == start


def test_zero_duration_while_closed_is_the_next_opening() -> None:
    due = add_business_time(calendar(), helsinki(2025, 11, 21, 17, 0), timedelta(0))
    assert due == helsinki(2025, 11, 24, 9, 0)


def test_two_hundred_hours_cross_christmas_and_epiphany() -> None:
    christmas = (date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26))
    closed = (*christmas, date(2026, 1, 1), date(2026, 1, 6))
    due = add_business_time(calendar(closed=closed), helsinki(2025, 12, 19, 14, 0), hours(200))
    assert due == helsinki(2026, 1, 30, 14, 0)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        add_business_time(calendar(), datetime(2025, 11, 21, 16, 30), hours(1))


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(calendar(), FRIDAY_1630, hours(-1))


# --- 24/7 -----------------------------------------------------------------------------------


def test_always_open_never_closes_at_midnight() -> None:
    cal = BusinessCalendar.always_open("Europe/Helsinki")
    due = add_business_time(cal, helsinki(2025, 11, 24, 23, 30), hours(1))
    assert due == helsinki(2025, 11, 25, 0, 30)


def test_always_open_is_open_at_midnight() -> None:
    assert is_open(BusinessCalendar.always_open(), datetime(2025, 11, 25, tzinfo=UTC))


def test_always_open_still_closes_on_closed_dates() -> None:
    cal = BusinessCalendar(
        "UTC", BusinessCalendar.always_open().weekly, frozenset({date(2025, 12, 25)})
    )
    due = add_business_time(cal, datetime(2025, 12, 24, 23, tzinfo=UTC), hours(2))
    assert due == datetime(2025, 12, 26, 1, tzinfo=UTC)


# --- daylight saving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "friday", "monday_utc"),
    [
        # spring forward on Sunday: 10:00 summer time on Monday
        (HELSINKI, date(2025, 3, 28), datetime(2025, 3, 31, 7, tzinfo=UTC)),
        (NEW_YORK, date(2025, 3, 7), datetime(2025, 3, 10, 14, tzinfo=UTC)),
        # fall back on Sunday: 10:00 standard time on Monday
        (HELSINKI, date(2025, 10, 24), datetime(2025, 10, 27, 8, tzinfo=UTC)),
        (NEW_YORK, date(2025, 10, 31), datetime(2025, 11, 3, 15, tzinfo=UTC)),
    ],
)
def test_office_deadlines_over_a_clock_change_keep_wall_clock_hours(
    zone: ZoneInfo, friday: date, monday_utc: datetime
) -> None:
    cal = calendar(zone=zone.key)
    start = datetime.combine(friday, time(16), tzinfo=zone)
    due = add_business_time(cal, start, hours(2))
    assert due == monday_utc
    assert due.astimezone(zone).time() == time(10)


@pytest.mark.parametrize(
    ("zone", "sunday", "open_time"),
    [
        (HELSINKI, date(2025, 3, 30), hours(5)),
        (HELSINKI, date(2025, 10, 26), hours(7)),
        (NEW_YORK, date(2025, 3, 9), hours(5)),
        (NEW_YORK, date(2025, 11, 2), hours(7)),
    ],
)
def test_a_period_containing_the_clock_change_is_an_hour_shorter_or_longer(
    zone: ZoneInfo, sunday: date, open_time: timedelta
) -> None:
    cal = calendar("sun 00:00-06:00", zone=zone.key)
    morning = datetime.combine(sunday, time(0), tzinfo=zone)
    assert business_time_between(cal, morning, morning + hours(12)) == open_time


def test_always_open_over_spring_forward_counts_real_hours() -> None:
    cal = BusinessCalendar.always_open("Europe/Helsinki")
    due = add_business_time(cal, helsinki(2025, 3, 29, 23, 0), hours(4))
    assert due == datetime(2025, 3, 30, 1, tzinfo=UTC)
    assert due.astimezone(HELSINKI).time() == time(4)  # the wall clock skipped 03:00-04:00


def test_always_open_over_fall_back_counts_real_hours() -> None:
    cal = BusinessCalendar.always_open("America/New_York")
    due = add_business_time(cal, new_york(2025, 11, 1, 23, 0), hours(4))
    assert due == datetime(2025, 11, 2, 7, tzinfo=UTC)
    assert due.astimezone(NEW_YORK).time() == time(2)  # 01:00-02:00 happened twice


def test_always_open_does_not_close_when_midnight_is_skipped() -> None:
    cal = BusinessCalendar.always_open("America/Santiago")  # 2025-09-07 00:00 → 01:00
    due = add_business_time(cal, datetime(2025, 9, 6, 23, 30, tzinfo=SANTIAGO), hours(1))
    assert due == datetime(2025, 9, 7, 4, 30, tzinfo=UTC)
    saturday = datetime(2025, 9, 6, tzinfo=SANTIAGO)
    assert business_time_between(cal, saturday, saturday + timedelta(days=2)) == hours(47)


def test_a_period_starting_in_the_skipped_hour_opens_when_the_clocks_jump() -> None:
    cal = calendar("sun 03:30-05:00")
    assert next_opening(cal, helsinki(2025, 3, 29)) == helsinki(2025, 3, 30, 4, 0)
    sunday = helsinki(2025, 3, 30)
    assert business_time_between(cal, sunday, sunday + hours(12)) == hours(1)


def test_a_period_wholly_in_the_skipped_hour_vanishes() -> None:
    cal = calendar("sun 02:10-02:50,04:00-05:00", zone="America/New_York")
    assert next_opening(cal, new_york(2025, 3, 9)) == new_york(2025, 3, 9, 4, 0)
    assert next_opening(cal, new_york(2025, 3, 16)) == new_york(2025, 3, 16, 2, 10)


def test_a_repeated_wall_time_means_its_first_occurrence() -> None:
    cal = calendar("sun 03:30-05:00")  # 03:00-04:00 happens twice on 2025-10-26
    first_0330 = datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert next_opening(cal, helsinki(2025, 10, 25)) == first_0330
    assert business_time_between(cal, first_0330, first_0330 + hours(12)) == hours(2.5)


# --- open time between instants, is_open, next_opening --------------------------------------


def test_open_time_between_friday_afternoon_and_monday_morning() -> None:
    monday_10 = helsinki(2025, 11, 24, 10, 0)
    assert business_time_between(calendar(), FRIDAY_1630, monday_10) == hours(1.5)


def test_open_time_between_is_zero_when_the_end_is_not_after_the_start() -> None:
    assert business_time_between(calendar(), FRIDAY_1630, FRIDAY_1630) == timedelta(0)
    assert business_time_between(calendar(), FRIDAY_1630, FRIDAY_1630 - hours(5)) == timedelta(0)


def test_open_time_between_skips_closed_dates() -> None:
    cal = calendar(closed=(MONDAY,))
    tuesday_noon = helsinki(2025, 11, 25, 12, 0)
    assert business_time_between(cal, FRIDAY_1630, tuesday_noon) == hours(3.5)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (helsinki(2025, 11, 24, 9, 0), True),  # opening time is open
        (helsinki(2025, 11, 24, 16, 59, 59), True),
        (helsinki(2025, 11, 24, 17, 0), False),  # closing time is closed
        (helsinki(2025, 11, 24, 8, 59), False),
        (helsinki(2025, 11, 22, 12, 0), False),  # Saturday
        (datetime(2025, 11, 24, 7, 0, tzinfo=UTC), True),  # 09:00 in Helsinki
    ],
)
def test_is_open_follows_the_weekly_hours(moment: datetime, expected: bool) -> None:
    assert is_open(calendar(), moment) is expected


def test_is_open_is_false_on_a_closed_date_and_at_lunch() -> None:
    assert not is_open(calendar(closed=(MONDAY,)), helsinki(2025, 11, 24, 10, 0))
    assert not is_open(calendar(LUNCH), helsinki(2025, 11, 24, 12, 30))


def test_next_opening_of_an_open_moment_is_that_moment_in_utc() -> None:
    moment = helsinki(2025, 11, 24, 10, 0)
    assert next_opening(calendar(), moment) == moment
    assert next_opening(calendar(), moment).tzinfo is UTC


def test_next_opening_after_friday_closing_is_monday_morning() -> None:
    assert next_opening(calendar(), FRIDAY_1630 + hours(1)) == helsinki(2025, 11, 24, 9, 0)


# --- calendars that never open --------------------------------------------------------------


def test_a_calendar_without_hours_raises_instead_of_looping() -> None:
    never = BusinessCalendar("UTC", ((),) * 7)
    with pytest.raises(ValueError, match="never opens"):
        add_business_time(never, FRIDAY_1630, hours(1))
    with pytest.raises(ValueError, match="never opens"):
        next_opening(never, FRIDAY_1630)


def test_a_calendar_closed_for_years_raises_instead_of_looping() -> None:
    first = date(2025, 11, 1)
    closed = tuple(first + timedelta(days=n) for n in range(4 * 366))
    with pytest.raises(ValueError, match="never opens"):
        add_business_time(calendar(closed=closed), FRIDAY_1630, hours(1))


def test_open_time_between_for_a_calendar_without_hours_is_zero() -> None:
    never = BusinessCalendar("UTC", ((),) * 7)
    assert business_time_between(never, FRIDAY_1630, FRIDAY_1630 + timedelta(days=400)) == hours(0)


# --- properties -----------------------------------------------------------------------------

CLOCK_CHANGES = {
    "UTC": [],
    "Asia/Tehran": [],  # no daylight saving since 2022
    "Europe/Helsinki": [date(2025, 3, 30), date(2025, 10, 26)],
    "America/New_York": [date(2025, 3, 9), date(2025, 11, 2)],
    "America/Santiago": [date(2025, 4, 6), date(2025, 9, 7)],  # midnight skipped in spring
    "Australia/Lord_Howe": [date(2025, 4, 6), date(2025, 10, 5)],  # half-hour changes
}
ZONES = sorted(CLOCK_CHANGES)
QUARTER = timedelta(minutes=15)
MICROSECOND = timedelta(microseconds=1)
PROPERTY = settings(max_examples=200, deadline=None)


def _quarter_hour(index: int) -> time:
    return END_OF_DAY if index == 96 else time(index // 4, index % 4 * 15)


@st.composite
def weeks(draw: st.DrawFn) -> tuple[tuple[tuple[time, time], ...], ...]:
    night = st.integers(0, 20)  # 00:00-05:00, where the clocks change
    marks = st.sets(st.one_of(st.integers(0, 96), night), max_size=6).map(sorted)
    days = [draw(marks) for _ in range(7)]
    assume(any(len(day) > 1 for day in days))
    return tuple(
        tuple(
            (_quarter_hour(a), _quarter_hour(b)) for a, b in zip(day[::2], day[1::2], strict=False)
        )
        for day in days
    )


@st.composite
def calendars_and_starts(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime]:
    zone = draw(st.sampled_from(ZONES))
    anywhere = st.datetimes(datetime(2024, 1, 1), datetime(2027, 1, 1))
    near_change = st.sampled_from(CLOCK_CHANGES[zone] or [date(2025, 1, 1)]).map(
        lambda d: datetime.combine(d, time())
    )
    offset = draw(st.timedeltas(timedelta(days=-3), timedelta(days=3)))
    start = (draw(st.one_of(near_change, anywhere)) + offset).replace(tzinfo=ZoneInfo(zone))
    near = st.integers(-2, 30).map(lambda n: start.date() + timedelta(days=n))
    closed = draw(st.frozensets(near, max_size=8))
    return BusinessCalendar(zone, draw(weeks()), closed), start


def _weekly_open(cal: BusinessCalendar) -> timedelta:
    return sum(
        (_as_delta(end) - _as_delta(start) for day in cal.weekly for start, end in day),
        timedelta(0),
    )


def _as_delta(t: time) -> timedelta:
    if t == END_OF_DAY:
        return timedelta(days=1)
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second)


def durations(cal: BusinessCalendar) -> st.SearchStrategy[timedelta]:
    return st.timedeltas(timedelta(0), min(hours(200), 6 * _weekly_open(cal)))


@PROPERTY
@given(calendars_and_starts(), st.data())
def test_due_time_is_open_or_exactly_the_end_of_an_open_period(
    case: tuple[BusinessCalendar, datetime], data: st.DataObject
) -> None:
    cal, start = case
    due = add_business_time(cal, start, data.draw(durations(cal)))
    assert due >= start
    assert is_open(cal, due) or is_open(cal, due - MICROSECOND)


@PROPERTY
@given(calendars_and_starts(), st.data())
def test_more_time_never_gives_an_earlier_due_time(
    case: tuple[BusinessCalendar, datetime], data: st.DataObject
) -> None:
    cal, start = case
    shorter, longer = sorted([data.draw(durations(cal)), data.draw(durations(cal))])
    assert add_business_time(cal, start, shorter) <= add_business_time(cal, start, longer)


@PROPERTY
@given(calendars_and_starts(), st.data())
def test_open_time_up_to_the_due_time_is_the_duration(
    case: tuple[BusinessCalendar, datetime], data: st.DataObject
) -> None:
    cal, start = case
    duration = data.draw(durations(cal))
    opened = next_opening(cal, start)  # the brief's case: starts inside open hours
    assert business_time_between(cal, opened, add_business_time(cal, opened, duration)) == duration
    assert business_time_between(cal, start, add_business_time(cal, start, duration)) == duration


@PROPERTY
@given(calendars_and_starts(), st.timedeltas(timedelta(0), timedelta(days=9)), st.data())
def test_open_time_between_adds_up_over_a_split(
    case: tuple[BusinessCalendar, datetime], span: timedelta, data: st.DataObject
) -> None:
    cal, local_start = case
    start = local_start.astimezone(UTC)  # aware arithmetic in a local zone is wall-clock time
    middle = start + data.draw(st.timedeltas(timedelta(0), span))
    whole = business_time_between(cal, start, start + span)
    parts = business_time_between(cal, start, middle) + business_time_between(
        cal, middle, start + span
    )
    assert whole == parts
    assert timedelta(0) <= whole <= span


@PROPERTY
@given(calendars_and_starts())
def test_next_opening_is_the_moment_itself_exactly_when_open(
    case: tuple[BusinessCalendar, datetime],
) -> None:
    cal, moment = case
    opening = next_opening(cal, moment)
    # compare in UTC: == across zones is always False for a repeated wall time (PEP 495)
    assert (opening == moment.astimezone(UTC)) is is_open(cal, moment)
    assert is_open(cal, opening)


def _wall_clock_open(cal: BusinessCalendar, moment: datetime) -> bool:
    local = moment.astimezone(cal.zone)
    reading = local.time().replace(tzinfo=None)
    return local.date() not in cal.closed_dates and any(
        start <= reading and (end == END_OF_DAY or reading < end)
        for start, end in cal.weekly[local.weekday()]
    )


def _brute_force_due(cal: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """Walk quarter-hours in UTC, open when the wall clock then reads inside a period."""
    moment, left = start, duration
    while True:
        if _wall_clock_open(cal, moment):
            if not left:
                return moment
            left -= QUARTER
            if not left:
                return moment + QUARTER
        moment += QUARTER


def _unambiguous(cal: BusinessCalendar, day: date) -> bool:
    """No period boundary of `day` falls on a wall time the clocks skip or repeat."""
    walls = [(day, start) for start, _ in cal.weekly[day.weekday()]]
    walls += [
        (day + timedelta(days=1), time()) if end == END_OF_DAY else (day, end)
        for _, end in cal.weekly[day.weekday()]
    ]
    return all(_plain(d, t, cal.zone) for d, t in walls)


def _plain(day: date, wall: time, zone: ZoneInfo) -> bool:
    local = datetime.combine(day, wall, tzinfo=zone)
    back = local.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None) and (
        local.utcoffset() == local.replace(fold=1).utcoffset()
    )


@settings(max_examples=200, deadline=None)
@given(calendars_and_starts(), st.integers(0, 24))
def test_due_time_agrees_with_walking_the_wall_clock_quarter_hour_by_quarter_hour(
    case: tuple[BusinessCalendar, datetime], quarters: int
) -> None:
    cal, start = case
    utc = start.astimezone(UTC)
    aligned = utc.replace(minute=utc.minute // 15 * 15, second=0, microsecond=0)
    duration = quarters * QUARTER
    expected = _brute_force_due(cal, aligned, duration)
    first_day = aligned.astimezone(cal.zone).date() - timedelta(days=1)
    last_day = expected.astimezone(cal.zone).date() + timedelta(days=1)
    days = (first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1))
    assume(all(_unambiguous(cal, day) for day in days))
    assert add_business_time(cal, aligned, duration) == expected
