"""An agent works mail in the browser: sign in, take, reply, conflicts, errors, quarantine."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import Desk, open_ticket, sign_in
from tests.e2e.test_local_stack import poll
from tests.helpers import make_mail

pytestmark = pytest.mark.browser


def lose_the_first_answer(page: Page, pattern: str) -> list[str]:
    """The first request matching `pattern` reaches the helpdesk, its answer never reaches the
    page; later ones pass. Returns the Idempotency-Key the lost request carried."""
    lost: list[str] = []

    def deliver_but_lose_the_answer(route: Any) -> None:
        if lost:
            route.continue_()
            return
        lost.append(route.request.headers.get("idempotency-key", ""))
        route.fetch()  # the helpdesk gets it and acts
        route.abort("connectionreset")

    page.route(pattern, deliver_but_lose_the_answer)
    return lost


def test_an_agent_takes_a_mail_from_unassigned_and_replies_with_a_template(
    page: Page, desk: Desk
) -> None:
    template = desk.api(
        "POST",
        "/api/templates",
        {
            "name": f"Parcel lost {uuid.uuid4().hex[:6]}",
            "language": "en",
            "body": "A new parcel for {{ ticket_tag }} leaves our warehouse today.",
        },
    )
    mail = desk.mail(f"My parcel never arrived {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]

    sign_in(page, desk)
    expect(page.locator("#glance")).to_contain_text("waiting · oldest wait")
    page.get_by_role("navigation").get_by_role("link", name="Unassigned").click()
    page.get_by_role("link", name=mail.subject).click()
    expect(page.locator("#page h1")).to_contain_text(f"#{number}")
    expect(page.get_by_role("article").first).to_contain_text("my invoice 4711")

    page.get_by_role("button", name="Take", exact=True).click()
    expect(page.locator(".facts")).to_contain_text("Local Admin")
    page.get_by_label("Template", exact=True).select_option(template["id"])
    page.get_by_role("button", name="Insert template").click()
    reply = page.get_by_label("Message to the customer")
    expect(reply).to_have_value(f"A new parcel for [#{number}] leaves our warehouse today.")
    page.get_by_label("Solved", exact=True).check()
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".msg-outbound")).to_contain_text("leaves our warehouse today")

    def sent() -> dict[str, Any] | None:
        return next((m for m in desk.outbox() if m["in_reply_to"] == mail.message_id
                     and "warehouse" in m["text"]), None)  # fmt: skip

    out = poll("the reply is not in the outbox", sent, 20, desk.stack)
    assert mail.message_id in out["references"]
    assert f"[#{number}]" in out["subject"]
    assert "support@example.com" in out["from"]
    assert out["to"] == [f"Pia Lind <{mail.address}>"]
    ticket = desk.api("GET", f"/api/tickets/{number}")
    assert (ticket["ticket"]["status"], ticket["ticket"]["assignee"]) == (
        "solved",
        "admin@example.com",
    )
    assert "template_used" in [e["kind"] for e in ticket["events"]]


def test_a_change_made_behind_the_pages_back_is_a_conflict_that_says_what_changed(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Which plan am I on {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    colleague = desk.api(
        "POST",
        "/api/agents",
        {"email": f"maija-{uuid.uuid4().hex[:6]}@example.com", "name": "Maija Agent"},
    )
    sign_in(page, desk, f"#/ticket/{number}")
    expect(page.locator("#page h1")).to_contain_text(f"#{number}")

    seen = desk.api("GET", f"/api/tickets/{number}")["ticket"]
    desk.api("PATCH", f"/api/tickets/{number}", {"version": seen["version"], "priority": "high"})
    page.get_by_label("Status", exact=True).select_option("pending")
    page.get_by_role("button", name="Save changes").click()

    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("changed by someone else")
    expect(notice).to_contain_text("priority normal → high")
    expect(notice).to_contain_text("not saved")
    assert desk.api("GET", f"/api/tickets/{number}")["ticket"]["status"] == "new"

    page.get_by_role("button", name="Reload ticket").click()
    expect(page.locator(".facts")).to_contain_text("high")
    page.get_by_label("Status", exact=True).select_option("pending")
    page.get_by_label("Assignee", exact=True).select_option(label="Maija Agent")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".facts")).to_contain_text("Maija Agent")
    current = desk.api("GET", f"/api/tickets/{number}")["ticket"]
    assert (current["status"], current["priority"]) == ("pending", "high")
    assert current["assignee"] == colleague["id"]

    page.get_by_label("To queue").select_option("Second line")
    page.get_by_label("Note (why)").fill("Needs a developer")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator(".facts")).to_contain_text("Second line")
    assert desk.api("GET", f"/api/tickets/{number}")["ticket"]["queue"] == "Second line"


def test_bad_input_an_oversized_reply_and_a_lost_network_get_clear_messages(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Errors please {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    sign_in(page, desk, f"#/ticket/{number}")
    notice = page.get_by_role("alert")
    reply = page.get_by_label("Message to the customer")

    reply.fill("   ")
    page.get_by_role("button", name="Send reply").click()
    expect(notice).to_contain_text("Please check body")
    expect(reply).to_have_attribute("aria-invalid", "true")
    expect(reply).to_be_focused()

    reply.fill("x" * 70_000)
    page.get_by_role("button", name="Send reply").click()
    expect(notice).to_contain_text("Too large")

    page.route("**/api/tickets/*/notes", lambda route: route.abort())
    page.get_by_label("Note for colleagues (never emailed)").fill("Called the customer")
    page.get_by_role("button", name="Add note").click()
    expect(notice).to_contain_text("Network error")
    expect(page.get_by_label("Note for colleagues (never emailed)")).to_have_value(
        "Called the customer"
    )
    assert len(reply.input_value()) == 70_000
    assert [m["kind"] for m in desk.api("GET", f"/api/tickets/{number}")["thread"]] == [
        "inbound",
        "auto",
    ]


def test_a_reply_whose_answer_was_lost_is_sent_again_without_a_second_mail(
    page: Page, desk: Desk
) -> None:
    """The request reaches the helpdesk, the answer never reaches the phone: the agent presses
    Send again, and the customer still gets one mail."""
    mail = desk.mail(f"Lost answers {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    sign_in(page, desk, f"#/ticket/{number}")
    lost = lose_the_first_answer(page, "**/api/tickets/*/replies")
    page.get_by_label("Message to the customer").fill("The refund is on its way.")
    send = page.get_by_role("button", name="Send reply")
    send.click()
    expect(page.get_by_role("alert")).to_contain_text("Network error")
    send.click()
    expect(page.locator(".msg-outbound")).to_contain_text("The refund is on its way.")

    assert lost and lost[0]
    replies = [m for m in desk.outbox() if "refund is on its way" in m["text"]]
    assert len(replies) == 1
    thread = desk.api("GET", f"/api/tickets/{number}")["thread"]
    assert [m["kind"] for m in thread].count("outbound") == 1


def test_a_note_whose_answer_was_lost_is_added_once_when_pressed_again(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Lost notes {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    sign_in(page, desk, f"#/ticket/{number}")
    lost = lose_the_first_answer(page, "**/api/tickets/*/notes")
    page.get_by_label("Note for colleagues (never emailed)").fill("Called the customer.")
    add = page.get_by_role("button", name="Add note")
    add.click()
    expect(page.get_by_role("alert")).to_contain_text("Network error")
    add.click()
    expect(page.locator(".msg-note")).to_contain_text("Called the customer.")

    assert lost and lost[0]
    thread = desk.api("GET", f"/api/tickets/{number}")["thread"]
    assert sum("Called the customer." in (m["text"] or "") for m in thread) == 1


def test_a_wrong_or_revoked_token_returns_to_the_sign_in_form_with_a_message(
    page: Page, desk: Desk
) -> None:
    page.goto(desk.url)
    token = page.get_by_label("API token")
    expect(token).to_be_focused()
    token.fill("hd_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    expect(page.get_by_role("navigation")).to_be_hidden()

    sign_in(page, desk)
    page.evaluate("sessionStorage.setItem('helpdesk.token', 'hd_revoked-meanwhile')")
    page.evaluate("window.location.hash = '#/mine'")
    expect(page.get_by_role("alert")).to_contain_text("sign in again")
    expect(token).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('helpdesk.token')") is None

    sign_in(page, desk)
    page.get_by_role("button", name="Sign out").click()
    expect(token).to_be_visible()
    expect(page.locator("#page")).to_be_empty()
    assert page.evaluate("sessionStorage.getItem('helpdesk.token')") is None


def test_quarantined_mail_is_released_into_a_ticket_or_confirmed_as_spam(
    page: Page, desk: Desk
) -> None:
    spam = desk.mail(
        f"Cheap watches {uuid.uuid4().hex[:6]}", headers={"X-Local-Verdicts": "spam=FAIL"}
    )
    wanted = desk.mail(
        f"Real order {uuid.uuid4().hex[:6]}", headers={"X-Local-Verdicts": "spam=FAIL"}
    )

    def both_held() -> bool | None:
        subjects = {m["subject"] for m in desk.api("GET", "/api/quarantine")["mail"]}
        return {spam.subject, wanted.subject} <= subjects or None

    poll("the spam was not quarantined", both_held, 20, desk.stack)
    sign_in(page, desk, "#/quarantine")
    page.get_by_role("button", name=f"Release: {wanted.subject}").click()
    status = 'td[data-label="Status"]'
    expect(page.locator("tr", has_text=wanted.subject).locator(status)).to_contain_text("ticket #")
    page.get_by_role("button", name=f"Confirm spam: {spam.subject}").click()
    expect(page.locator("tr", has_text=spam.subject).locator(status)).to_have_text("spam")

    held = {m["subject"]: m for m in desk.api("GET", "/api/quarantine")["mail"]}
    assert held[wanted.subject]["status"] == "released"
    assert held[spam.subject]["status"] == "spam"
    page.locator("tr", has_text=wanted.subject).get_by_role("link").click()
    open_ticket(page, held[wanted.subject]["ticket"])


def test_a_spoofed_reply_is_held_and_an_agent_appends_it_after_checking(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Refund please {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    claim = f"Re: Refund please [#{number}]"
    desk.send(
        make_mail(
            sender=f"Pia Lind <{mail.address}>",
            subject=claim,
            body="Send the refund to my new bank account instead.",
            headers={
                "In-Reply-To": mail.message_id,
                "X-Local-Verdicts": "spf=FAIL, dkim=FAIL, dmarc=FAIL",
            },
        )
    )

    def held() -> dict[str, Any] | None:
        entries = desk.api("GET", "/api/quarantine")["mail"]
        return next((m for m in entries if m["subject"] == claim), None)

    entry = poll("the spoofed reply was not held", held, 20, desk.stack)
    assert entry["claims_ticket"] == number
    assert len(desk.api("GET", f"/api/tickets/{number}")["thread"]) == 2  # mail and our ack

    sign_in(page, desk, "#/quarantine")
    row = page.locator("tr", has_text=claim)
    expect(row).to_contain_text("sender not authenticated")
    row.get_by_role("button", name=f"Append to #{number}").click()
    expect(row.locator('td[data-label="Status"]')).to_contain_text(f"ticket #{number}")
    row.get_by_role("link").click()
    open_ticket(page, number)
    expect(page.get_by_role("article").last).to_contain_text("new bank account")
