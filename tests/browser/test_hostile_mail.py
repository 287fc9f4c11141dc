"""Mail full of script payloads runs nothing, and loads nothing remote until the agent asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, Route, expect

from tests.browser.ui import Desk, Listener, Watch, listener, open_ticket, sign_in
from tests.conftest import FIXTURES
from tests.e2e.test_local_stack import poll

pytestmark = pytest.mark.browser

HOSTILE = Path(__file__).with_name("hostile_html.eml")  # every payload sets window.top.__pwned
SANDBOX = "allow-popups allow-popups-to-escape-sandbox"  # no allow-scripts, no allow-same-origin


@pytest.fixture
def pixel() -> Iterator[Listener]:
    """A fresh listener per test: which URLs did this test's page ask it for?"""
    with listener() as heard:
        yield heard


def pwned(page: Page) -> dict[str, str]:
    """`typeof window.__pwned` in every frame (evaluated by DevTools, which sandboxes allow)."""
    return {frame.url: str(frame.evaluate("typeof window.__pwned")) for frame in page.frames}


def mail_frame(page: Page) -> Frame:
    iframe = page.locator("iframe.mail-frame")
    expect(iframe).to_have_attribute("sandbox", SANDBOX)
    frame = iframe.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def assert_nothing_ran(page: Page, watch: Watch, frame: Frame) -> None:
    assert watch.dialogs == []
    assert watch.errors == []
    assert set(pwned(page).values()) == {"undefined"}, pwned(page)
    dangerous = (
        "script, iframe, object, embed, meta, base, link, form, [onerror], [onload], [style*=url]"
    )
    body = frame.locator("body")  # the head holds the UI's own CSP, referrer and style tags
    assert body.locator(dangerous).count() == 0
    assert body.locator("a[href^='javascript' i], a[href^='data' i]").count() == 0


def test_the_fixture_with_script_and_onerror_executes_nothing(
    page: Page, watch: Watch, desk: Desk
) -> None:
    desk.send((FIXTURES / "script_html.eml").read_bytes())
    number = desk.ticket_of("mallory@example.net")["number"]
    sign_in(page, desk)
    open_ticket(page, number)
    frame = mail_frame(page)
    expect(frame.get_by_text("Thanks, Mallory")).to_be_visible()
    assert_nothing_ran(page, watch, frame)


def test_a_nastier_mail_runs_nothing_and_its_pixel_loads_only_when_asked(
    page: Page, watch: Watch, desk: Desk, pixel: Listener
) -> None:
    desk.send(HOSTILE.read_bytes().replace(b"PIXEL_PORT", str(pixel.port).encode()))
    number = desk.ticket_of("mallory@attacker.example")["number"]
    sign_in(page, desk)
    expect(page.get_by_role("link", name="onerror=")).to_have_text(
        "<img src=x onerror=\"window.top.__pwned=1;alert('subject')\"> Order broken"
    )
    open_ticket(page, number)
    frame = mail_frame(page)
    expect(frame.get_by_text("Thanks, Mallory")).to_be_visible()
    expect(page.locator(".msg-inbound .msg-head")).to_contain_text("<script>")
    assert_nothing_ran(page, watch, frame)
    assert pixel.paths == []

    page.get_by_role("button", name="Load remote images").click()
    poll("the remote image was not loaded", lambda: pixel.paths or None, 10, desk.stack)
    frame = mail_frame(page)
    expect(frame.locator("img[alt=tracker]")).to_have_attribute(
        "src", f"http://127.0.0.1:{pixel.port}/pixel"
    )
    assert set(pixel.paths) == {"/pixel"}  # the image only: no CSS, frame, form or link
    assert_nothing_ran(page, watch, frame)


def raw_html(port: int) -> str:
    """The hostile mail's HTML as it arrived, before any sanitiser touched it."""
    body = HOSTILE.read_text().partition("\n\n")[2].replace("PIXEL_PORT", str(port))
    refresh = f'<meta http-equiv="refresh" content="0;url=http://127.0.0.1:{port}/refresh">'
    return refresh + body


def test_even_unsanitised_html_runs_nothing_and_loads_nothing_in_the_frame(
    page: Page, watch: Watch, desk: Desk, pixel: Listener
) -> None:
    """Defence in depth: were the sanitiser to fail, the sandbox and the CSPs still hold."""
    mail = desk.mail("A plain HTML mail", html="<p>Nothing to see</p>")
    number = desk.ticket_of(mail.address)["number"]

    def unsanitised(route: Route) -> None:
        response = route.fetch()
        detail = response.json()
        detail["thread"][0]["html"] = raw_html(pixel.port)
        route.fulfill(response=response, json=detail)

    page.route(f"**/api/tickets/{number}", unsanitised)
    sign_in(page, desk)
    open_ticket(page, number)
    frame = mail_frame(page)
    expect(frame.get_by_text("Dear support")).to_be_visible()
    assert frame.locator("body script").count() > 0  # the payloads really are in the frame

    # Chromium reports each refusal on the console: wait for them rather than for a time.
    refusals = (
        f"Loading the image 'http://127.0.0.1:{pixel.port}/pixel' violates",  # the frame's CSP
        f"Loading the stylesheet 'http://127.0.0.1:{pixel.port}/link-css' violates",
        "Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed",
        "Refused to execute the redirect",  # the meta refresh
    )
    for refusal in refusals:
        poll(refusal, lambda r=refusal: any(r in e for e in watch.errors) or None, 10, desk.stack)
    assert not [e for e in watch.errors if e.startswith("pageerror")]
    assert watch.dialogs == []
    assert set(pwned(page).values()) == {"undefined"}, pwned(page)
    assert pixel.paths == []
