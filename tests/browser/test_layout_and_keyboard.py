"""The UI on a phone-width screen, and with the keyboard alone."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import Desk, open_ticket, sign_in

pytestmark = pytest.mark.browser

LONG = "Averylongwordwithoutanyspacesthatwouldpushthepagewide" * 3


def test_a_phone_width_screen_gets_one_column_and_no_horizontal_scroll(
    phone: Page, desk: Desk
) -> None:
    mail = desk.mail(
        f"Refund {LONG}",
        body=f"See https://shop.example/orders/{LONG}\n\n> quoted {LONG}\n",
        html=f'<p>See {LONG}</p><table><tr><td style="width: 900px">wide</td></tr></table>',
    )
    number = desk.ticket_of(mail.address)["number"]
    sign_in(phone, desk)
    routes = ("#/unassigned", f"#/ticket/{number}", "#/quarantine", "#/mine", "#/queue/Support")
    for route in routes:
        phone.evaluate("route => { window.location.hash = route; }", route)
        expect(phone.locator("#page h1")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{route} scrolls sideways: {width} px"
        if route.startswith("#/ticket/"):
            expect(phone.locator("#page h1")).to_contain_text(f"#{number}")
            thread, side = (
                phone.locator(".work").bounding_box(),
                phone.locator(".side").bounding_box(),
            )
            assert thread and side and side["x"] == thread["x"] and side["y"] > thread["y"]


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.textContent.trim()"))


def tab_stops(page: Page, count: int) -> list[str]:
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.tagName + ':' + (e.labels && e.labels[0] ? e.labels[0].textContent"
                " : e.getAttribute('aria-label') || e.textContent).trim().slice(0, 40); })()"
            )
        )
    return stops


def test_the_keyboard_alone_signs_in_opens_a_ticket_and_reaches_every_control(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Keyboard only {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    page.goto(desk.url)
    expect(page.get_by_label("API token")).to_be_focused()
    page.keyboard.type(desk.token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Unassigned", level=1)).to_be_focused()

    for _ in range(100):
        page.keyboard.press("j")
        if focused(page) == mail.subject:
            break
    assert focused(page) == mail.subject
    page.keyboard.press("Enter")
    expect(page.locator("#page h1")).to_contain_text(f"#{number}")
    expect(page.locator("#page h1")).to_be_focused()

    page.keyboard.press("r")
    expect(page.get_by_label("Message to the customer")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.get_by_label("Note for colleagues (never emailed)")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.keyboard.press("t")
    expect(page.locator(".facts")).to_contain_text("Local Admin")

    page.locator("#page h1").focus()
    stops = tab_stops(page, 30)
    order = ["BUTTON:Insert template", "BUTTON:Send reply", "BUTTON:Add note", "SELECT:Status",
             "BUTTON:Save changes", "BUTTON:Transfer"]  # fmt: skip
    assert [s for s in stops if s in order] == order, stops
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused control shows no focus ring"

    page.keyboard.press("Escape")  # leaves a text box, if the last stop was one
    page.keyboard.press("Escape")  # back to the list
    expect(page.get_by_role("heading", name="Unassigned", level=1)).to_be_visible()
    open_ticket(page, number)
