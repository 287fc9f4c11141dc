"""Due-time phrases in six languages, and the zone label printed beside them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.mail.dates import format_due, format_zone

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2025, 11, 21, 16, 30, tzinfo=HELSINKI)  # a Friday
MONDAY_1230 = datetime(2025, 11, 24, 12, 30, tzinfo=HELSINKI)
TODAY_1400 = datetime(2025, 11, 21, 14, 0, tzinfo=HELSINKI)
TOMORROW_0930 = datetime(2025, 11, 22, 9, 30, tzinfo=HELSINKI)


def on(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A time in the week of Monday 24 November 2025 (24 = Monday ... 30 = Sunday)."""
    return datetime(2025, 11, day, hour, minute, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("lang", "monday", "today", "tomorrow"),
    [
        ("en", "Monday 24 November at 12:30", "today at 14:00", "tomorrow at 09:30"),
        ("fi", "maanantaina 24.11. klo 12.30", "tänään klo 14.00", "huomenna klo 9.30"),
        ("sv", "måndag 24 november kl. 12.30", "idag kl. 14.00", "i morgon kl. 9.30"),
        ("pl", "w poniedziałek 24 listopada o 12:30", "dzisiaj o 14:00", "jutro o 9:30"),
        ("da", "mandag den 24. november kl. 12.30", "i dag kl. 14.00", "i morgen kl. 9.30"),
        ("fa", "دوشنبه ۲۴ نوامبر، ساعت ۱۲:۳۰", "امروز ساعت ۱۴:۰۰", "فردا ساعت ۹:۳۰"),
    ],
)
def test_due_phrases_in_each_language(lang: str, monday: str, today: str, tomorrow: str) -> None:
    assert format_due(MONDAY_1230, lang, NOW) == monday
    assert format_due(TODAY_1400, lang, NOW) == today
    assert format_due(TOMORROW_0930, lang, NOW) == tomorrow


@pytest.mark.parametrize(
    ("day", "finnish", "polish"),
    [
        (24, "maanantaina 24.11.", "w poniedziałek 24 listopada"),
        (25, "tiistaina 25.11.", "we wtorek 25 listopada"),
        (26, "keskiviikkona 26.11.", "w środę 26 listopada"),
        (27, "torstaina 27.11.", "w czwartek 27 listopada"),
        (28, "perjantaina 28.11.", "w piątek 28 listopada"),
        (29, "lauantaina 29.11.", "w sobotę 29 listopada"),
        (30, "sunnuntaina 30.11.", "w niedzielę 30 listopada"),
    ],
)
def test_finnish_weekdays_are_essive_and_polish_ones_take_w_or_we(
    day: int, finnish: str, polish: str
) -> None:
    assert format_due(on(day), "fi", NOW) == f"{finnish} klo 12.00"
    assert format_due(on(day), "pl", NOW) == f"{polish} o 12:00"


@pytest.mark.parametrize(
    ("month", "polish", "danish", "swedish"),
    [
        (1, "stycznia", "januar", "januari"),
        (3, "marca", "marts", "mars"),
        (5, "maja", "maj", "maj"),
        (9, "września", "september", "september"),
        (10, "października", "oktober", "oktober"),
        (12, "grudnia", "december", "december"),
    ],
)
def test_month_names_are_genitive_in_polish_and_lowercase_in_danish_and_swedish(
    month: int, polish: str, danish: str, swedish: str
) -> None:
    when = datetime(2026, month, 15, 10, 0, tzinfo=HELSINKI)
    now = when - timedelta(days=3)
    assert f" 15 {polish} o 10:00" in format_due(when, "pl", now)
    assert f" den 15. {danish} kl. 10.00" in format_due(when, "da", now)
    assert f" 15 {swedish} kl. 10.00" in format_due(when, "sv", now)


def test_danish_and_swedish_weekdays_are_lowercase() -> None:
    for day in range(24, 31):
        assert format_due(on(day), "da", NOW)[0].islower()
        assert format_due(on(day), "sv", NOW)[0].islower()


