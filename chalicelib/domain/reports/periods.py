"""Desk-local calendar maths of reports: periods, grouping, and when a day is over for good.

Every date here is a date of the desk's time zone (`[calendar] timezone`), never UTC: a day is
from local midnight to local midnight (23 or 25 hours on a daylight-saving change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SETTLE = timedelta(hours=1)  # a day is summarised once it ended this long ago
DEFAULT_DAYS = 30
MAX_DAYS = 366


class Group(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class Period:
    """One row of a series: `label` names it (a day, the Monday of an ISO week, a month)."""

    start: date
    end: date  # included
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def days_of(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def series(period: Period, group: Group) -> list[Period]:
    """The rows of [start, end] by group, cut at the period's ends."""
    rows: list[Period] = []
    day = period.start
    while day <= period.end:
        if group is Group.DAY:
            first, last, label = day, day, day.isoformat()
        elif group is Group.WEEK:
            first = day - timedelta(days=day.weekday())
            last, label = first + timedelta(days=6), first.isoformat()
        else:
            first, last, label = first_of_month(day), last_of_month(day), f"{day:%Y-%m}"
        end = min(last, period.end)
        rows.append(Period(day, end, label))
        day = end + timedelta(days=1)
    return rows


def previous(period: Period) -> Period:
    """The period of equal length just before."""
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end, "previous")


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def settled(day: date, now: datetime, zone: ZoneInfo) -> bool:
    """A day may be summarised: it ended (local midnight) more than SETTLE ago."""
    midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return now >= midnight + SETTLE


def month_settled(first: date, now: datetime, zone: ZoneInfo) -> bool:
    return settled(last_of_month(first), now, zone)


def whole_months(period: Period) -> list[date]:
    """The first days of the months that lie wholly inside the period."""
    found = []
    month = first_of_month(period.start)
    while month <= period.end:
        if month >= period.start and last_of_month(month) <= period.end:
            found.append(month)
        month = last_of_month(month) + timedelta(days=1)
    return found
