"""The whole local stack: start in order, stop in reverse, everything in this one process."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from chalicelib import bootstrap
from chalicelib.config import Settings
from local import moto_patch
from local.api_server import ApiServer, apply_environment, chalice_config, function_settings
from local.clock import LocalClock
from local.firing import ScheduleRunner, Ticker
from local.lambdas import LambdaFunctions
from local.logs import readable_powertools
from local.mailbox_simulator import MailboxSimulator
from local.outbox import read_outbox
from local.provision import ACCOUNT, AWS_SERVICES, Names, physical_names, provision
from local.receipt_rules import active_rules
from local.receiving import Receiver
from local.routes import LocalServices, local_blueprint
from local.schedules import MotoSchedules
from local.settings import PROJECT_ROOT, LocalSettings, busy, check_ports
from local.smtp import start_smtp

log = logging.getLogger("local.stack")

ADMIN_EMAIL = "admin@example.com"
ADMIN_NAME = "Local Admin"


@dataclass(frozen=True)
class Running:
    """What the banner shows."""

    token: str
    recipients: tuple[str, ...]


class Stack:
    def __init__(self, settings: LocalSettings) -> None:
        self.settings = settings
        self._stops: list[tuple[str, Callable[[], None]]] = []

    def start(self) -> Running:
        s = self.settings
        check_ports(s)
        config = chalice_config()
        apply_environment(
            config, f"http://{s.host}:{s.aws_port}", public_base_url=f"http://{s.host}:{s.api_port}"
        )
        self._start_aws()
        clients = self._clients()
        names = _names()
        for line in provision(clients, names):
            logging.getLogger("local.aws").info(line)
        app_module = self._import_app()
        clock, container = _wire_container()
        token = container.agents.ensure_admin(ADMIN_EMAIL, ADMIN_NAME).secret
        write_token(s.token_file, token)
        log.info("admin agent %s; token written to %s", ADMIN_EMAIL, s.token_file)
        functions = _functions(app_module, names.stack, config)
        self._start_mailbox_simulator(container, functions, names, clock)
        receiver = self._start_smtp(clients, functions, clock)
        runner = self._start_clock(clients, names.schedule_group, functions, clock)
        self._start_api(app_module, config, clock, runner)
        return Running(token=token, recipients=tuple(receiver.recipients))

    def stop(self) -> None:
        while self._stops:
            name, stop = self._stops.pop()
            try:
                stop()
            except Exception:
                log.exception("stopping %s failed", name)
            else:
                log.info("stopped %s", name)

    def _start_aws(self) -> None:
        moto_patch.apply()  # moto copies the whole table per transaction otherwise
        server = ThreadedMotoServer(
            ip_address=self.settings.host, port=self.settings.aws_port, verbose=False
        )
        server.start()
        self._stops.append(("embedded AWS", server.stop))

    def _clients(self) -> dict[str, Any]:
        endpoint = f"http://{self.settings.host}:{self.settings.aws_port}"
        region = os.environ["AWS_REGION"]
        return {n: boto3.client(n, region_name=region, endpoint_url=endpoint) for n in AWS_SERVICES}

    def _import_app(self) -> Any:
        if str(PROJECT_ROOT) not in sys.path:
            sys.path.insert(0, str(PROJECT_ROOT))
        app_module = importlib.import_module("app")
        readable_powertools(app_module.logger)
        return app_module

    def _start_mailbox_simulator(
        self,
        container: bootstrap.Container,
        functions: LambdaFunctions,
        names: Names,
        clock: LocalClock,
    ) -> None:
        physical, region = physical_names(names), names.region
        simulator = MailboxSimulator(
            functions.invoke,
            f"arn:aws:lambda:{region}:{ACCOUNT}:function:{physical['SesEvents']}",
            f"arn:aws:sns:{region}:{ACCOUNT}:{physical['SesEventsTopic']}",
            clock.now,
        )
        simulator.attach(container.client("sesv2"))
        self._stops.append(("mailbox simulator", simulator.close))

    def _start_smtp(
        self, clients: dict[str, Any], functions: LambdaFunctions, clock: LocalClock
    ) -> Receiver:
        s = self.settings
        receiver = Receiver(active_rules(clients["ses"]), clients["s3"], functions, clock)
        self._stops.append(("mail processing", receiver.close))
        try:
            controller = start_smtp(receiver, s.host, s.smtp_port, s.smtp_max_bytes)
        except OSError as e:
            raise busy(s.ports[1], s.host) from e
        self._stops.append(("SMTP server", controller.stop))
        return receiver

    def _start_clock(
        self, clients: dict[str, Any], group: str, functions: LambdaFunctions, clock: LocalClock
    ) -> ScheduleRunner:
        runner = ScheduleRunner(MotoSchedules(clients["scheduler"], group), functions.invoke, clock)
        ticker = Ticker(runner)
        ticker.start()
        self._stops.append(("clock", ticker.stop))
        return runner

    def _start_api(
        self, app_module: Any, config: Any, clock: LocalClock, runner: ScheduleRunner
    ) -> None:
        s, app = self.settings, app_module.app
        region = os.environ["AWS_REGION"]
        services = LocalServices(
            clock=clock,
            runner=runner,
            outbox=lambda: read_outbox(region),
            page={"api_port": s.api_port, "smtp_port": s.smtp_port, "token_file": s.token_file},
        )
        serve_root = "/" not in app.routes
        app.register_blueprint(local_blueprint(services, serve_root=serve_root))
        try:
            server = ApiServer(app, config, s.host, s.api_port)
        except OSError as e:
            raise busy(s.ports[0], s.host) from e
        server.start()
        self._stops.append(("API server", server.stop))


def _names() -> Names:
    return Names(
        bucket=os.environ["MAIL_BUCKET"],
        table=os.environ["TABLE_NAME"],
        schedule_group=os.environ.get("SCHEDULER_GROUP", "helpdesk"),
        region=os.environ["AWS_REGION"],
    )


def _wire_container() -> tuple[LocalClock, bootstrap.Container]:
    """The app reads time through the local clock: timestamps, SLA maths, survey dates."""
    clock = LocalClock()
    container = bootstrap.Container(Settings.from_env(), clock=clock)
    bootstrap.use(container)
    return clock, container


def _functions(app_module: Any, stack: str, config: Any) -> LambdaFunctions:
    return LambdaFunctions(app_module, stack, function_settings(config))


def write_token(path: Path, token: str) -> None:
    """Readable by its owner only: it is an admin credential, even if only a local one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    path.chmod(0o600)  # O_CREAT keeps the mode of a file that was already there
