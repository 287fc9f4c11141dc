"""What the browser tests share: the running helpdesk, mail in, signing in, watching a page."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from tests.e2e.test_local_stack import Stack, poll, send
from tests.helpers import make_mail

# A 1×1 transparent GIF: the "tracking pixel" the hostile mail points at.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@dataclass(frozen=True)
class Mail:
    address: str
    message_id: str
    subject: str


@dataclass
class Desk:
    """The local stack as the tests use it: the UI's address, the API with the admin token."""

    stack: Stack
    token: str

    @property
    def url(self) -> str:
        return self.stack.api + "/"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.stack.call(method, path, body, token=self.token)
        assert status < 300, (method, path, status, data)
        return data

    def mail(self, subject: str, **kwargs: Any) -> Mail:
        """A customer writes over SMTP; each mail has its own sender, so tickets never mix."""
        tag = uuid.uuid4().hex[:12]
        address = f"customer-{tag}@customer.example"
        message_id = f"<{tag}@customer.example>"
        kwargs.setdefault("sender", f"Pia Lind <{address}>")
        self.send(make_mail(subject=subject, message_id=message_id, **kwargs))
        return Mail(address, message_id, subject)

    def send(self, raw: bytes) -> None:
        code, reply = send(self.stack, raw.replace(b"\r\n", b"\n"))  # send() writes CRLF
        assert code == 250, reply

    def ticket_of(self, address: str) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            tickets = self.api("GET", f"/api/tickets?view=all&requester={address}")["tickets"]
            return tickets[0] if tickets else None

        ticket: dict[str, Any] = poll(f"no ticket from {address}", found, 20, self.stack)
        return ticket

    def outbox(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.stack.call("GET", "/local/outbox")[1]["messages"]
        return messages


@dataclass
class Watch:
    """Everything a page says on the side: dialogs, console errors, uncaught exceptions."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")


def sign_in(page: Page, desk: Desk, route: str = "") -> None:
    page.goto(desk.url + route)
    page.get_by_label("API token").fill(desk.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#page h1")).to_be_visible()


def open_ticket(page: Page, number: int) -> None:
    page.evaluate("n => { window.location.hash = `#/ticket/${n}`; }", number)
    expect(page.locator("#page h1")).to_contain_text(f"#{number}")


@dataclass
class Listener:
    """A web server the hostile mail's remote image points at: did anything ask it for a URL?"""

    port: int
    paths: list[str] = field(default_factory=list)


@contextmanager
def listener() -> Iterator[Listener]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PixelHandler)
    heard = Listener(int(server.server_address[1]))
    server.heard = heard  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield heard
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _PixelHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.heard.paths.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(PIXEL)))
        self.end_headers()
        self.wfile.write(PIXEL)

    def log_message(self, format: str, *args: Any) -> None:
        return None
