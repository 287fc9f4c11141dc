"""EventBridge Scheduler schedules as the local clock sees them: read from moto, when due."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore.exceptions import ClientError

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


def due_time(expression: str, timezone: str | None = None) -> datetime | None:
    """The UTC time of a one-time `at(yyyy-mm-ddThh:mm:ss)` schedule; None for rate() and cron().

    Raises ValueError for a malformed at() or an unknown time zone.
    """
    text = expression.strip()
    match = _AT.match(text)
    if match is None:
        if text.startswith("at("):
            raise ValueError(f"malformed schedule expression {expression!r}")
        return None
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown ScheduleExpressionTimezone {timezone!r}") from e
    local = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=zone)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    name: str
    group: str
    expression: str
    timezone: str
    target_arn: str
    input: str | None = None
    after_completion: str = "NONE"
    state: str = "ENABLED"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """A schedule updated to another time is another firing, so the time is in the key."""
        return (self.group, self.name, self.expression, self.timezone)

    def event(self) -> Any:
        if self.input is None:
            return {}
        try:
            return json.loads(self.input)
        except ValueError:
            return self.input  # EventBridge passes a non-JSON Input through as it is

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Schedule:
        target = item.get("Target") or {}
        return cls(
            name=str(item["Name"]),
            group=str(item.get("GroupName") or "default"),
            expression=str(item.get("ScheduleExpression") or ""),
            timezone=str(item.get("ScheduleExpressionTimezone") or "UTC"),
            target_arn=str(target.get("Arn") or ""),
            input=target.get("Input"),
            after_completion=str(item.get("ActionAfterCompletion") or "NONE"),
            state=str(item.get("State") or "ENABLED"),
        )


class ScheduleSource(Protocol):
    def schedules(self) -> list[Schedule]: ...

    def delete(self, schedule: Schedule) -> None: ...


class MotoSchedules:
    """Schedules of one group, through the Scheduler API of the embedded AWS."""

    def __init__(self, client: Any, group: str) -> None:
        self._client = client
        self._group = group

    def schedules(self) -> list[Schedule]:
        found = []
        pages = self._client.get_paginator("list_schedules").paginate(GroupName=self._group)
        for page in pages:
            for summary in page.get("Schedules", []):
                if summary.get("GroupName", self._group) != self._group:
                    continue  # moto matches GroupName loosely
                item = self._get(str(summary["Name"]))
                if item is not None:
                    found.append(Schedule.from_api(item))
        return found

    def delete(self, schedule: Schedule) -> None:
        try:
            self._client.delete_schedule(Name=schedule.name, GroupName=schedule.group)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException":
                raise

    def _get(self, name: str) -> dict[str, Any] | None:
        try:
            return dict(self._client.get_schedule(Name=name, GroupName=self._group))
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return None  # deleted between the list and the get
            raise
