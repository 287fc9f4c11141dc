"""The local stack's clock: real UTC time plus an offset that only moves when someone moves it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _real_now() -> datetime:
    return datetime.now(UTC)


class LocalClock:
    """Thread-safe: the HTTP server, the SMTP server and the scheduler thread all read it."""

    def __init__(self, real_now: Callable[[], datetime] = _real_now) -> None:
        self._real_now = real_now
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._real_now() + self._offset

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def advance(self, seconds: float) -> datetime:
        """Jump forward; time never runs backwards through this door."""
        if seconds < 0:
            raise ValueError("the clock only advances (seconds must be >= 0)")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
            return self._real_now() + self._offset

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        with self._lock:
            self._offset = at.astimezone(UTC) - self._real_now()
