"""The manager's desk in the browser: the Reports page, its drill-down and CSV, the live board.

Most tests answer the reports and board routes from tests/browser/report_stub.py (the issue-13
contract), so the page is checked on exact figures and on answers a desk rarely gives (a 400,
no board route); the "seeded desk" tests read the real APIs after mail arrives.
"""

from __future__ import annotations

import tomllib
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser import report_stub
from tests.browser.ui import Desk, Watch, sign_in
from tests.conftest import REPO

pytestmark = pytest.mark.browser

# The tab goes to the background (or comes back), as far as the page can tell.
HIDE = """hidden => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def go(page: Page, route: str) -> None:
    page.evaluate("route => { window.location.hash = route; }", route)


def period_cell(page: Page, day: str, field: str) -> Locator:
    return page.locator(f'table.periods tr[data-period="{day}"] td[data-field="{field}"]')


def test_the_reports_page_shows_each_periods_numbers_beside_its_chart(
    page: Page, desk: Desk
) -> None:
    watch = Watch()
    watch.attach(page)
    report_stub.install(page)
    sign_in(page, desk)
    go(page, "#/reports?preset=7&group=day")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()

    for day, created, solved in zip(
        report_stub.DAYS, report_stub.CREATED, report_stub.SOLVED, strict=True
    ):
        expect(period_cell(page, day, "created")).to_have_attribute("data-value", str(created))
        expect(period_cell(page, day, "solved")).to_have_text(str(solved))
    figure = page.locator("figure", has=page.locator('[data-chart="created-solved"]'))
    expect(figure).to_contain_text(
        f"{sum(report_stub.CREATED)} created, {sum(report_stub.SOLVED)} solved"
    )
    expect(figure.locator("canvas").first).to_be_visible()  # uPlot, from /ui/vendor/, drew it
    expect(figure).to_have_attribute("aria-describedby", "periods-title")
    expect(page.locator('[data-figure="created"] .delta')).to_contain_text("+6 (+24%) vs previous")
    expect(page.locator('[data-figure="first_response.business"]')).to_contain_text("n = 30")
    expect(
        page.locator('tr[data-sla="first_response"] td[data-field="compliance"]')
    ).to_contain_text("96.8% (n = 31)")
    busiest = page.locator('table[data-heat="heat-in"] td[data-value="10"]').first
    expect(busiest).to_have_class("heat-5")
    expect(
        page.locator('table.agents tr[data-agent="anna@example.com"] td[data-field="replies"]')
    ).to_have_text("12")
    assert watch.errors == []


def test_g_then_r_opens_the_reports_page_from_the_keyboard(page: Page, desk: Desk) -> None:
    report_stub.install(page)
    sign_in(page, desk)
    page.keyboard.press("g")
    page.keyboard.press("r")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Period", exact=True)).to_be_focused()


def test_a_csv_download_carries_the_pages_filters_and_the_token(
    page: Page, desk: Desk, tmp_path: Path
) -> None:
    asked: list[str] = []
    tokens: list[str] = []
    page.on(
        "request",
        lambda r: (
            tokens.append(r.headers.get("authorization", "")) if "format=csv" in r.url else None
        ),
    )
    report_stub.install(page, asked)
    sign_in(page, desk)
    go(page, "#/reports?from=2026-11-24&to=2026-11-30&group=week&queue=Support&priority=high")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_label("Queue", exact=True)).to_have_value("Support")

    with page.expect_download() as summary:
        page.get_by_role("button", name="Download CSV (summary)").click()
    saved = tmp_path / "summary.csv"
    summary.value.save_as(saved)
    assert saved.read_bytes().decode() == report_stub.SUMMARY_CSV
    assert summary.value.suggested_filename == "report-summary-2026-11-24-2026-11-30.csv"
    [csv] = [a for a in asked if "format=csv" in a]
    assert csv.startswith("/api/reports/summary?")
    for param in (
        "from=2026-11-24",
        "to=2026-11-30",
        "group=week",
        "queue=Support",
        "priority=high",
    ):
        assert param in csv, csv
    assert tokens == [f"Bearer {desk.token}"]

    with page.expect_download() as per_agent:
        page.get_by_role("button", name="Download CSV (agents)").click()
    assert Path(per_agent.value.path()).read_bytes().decode() == report_stub.AGENTS_CSV


def test_a_periods_mail_opens_the_days_mail_and_next_reads_on_with_the_cursor(
    page: Page, desk: Desk
) -> None:
    asked: list[str] = []
    report_stub.install(page, asked)
    sign_in(page, desk)
    go(page, "#/reports?from=2026-11-24&to=2026-11-30&queue=Support")
    day = report_stub.DAYS[1]
    period_cell(page, day, "mails_received").get_by_role("link").click()

    expect(page.locator("#page h1")).to_contain_text("Mail")
    assert any(
        f"date={day}" in a and "direction=in" in a and "queue=Support" in a for a in asked
    ), asked
    rows = page.locator("table.mail-day tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.get_by_role("link", name="#1001", exact=True)).to_have_attribute(
        "href", "#/ticket/1001"
    )
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(3)
    assert any("cursor=page-2" in a for a in asked), asked
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    expect(page.get_by_role("link", name="First page")).to_be_visible()


def test_the_start_pages_board_links_each_number_and_stays_live_only_while_visible(
    page: Page, desk: Desk
) -> None:
    asked: list[str] = []
    page.clock.install()
    report_stub.install(page, asked)
    sign_in(page, desk)
    board = page.locator("section.board")
    expect(board.locator('tr[data-queue="Support"] td[data-field="at_risk"]')).to_have_text("2")
    expect(
        board.locator('tr[data-agent="anna@example.com"] td[data-field="open"]')
    ).to_contain_text("6")

    def reads() -> int:
        return sum(a.startswith("/api/board") for a in asked)

    with page.expect_request("**/api/board"):
        page.clock.run_for(31_000)
    page.evaluate(HIDE, True)
    hidden = reads()
    page.clock.run_for(95_000)
    with page.expect_request("**/api/board"):  # back in view: read at once
        page.evaluate(HIDE, False)
    expect(board.locator('tr[data-queue="Support"] td[data-field="waiting"]')).to_have_text("7")
    assert reads() == hidden + 1, "the board was read while the tab was hidden"

    board.get_by_role("link", name="Support: 2 at risk").click()
    expect(page.locator("#page h1")).to_have_text("At risk · Support")


def test_without_a_board_route_the_start_page_shows_the_queue_overview(
    page: Page, desk: Desk
) -> None:
    # What API Gateway (and Chalice local) answers for a path the stage has no route for.
    missing = {"message": "Missing Authentication Token"}
    page.route("**/api/board", lambda route: route.fulfill(status=403, json=missing))
    mail = desk.mail(f"Board fallback {uuid.uuid4().hex[:6]}")
    assert desk.ticket_of(mail.address)["queue"] == "Support"
    sign_in(page, desk)
    board = page.locator("section.board")
    expect(board).to_contain_text("the live board is not available here")
    waiting = board.locator('tr[data-queue="Support"] td[data-field="waiting"] a')
    expect(waiting).to_have_attribute("href", "#/queue/Support")
    waiting.click()
    expect(page.locator("#page h1")).to_have_text("Queue: Support")


def test_the_reports_page_reads_a_seeded_desks_summary_and_downloads_its_csv(
    page: Page, desk: Desk, tmp_path: Path
) -> None:
    for _ in range(2):
        desk.mail(f"Reports seed {uuid.uuid4().hex[:6]}")
    sign_in(page, desk)
    go(page, "#/reports?preset=7&group=day")
    created = page.locator('table.periods td[data-field="created"]')
    expect(created.first).to_be_visible()
    values = [int(v or 0) for v in created.evaluate_all("cells => cells.map(c => c.dataset.value)")]
    assert sum(values) >= 2, values
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV (summary)").click()
    saved = tmp_path / "summary.csv"
    download.value.save_as(saved)
    header = saved.read_text(encoding="utf-8").splitlines()[0]
    assert "created" in header, header


def test_on_a_phone_the_reports_and_mail_pages_do_not_scroll_sideways(
    phone: Page, desk: Desk
) -> None:
    report_stub.install(phone)
    sign_in(phone, desk)
    for route, part in (
        ("#/reports?preset=7", "table.periods"),
        ("#/mail?date=2026-11-24", "table.mail-day"),
    ):
        go(phone, route)
        expect(phone.locator(part)).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{route} scrolls sideways: {width} px"
    heat = phone.locator(".heat-wrap").first
    go(phone, "#/reports?preset=7")
    expect(heat).to_have_attribute("tabindex", "0")  # scrolls on its own, reachable by keyboard


def test_a_period_the_api_refuses_keeps_the_form_and_names_the_field(
    page: Page, desk: Desk
) -> None:
    sign_in(page, desk)  # the real API refuses a period over 366 days, naming "from"
    go(page, "#/reports?from=2020-01-01&to=2026-11-30")
    expect(page.locator("#notice")).to_contain_text(
        "Please check from: a period of at most 366 days"
    )
    expect(page.get_by_label("From", exact=True)).to_have_attribute("aria-invalid", "true")


def test_the_live_board_of_a_seeded_desk_links_a_waiting_customer_to_the_queue(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Live board {uuid.uuid4().hex[:6]}")
    number = desk.ticket_of(mail.address)["number"]
    sign_in(page, desk)
    board = page.locator("section.board")
    expect(board).to_contain_text("every 30 s")  # the live board, not the fallback
    unassigned = board.locator('tr[data-queue="Support"] td[data-field="unassigned"] a')
    assert int(unassigned.inner_text()) >= 1
    unassigned.click()
    expect(page.locator("#page h1")).to_have_text("Unassigned · Support")
    expect(page.get_by_role("link", name=mail.subject)).to_have_attribute(
        "href", f"#/ticket/{number}"
    )


def test_the_days_mail_of_a_seeded_desk_lists_a_received_mail_with_its_ticket(
    page: Page, desk: Desk
) -> None:
    mail = desk.mail(f"Day's mail {uuid.uuid4().hex[:6]}")
    ticket = desk.ticket_of(mail.address)
    number = ticket["number"]
    desk_zone = ZoneInfo(
        tomllib.loads((REPO / "helpdesk.toml").read_text())["calendar"]["timezone"]
    )
    day = datetime.fromisoformat(ticket["created_at"]).astimezone(desk_zone).date().isoformat()
    sign_in(page, desk)
    go(page, f"#/mail?date={day}&direction=in")
    row = page.locator("table.mail-day tbody tr", has=page.get_by_text(mail.subject))
    expect(row.get_by_role("link", name=f"#{number}", exact=True)).to_have_attribute(
        "href", f"#/ticket/{number}"
    )
    expect(row.locator('td[data-label="Direction"]')).to_have_text("Received")
