"""The local stack's own settings (ports, limits, state directory), read from the environment."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SES_MAX_BYTES = 40 * 1024 * 1024  # SES receives messages up to 40 MB, headers included


class StartError(Exception):
    """The stack cannot start; the message says what to change. Exit code 2, no traceback."""


@dataclass(frozen=True)
class Port:
    env: str
    role: str
    number: int


@dataclass(frozen=True)
class LocalSettings:
    api_port: int = 8000
    smtp_port: int = 2525
    aws_port: int = 5000
    smtp_max_bytes: int = SES_MAX_BYTES
    state_dir: Path = PROJECT_ROOT / ".local"
    host: str = HOST

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalSettings:
        env = os.environ if environ is None else environ
        state_dir = env.get("HELPDESK_STATE_DIR", "").strip()
        return cls(
            api_port=_int(env, "HELPDESK_API_PORT", 8000, 1, 65535),
            smtp_port=_int(env, "HELPDESK_SMTP_PORT", 2525, 1, 65535),
            aws_port=_int(env, "HELPDESK_AWS_PORT", 5000, 1, 65535),
            smtp_max_bytes=_int(env, "HELPDESK_SMTP_MAX_BYTES", SES_MAX_BYTES, 1, 2**40),
            state_dir=Path(state_dir).resolve() if state_dir else PROJECT_ROOT / ".local",
        )

    @property
    def ports(self) -> tuple[Port, ...]:
        return (
            Port("HELPDESK_API_PORT", "API and UI", self.api_port),
            Port("HELPDESK_SMTP_PORT", "SMTP", self.smtp_port),
            Port("HELPDESK_AWS_PORT", "embedded AWS", self.aws_port),
        )

    @property
    def token_file(self) -> Path:
        return self.state_dir / "admin-token"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise StartError(f"{name}={text!r} is not a number from {low} to {high}")
    return int(text)


def check_ports(settings: LocalSettings) -> None:
    """Fail before starting anything, with the port and the variable that changes it."""
    seen: dict[int, Port] = {}
    for port in settings.ports:
        if port.number in seen:
            raise StartError(
                f"{port.env} and {seen[port.number].env} both name port {port.number}; "
                f"give each its own"
            )
        seen[port.number] = port
        if not port_is_free(settings.host, port.number):
            raise busy(port, settings.host)


def busy(port: Port, host: str) -> StartError:
    return StartError(
        f"port {port.number} ({port.role}) is already in use on {host}: "
        f"stop what uses it or set {port.env} to another port, e.g. {port.env}={port.number + 1}"
    )


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port only in TIME_WAIT is free, one with a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
