"""The survey under moto: planned at a solve, sent on a business morning, answered by POST only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from chalicelib.domain.survey import tokens as survey_tokens
from chalicelib.domain.survey.tokens import Answer
from tests.conftest import TEST_ENV
from tests.helpers import make_mail
from tests.integration.conftest import Api, AwsCalls, Helpdesk
from tests.integration.test_sla_clock import SlaDesk

SECRET = TEST_ENV["SURVEY_SECRET"].encode()
LINK = re.compile(r"https://helpdesk\.test/api/survey/([\w-]+\.[\w-]+)(/opt-out)?")
SOLVED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Helsinki
SURVEY_ID = "20261123T080000"
SEND = f"survey-1001-{SURVEY_ID}-send"
SENT_AT = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)  # Thursday 09:30 in Helsinki
CLOSE = f"survey-1001-{SURVEY_ID}-close-20261203T073000"  # seven days after it was sent
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class SurveyDesk(SlaDesk):
    """The helpdesk, Scheduler's firing, and a customer who clicks the links in the survey."""

    def __init__(self, helpdesk: Helpdesk, api: Api) -> None:
        super().__init__(helpdesk)
        self.api = api

    def mail_in(self, recipients: tuple[str, ...] = ("support@example.com",), **mail: Any) -> int:
        delivered = self.h.deliver(make_mail(**mail), recipients=recipients)
        return int(delivered["ticket"])

    def solve(self, number: int = 1001, api: Api | None = None) -> dict[str, Any]:
        body = {"body": "The invoice is corrected.", "status": "solved"}
        response = (api or self.api).post(f"/api/tickets/{number}/replies", body)
        assert response.status_code == 201, response.body
        return dict(response.json_body["ticket"])

    def solved_and_sent(self) -> dict[str, str]:
        """Ticket 1001 solved on Monday 10:00; its survey sent on Thursday 09:30: its links."""
        self.mail_in(message_id="<first@customer.example>")
        self.solve()
        assert SEND in self.advance(days=3)
        return self.links()

    def surveys(self) -> list[EmailMessage]:
        return [m for m in self.h.sent() if "/survey/" in _text(m)]

    def links(self, mail: EmailMessage | None = None) -> dict[str, str]:
        """The tokens of the Yes, No and opt-out links of the (last) survey mail."""
        found = LINK.findall(_text(mail or self.surveys()[-1]))
        answers = {_claim(token).answer.value: token for token, tail in found if not tail}
        return {**answers, "opt_out": next(token for token, tail in found if tail)}

    def get(self, token: str, suffix: str = "") -> Any:
        return self.h.client.http.get(f"/survey/{token}{suffix}")

    def post(self, token: str, body: str, suffix: str = "") -> Any:
        return self.h.client.http.post(f"/survey/{token}{suffix}", headers=FORM, body=body)

    def survey_notices(self) -> list[Any]:
        return [m for m in self.h.sent() if m["Subject"].startswith("[Survey")]

    def answers(self, number: int = 1001) -> list[dict[str, Any]]:
        return [i for i in self.h.items(number) if i["SK"].startswith("SURVEY#")]

    def kinds(self, number: int = 1001) -> list[str]:
        return [e["kind"] for e in self.h.events(number)]


