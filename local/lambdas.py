"""The app's Lambda functions, invoked in-process by function ARN (moto cannot run them)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.local import LambdaContext

log = logging.getLogger("local.lambda")

Handler = Callable[[Any, Any], Any]


class MissingFunction(LookupError):
    """No handler in app.py for a function ARN; retrying cannot help until a restart."""


@dataclass(frozen=True)
class FunctionSettings:
    memory_mb: int = 128
    timeout_seconds: int = 60


class LambdaFunctions:
    """`<stack>-inbound-email` → `app.inbound_email`; any `<stack>-x-y` → `app.x_y`.

    Handlers are resolved on each call (getattr), so a function added to app.py is found
    without changes here. One invocation runs at a time, as in one warm Lambda container.
    """

    def __init__(
        self,
        app_module: Any,
        stack: str,
        settings: Callable[[str], FunctionSettings] = lambda _name: FunctionSettings(),
    ) -> None:
        self._module = app_module
        self._prefix = f"{stack}-"
        self._settings = settings
        self._lock = threading.Lock()

    def handler_name(self, arn: str) -> str:
        function = function_name(arn)
        if not function.startswith(self._prefix):
            raise MissingFunction(f"{function} is not a function of stack {self._prefix[:-1]}")
        return function.removeprefix(self._prefix).replace("-", "_")

    def invoke(self, arn: str, event: Any) -> Any:
        name = self.handler_name(arn)
        handler = getattr(self._module, name, None)
        if not callable(handler):
            raise MissingFunction(
                f"app.py defines no @app.lambda_function(name={name!r}) for {function_name(arn)}"
            )
        with self._lock:
            return handler(event, self._context(arn, name))

    def _context(self, arn: str, name: str) -> LambdaContext:
        settings = self._settings(name)
        context = LambdaContext(
            function_name=function_name(arn),
            memory_size=settings.memory_mb,
            max_runtime_ms=settings.timeout_seconds * 1000,
        )
        context.invoked_function_arn = arn
        return context


def function_name(arn: str) -> str:
    """`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return parts[6]
    return arn
