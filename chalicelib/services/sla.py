"""SLA planning: deadlines in business time, and the schedules that wake us before them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.domain.business_time import BusinessCalendar, add_business_time
from chalicelib.domain.tickets import Event, Ticket


class BusinessHoursSla:
    """First-response deadlines in business hours (policies and schedules: the SLA clock)."""

    def __init__(self, calendar: BusinessCalendar, first_response: timedelta) -> None:
        self._calendar = calendar
        self._first_response = first_response

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]:
        if before is None and after.first_response_due is None:
            due = add_business_time(self._calendar, at, self._first_response)
            return replace(after, first_response_due=due), []
        return after, []

    def sync_schedules(self, before: Ticket | None, after: Ticket) -> None:
        return None
