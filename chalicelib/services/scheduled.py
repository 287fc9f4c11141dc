"""scheduled: a one-time schedule's Input, dispatched by its "type" to the task registered for it.

Adding a type is one line in bootstrap.Container.scheduled:
    tasks.register("survey", lambda: self.survey_sender)
The task is built on first use, so a firing wires only what its own type needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.domain.errors import InvalidInput

Task = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class ScheduledTasks:
    def __init__(self) -> None:
        self._builders: dict[str, Callable[[], Task]] = {}
        self._built: dict[str, Task] = {}

    def register(self, kind: str, build: Callable[[], Task]) -> None:
        if kind in self._builders:
            raise ValueError(f"scheduled type {kind!r} is registered twice")
        self._builders[kind] = build

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._builders)

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        kind = event.get("type")
        if not isinstance(kind, str) or kind not in self._builders:
            known = ", ".join(sorted(self._builders)) or "none"
            raise InvalidInput("type", f"no scheduled task of type {kind!r} (known: {known})")
        if kind not in self._built:
            self._built[kind] = self._builders[kind]()
        return {"type": kind, **self._built[kind](event)}
