"""SLA policies and deadline maths: business time, holidays, clock changes, 24/7, VIPs, warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.sla.business_time import BusinessCalendar, is_open, parse_weekly_hours
from chalicelib.domain.sla.policy import (
    DEFAULT_TARGETS,
    Basis,
    Deadline,
    Outcome,
    SlaPolicy,
    SlaRecord,
    Target,
    Targets,
    Vip,
    Watch,
    advance,
    business_hours,
    counted,
    warning_point,
)
from chalicelib.domain.tickets.model import Priority

HELSINKI = ZoneInfo("Europe/Helsinki")
BUSINESS, CALENDAR = Basis.BUSINESS, Basis.CALENDAR


def office(*closed: date, hours: str = "mon-fri 09:00-17:00") -> BusinessCalendar:
    return BusinessCalendar("Europe/Helsinki", parse_weekly_hours(hours), frozenset(closed))


def helsinki(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


H = timedelta(hours=1)


# -- the correctness cases of the issue ------------------------------------------------------


def test_friday_1630_with_a_one_hour_target_is_due_monday_0930_not_friday_1730() -> None:
    due = advance(office(), BUSINESS, helsinki(2025, 11, 21, 16, 30), H)
    assert due == helsinki(2025, 11, 24, 9, 30)
    assert due != helsinki(2025, 11, 21, 17, 30)


def test_a_holiday_monday_moves_it_to_tuesday() -> None:
    easter_monday = date(2026, 4, 6)
    due = advance(office(easter_monday), BUSINESS, helsinki(2026, 4, 3, 16, 30), H)
    assert due == helsinki(2026, 4, 7, 9, 30)


def test_a_deadline_across_the_spring_clock_change_keeps_wall_clock_business_hours() -> None:
    # Helsinki moves from UTC+2 to UTC+3 in the night to Sunday 29 March 2026.
    due = advance(office(), BUSINESS, helsinki(2026, 3, 27, 15, 0), 4 * H)
    assert due == helsinki(2026, 3, 30, 11, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 9:00 UTC before


def test_a_calendar_time_target_across_the_clock_change_counts_real_hours() -> None:
    start = helsinki(2026, 3, 28, 12, 0)  # Saturday, UTC+2
    due = advance(office(), CALENDAR, start, 24 * H)
    assert due.astimezone(HELSINKI).replace(tzinfo=None) == datetime(2026, 3, 29, 13, 0)


def test_a_deadline_across_the_autumn_clock_change() -> None:
    # Back from UTC+3 to UTC+2 in the night to Sunday 25 October 2026.
    due = advance(office(), BUSINESS, helsinki(2026, 10, 23, 16, 0), 2 * H)
    assert due == helsinki(2026, 10, 26, 10, 0)
    assert counted(office(), BUSINESS, helsinki(2026, 10, 23, 16, 0), due) == 2 * H


def test_a_24_7_calendar_never_closes_at_midnight() -> None:
    always = BusinessCalendar("Europe/Helsinki", parse_weekly_hours("mon-sun 00:00-24:00"))
    start = helsinki(2026, 11, 22, 23, 30)  # Sunday night
    assert advance(always, BUSINESS, start, H) == helsinki(2026, 11, 23, 0, 30)
    assert all(is_open(always, helsinki(2026, 11, 23, 0, 0) + k * H / 4) for k in range(-8, 9))
    assert counted(always, BUSINESS, start, start + 48 * H) == 48 * H


def test_a_deadline_skips_the_lunch_break() -> None:
    lunch = office(hours="mon-fri 08:00-12:00,13:00-17:00")
    assert advance(lunch, BUSINESS, helsinki(2026, 11, 23, 11, 0), 2 * H) == helsinki(
        2026, 11, 23, 14, 0
    )


# -- warning points ----------------------------------------------------------------------------


def test_the_warning_comes_at_80_percent_of_the_business_time() -> None:
    cal = office()
    start = helsinki(2025, 11, 21, 16, 0)  # Friday: 1 hour on Friday, 3 on Monday
    watch = Watch(Deadline.FIRST_RESPONSE, start, advance(cal, BUSINESS, start, 4 * H))
    assert warning_point(cal, BUSINESS, watch, 0.8) == helsinki(2025, 11, 24, 11, 12)


def test_the_warning_of_a_resumed_resolution_counts_the_time_used_before() -> None:
    cal = office()
    start = helsinki(2026, 11, 23, 9, 0)
    watch = Watch(Deadline.RESOLUTION, start, advance(cal, BUSINESS, start, 2 * H), used=8 * H)
    assert warning_point(cal, BUSINESS, watch, 0.8) == start  # 8 of 10 hours are gone already
    earlier = Watch(Deadline.RESOLUTION, start, advance(cal, BUSINESS, start, 8 * H), used=2 * H)
    assert warning_point(cal, BUSINESS, earlier, 0.8) == helsinki(2026, 11, 23, 15, 0)


# -- policies --------------------------------------------------------------------------------


def test_default_targets_follow_the_issue() -> None:
    hours = {p: DEFAULT_TARGETS[p].first_response.duration / H for p in Priority}
    assert hours == {Priority.URGENT: 1, Priority.HIGH: 2, Priority.NORMAL: 4, Priority.LOW: 24}
    assert all(t.resolution.duration >= t.first_response.duration for t in DEFAULT_TARGETS.values())


def test_a_queue_overrides_targets_and_vips_get_a_share_of_them() -> None:
    billing = dict(DEFAULT_TARGETS) | {
        Priority.NORMAL: Targets(business_hours(8), business_hours(8), Target(72 * H, CALENDAR))
    }
    policy = SlaPolicy(calendar=office(), queue_targets={"Billing": billing}, vip=Vip(factor=0.5))
    fr = Deadline.FIRST_RESPONSE
    assert policy.target("Support", Priority.NORMAL, fr, vip=False).duration == 4 * H
    assert policy.target("Billing", Priority.NORMAL, fr, vip=False).duration == 8 * H
    assert policy.target("Billing", Priority.NORMAL, fr, vip=True).duration == 4 * H
    resolution = policy.target("Billing", Priority.NORMAL, Deadline.RESOLUTION, vip=True)
    assert resolution == Target(36 * H, CALENDAR)


def test_each_queue_can_have_its_own_calendar() -> None:
    stockholm = BusinessCalendar("Europe/Stockholm", parse_weekly_hours("mon-fri 08:00-16:00"))
    policy = SlaPolicy(calendar=office(), queue_calendars={"Nordics": stockholm})
    assert policy.calendar_of("Nordics") is stockholm
    assert policy.calendar_of("Support") == office()


@pytest.mark.parametrize(
    ("email", "vip"),
    [
        ("CEO@BigCustomer.example", True),
        ("anyone@bigcustomer.example", True),
        ("someone@eu.bigcustomer.example", True),
        ("mallory@notbigcustomer.example", False),
        ("boss@partner.example", True),
        ("other@partner.example", False),
    ],
)
def test_vips_are_addresses_or_domains_with_their_subdomains(email: str, vip: bool) -> None:
    rule = Vip(frozenset({"boss@partner.example"}), frozenset({"bigcustomer.example"}))
    assert rule.matches(email) is vip


def test_bad_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Target(timedelta(0))
    with pytest.raises(ValueError, match="warning_at"):
        SlaPolicy(calendar=office(), warning_at=1.0)
    with pytest.raises(ValueError, match="low"):
        SlaPolicy(calendar=office(), targets={p: DEFAULT_TARGETS[p] for p in list(Priority)[1:]})
    with pytest.raises(ValueError, match="factor"):
        Vip(factor=0)


def test_a_record_survives_its_round_trip_through_event_data() -> None:
    record = SlaRecord(
        deadline=Deadline.NEXT_RESPONSE,
        outcome=Outcome.MISSED,
        started=datetime(2026, 11, 23, 8, tzinfo=UTC),
        due=datetime(2026, 11, 23, 12, tzinfo=UTC),
        at=datetime(2026, 11, 23, 12, 1, tzinfo=UTC),
        target=business_hours(4),
        counted=4 * H + timedelta(minutes=1),
        priority=Priority.HIGH,
        queue="Support",
        vip=True,
    )
    assert SlaRecord.from_data(record.to_data(), ticket=1001) == SlaRecord(
        **{**vars(record), "ticket": 1001}
    )


# -- properties ------------------------------------------------------------------------------

CALENDARS = [
    office(),
    office(date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)),
    office(hours="mon-fri 08:00-12:00,13:00-17:00; sat 10:00-14:00"),
    BusinessCalendar("America/New_York", parse_weekly_hours("mon-fri 09:00-17:00")),
    BusinessCalendar("Australia/Lord_Howe", parse_weekly_hours("mon-sun 01:30-02:30,22:00-24:00")),
    BusinessCalendar.always_open("Europe/Helsinki"),
]
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
targets = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(hours=200))
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(calendars, instants, targets)
def test_a_business_due_time_is_always_within_business_hours(
    cal: BusinessCalendar, start: datetime, target: timedelta
) -> None:
    due = advance(cal, BUSINESS, start, target)
    assert is_open(cal, due) or is_open(cal, due - timedelta(microseconds=1))


@settings(max_examples=300, deadline=None)
@given(calendars, instants, targets, targets)
def test_the_due_time_is_monotonic_in_the_target(
    cal: BusinessCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    shorter, longer = sorted((a, b))
    assert advance(cal, BUSINESS, start, shorter) <= advance(cal, BUSINESS, start, longer)


@settings(max_examples=300, deadline=None)
@given(calendars, instants, targets, st.sampled_from(list(Basis)))
def test_the_time_counted_up_to_the_due_time_is_the_target(
    cal: BusinessCalendar, start: datetime, target: timedelta, basis: Basis
) -> None:
    assert counted(cal, basis, start, advance(cal, basis, start, target)) == target


@settings(max_examples=200, deadline=None)
@given(calendars, instants, targets, st.floats(min_value=0.05, max_value=0.95))
def test_the_warning_falls_between_the_start_and_the_due_time(
    cal: BusinessCalendar, start: datetime, target: timedelta, share: float
) -> None:
    due = advance(cal, BUSINESS, start, target)
    warn = warning_point(cal, BUSINESS, Watch(Deadline.FIRST_RESPONSE, start, due), share)
    assert start <= warn <= due
    assert abs(counted(cal, BUSINESS, start, warn) - target * share) <= timedelta(microseconds=1)
