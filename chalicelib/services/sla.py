"""SLA planning: when the first response is due, in business time."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.business_time import BusinessCalendar, add_business_time
from chalicelib.domain.tickets import Priority, Ticket


class BusinessHoursSla:
    def __init__(self, calendar: BusinessCalendar, first_response: timedelta) -> None:
        self._calendar = calendar
        self._first_response = first_response

    def first_response_due(self, queue: str, priority: Priority, at: datetime) -> datetime:
        return add_business_time(self._calendar, at, self._first_response)

    def after_customer_message(self, ticket: Ticket, at: datetime) -> None:
        """Deadline schedules are added with the SLA clock (see services/sla_schedules.py)."""
