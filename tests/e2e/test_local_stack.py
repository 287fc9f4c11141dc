"""The local stack as a person runs it: `python -m local` in a subprocess, on free ports."""

from __future__ import annotations

import json
import os
import re
import signal
import smtplib
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.helpers import make_mail

pytestmark = pytest.mark.e2e

READY_SECONDS = 60
SMTP_MAX_BYTES = 200_000
SCHEDULED_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-scheduled"
SES_MESSAGE_ID = re.compile(r"^<[^@<>\s]+@eu-west-1\.amazonses\.com>$")


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    state_dir: Path
    log: Path

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports['HELPDESK_API_PORT']}"

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        request = urllib.request.Request(
            self.api + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def smtp(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.ports["HELPDESK_SMTP_PORT"], timeout=30)

    def aws(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name="eu-west-1",
            endpoint_url=f"http://127.0.0.1:{self.ports['HELPDESK_AWS_PORT']}",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(p.getsockname()[1]) for p in probes]
    finally:
        for probe in probes:
            probe.close()


def stack_env(ports: dict[str, int], state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HELPDESK_"))}
    return env | {k: str(v) for k, v in ports.items()} | {"HELPDESK_STATE_DIR": str(state_dir)}


def poll[T](what: str, probe: Callable[[], T | None], seconds: float, stack: Stack) -> T:
    """Bounded polling for something the stack does in its own time (startup, async mail)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            pytest.fail(f"the stack exited ({stack.process.returncode}):\n{stack.logged()}")
        found = probe()
        if found is not None:
            return found
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} s; the stack's log:\n{stack.logged()}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("local-stack")
    names = ("HELPDESK_API_PORT", "HELPDESK_SMTP_PORT", "HELPDESK_AWS_PORT")
    ports = dict(zip(names, free_ports(3), strict=True))
    env = stack_env(ports, tmp / "state") | {"HELPDESK_SMTP_MAX_BYTES": str(SMTP_MAX_BYTES)}
    log = tmp / "stack.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=REPO, env=env, stdout=out, stderr=out
        )
    running = Stack(process, ports, tmp / "state", log)
    try:
        poll("the stack did not answer GET /local/clock", lambda: _ready(running), 60, running)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _ready(stack: Stack) -> bool | None:
    try:
        return stack.call("GET", "/local/clock")[0] == 200 or None
    except OSError:
        return None


def send(stack: Stack, raw: bytes, to: str = "support@example.com") -> tuple[int, bytes]:
    """One SMTP transaction without the SIZE parameter, so the size is judged at DATA."""
    with stack.smtp() as smtp:
        smtp.ehlo("customer.example")
        smtp.mail("anna.virtanen@customer.example")
        code, reply = smtp.rcpt(to)
        assert code == 250, reply
        return smtp.data(raw.replace(b"\n", b"\r\n"))  # on the wire, lines end in CRLF


def test_a_customer_mail_is_acknowledged_in_the_outbox(stack: Stack) -> None:
    raw = make_mail(subject="My invoice is wrong", message_id="<e2e-first@customer.example>")
    code, reply = send(stack, raw)
    assert code == 250
    assert re.fullmatch(rb"Ok [a-z0-9]{40}", reply)

    def acknowledgement() -> dict[str, Any] | None:
        messages = stack.call("GET", "/local/outbox")[1]["messages"]
        return next((m for m in messages if "e2e-first" in (m["in_reply_to"] or "")), None)

    ack = poll("no acknowledgement in the outbox", acknowledgement, 20, stack)
    assert "[#1001]" in ack["subject"]
    assert ack["in_reply_to"] == "<e2e-first@customer.example>"
    assert SES_MESSAGE_ID.match(ack["message_id"])
    assert f"Message-ID: {ack['message_id']}" in ack["raw"]
    assert ack["to"] == ["Anna Virtanen <anna.virtanen@customer.example>"]
    one = stack.call("GET", f"/local/outbox/{ack['ses_message_id']}")
    assert one == (200, ack)


def test_the_admin_token_file_signs_in_to_the_api(stack: Stack) -> None:
    token_file = stack.state_dir / "admin-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    status, me = stack.call("GET", "/api/me", token=token_file.read_text().strip())
    assert status == 200
    assert (me["email"], me["role"]) == ("admin@example.com", "admin")
    assert stack.call("GET", "/api/me", token="hd_not-a-token")[0] == 401


def test_moving_the_clock_fires_a_due_schedule(stack: Stack) -> None:
    before = datetime.fromisoformat(stack.call("GET", "/local/clock")[1]["now"])
    due = (before + timedelta(hours=1)).replace(microsecond=0)
    scheduler = stack.aws("scheduler")
    scheduler.create_schedule(
        Name="e2e-sla-check",
        GroupName="helpdesk",
        ScheduleExpression=f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": SCHEDULED_ARN,
            "RoleArn": "arn:aws:iam::123456789012:role/helpdesk-local-scheduler",
            "Input": json.dumps({"kind": "e2e", "ticket": 1001}),
        },
    )
    status, moved = stack.call("POST", "/local/clock", {"advance_seconds": 7200})
    assert status == 200
    fired = [f for f in moved["fired"] if f["name"] == "e2e-sla-check"]
    assert [(f["at"], type(f["ok"])) for f in fired] == [(due.isoformat(), bool)]
    assert datetime.fromisoformat(moved["now"]) >= before + timedelta(hours=2)
    if not fired[0]["ok"]:
        # A failing handler is retried, three attempts in all; each POST fires what is due.
        for _ in range(2):
            stack.call("POST", "/local/clock", {"advance_seconds": 0})
    remaining = scheduler.list_schedules(GroupName="helpdesk")["Schedules"]
    assert "e2e-sla-check" not in [s["Name"] for s in remaining]


def test_the_clock_refuses_to_go_backwards(stack: Stack) -> None:
    status, body = stack.call("POST", "/local/clock", {"advance_seconds": -60})
    assert status == 400
    assert body["field"] == "advance_seconds"


def test_an_unknown_recipient_is_refused_at_rcpt(stack: Stack) -> None:
    with stack.smtp() as smtp:
        smtp.ehlo("customer.example")
        smtp.mail("anna.virtanen@customer.example")
        code, reply = smtp.rcpt("nobody@example.com")
    assert code == 550
    assert b"5.1.1 Recipient address rejected" in reply


def test_a_mail_over_the_size_limit_is_refused_at_data(stack: Stack) -> None:
    line = "x" * 900 + "\n"
    raw = make_mail(subject="Big", body=line * (SMTP_MAX_BYTES // len(line) + 10))
    assert len(raw) > SMTP_MAX_BYTES
    code, _ = send(stack, raw)
    assert code == 552


def test_garbage_on_the_socket_does_not_stop_the_next_sender(stack: Stack) -> None:
    with socket.create_connection(("127.0.0.1", stack.ports["HELPDESK_SMTP_PORT"]), 30) as junk:
        assert junk.recv(1024).startswith(b"220")
        junk.sendall(b"\x00\xff\xfe\x01 GARBAGE \x80\x81\r\n")
        assert junk.recv(1024)[:1] in (b"5", b"")
        junk.sendall(b"DATA\r\n")
        code, reply = send(stack, make_mail(subject="After the junk"))
    assert code == 250, reply


def test_ctrl_c_stops_everything_and_frees_the_ports(stack: Stack) -> None:
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=30) == 0
    assert [name for name, port in stack.ports.items() if answers(port)] == []
    shutdown = stack.logged().partition("stopping (signal received)")[2]
    assert "stopped embedded AWS" in shutdown
    assert "Traceback" not in shutdown


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_busy_port_is_named_with_its_variable_and_exit_code_2(tmp_path: Path) -> None:
    names = ("HELPDESK_API_PORT", "HELPDESK_SMTP_PORT", "HELPDESK_AWS_PORT")
    ports = dict(zip(names, free_ports(3), strict=True))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", ports["HELPDESK_API_PORT"]))
        listener.listen()
        result = subprocess.run(
            [sys.executable, "-m", "local"],
            cwd=REPO,
            env=stack_env(ports, tmp_path / "state"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"port {ports['HELPDESK_API_PORT']}" in result.stderr
    assert "HELPDESK_API_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state").exists()
