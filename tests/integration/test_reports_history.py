"""THE acceptance test of the reports: a desk's history made through the real code paths, every
report figure held against the same figure computed from the tickets read back.

Ten weeks in Helsinki: mail in (the `inbound_email` handler), agents take, reply, solve and
change a priority (the API), SLA schedules fire and surveys go out as the clock moves (Scheduler's
part), customers answer a survey (the survey pages) and change an answer. It spans the end of
summer time (2026-10-25, 04:00 EEST → 03:00 EET: a 25-hour day) and Christmas Eve and Day
(2026-12-24/25, Finnish public holidays on weekdays). Counts must match exactly; medians and p90
within histogram.ERROR_BOUND of the exact nearest-rank figure, in calendar and business time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.reports.histogram import ERROR_BOUND, nearest_rank
from chalicelib.domain.sla.business_time import business_time_between
from tests.helpers import make_mail
from tests.integration.conftest import Api, Helpdesk
from tests.integration.test_sla_clock import SlaDesk

ZONE = ZoneInfo("Europe/Helsinki")
MIKKO = "mikko@example.com"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LINK = re.compile(r"https://helpdesk\.test/api/survey/([\w-]+\.[\w-]+)(/opt-out)?")
UNSOLVED = {"new", "open", "pending"}
DONE = {"solved", "closed"}
FIRST, LAST = date(2026, 10, 19), date(2026, 12, 28)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


class History(SlaDesk):
    def __init__(self, helpdesk: Helpdesk, mikko: Api) -> None:
        super().__init__(helpdesk)
        self.mikko = mikko

    def until(self, at: datetime) -> None:
        """Move the clock to `at` (desk-local), firing every schedule due on the way."""
        self.advance(seconds=(at - self.h.clock.now()).total_seconds())

    def mail(self, at: datetime, sender: str, to: str, **mail: Any) -> int:
        self.until(at)
        address = sender.split("<")[-1].rstrip(">")
        raw = make_mail(sender=sender, to=to, **mail)
        return int(self.h.deliver(raw, recipients=(to,), source=address)["ticket"])

    def take(self, at: datetime, number: int) -> None:
        self.until(at)
        assert self.mikko.post(f"/api/tickets/{number}/take").status_code == 200

    def reply(self, at: datetime, number: int, status: str = "pending") -> None:
        self.until(at)
        body = {"body": "Thanks, this is fixed now.", "status": status}
        response = self.mikko.post(f"/api/tickets/{number}/replies", body)
        assert response.status_code == 201, response.body

    def survey_link(self, number: int, answer: str) -> str:
        mails = [m for m in self.h.sent() if f"[#{number}]" in str(m["Subject"])]
        texts = [str(m.get_body(("plain",)).get_content()) for m in mails]  # type: ignore[union-attr]
        surveys = [t for t in texts if "/survey/" in t]
        tokens = [token for token, tail in LINK.findall(surveys[-1]) if not tail]
        yes, no = tokens[0], tokens[1]  # the mail shows Yes first
        return yes if answer == "yes" else no

    def answer(self, at: datetime, token: str, body: str) -> None:
        self.until(at)
        response = self.h.client.http.post(f"/survey/{token}", headers=FORM, body=body)
        assert response.status_code == 200, response.body


def make_history(desk: History, api: Api) -> dict[str, Any]:
    """The history; returns the reports taken on the way (to see a summary corrected)."""
    thu, fri, sat = date(2026, 10, 22), date(2026, 10, 23), date(2026, 10, 24)
    mon, tue = date(2026, 10, 26), date(2026, 10, 27)
    anna = "Anna Virtanen <anna.virtanen@customer.example>"
    bob = "Bob Berg <bob@firm.example>"
    carl = "Carl Dahl <carl@shop.example>"
    desk.h.clock.set(local(date(2026, 10, 19), 8))
    a = desk.mail(local(thu, 10), anna, "support@example.com", subject="Printer")
    desk.take(local(thu, 10, 30), a)
    desk.reply(local(thu, 11), a)  # first response in an hour
    desk.mail(local(thu, 14), anna, "support@example.com", subject=f"Re: Printer [#{a}]",
              body="It jams again.\n")  # fmt: skip
    desk.reply(local(fri, 10), a, "solved")  # next response over the night
    b = desk.mail(local(fri, 16), bob, "billing@example.com", subject="Lasku on väärin",
                  body="Hei,\n\nlaskussa on väärä summa, korjatkaa se pian.\n\nBob\n")  # fmt: skip
    c = desk.mail(local(sat, 22), carl, "support@example.com", subject="Where is my order?")
    desk.take(local(mon, 9, 5), b)
    desk.reply(local(mon, 10), b, "solved")  # across the 25-hour Sunday: 67 h, 2 business h
    desk.take(local(mon, 11), c)
    desk.reply(local(tue, 15), c, "solved")  # its first response breached Monday 13:00: late
    # the surveys go out on business mornings; Anna says yes, Bob no and then yes
    desk.answer(local(date(2026, 10, 28), 12), desk.survey_link(a, "yes"), "answer=yes")
    desk.until(local(date(2026, 10, 29), 10))  # Bob's survey went out at 09:30
    no_link = desk.survey_link(b, "no")
    desk.answer(local(date(2026, 10, 29), 11), no_link, "answer=no&comment=Still+wrong")
    desk.until(local(date(2026, 11, 1), 12))  # Thursday is summarised by this report
    before = api.get(f"/api/reports/summary?from={FIRST}&to=2026-11-01&group=day").json_body
    desk.answer(local(date(2026, 11, 2), 9), no_link, "answer=yes")  # corrects Thursday's no
    d = desk.mail(local(date(2026, 11, 2), 10), carl, "support@example.com", subject="Urgent!")
    desk.take(local(date(2026, 11, 2), 10, 30), d)
    version = desk.mikko.get(f"/api/tickets/{d}").json_body["ticket"]["version"]
    patched = desk.mikko.patch(f"/api/tickets/{d}", {"version": version, "priority": "high"})
    assert patched.status_code == 200, patched.body  # due sooner; nobody answers: breached
    e = desk.mail(local(date(2026, 12, 23), 16, 30), anna, "support@example.com", subject="Xmas")
    desk.take(local(date(2026, 12, 28), 9, 10), e)
    desk.reply(local(date(2026, 12, 28), 9, 30), e)  # 1 business hour over two holidays
    desk.until(local(LAST, 12))
    return {"before_correction": before, "tickets": [a, b, c, d, e]}


# -- the same figures, from the tickets read back -----------------------------------------------


@dataclass
class Truth:
    counts: Counter[tuple[date, str]] = field(default_factory=Counter)
    durations: dict[str, list[tuple[date, float, float]]] = field(default_factory=dict)
    status_at: list[Callable[[datetime], str | None]] = field(default_factory=list)

    def count(self, name: str, first: date, last: date) -> int:
        return sum(n for (d, k), n in self.counts.items() if k == name and first <= d <= last)

    def samples(self, metric: str, first: date, last: date, clock: int) -> list[float]:
        return [s[clock] for s in self.durations.get(metric, []) if first <= s[0] <= last]

    def backlog(self, end: date) -> int:
        midnight = local(end + timedelta(days=1), 0)
        return sum(1 for status in self.status_at if status(midnight) in UNSOLVED)


def day_of(value: str | datetime) -> date:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(ZONE).date()


def truth(helpdesk: Helpdesk, numbers: list[int]) -> Truth:
    found = Truth()
    calendar = helpdesk.container.calendar

    def sample(metric: str, start: datetime, end: datetime) -> None:
        business = business_time_between(calendar, start, end).total_seconds()
        found.durations.setdefault(metric, []).append(
            (day_of(end), (end - start).total_seconds(), business)
        )

    for number in numbers:
        ticket = helpdesk.ticket(number)
        items = helpdesk.items(number)
        found.counts[(day_of(ticket.created_at), "created")] += 1
        found.counts[(day_of(ticket.created_at), f"lang_{ticket.language}")] += 1
        found.counts[(day_of(ticket.created_at), "to_" + ticket.extra["received_at_address"])] += 1
        timeline: list[tuple[datetime, str]] = [(ticket.created_at, "new")]
        waiting: datetime | None = None
        replied = False
        moments: list[tuple[datetime, str, dict[str, Any]]] = []
        for item in items:
            if item["type"] == "message" and "survey" in (item.get("flags") or ()):
                # a survey comment is the customer's words, not a mail: the wait it starts
                moments.append((datetime.fromisoformat(item["created_at"]), "comment", item))
            elif item["type"] == "message" and item["kind"] in ("inbound", "outbound"):
                moments.append((datetime.fromisoformat(item["created_at"]), item["kind"], item))
            elif item["type"] == "event":
                moments.append((datetime.fromisoformat(item["at"]), item["kind"], item))
        for at, kind, item in sorted(moments, key=lambda m: m[0]):
            day = day_of(at)
            data = item.get("data") or {}
            if kind == "inbound":
                found.counts[(day, "in")] += 1
                found.counts[(day, f"in_{at.astimezone(ZONE):%w_%H}")] += 1
                waiting = waiting or at
            elif kind == "comment":
                waiting = waiting or at
            elif kind == "outbound":
                found.counts[(day, "out")] += 1
                found.counts[(day, f"out_{at.astimezone(ZONE):%w_%H}")] += 1
                if not replied:
                    sample("frt", ticket.created_at, at)
                elif waiting is not None:
                    sample("nrt", waiting, at)
                if waiting is not None:
                    sample("wait", waiting, at)
                replied, waiting = True, None
            elif kind == "status_changed":
                was, now = str(data["from"]), str(data["to"])
                timeline.append((at, now))
                if was in DONE and now in UNSOLVED:
                    found.counts[(day, "reopened")] += 1
                    waiting = waiting or at
                if was not in DONE and now in DONE:
                    found.counts[(day, "solved")] += 1
                    sample("res", ticket.created_at, at)
                if was != "closed" and now == "closed":
                    found.counts[(day, "closed")] += 1
            elif kind in ("sla_met", "sla_breached"):
                code = {"first_response": "fr", "next_response": "nr", "resolution": "res"}
                found.counts[(day, f"sla_{code[data['deadline']]}_{data['outcome']}")] += 1
        for item in items:
            if item["SK"].startswith("SURVEY#"):
                found.counts[(day_of(item["answered_at"]), f"csat_{item['answer']}")] += 1
        found.status_at.append(_status_at(sorted(timeline)))
    return found


def _status_at(timeline: list[tuple[datetime, str]]) -> Callable[[datetime], str | None]:
    def status(at: datetime) -> str | None:
        now = None
        for when, value in timeline:
            if when < at:
                now = value
        return now

    return status


def close_to(shown: float | None, exact: float | None) -> bool:
    if exact is None:
        return shown is None
    return shown is not None and abs(shown - exact) <= ERROR_BOUND * exact + 0.1


def check_figures(row: dict[str, Any], facts: Truth, first: date, last: date) -> None:
    where = f"{first}..{last}"
    for shown, name in (("created", "created"), ("solved", "solved"), ("reopened", "reopened"),
                        ("closed", "closed"), ("replies_sent", "out"),
                        ("mails_received", "in")):  # fmt: skip
        assert row[shown] == facts.count(name, first, last), (where, shown)
    for shown, metric in (("first_response", "frt"), ("next_response", "nrt"),
                          ("reply_wait", "wait"), ("resolution", "res")):  # fmt: skip
        for clock, index in (("calendar", 1), ("business", 2)):
            values = facts.samples(metric, first, last, index)
            figures = row[shown][clock]
            assert figures["count"] == len(values), (where, shown, clock)
            for q, name in ((0.5, "median"), (0.9, "p90")):
                assert close_to(figures[name], nearest_rank(values, q)), (where, shown, clock, name)
            mean = sum(values) / len(values) if values else None
            assert (figures["mean"] is None) == (mean is None)
            assert mean is None or abs(figures["mean"] - mean) <= 0.2, (where, shown, clock)
    for kind, code in (("first_response", "fr"), ("next_response", "nr"), ("resolution", "res")):
        for outcome in ("met", "missed", "late"):
            exact = facts.count(f"sla_{code}_{outcome}", first, last)
            assert row["sla"][kind][outcome] == exact, (where, kind, outcome)
    yes, no = facts.count("csat_yes", first, last), facts.count("csat_no", first, last)
    assert (row["csat"]["yes"], row["csat"]["no"]) == (yes, no), where
    assert row["backlog_end"] == facts.backlog(last), where


@pytest.fixture
def history(helpdesk: Helpdesk, api: Api) -> tuple[dict[str, Any], Truth]:
    mikko = api.as_agent(MIKKO, "Mikko Mäkelä", queues=["Support", "Billing"])
    made = make_history(History(helpdesk, mikko), api)
    return made, truth(helpdesk, made["tickets"])


def test_every_figure_matches_the_tickets(
    history: tuple[dict[str, Any], Truth], api: Api, no_scans: list[str]
) -> None:
    _made, facts = history
    for group in ("day", "week", "month"):
        path = f"/api/reports/summary?from={FIRST}&to={LAST}&group={group}"
        report = api.get(path).json_body
        check_figures(report["totals"], facts, FIRST, LAST)
        for row in report["series"]:
            start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
            check_figures(row, facts, start, end)
        again = api.get(path).json_body  # now from the summaries
        assert again["totals"] == report["totals"] and again["series"] == report["series"]
    assert report["previous"]["totals"]["created"] == 0
    assert report["totals"]["created"] == 5 and report["totals"]["sla"]["first_response"]["late"]
    traffic = report["traffic"]
    for direction in ("in", "out"):
        for weekday in range(7):
            for hour in range(24):
                code = f"{direction}_{(weekday + 1) % 7}_{hour:02d}"  # %w: Sunday is 0
                assert traffic[direction][weekday][hour] == facts.count(code, FIRST, LAST)
    langs: Counter[str] = Counter()
    for (_, name), n in facts.counts.items():
        if name.startswith("lang_"):
            langs[name[5:]] += n
    assert report["languages"] == dict(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])))
    assert sum(report["addresses"].values()) == 5
    assert set(no_scans) <= {"Query", "GetItem", "BatchWriteItem", "BatchGetItem"}


def test_the_daylight_saving_day_and_the_holidays_count_in_the_desks_time(
    history: tuple[dict[str, Any], Truth], api: Api
) -> None:
    _made, _facts = history
    report = api.get(f"/api/reports/summary?from={FIRST}&to={LAST}&group=day").json_body
    rows = {r["period"]: r for r in report["series"]}
    monday = rows["2026-10-26"]["first_response"]  # Bob's Friday 16:00 mail, answered Mon 10:00
    assert close_to(monday["calendar"]["median"], 67 * 3600)  # 66 h of clock plus the extra hour
    assert close_to(monday["business"]["median"], 2 * 3600)
    christmas = rows["2026-12-28"]["first_response"]  # Wed 16:30 → Mon 09:30 over Dec 24, 25
    assert close_to(christmas["business"]["median"], 3600)
    assert rows["2026-10-24"]["created"] == 1  # Saturday 22:00 in Helsinki, 19:00 UTC


def test_a_changed_answer_corrects_the_day_it_was_given_in_the_summaries(
    history: tuple[dict[str, Any], Truth], api: Api
) -> None:
    made, _facts = history
    before = {r["period"]: r for r in made["before_correction"]["series"]}
    assert before["2026-10-29"]["csat"]["no"] == 1  # from its summary, made on Nov 1
    report = api.get(f"/api/reports/summary?from={FIRST}&to={LAST}&group=day").json_body
    rows = {r["period"]: r for r in report["series"]}
    assert rows["2026-10-29"]["csat"]["no"] == 0 and rows["2026-11-02"]["csat"]["yes"] == 1
    csat = report["totals"]["csat"]  # Bob's comment stays counted, on the day he wrote it
    assert csat == {"answers": 2, "yes": 2, "no": 0, "rate": 1.0, "comments": 1}


def test_the_agents_report_matches_the_tickets(
    history: tuple[dict[str, Any], Truth], api: Api, helpdesk: Helpdesk
) -> None:
    made, facts = history
    report = api.get(f"/api/reports/agents?from={FIRST}&to={LAST}").json_body
    mikko = next(a for a in report["agents"] if a["agent"] == MIKKO)
    assert mikko["name"] == "Mikko Mäkelä"
    assert mikko["replies"] == facts.count("out", FIRST, LAST)
    assert mikko["solved"] == facts.count("solved", FIRST, LAST)
    for clock, index in (("calendar", 1), ("business", 2)):
        values = facts.samples("frt", FIRST, LAST, index)
        assert mikko["first_response"][clock]["count"] == len(values)
        assert close_to(mikko["first_response"][clock]["median"], nearest_rank(values, 0.5))
    tickets = [helpdesk.ticket(n) for n in made["tickets"]]
    mine = [t for t in tickets if t.assignee == MIKKO and t.status.value in UNSOLVED]
    assert mikko["open_now"] == len(mine)