def _text(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _claim(token: str) -> survey_tokens.SurveyClaim:
    return survey_tokens.verify(token, SECRET, SOLVED_AT)


@pytest.fixture
def desk(helpdesk: Helpdesk, api: Api) -> SurveyDesk:
    return SurveyDesk(helpdesk, api)


# -- planned at a solve, sent on a business morning ----------------------------------------------


def test_a_solve_plans_the_survey_for_the_business_morning_three_days_later(
    desk: SurveyDesk,
) -> None:
    desk.mail_in()
    desk.solve()
    send = desk.schedules()[SEND]
    assert send["ScheduleExpression"] == "at(2026-11-26T07:30:00)"  # Thursday 09:30 Helsinki
    assert send["ActionAfterCompletion"] == "DELETE"
    assert desk.event_of(SEND) == {"type": "survey_send", "ticket": 1001, "survey": SURVEY_ID}
    assert "survey_planned" in desk.kinds()
    assert desk.surveys() == []


def test_the_survey_goes_out_threaded_from_the_queue_with_signed_expiring_links(
    desk: SurveyDesk,
) -> None:
    links = desk.solved_and_sent()
    [mail] = desk.surveys()
    assert mail["From"].addresses[0].addr_spec == "support@example.com"
    assert mail["To"].addresses[0].addr_spec == "anna.virtanen@customer.example"
    assert mail["Subject"] == "Re: Invoice shows the wrong amount [#1001]"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["In-Reply-To"].endswith("@eu-west-1.amazonses.com>")  # our reply, as SES sent it
    assert "<first@customer.example>" in mail["References"]
    text = _text(mail)
    assert "Did we solve your problem?" in text and "Ada Admin helped you" in text
    for answer in ("yes", "no"):
        claim = _claim(links[answer])
        assert (claim.ticket, claim.survey, claim.answer.value) == (1001, SURVEY_ID, answer)
        assert claim.expires_at == SENT_AT + timedelta(days=28)
    assert links["opt_out"] == links["no"]
    [message] = [m for m in desk.h.messages(1001) if "survey" in m.get("flags", [])]
    assert (message["kind"], message["created_at"][:19]) == ("auto", "2026-11-26T07:30:00")
    assert desk.h.ticket(1001).status == "solved"
    assert CLOSE in desk.schedules()


def test_a_repeated_firing_sends_the_survey_once(desk: SurveyDesk) -> None:
    desk.mail_in()
    desk.solve()
    event = desk.event_of(SEND)
    desk.advance(days=3)
    again = desk.h.client.lambda_.invoke("scheduled", event).payload
    assert (again["type"], again["outcome"]) == ("survey_send", "duplicate")
    assert len(desk.surveys()) == 1


def test_sending_a_survey_makes_five_aws_calls(desk: SurveyDesk, aws_calls: AwsCalls) -> None:
    desk.mail_in()
    desk.solve()
    event = desk.event_of(SEND)
    desk.h.clock.set(SENT_AT)
    aws_calls.clear()
    assert desk.h.client.lambda_.invoke("scheduled", event).payload["outcome"] == "sent"
    assert sorted(aws_calls.calls) == [
        "dynamodb.GetItem",
        "dynamodb.Query",  # the creation events: was the acknowledgement suppressed, and why
        "dynamodb.TransactWriteItems",
        "scheduler.CreateSchedule",  # the automatic close
        "sesv2.SendEmail",
    ]


def test_a_reply_that_solves_makes_four_aws_calls(desk: SurveyDesk, aws_calls: AwsCalls) -> None:
    desk.mail_in()
    desk.api.get("/api/me")  # signed in: the token is cached
    desk.h.clock.advance(minutes=30)
    aws_calls.clear()
    desk.solve()
    assert sorted(aws_calls.calls) == [
        "dynamodb.GetItem",
        "dynamodb.TransactWriteItems",
        "scheduler.CreateSchedule",  # the survey's; the SLA schedules are left to fire idle
        "sesv2.SendEmail",
    ]
    desk.advance(hours=4)  # the first response's schedules fire, and find it met
    assert SlaDesk.notices(desk) == [] and desk.h.ticket(1001).sla_state == "ok"


# -- the links: GET shows, POST records ----------------------------------------------------------


def test_opening_the_links_records_nothing_however_often(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    before = desk.h.items(1001)
    for token in (links["no"], links["no"], links["yes"], links["yes"]):
        page = desk.get(token)
        assert page.status_code == 200
    assert desk.h.items(1001) == before
    assert desk.answers() == [] and "survey_answered" not in desk.kinds()
    page = desk.get(links["no"])
    html = page.body.decode()
    assert 'value="no" checked' in html and 'value="yes">' in html
    assert '<form method="post">' in html and "<script" not in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"


def test_yes_closes_the_ticket_and_records_the_answer_in_three_calls(
    desk: SurveyDesk, aws_calls: AwsCalls
) -> None:
    links = desk.solved_and_sent()
    aws_calls.clear()
    page = desk.post(links["yes"], "answer=yes&comment=")
    assert page.status_code == 200 and "Your ticket is now closed." in page.body.decode()
    assert sorted(aws_calls.calls) == [
        "dynamodb.GetItem",
        "dynamodb.TransactWriteItems",
        "scheduler.DeleteSchedule",  # the automatic close is not needed any more
    ]
    assert desk.h.ticket(1001).status == "closed"
    [answer] = desk.answers()
    assert (answer["answer"], answer["agent"], answer["queue"]) == (
        "yes",
        "admin@example.com",
        "Support",
    )
    assert answer["GSI7PK"] == "CSAT#2026-11"
    assert CLOSE not in desk.schedules()
    assert desk.survey_notices() == []


def test_no_reopens_raised_assigned_back_notified_and_due_in_four_calls(
    desk: SurveyDesk, aws_calls: AwsCalls
) -> None:
    links = desk.solved_and_sent()
    aws_calls.clear()
    page = desk.post(links["no"], "answer=no&comment=It+still+says+120+EUR.%0D%0AAnna")
    assert page.status_code == 200 and "open again" in page.body.decode()
    assert sorted(aws_calls.calls) == [
        "dynamodb.GetItem",
        "dynamodb.TransactWriteItems",
        "scheduler.CreateSchedule",  # the follow-up deadline's breach
        "sesv2.SendEmail",  # the agent's notice
    ]
    ticket = desk.api.get("/api/tickets/1001").json_body
    t = ticket["ticket"]
    assert (t["status"], t["priority"], t["assignee"]) == ("open", "high", "admin@example.com")
    assert t["next_response_due"] == "2026-11-26T10:00:00+00:00"  # high: 2 business hours
    [comment] = [m for m in ticket["thread"] if m["kind"] == "inbound" and "survey" in m["flags"]]
    assert comment["text"] == "It still says 120 EUR.\nAnna"
    assert comment["author"]["email"] == "anna.virtanen@customer.example"
    [notice] = desk.survey_notices()
    assert notice["To"].addresses[0].addr_spec == "admin@example.com"
    assert notice["Subject"] == "[Survey: not solved] [#1001] Invoice shows the wrong amount"
    assert "It still says 120 EUR." in _text(notice)
    assert [n for n in desk.schedules() if n.startswith("sla-1001-nr-b-")]
    assert desk.answers()[0]["answer"] == "no"


def test_the_follow_up_deadline_escalates_if_nobody_answers(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    desk.post(links["no"], "answer=no")
    fired = desk.advance(hours=3)
    assert [n for n in fired if n.startswith("sla-1001-nr-b-")]
    assert desk.h.ticket(1001).sla_state == "breached"


def test_a_replayed_answer_writes_nothing_and_mails_nobody(
    desk: SurveyDesk, aws_calls: AwsCalls
) -> None:
    links = desk.solved_and_sent()
    assert desk.post(links["no"], "answer=no&comment=Not+yet").status_code == 200
    version = desk.h.ticket(1001).version
    aws_calls.clear()
    again = desk.post(links["no"], "answer=no&comment=Not+yet")
    assert again.status_code == 200 and "open again" in again.body.decode()
    assert aws_calls.calls == ["dynamodb.GetItem"]
    assert desk.h.ticket(1001).version == version and len(desk.survey_notices()) == 1


def test_answering_again_changes_the_answer_until_the_ticket_closes(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    desk.post(links["no"], "answer=no")
    form = desk.get(links["yes"]).body.decode()
    assert "You answered “No” earlier" in form and 'value="yes" checked' in form
    assert desk.post(links["yes"], "answer=yes").status_code == 200
    assert desk.h.ticket(1001).status == "closed"
    [answer] = desk.answers()
    assert answer["answer"] == "yes"
    late = desk.post(links["no"], "answer=no&comment=Changed+my+mind")
    assert late.status_code == 409 and "This ticket is closed" in late.body.decode()
    assert desk.answers()[0]["answer"] == "yes" and desk.h.ticket(1001).status == "closed"
    assert desk.get(links["no"]).status_code == 409
    assert desk.post(links["yes"], "answer=yes").status_code == 200  # the replay of the last


def test_the_answer_page_may_switch_the_preselected_answer(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    posted = desk.h.client.http.post(f"/survey/{links['no']}", headers=headers, body="answer=yes")
    assert posted.status_code == 200
    assert desk.h.ticket(1001).status == "closed"


def test_an_unanswered_survey_closes_the_ticket_seven_days_after_it_was_sent(
    desk: SurveyDesk,
) -> None:
    desk.solved_and_sent()
    assert desk.advance(days=6, hours=23) == []
    assert CLOSE in desk.advance(hours=1)
    assert desk.h.ticket(1001).status == "closed"
    assert "closed_automatically" in desk.kinds()


def test_an_answered_survey_does_not_close_by_itself(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    desk.post(links["no"], "answer=no")
    desk.advance(days=8)
    assert desk.h.ticket(1001).status == "open"
    assert "closed_automatically" not in desk.kinds()


# -- who is asked, and when not ------------------------------------------------------------------


def test_a_customer_reply_before_the_survey_cancels_it(desk: SurveyDesk) -> None:
    desk.mail_in(message_id="<first@customer.example>")
    desk.solve()
    desk.h.clock.advance(days=1)
    desk.mail_in(subject="Re: Invoice [#1001]", body="Actually it is still wrong.\n")
    assert desk.h.ticket(1001).status == "open"
    assert "survey_cancelled" in desk.kinds()
    assert SEND in desk.advance(days=3)  # left on the scheduler: it fires, finds nothing to do
    assert desk.surveys() == []


def test_an_agent_reopening_the_ticket_deletes_the_planned_survey(desk: SurveyDesk) -> None:
    desk.mail_in()
    version = desk.solve()["version"]
    response = desk.api.patch("/api/tickets/1001", {"version": version, "status": "open"})
    assert response.status_code == 200, response.body
    assert SEND not in desk.schedules()
    desk.advance(days=4)
    assert desk.surveys() == []


def test_a_cancelled_survey_is_planned_again_at_the_next_solve(desk: SurveyDesk) -> None:
    desk.mail_in(message_id="<first@customer.example>")
    desk.solve()
    desk.h.clock.advance(days=1)
    desk.mail_in(subject="Re: Invoice [#1001]", body="Still wrong.\n")
    desk.solve()
    desk.advance(days=4)
    assert len(desk.surveys()) == 1
    assert _claim(desk.links()["yes"]).survey == "20261124T080000"


def test_a_survey_is_sent_once_per_ticket_even_if_it_is_solved_again(desk: SurveyDesk) -> None:
    desk.solved_and_sent()
    desk.mail_in(subject="Re: Invoice [#1001]", body="One more question.\n")
    desk.solve()
    desk.advance(days=4)
    assert len(desk.surveys()) == 1
    desk.advance(days=4)  # the close planned again from the second solve
    assert desk.h.ticket(1001).status == "closed"


def test_after_a_no_the_next_solve_asks_again_and_the_old_links_are_refused(
    desk: SurveyDesk,
) -> None:
    first = desk.solved_and_sent()
    desk.post(first["no"], "answer=no&comment=Still+wrong")
    desk.solve()
    desk.advance(days=4)
    assert len(desk.surveys()) == 2
    second = desk.links()
    assert _claim(second["yes"]).survey != SURVEY_ID
    old = desk.post(first["yes"], "answer=yes")
    assert old.status_code == 410 and "no longer open" in old.body.decode()
    assert desk.post(second["yes"], "answer=yes").status_code == 200
    assert desk.h.ticket(1001).status == "closed"
    assert sorted(a["answer"] for a in desk.answers()) == ["no", "yes"]


def test_no_survey_for_no_reply_senders(desk: SurveyDesk) -> None:
    desk.h.deliver(make_mail(sender="Shop <no-reply@shop.example>"), source="no-reply@shop.example")
    desk.solve()
    assert "survey_skipped" in desk.kinds()
    assert not [n for n in desk.schedules() if n.startswith("survey-")]


def test_no_survey_for_bulk_mail_whose_acknowledgement_was_suppressed(desk: SurveyDesk) -> None:
    desk.mail_in(headers={"Precedence": "bulk"})
    desk.solve()
    desk.advance(days=4)
    assert desk.surveys() == []
    assert desk.h.ticket(1001).extra["survey"]["reason"] == "bulk"


def test_no_survey_for_spam(desk: SurveyDesk) -> None:
    desk.mail_in()
    response = desk.api.patch("/api/tickets/1001", {"version": 1, "spam": True})
    assert response.status_code == 200 and response.json_body["status"] == "solved"
    desk.advance(days=4)
    assert desk.surveys() == []
    assert not [n for n in desk.schedules() if n.startswith("survey-")]


def test_a_customer_who_opted_out_gets_no_more_surveys(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    page = desk.get(links["opt_out"], "/opt-out")
    assert page.status_code == 200 and "an***@customer.example" in page.body.decode()
    assert customer(desk) is None
    done = desk.post(links["opt_out"], "", "/opt-out")
    assert done.status_code == 200 and "any more" in done.body.decode()
    assert (customer(desk) or {})["survey_opt_out"] == {"BOOL": True}
    second = desk.mail_in(subject="Another question")
    desk.solve(second)
    desk.advance(days=4)
    assert len(desk.surveys()) == 1
    assert desk.h.ticket(second).extra["survey"]["reason"] == "opted_out"


def customer(desk: SurveyDesk) -> dict[str, Any] | None:
    key = {"PK": {"S": "CUSTOMER#anna.virtanen@customer.example"}, "SK": {"S": "CUSTOMER"}}
    found = desk.h.aws["dynamodb"].get_item(TableName=TEST_ENV["TABLE_NAME"], Key=key)
    return found.get("Item")


def test_opening_the_opt_out_link_alone_opts_out_nobody(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    desk.get(links["opt_out"], "/opt-out")
    desk.get(links["opt_out"], "/opt-out")
    second = desk.mail_in(subject="Another question")
    desk.solve(second)
    desk.advance(days=4)
    assert len(desk.surveys()) == 2


# -- bad links and bad input ---------------------------------------------------------------------


def test_a_tampered_or_forged_link_gets_a_clear_page_and_records_nothing(
    desk: SurveyDesk,
) -> None:
    links = desk.solved_and_sent()
    body, signature = links["yes"].split(".")
    forged = survey_tokens.sign(_claim(links["yes"]), b"not-our-secret-at-all")
    for token in (f"{body}.{signature[:-2]}AA", forged, "garbage", f"{body[:-3]}.{signature}"):
        for page in (desk.get(token), desk.post(token, "answer=yes")):
            assert page.status_code == 400
            assert "This link does not work" in page.body.decode()
    assert desk.answers() == [] and desk.h.ticket(1001).status == "solved"


def test_an_expired_link_is_refused_in_the_customers_language(desk: SurveyDesk) -> None:
    desk.mail_in(
        message_id="<first@customer.example>",
        subject="Lasku on väärin",
        body="Hei,\n\nlaskussa on väärä summa. Voisitteko korjata sen?\n\nKiitos, Anna\n",
    )
    desk.solve()
    desk.advance(days=3)
    links = desk.links()
    desk.h.clock.set(SENT_AT + timedelta(days=28, seconds=1))
    page = desk.post(links["no"], "answer=no")
    assert page.status_code == 410 and "Tämä linkki on vanhentunut" in page.body.decode()
    assert 'lang="fi"' in page.body.decode() and desk.answers() == []


def test_a_link_for_another_ticket_or_a_deleted_ticket_is_refused(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    claim = _claim(links["no"])
    desk.mail_in(subject="Someone else's")
    other = survey_tokens.sign(
        survey_tokens.SurveyClaim(1002, claim.survey, Answer.NO, claim.expires_at), SECRET
    )
    assert desk.post(other, "answer=no").status_code == 410
    assert desk.h.ticket(1002).status == "new"
    desk.h.aws["dynamodb"].delete_item(
        TableName=TEST_ENV["TABLE_NAME"], Key={"PK": {"S": "TICKET#1001"}, "SK": {"S": "META"}}
    )
    gone = desk.post(links["no"], "answer=no")
    assert gone.status_code == 410 and "no longer open" in gone.body.decode()


def test_the_posted_answer_and_comment_are_checked(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    bad = desk.post(links["no"], "answer=maybe&comment=Hm")
    assert bad.status_code == 400 and "Please choose Yes or No." in bad.body.decode()
    long = desk.post(links["no"], "answer=no&comment=" + "x" * 2001)
    assert long.status_code == 400 and "under 2,000 characters" in long.body.decode()
    assert desk.answers() == [] and desk.h.ticket(1001).status == "solved"
    huge = desk.post(links["no"], "answer=no&comment=" + "x" * 20_000)
    assert huge.status_code == 413 and "under 2,000 characters" in huge.body.decode()
    ok = desk.post(links["no"], "answer=no&comment=Bell%07+and+%1B[31mred%E2%80%AE")
    assert ok.status_code == 200
    [comment] = [
        m for m in desk.h.messages(1001) if m["kind"] == "inbound" and "survey" in m["flags"]
    ]
    assert comment["text"] == "Bell and [31mred"


# -- the CSAT report -----------------------------------------------------------------------------


def test_the_csat_report_counts_answers_by_period_queue_and_agent(desk: SurveyDesk) -> None:
    ville = desk.api.as_agent("ville@example.com", "Ville", queues=["Support", "Billing"])
    desk.mail_in(message_id="<first@customer.example>")
    desk.mail_in(recipients=("billing@example.com",), to="billing@example.com", subject="Refund")
    desk.mail_in(subject="Password")
    desk.solve(1001)
    desk.solve(1002, api=ville)
    desk.solve(1003, api=ville)
    desk.advance(days=3)
    by_ticket = {_claim(desk.links(m)["yes"]).ticket: desk.links(m) for m in desk.surveys()}
    desk.post(by_ticket[1001]["yes"], "answer=yes")
    desk.post(by_ticket[1002]["no"], "answer=no")
    desk.post(by_ticket[1003]["yes"], "answer=yes")

    everything = desk.api.get("/api/reports/csat?from=2026-11-01&to=2026-11-30")
    assert everything.status_code == 200, everything.body
    report = everything.json_body
    assert (report["answers"], report["yes"], report["no"]) == (3, 2, 1)
    assert report["rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["by_queue"]["Billing"] == {"answers": 1, "yes": 0, "no": 1, "rate": 0.0}
    assert report["by_agent"]["ville@example.com"]["answers"] == 2
    billing = desk.api.get("/api/reports/csat?from=2026-11-01&to=2026-11-30&queue=Billing")
    assert (billing.json_body["yes"], billing.json_body["no"]) == (0, 1)
    admin = desk.api.get("/api/reports/csat?from=2026-11-01&to=2026-11-30&agent=admin@example.com")
    assert (admin.json_body["answers"], admin.json_body["rate"]) == (1, 1.0)
    december = desk.api.get("/api/reports/csat?from=2026-12-01&to=2026-12-31").json_body
    assert (december["answers"], december["rate"]) == (0, None)


def test_the_csat_report_reads_no_ticket_and_needs_a_token(
    desk: SurveyDesk, aws_calls: AwsCalls
) -> None:
    links = desk.solved_and_sent()
    desk.post(links["yes"], "answer=yes")
    desk.api.get("/api/me")
    aws_calls.clear()
    report = desk.api.get("/api/reports/csat?from=2026-10-15&to=2026-12-15")
    assert report.json_body["yes"] == 1
    assert aws_calls.calls == ["dynamodb.Query"] * 3  # one per month, on the index
    assert desk.h.client.http.get("/api/reports/csat").status_code == 401
    bad = desk.api.get("/api/reports/csat?from=yesterday")
    assert bad.status_code == 400 and bad.json_body["field"] == "from"
    too_long = desk.api.get("/api/reports/csat?from=2024-01-01&to=2026-01-01")
    assert too_long.status_code == 400


# -- a POST another site's page makes ------------------------------------------------------------

CROSS_SITE = {**FORM, "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}


def test_a_cross_site_answer_records_nothing_and_asks_again_on_our_page(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    page = desk.h.client.http.post(f"/survey/{links['yes']}", headers=CROSS_SITE, body="answer=yes")
    html = page.body.decode()
    assert page.status_code == 403
    assert "another website" in html and 'name="answer" value="yes" checked' in html
    assert desk.answers() == []
    assert desk.h.ticket(1001).status == "solved"


def test_a_cross_site_opt_out_opts_out_nobody(desk: SurveyDesk) -> None:
    links = desk.solved_and_sent()
    path = f"/survey/{links['opt_out']}/opt-out"
    page = desk.h.client.http.post(path, headers=CROSS_SITE, body="")
    assert page.status_code == 403 and "another website" in page.body.decode()
    assert customer(desk) is None


def test_a_notice_ses_failed_to_take_is_sent_from_a_schedule_never_lost(desk: SurveyDesk) -> None:
    """Issue 12: the notice was sent "quietly": one failed SES call and nobody heard."""
    from chalicelib.domain.errors import StorageError

    links = desk.solved_and_sent()
    real = desk.h.container.mailer

    class FailsOnce:
        failed = False

        def send(self, mail: Any) -> str:
            if not self.failed:
                self.failed = True
                raise StorageError("SES send failed: Throttling")
            return str(real.send(mail))

    desk.h.container.survey_answers._notices._mailer = FailsOnce()
    page = desk.post(links["no"], "answer=no&comment=Still+wrong.")
    assert page.status_code == 200 and desk.survey_notices() == []
    assert "survey-1001-20261123T080000-notice" in desk.schedules()
    assert "survey-1001-20261123T080000-notice" in desk.advance(minutes=3)
    [notice] = desk.survey_notices()
    assert "Still wrong." in _text(notice)
