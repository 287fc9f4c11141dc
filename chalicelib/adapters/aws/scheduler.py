"""Scheduler on EventBridge Scheduler: one-time schedules that invoke our Lambda with a payload."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import StorageError


class EventBridgeScheduler:
    def __init__(
        self,
        client: Any,
        group: str,
        target_arn: str,
        role_arn: str,
        dead_letter_arn: str | None = None,
    ) -> None:
        self._client = client
        self._group = group
        self._target = target_arn
        self._role = role_arn
        self._dead_letter = dead_letter_arn

    def create(self, name: str, at: datetime, payload: Mapping[str, Any]) -> bool:
        when = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        target: dict[str, Any] = {
            "Arn": self._target,
            "RoleArn": self._role,
            "Input": json.dumps(dict(payload), separators=(",", ":")),
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
        }
        if self._dead_letter:
            # what the Scheduler could not hand over lands here, not nowhere (make replay)
            target["DeadLetterConfig"] = {"Arn": self._dead_letter}
        try:
            self._client.create_schedule(
                Name=name,
                GroupName=self._group,
                ScheduleExpression=f"at({when})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target=target,
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConflictException":
                return False
            raise StorageError(f"creating schedule {name} failed: {e}") from e
        except BotoCoreError as e:  # a retry is safe: the name makes a second create a conflict
            raise StorageError(f"creating schedule {name} failed: {e}") from e
        return True

    def delete(self, name: str) -> bool:
        try:
            self._client.delete_schedule(Name=name, GroupName=self._group)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return False
            raise StorageError(f"deleting schedule {name} failed: {e}") from e
        except BotoCoreError as e:
            raise StorageError(f"deleting schedule {name} failed: {e}") from e
        return True
