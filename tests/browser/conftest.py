"""Headless Chromium (Debian's, through Playwright) against the local stack on free ports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.conftest import REPO
from tests.e2e.test_local_stack import Stack, free_ports, poll, stack_env

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("HELPDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; HELPDESK_REQUIRE_BROWSER=1 says the browser tests must run")
    pytest.skip(reason)


def _chromium() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (requirements-dev.txt)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def desk(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local stack for all browser tests: `python -m local` in a subprocess."""
    from tests.browser.ui import Desk

    tmp = tmp_path_factory.mktemp("browser-stack")
    names = ("HELPDESK_API_PORT", "HELPDESK_SMTP_PORT", "HELPDESK_AWS_PORT")
    ports = dict(zip(names, free_ports(3), strict=True))
    log = tmp / "stack.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"],
            cwd=REPO,
            env=stack_env(ports, tmp / "state"),
            stdout=out,
            stderr=out,
        )
    stack = Stack(process, ports, tmp / "state", log)
    try:
        poll("the stack did not start", lambda: _ready(stack), 60, stack)
        yield Desk(stack, (stack.state_dir / "admin-token").read_text().strip())
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _ready(stack: Stack) -> bool | None:
    try:
        return stack.call("GET", "/local/clock")[0] == 200 or None
    except OSError:
        return None


def _page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, desk: Any) -> Iterator[Any]:
    """A fresh browser tab (its own sessionStorage) on a desktop-sized screen."""
    yield from _page(browser, {"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Any, desk: Any) -> Iterator[Any]:
    """A fresh tab on a phone-width screen."""
    yield from _page(browser, {"width": 375, "height": 740})


@pytest.fixture
def watch(page: Any) -> Any:
    """What the page says on the side (dialogs, console errors), from its first load on."""
    from tests.browser.ui import Watch

    watching = Watch()
    watching.attach(page)
    return watching
