"""What the benchmarks record of the app: every AWS call by name, and the bytes it logs."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEEN: Counter[str] = Counter()  # every call any benchmark desk saw in this run, by operation


class LogSink(io.TextIOBase):
    """Where the app's log lines and metrics go while benchmarked: counted, not printed."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)

    def writable(self) -> bool:
        return True


@dataclass
class CallLog:
    """Every AWS call the app's clients made, by name ("dynamodb.GetItem"), in order."""

    calls: list[str] = field(default_factory=list)
    queries: list[tuple[int, int]] = field(default_factory=list)  # (Count, ScannedCount)

    def clear(self) -> None:
        self.calls.clear()
        self.queries.clear()

    def operations(self) -> list[str]:
        return [c.split(".", 1)[1] for c in self.calls]

    def watch(self, client: Any) -> None:
        client.meta.events.register("before-call.*.*", self._before)
        client.meta.events.register("after-call.dynamodb.Query", self._after_query)

    def _before(self, event_name: str, **_: Any) -> None:
        _event, service, operation = event_name.split(".", 2)
        self.calls.append(f"{service}.{operation}")
        SEEN[operation] += 1

    def _after_query(self, parsed: Mapping[str, Any], **_: Any) -> None:
        self.queries.append((int(parsed.get("Count", 0)), int(parsed.get("ScannedCount", 0))))
