"""The summary report on fakes: totals, series, filters, backlog, and what it reads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reports.facts import Cell, Duration, Facts
from chalicelib.services.reports.agents import AgentReport
from chalicelib.services.reports.summary import SummaryReport
from tests.fakes import AgentList, FakeClock, InMemoryReportFacts

VILLE = "ville@example.com"
SUPPORT = Cell("Support", "normal", VILLE)
BILLING = Cell("Billing", "high", "-")
TODAY = date(2026, 11, 23)  # the FakeClock's Monday, 10:00 in Helsinki


def facts(day: date, cell: Cell, durations: list[tuple[str, float, float]] = (), **n: int) -> Facts:  # type: ignore[assignment]
    found = Facts()
    for name, amount in n.items():
        found.add(day, cell, name, amount)
    found.durations = [Duration(day, cell, m, c, b) for m, c, b in durations]
    return found


@pytest.fixture
def store() -> InMemoryReportFacts:
    """A month of a small desk: three tickets, two replies, a solve, a Yes, one mail today."""
    s = InMemoryReportFacts()
    monday, tuesday = date(2026, 11, 2), date(2026, 11, 3)
    s.record(
        facts(
            monday,
            SUPPORT,
            created=2,
            backlog=2,
            lang_fi=1,
            lang_en=1,
            in_h09=2,
            **{"in": 2, "to_support@example.com": 2},
        )
    )
    s.record(facts(monday, BILLING, created=1, backlog=1, lang_fi=1, in_h10=1, **{"in": 1}))
    s.record(
        facts(
            tuesday,
            SUPPORT,
            [("frt", 3600, 1800), ("frt", 7200, 7200), ("wait", 3600, 1800)],
            out=2,
            out_h11=2,
            sla_fr_met=1,
            sla_fr_missed=1,
            promise_kept=1,
            promise_broken=1,
        )
    )
    s.record(facts(date(2026, 11, 10), SUPPORT, [("res", 86_400, 28_800)], solved=1, backlog=-1))
    s.record(facts(date(2026, 11, 12), SUPPORT, csat_yes=1, csat_comments=1))
    s.record(facts(TODAY, SUPPORT, created=1, backlog=1, in_h09=1, **{"in": 1}))
    s.board_counts = {
        "Q#Support": {"unsolved": 2, "waiting": 1},
        "Q#Billing": {"unsolved": 1, "waiting": 1},
        f"A#{VILLE}": {"open": 2, "waiting": 1},
    }
    return s


def summary(store: InMemoryReportFacts, clock: FakeClock | None = None, **params: str) -> Any:
    return SummaryReport(store, clock or FakeClock(), "Europe/Helsinki").report_for(params)


def test_weekly_series_add_up_to_the_totals(store: InMemoryReportFacts) -> None:
    report = summary(store, **{"from": "2026-11-02", "to": "2026-11-23", "group": "week"})
    assert [r["period"] for r in report["series"]] == [
        "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"
    ]  # fmt: skip
    totals = report["totals"]
    assert (totals["created"], totals["solved"], totals["mails_received"]) == (4, 1, 4)
    assert totals["replies_sent"] == 2
    assert sum(r["created"] for r in report["series"]) == totals["created"]
    assert totals["first_response"]["calendar"]["count"] == 2
    assert totals["first_response"]["calendar"]["mean"] == 5400.0
    assert totals["first_response"]["business"]["mean"] == 4500.0
    assert totals["resolution"]["business"]["count"] == 1
    assert totals["sla"]["first_response"]["compliance"] == 0.5
    assert totals["promise"] == {"count": 2, "kept": 1, "broken": 1}
    assert totals["csat"] == {"answers": 1, "yes": 1, "no": 0, "rate": 1.0, "comments": 1}
    assert report["languages"] == {"fi": 2, "en": 1}
    assert report["addresses"] == {"support@example.com": 2}
    assert report["traffic"]["in"][0][9] == 3 and report["traffic"]["in"][0][10] == 1
    assert report["traffic"]["out"][1][11] == 2
    assert report["timezone"] == "Europe/Helsinki"


def test_the_backlog_at_each_periods_end_counts_back_from_the_board(
    store: InMemoryReportFacts,
) -> None:
    report = summary(store, **{"from": "2026-11-02", "to": "2026-11-23", "group": "week"})
    assert [r["backlog_end"] for r in report["series"]] == [3, 2, 2, 3]
    assert report["totals"]["backlog_end"] == 3
    assert report["previous"]["totals"]["backlog_end"] == 0
    support = summary(store, **{"from": "2026-11-02", "to": "2026-11-15", "queue": "Support"})
    assert support["series"][0]["backlog_end"] == 2  # 11-02: two new tickets
    assert support["totals"]["backlog_end"] == 1  # after the solve, before today's mail
    by_agent = summary(store, **{"from": "2026-11-02", "to": "2026-11-02", "agent": VILLE})
    assert by_agent["totals"]["backlog_end"] == 2
    by_priority = summary(store, **{"from": "2026-11-02", "to": "2026-11-02", "priority": "high"})
    assert by_priority["totals"]["backlog_end"] is None
    assert by_priority["totals"]["created"] == 1


def test_filters_combine(store: InMemoryReportFacts) -> None:
    params = {"from": "2026-11-01", "to": "2026-11-23"}
    assert summary(store, **params, queue="Billing")["totals"]["created"] == 1
    assert summary(store, **params, queue="Support", agent=VILLE)["totals"]["created"] == 3
    none = summary(store, **params, queue="Billing", priority="normal")["totals"]
    assert none["created"] == 0 and none["first_response"]["calendar"]["median"] is None


def test_the_previous_period_has_the_same_length(store: InMemoryReportFacts) -> None:
    report = summary(store, **{"from": "2026-11-09", "to": "2026-11-15"})
    assert (report["previous"]["from"], report["previous"]["to"]) == ("2026-11-02", "2026-11-08")
    assert report["previous"]["totals"]["created"] == 3
    assert report["totals"]["solved"] == 1


def test_settled_days_are_summarised_once_and_today_is_always_read_raw(
    store: InMemoryReportFacts,
) -> None:
    params = {"from": "2026-11-02", "to": "2026-11-23"}
    first = summary(store, **params)
    assert ("D", date(2026, 11, 22)) in store.stored
    assert ("D", TODAY) not in store.stored
    store.raw_reads.clear()
    second = summary(store, **params)
    assert store.raw_reads == [TODAY]
    assert second["totals"] == first["totals"] and second["series"] == first["series"]
    assert second["reads"]["written"] == 0 and first["reads"]["written"] > 0


def test_just_after_midnight_yesterday_is_not_yet_summarised(store: InMemoryReportFacts) -> None:
    clock = FakeClock(datetime(2026, 11, 22, 22, 30, tzinfo=UTC))  # 00:30 on the 23rd locally
    summary(store, clock, **{"from": "2026-11-20", "to": "2026-11-23"})
    assert ("D", date(2026, 11, 21)) in store.stored
    assert ("D", date(2026, 11, 22)) not in store.stored


def test_months_are_summarised_from_their_days_and_read_as_one_item(
    store: InMemoryReportFacts,
) -> None:
    params = {"from": "2026-10-01", "to": "2026-11-23", "group": "month"}
    first = summary(store, **params)
    assert ("M", date(2026, 10, 1)) in store.stored and ("M", date(2026, 11, 1)) not in store.stored
    store.raw_reads.clear()
    again = summary(store, **params)
    assert store.raw_reads == [TODAY]
    assert [r["period"] for r in again["series"]] == ["2026-10", "2026-11"]
    assert again["series"] == first["series"]


def test_a_year_by_week_reads_a_few_hundred_items_at_most(store: InMemoryReportFacts) -> None:
    params = {"from": "2025-11-23", "to": "2026-11-23", "group": "week"}
    summary(store, **params)  # makes the summaries
    reads = summary(store, **params)["reads"]
    assert reads["items"] <= 450 and reads["queries"] <= 10  # 366 days, 13 months, the board


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "23.11.2026"}, "to"),
        ({"from": "2026-11-20", "to": "2026-11-10"}, "from"),
        ({"to": "2026-11-24"}, "to"),
        ({"from": "2025-11-01", "to": "2026-11-23"}, "from"),
        ({"group": "year"}, "group"),
        ({"priority": "highest"}, "priority"),
    ],
)
def test_bad_input_names_its_field(
    store: InMemoryReportFacts, params: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        summary(store, **params)
    assert raised.value.field == field


def test_the_default_period_is_the_last_thirty_days(store: InMemoryReportFacts) -> None:
    report = summary(store)
    assert (report["from"], report["to"]) == ("2026-10-25", "2026-11-23")
    assert len(report["series"]) == 30


def test_the_agents_report_counts_each_agent_and_their_load_now(
    store: InMemoryReportFacts,
) -> None:
    directory = AgentList(Agent(VILLE, "Ville Virtanen", VILLE))
    report = AgentReport(store, directory, FakeClock(), "Europe/Helsinki").report_for(
        {"from": "2026-11-01", "to": "2026-11-23"}
    )
    assert [a["agent"] for a in report["agents"]] == [VILLE]
    ville = report["agents"][0]
    assert (ville["name"], ville["replies"], ville["solved"]) == ("Ville Virtanen", 2, 1)
    assert ville["first_response"]["business"]["count"] == 2
    assert ville["csat"] == {"answers": 1, "yes": 1, "no": 0, "rate": 1.0}
    assert (ville["open_now"], ville["waiting_now"]) == (2, 1)
    billing = AgentReport(store, directory, FakeClock(), "Europe/Helsinki").report_for(
        {"from": "2026-11-01", "queue": "Billing"}
    )
    assert billing["agents"][0]["replies"] == 0