def test_persian_uses_persian_digits_and_weekday_names() -> None:
    phrases = [format_due(on(day, 10, 45), "fa", NOW) for day in range(24, 31)]
    assert [p.split()[0] for p in phrases] == [
        "دوشنبه",
        "سه‌شنبه",
        "چهارشنبه",
        "پنجشنبه",
        "جمعه",
        "شنبه",
        "یکشنبه",
    ]
    assert not any(ch.isascii() and ch.isdigit() for p in phrases for ch in p)
    assert "۱۰:۴۵" in phrases[0]


def test_today_and_tomorrow_are_judged_in_the_due_times_own_zone() -> None:
    now_in_utc = datetime(2025, 11, 23, 23, 30, tzinfo=UTC)  # already Monday 01:30 in Helsinki
    assert format_due(MONDAY_1230, "en", now_in_utc) == "today at 12:30"
    new_york_time = MONDAY_1230.astimezone(ZoneInfo("America/New_York"))
    assert format_due(new_york_time, "en", now_in_utc) == "tomorrow at 05:30"


def test_the_day_after_tomorrow_and_past_days_are_named() -> None:
    assert format_due(on(23, 9, 0), "en", NOW) == "Sunday 23 November at 09:00"
    assert format_due(on(20, 9, 0), "en", NOW) == "Thursday 20 November at 09:00"


def test_a_date_far_from_now_gets_its_year() -> None:
    when = datetime(2026, 12, 1, 9, 5, tzinfo=HELSINKI)
    assert format_due(when, "en", NOW) == "Tuesday 1 December 2026 at 09:05"
    assert format_due(when, "fi", NOW) == "tiistaina 1.12.2026 klo 9.05"
    assert format_due(when, "da", NOW) == "tirsdag den 1. december 2026 kl. 9.05"
    assert format_due(when, "fa", NOW) == "سه‌شنبه ۱ دسامبر ۲۰۲۶، ساعت ۹:۰۵"


def test_a_date_across_new_year_but_near_has_no_year() -> None:
    now = datetime(2025, 12, 31, 16, 0, tzinfo=HELSINKI)
    when = datetime(2026, 1, 2, 9, 0, tzinfo=HELSINKI)
    assert format_due(when, "en", now) == "Friday 2 January at 09:00"


@pytest.mark.parametrize("lang", ["de", "", "xx", "EN"])
def test_unknown_languages_get_english(lang: str) -> None:
    assert format_due(MONDAY_1230, lang, NOW) == "Monday 24 November at 12:30"


@pytest.mark.parametrize("lang", ["fi-FI", "FI", "fi_FI", " fi "])
def test_language_tags_with_regions_or_capitals_are_understood(lang: str) -> None:
    assert format_due(MONDAY_1230, lang, NOW) == "maanantaina 24.11. klo 12.30"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_due(datetime(2025, 11, 24, 12, 30), "en", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        format_due(MONDAY_1230, "en", datetime(2025, 11, 21, 16, 30))


@pytest.mark.parametrize(
    ("zone", "day", "label"),
    [
        ("Europe/Helsinki", date(2025, 11, 24), "EET"),
        ("Europe/Helsinki", date(2025, 7, 1), "EEST"),
        ("America/New_York", date(2025, 11, 24), "EST"),
        ("Europe/Stockholm", date(2025, 11, 24), "CET"),
        ("Asia/Tehran", date(2025, 11, 24), "UTC+03:30"),  # the database's name is "+0330"
        ("America/Santiago", date(2025, 11, 24), "UTC-03:00"),  # and "-03" here
        ("UTC", date(2025, 11, 24), "UTC"),
    ],
)
def test_zone_label_is_the_abbreviation_or_a_utc_offset(zone: str, day: date, label: str) -> None:
    when = datetime(day.year, day.month, day.day, 12, 0, tzinfo=ZoneInfo(zone))
    assert format_zone(when) == label


def test_zone_label_of_fixed_offsets_and_utc() -> None:
    minus_330 = timezone(-timedelta(hours=3, minutes=30))
    assert format_zone(datetime(2025, 1, 1, tzinfo=minus_330)) == "UTC-03:30"
    assert format_zone(datetime(2025, 1, 1, tzinfo=UTC)) == "UTC"


def test_zone_label_of_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_zone(datetime(2025, 1, 1))
