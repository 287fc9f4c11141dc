"""Facts of one write: what a report will count, from the ticket before and after it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.reports.facts import Cell, Facts, board_part, facts, merged
from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Party, Status
from tests.helpers import a_ticket

ZONE = ZoneInfo("Europe/Helsinki")
CALENDAR = BusinessCalendar("Europe/Helsinki", parse_weekly_hours("mon-fri 09:00-17:00"))
MONDAY = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 08:00 in Helsinki: the desk opens at 9


def of(before, after, events=(), message=None, at=None) -> Facts:  # type: ignore[no-untyped-def]
    return facts(
        before, after, list(events), message, zone=ZONE, calendar_of=lambda q: CALENDAR, at=at
    )


def reply(at: datetime, kind: MessageKind = MessageKind.OUTBOUND) -> Message:
    author = Party("Mikko@Example.com", "Mikko")
    return Message("m1", 1001, kind, at, author, "Re: Invoice", "Fixed.")


def test_a_new_ticket_counts_as_created_received_and_backlog() -> None:
    ticket = a_ticket(
        MONDAY, customer_waiting_since=MONDAY, extra={"received_at_address": "Support@Example.com"}
    )
    found = of(None, ticket, message=reply(MONDAY, MessageKind.INBOUND))
    cell = Cell("Support", "normal", "-")
    assert found.counts == {
        (date(2026, 11, 23), cell): {
            "created": 1,
            "in": 1,
            "in_h08": 1,  # local hour
            "lang_en": 1,
            "to_support@example.com": 1,
            "backlog": 1,
        }
    }
    assert found.board == {"Q#Support": {"unsolved": 1, "waiting": 1, "unassigned": 1}}


def test_the_first_reply_is_timed_in_calendar_and_business_time_by_the_replier() -> None:
    before = a_ticket(
        MONDAY, status=Status.OPEN, assignee="mikko@example.com", customer_waiting_since=MONDAY
    )
    at = MONDAY + timedelta(hours=2)  # 10:00 local: one business hour after opening
    after = replace(
        before,
        first_responded_at=at,
        customer_waiting_since=None,
        status=Status.PENDING,
        updated_at=at,
    )
    found = of(before, after, message=reply(at))
    durations = {d.metric: (d.calendar_s, d.business_s, d.cell.agent) for d in found.durations}
    assert durations == {
        "frt": (7200.0, 3600.0, "mikko@example.com"),
        "wait": (7200.0, 3600.0, "mikko@example.com"),
    }
    cell = Cell("Support", "normal", "mikko@example.com")
    assert found.counts[(date(2026, 11, 23), cell)]["out"] == 1
    assert found.board == {
        "Q#Support": {"waiting": -1, "pending": 1},
        "A#mikko@example.com": {"waiting": -1},
    }


def test_a_later_reply_is_a_next_response_and_a_kept_promise_is_counted() -> None:
    promised = MONDAY + timedelta(hours=8)
    before = a_ticket(
        MONDAY,
        status=Status.OPEN,
        customer_waiting_since=MONDAY + timedelta(hours=3),
        extra={"promise": promised.isoformat()},
    )
    at = MONDAY + timedelta(hours=4)
    first = replace(before, first_responded_at=at, customer_waiting_since=None)
    names = next(iter(of(before, first, message=reply(at)).counts.values()))
    assert names["promise_kept"] == 1
    answered = replace(before, first_responded_at=MONDAY + timedelta(hours=1))
    again = replace(answered, customer_waiting_since=None)
    found = of(answered, again, message=reply(at))
    assert {d.metric for d in found.durations} == {"nrt", "wait"}
    assert found.durations[0].calendar_s == 3600.0


def test_solving_reopening_and_closing() -> None:
    open_ = a_ticket(MONDAY, status=Status.OPEN)
    at = MONDAY + timedelta(days=1)
    solved = replace(open_, status=Status.SOLVED, solved_at=at, updated_at=at)
    found = of(open_, solved)
    names = found.counts[(date(2026, 11, 24), Cell("Support", "normal"))]
    assert names == {"solved": 1, "backlog": -1}
    assert [d.metric for d in found.durations] == ["res"]
    assert found.durations[0].calendar_s == 86_400.0
    reopened = replace(solved, status=Status.OPEN, solved_at=None)
    assert of(solved, reopened).counts[(date(2026, 11, 24), Cell("Support", "normal"))] == {
        "reopened": 1,
        "backlog": 1,
    }
    closed = replace(solved, status=Status.CLOSED)
    assert of(solved, closed).counts[(date(2026, 11, 24), Cell("Support", "normal"))] == {
        "closed": 1
    }


def test_sla_records_and_a_changed_csat_answer() -> None:
    ticket = a_ticket(MONDAY, status=Status.SOLVED, solved_at=MONDAY)
    met = Event(MONDAY, "sla_met", "mikko", {"deadline": "first_response", "outcome": "late"})
    assert of(ticket, ticket, [met]).counts[(date(2026, 11, 23), Cell("Support", "normal"))] == {
        "sla_fr_late": 1
    }
    earlier = MONDAY - timedelta(days=3)
    answered = replace(ticket, extra={"survey": {"answered_at": earlier.isoformat()}})
    change = Event(MONDAY, "survey_answered", "customer", {"answer": "no", "previous": "yes"})
    found = of(answered, answered, [change])
    cell = Cell("Support", "normal")
    assert found.counts[(date(2026, 11, 23), cell)] == {"csat_no": 1}
    assert found.counts[(date(2026, 11, 20), cell)] == {"csat_yes": -1}


def test_a_transfer_moves_the_board_and_the_backlog_between_queues() -> None:
    before = a_ticket(MONDAY, status=Status.OPEN, sla_state="at_risk")
    after = replace(before, queue="Billing")
    found = of(before, after)
    assert found.board == {
        "Q#Support": {"unsolved": -1, "waiting": -1, "unassigned": -1, "at_risk": -1},
        "Q#Billing": {"unsolved": 1, "waiting": 1, "unassigned": 1, "at_risk": 1},
    }
    day = date(2026, 11, 23)
    assert found.counts == {
        (day, Cell("Support", "normal")): {"backlog": -1},
        (day, Cell("Billing", "normal")): {"backlog": 1},
    }


def test_an_unchanged_write_adds_nothing_and_merging_sums() -> None:
    ticket = a_ticket(MONDAY)
    assert not of(ticket, replace(ticket, subject="Other"))
    created = of(None, ticket)
    both = merged([created, created])
    assert both.counts[(date(2026, 11, 23), Cell("Support", "normal"))]["created"] == 2
    assert board_part(replace(ticket, status=Status.CLOSED)) == {}
