"""`python -m local` runs the stack; `python -m local clock --advance 3d` moves its clock."""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from local.settings import LocalSettings, StartError

_DURATION = re.compile(r"^(?:(?:\d+(?:\.\d+)?[smhd])+|\d+(?:\.\d+)?)$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
log = logging.getLogger("local")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = LocalSettings.from_env()
        if args.command == "clock":
            return clock_command(settings, args.advance)
        return run(settings)
    except StartError as e:
        print(f"helpdesk: {e}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local", description="Run the whole helpdesk on this machine."
    )
    commands = parser.add_subparsers(dest="command")
    clock = commands.add_parser("clock", help="show or move the running stack's clock")
    clock.add_argument(
        "--advance",
        metavar="DURATION",
        type=_duration_argument,
        help="seconds, or with a unit: 90m, 4h, 3d, 1d12h; fires what falls due on the way",
    )
    return parser


def parse_duration(text: str) -> float:
    """`3600`, `90m`, `4h`, `3d`, `1d12h` → seconds; ValueError otherwise."""
    compact = text.strip().lower()
    if not _DURATION.match(compact):
        raise ValueError(f"{text!r} is not a duration (e.g. 3600, 90m, 4h, 3d, 1d12h)")
    if compact[-1].isdigit():
        return float(compact)
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(compact))


def _duration_argument(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def run(settings: LocalSettings) -> int:
    # Imported here so that `python -m local clock` answers without loading moto and the app.
    from local import logs
    from local.banner import banner
    from local.stack import Stack

    logs.configure()
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stack = Stack(settings)
    began = time.monotonic()
    try:
        running = stack.start()
    except StartError:
        stack.stop()
        raise
    except Exception:
        log.exception("the local stack could not start")
        stack.stop()
        return 1
    print(banner(settings, running, time.monotonic() - began), flush=True)
    # A timed wait: the kernel may hand the signal to another thread, and Python runs handlers
    # only when the main thread wakes up to run bytecode.
    while not stopping.wait(timeout=0.25):
        pass
    log.info("stopping (signal received)")
    stack.stop()
    return 0


def clock_command(settings: LocalSettings, advance: float | None) -> int:
    url = f"http://{settings.host}:{settings.api_port}/local/clock"
    body = None if advance is None else {"advance_seconds": advance}
    try:
        answer = _call(url, body)
    except urllib.error.HTTPError as e:
        print(f"helpdesk: {e.code}: {e.read().decode('utf-8', 'replace')}", file=sys.stderr)
        return 2
    except OSError:
        print(
            f"helpdesk: no local stack answers at {url}; start it with `make run` "
            f"(or set HELPDESK_API_PORT)",
            file=sys.stderr,
        )
        return 1
    print(f"now {answer['now']}")
    for fired in answer.get("fired", []):
        outcome = "ok" if fired["ok"] else f"failed: {fired.get('error', '')}"
        print(f"fired {fired['name']} (due {fired['at']}): {outcome}")
    return 0


def _call(url: str, body: dict[str, Any] | None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=300) as response:
        return dict(json.load(response))
