"""The local clock: real time plus an offset that only people and the scheduler move."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from local.clock import LocalClock
from tests.unit.local.fakes import START, frozen_clock


def test_starts_at_real_time() -> None:
    assert frozen_clock().now() == START
    assert frozen_clock().offset_seconds == 0


def test_advance_moves_time_forward_by_the_seconds_given() -> None:
    clock = frozen_clock()
    assert clock.advance(3 * 86400) == START + timedelta(days=3)
    assert clock.now() == START + timedelta(days=3)
    assert clock.offset_seconds == 3 * 86400


def test_time_keeps_running_after_an_advance() -> None:
    real = [START]
    clock = LocalClock(real_now=lambda: real[0])
    clock.advance(60)
    real[0] += timedelta(seconds=5)
    assert clock.now() == START + timedelta(seconds=65)


def test_the_clock_never_advances_backwards() -> None:
    with pytest.raises(ValueError, match="only advances"):
        frozen_clock().advance(-1)


def test_set_jumps_to_a_given_time_in_any_zone() -> None:
    clock = frozen_clock()
    target = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    clock.set(target.astimezone(ZoneInfo("Europe/Helsinki")))
    assert clock.now() == target
    assert clock.now().tzinfo is not None


def test_set_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone"):
        frozen_clock().set(datetime(2026, 1, 1))


def test_concurrent_advances_all_count() -> None:
    clock = frozen_clock()

    def advance_many() -> None:
        for _ in range(200):
            clock.advance(1)

    threads = [threading.Thread(target=advance_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.offset_seconds == 8 * 200
