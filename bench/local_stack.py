"""The local stack as a subprocess on free ports, and mail sent to its SMTP port.

It runs `python -m local` (which applies local/moto_patch.py to its embedded AWS).
"""

from __future__ import annotations

import json
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.config import REPO, stage_environment
from bench.corpus import Mail

READY_SECONDS = 90
PORTS = ("HELPDESK_API_PORT", "HELPDESK_SMTP_PORT", "HELPDESK_AWS_PORT")
_ACCEPTED = re.compile(rb"Ok ([a-z0-9]{40})")


@dataclass(frozen=True)
class Stack:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    log: Path

    @property
    def smtp_port(self) -> int:
        return self.ports["HELPDESK_SMTP_PORT"]

    def aws(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=self.environment["AWS_REGION"],
            endpoint_url=f"http://127.0.0.1:{self.ports['HELPDESK_AWS_PORT']}",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 (the embedded AWS takes any)
        )

    @property
    def environment(self) -> dict[str, str]:
        """The `local` stage's environment_variables: the app's region and table name."""
        return stage_environment("local")

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class Sent:
    mail_id: str
    mail: Mail
    seconds: float  # MAIL FROM to the 250 after DATA
    accepted_at: float  # time.perf_counter() at that 250


def free_ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(p.getsockname()[1]) for p in probes]
    finally:
        for probe in probes:
            probe.close()


@contextmanager
def local_stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HELPDESK_"))}
        env |= {k: str(v) for k, v in ports.items()} | {"HELPDESK_STATE_DIR": f"{tmp}/state"}
        log = Path(tmp) / "stack.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "local"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=out,
            )
        stack = Stack(process, ports, log)
        try:
            _wait_ready(stack)
            yield stack
        finally:
            _stop(process)


def _wait_ready(stack: Stack) -> None:
    url = f"http://127.0.0.1:{stack.ports['HELPDESK_API_PORT']}/local/clock"
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise RuntimeError(f"the local stack exited:\n{stack.logged()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                json.load(response)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the local stack did not start in {READY_SECONDS} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def send_all(stack: Stack, mails: Sequence[Mail], threads: int = 4) -> list[Sent]:
    """Each thread one SMTP connection, sending its share in order; the accepted mail ids."""
    shares = [list(mails[n::threads]) for n in range(threads)]
    results: list[list[Sent]] = [[] for _ in shares]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            results[n] = _send(stack.smtp_port, shares[n])
        except BaseException as e:  # reported in the calling thread
            errors.append(e)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return sorted((s for share in results for s in share), key=lambda s: s.mail.index)


def _send(port: int, mails: Sequence[Mail]) -> list[Sent]:
    sent = []
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
        smtp.ehlo("customer.example")
        for mail in mails:
            started = time.perf_counter()
            smtp.mail(mail.sender)
            smtp.rcpt(mail.recipient)
            code, reply = smtp.data(mail.raw)
            accepted = _ACCEPTED.search(reply)
            if code != 250 or accepted is None:
                raise RuntimeError(f"mail {mail.index} refused: {code} {reply!r}")
            now = time.perf_counter()
            sent.append(Sent(accepted.group(1).decode(), mail, now - started, now))
    return sent
