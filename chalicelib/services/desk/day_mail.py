"""A day's mail: every mail the desk received and sent on desk-local days, oldest first.

"In three minutes I could see every email the team sent and received on 11 February." Rows
come from the day's-mail index (items.mail_attributes), one Query per page; times are shown
in the desk's time zone, the one that decides the day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.mail.addresses import normalise
from chalicelib.domain.tickets.model import MessageKind
from chalicelib.services.ports import DayMailStore, MailQuery, MailRow

DIRECTIONS = {"in": MessageKind.INBOUND, "out": MessageKind.OUTBOUND, "auto": MessageKind.AUTO}
DIRECTION_OF = {kind: name for name, kind in DIRECTIONS.items()}
MAX_DAYS = 366
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class MailPage:
    first: date
    last: date
    rows: list[MailRow]
    next: str | None


class DayMail:
    def __init__(self, store: DayMailStore, timezone: str) -> None:
        self._store = store
        self._zone = ZoneInfo(timezone)

    def page(
        self,
        *,
        day: str | None,
        until: str | None = None,
        direction: str | None = None,
        queue: str | None = None,
        agent: str | None = None,
        cursor: str | None = None,
        limit: str | int | None = None,
    ) -> MailPage:
        first = _date("date", day)
        if first is None:
            raise InvalidInput("date", "is required (YYYY-MM-DD)")
        last = _date("to", until) or first
        if last < first:
            raise InvalidInput("to", "must not be before date")
        if last - first >= timedelta(days=MAX_DAYS):
            raise InvalidInput("to", f"a range is at most {MAX_DAYS} days")
        query = MailQuery(
            first=first,
            last=last,
            kind=_direction(direction),
            queue=queue or None,
            agent=normalise(agent) if agent else None,
            limit=_limit(limit),
            cursor=cursor or None,
        )
        rows, following = self._store.mail_page(query)
        local = [replace(r, at=r.at.astimezone(self._zone)) for r in rows]
        return MailPage(first, last, local, following)


def _date(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise InvalidInput(name, "must be a date, YYYY-MM-DD") from e


def _direction(value: str | None) -> MessageKind | None:
    if not value:
        return None
    if value not in DIRECTIONS:
        raise InvalidInput("direction", "must be in, out or auto")
    return DIRECTIONS[value]


def _limit(value: str | int | None) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError as e:
        raise InvalidInput("limit", "must be an integer") from e
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"must be 1 to {MAX_LIMIT}")
    return limit
