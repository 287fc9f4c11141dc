"""Business hours maths for SLA deadlines: open time counted period by period, in UTC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Period = tuple[time, time]
Weekly = tuple[tuple[Period, ...], ...]
Span = tuple[datetime, datetime]

END_OF_DAY = time.max  # as a period end ("24:00"): the next midnight, so 24h days join up
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 3 * 366  # a calendar closed this long is treated as never open
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str  # IANA name, e.g. "Europe/Helsinki"
    weekly: Weekly  # 7 days, Monday first; each day's (start, end) periods in order
    closed_dates: frozenset[date] = frozenset()  # local dates: public holidays, closures

    def __post_init__(self) -> None:
        _zone(self.timezone)
        _check_weekly(self.weekly)

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        return cls(timezone, (((time.min, END_OF_DAY),),) * 7)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_weekly_hours(spec: str) -> Weekly:
    """Read e.g. "mon-fri 08:00-12:00,13:00-17:00; sat 10:00-14:00"; unnamed days are closed."""
    try:
        weekly = _parse(spec)
        _check_weekly(weekly)
    except ValueError as e:
        raise ValueError(f"bad weekly hours {spec!r}: {e}") from None
    return weekly


def add_business_time(cal: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The UTC instant when `duration` of open time has passed, counting from `start`."""
    if duration < ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    left, spans = duration, _open_spans(cal, _utc(start))
    while True:
        opens, closes = next(spans)
        if left <= closes - opens:
            return opens + left
        left -= closes - opens


def business_time_between(cal: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    start, end = _utc(a), _utc(b)
    total = ZERO
    for opens, closes in _open_spans(cal, start, until=end):
        total += min(closes, end) - opens
    return total


def is_open(cal: BusinessCalendar, at: datetime) -> bool:
    instant = _utc(at)
    day = instant.astimezone(cal.zone).date()
    days = (day - ONE_DAY, day, day + ONE_DAY)  # the next day too: midnight may repeat
    return any(opens <= instant < closes for d in days for opens, closes in _day_spans(cal, d))


def next_opening(cal: BusinessCalendar, at: datetime) -> datetime:
    """`at` (in UTC) when open, else the next moment the calendar opens."""
    return add_business_time(cal, at, ZERO)


def _open_spans(
    cal: BusinessCalendar, since: datetime, until: datetime | None = None
) -> Iterator[Span]:
    """Open spans from `since` on (the first one cut to start there), up to `until` if given."""
    day, idle = since.astimezone(cal.zone).date() - ONE_DAY, 0
    while until is None or _instant(day, time.min, cal.zone) < until:
        spans = [(max(o, since), c) for o, c in _day_spans(cal, day) if c > since]
        yield from (s for s in spans if until is None or s[0] < until)
        idle = 0 if spans else idle + 1
        if until is None and idle > HORIZON_DAYS:
            raise ValueError(f"calendar never opens within {HORIZON_DAYS} days after {since}")
        if day >= date.max - 2 * ONE_DAY:
            raise ValueError("business time runs past the year 9999")
        day += ONE_DAY


def _day_spans(cal: BusinessCalendar, day: date) -> list[Span]:
    if day in cal.closed_dates:
        return []
    spans = [_span(day, start, end, cal.zone) for start, end in cal.weekly[day.weekday()]]
    return [(opens, closes) for opens, closes in spans if closes > opens]


def _span(day: date, start: time, end: time, zone: ZoneInfo) -> Span:
    if end == END_OF_DAY:
        return _instant(day, start, zone), _instant(day + ONE_DAY, time.min, zone)
    return _instant(day, start, zone), _instant(day, end, zone)


# Clock changes. Periods are wall-clock times; each day's periods become UTC instants, and
# business time is real elapsed time: a period containing a change is an hour shorter (spring)
# or longer (autumn), while 09:00-17:00 on a day whose change is at night stays 8 hours.
# A wall time the clocks skip means the moment they jump (Helsinki's 03:30 on the spring night
# opens at 04:00 summer time; a period wholly inside the gap vanishes). A wall time that happens
# twice means its first occurrence. Both rules keep the mapping monotonic: no overlaps in UTC.
def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first of a repeated time
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    return _jump(local)


def _jump(local: datetime) -> datetime:
    """The instant the clocks jump over `local`, a wall time that does not exist."""
    before = local.replace(fold=1).astimezone(UTC)  # earlier: read with the new offset
    after = local.replace(fold=0).astimezone(UTC)  # later: read with the old offset
    offset_after = after.astimezone(local.tzinfo).utcoffset()
    while after - before > _MICROSECOND:
        middle = before + (after - before) // 2
        if middle.astimezone(local.tzinfo).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone; pass an aware datetime")
    return at.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _check_weekly(weekly: Weekly) -> None:
    if len(weekly) != 7:
        raise ValueError(f"need 7 days of periods, Monday first, got {len(weekly)}")
    for name, periods in zip(DAY_NAMES, weekly, strict=True):
        _check_day(name, periods)


def _check_day(name: str, periods: tuple[Period, ...]) -> None:
    for start, end in periods:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{name}: period times are wall-clock times, without a zone")
        if end <= start:
            raise ValueError(f"{name}: {_hhmm(start)}-{_hhmm(end)} does not end after it starts")
    for first, second in pairwise(periods):
        if second[0] < first[1]:
            raise ValueError(
                f"{name}: {_hhmm(first[0])}-{_hhmm(first[1])} and "
                f"{_hhmm(second[0])}-{_hhmm(second[1])} overlap or are out of order"
            )


_CLAUSE = re.compile(r"^([a-z][a-z,\s-]*?)\s+(\d.*)$")
_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _parse(spec: str) -> Weekly:
    days: list[list[Period]] = [[] for _ in DAY_NAMES]
    clauses = [clause.strip().lower() for clause in spec.split(";") if clause.strip()]
    if not clauses:
        raise ValueError('no hours given; write e.g. "mon-fri 09:00-17:00"')
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            raise ValueError(f'{clause!r} is not "<days> <HH:MM-HH:MM>[,...]"')
        periods = [_period(text.strip()) for text in match[2].split(",")]
        for index in _day_indexes(match[1]):
            days[index].extend(periods)
    return tuple(tuple(sorted(periods)) for periods in days)


def _day_indexes(text: str) -> list[int]:
    indexes: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        first, _, last = (name.strip() for name in part.partition("-"))
        start, stop = _day_index(first), _day_index(last or first)
        indexes += [(start + i) % 7 for i in range((stop - start) % 7 + 1)]  # "fri-mon" wraps
    return indexes


def _day_index(name: str) -> int:
    if name not in DAY_NAMES:
        raise ValueError(f"unknown day {name!r}; use {', '.join(DAY_NAMES)}")
    return DAY_NAMES.index(name)


def _period(text: str) -> Period:
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f'{text!r} is not a period like "09:00-17:00"')
    start, end = _clock(match[1], match[2], text), _clock(match[3], match[4], text, is_end=True)
    if end <= start:
        raise ValueError(
            f"{text!r} does not end after it starts; split a period that passes midnight, "
            'e.g. "fri 22:00-24:00; sat 00:00-06:00"'
        )
    return start, end


def _clock(hours: str, minutes: str, text: str, *, is_end: bool = False) -> time:
    hour, minute = int(hours), int(minutes)
    if (hour, minute) == (24, 0) and is_end:
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} has an impossible time {hours}:{minutes}")
    return time(hour, minute)


def _hhmm(t: time) -> str:
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")
