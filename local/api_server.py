"""The Chalice app served as `chalice local --stage local` serves it, threaded, in this process."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, MutableMapping
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.deploy.validate import validate_routes
from chalice.local import ChaliceRequestHandler, create_local_server

from local.lambdas import FunctionSettings
from local.settings import PROJECT_ROOT

log = logging.getLogger("local.http")

STAGE = "local"
# Real credentials never reach the embedded AWS, and a profile would outrank the stage's keys.
_DROPPED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")


def chalice_config(stage: str = STAGE) -> Any:
    """The stage's Config from .chalice/config.json, built as the chalice CLI builds it."""
    return CLIFactory(project_dir=str(PROJECT_ROOT)).create_config_obj(chalice_stage_name=stage)


def apply_environment(
    config: Any,
    aws_endpoint: str,
    environ: MutableMapping[str, str] = os.environ,
    public_base_url: str | None = None,
) -> None:
    """The stage's environment_variables (top-level ones included), pointed at our own AWS."""
    for key in _DROPPED:
        environ.pop(key, None)
    environ.update({k: str(v) for k, v in config.environment_variables.items()})
    environ["AWS_ENDPOINT_URL"] = aws_endpoint
    if public_base_url:  # links in survey mail must reach this server, whatever its port
        environ["PUBLIC_BASE_URL"] = public_base_url
    environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # EMF blobs would flood the log


def function_settings(config: Any) -> Callable[[str], FunctionSettings]:
    def settings(name: str) -> FunctionSettings:
        scoped = config.scope(config.chalice_stage, name)
        return FunctionSettings(
            memory_mb=int(scoped.lambda_memory_size or 128),
            timeout_seconds=int(scoped.lambda_timeout or 60),
        )

    return settings


class _LoggedRequestHandler(ChaliceRequestHandler):
    """Request lines go to our log instead of bare stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s → %s", self.command, self.path, code)

    def log_message(self, format: str, *args: Any) -> None:
        log.warning(format, *args)


class ApiServer:
    def __init__(self, app: Any, config: Any, host: str, port: int) -> None:
        validate_routes(app.routes)  # what `chalice local` checks: deployable routes only
        # create_local_server also makes current_request thread-local, as threads need it.
        self._local = create_local_server(app, config, host, port)
        self._local.server.RequestHandlerClass = functools.partial(
            _LoggedRequestHandler, app_object=app, config=config
        )
        self._thread = threading.Thread(
            target=self._local.server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="local-http",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._local.shutdown()
            self._thread.join(timeout=10)
        self._local.server.server_close()
