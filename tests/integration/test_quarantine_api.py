"""Quarantined mail: agents see why it is held, release it into a ticket or confirm it as spam."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import make_mail
from tests.integration.conftest import Api, Helpdesk


def hold(helpdesk: Helpdesk, subject: str = "Cheap watches", **kwargs: Any) -> str:
    mail_id = f"held{subject.lower().replace(' ', '')}".ljust(40, "0")[:40]
    raw = make_mail(subject=subject, **kwargs)
    result = helpdesk.deliver(raw, verdicts={"spam": "FAIL"}, mail_id=mail_id)
    assert result["outcome"] == "quarantine"
    return mail_id


@pytest.fixture
def agent(api: Api) -> Api:
    return api.as_agent("lena@example.com", "Lena")


def test_held_mail_is_listed_newest_first_with_its_reason(helpdesk: Helpdesk, agent: Api) -> None:
    first = hold(helpdesk, "First")
    helpdesk.clock.advance(minutes=5)
    second = hold(helpdesk, "Second")
    listed = agent.get("/api/quarantine").json_body
    assert [m["mail_id"] for m in listed["mail"]] == [second, first]
    entry = listed["mail"][0]
    assert entry["reason"] == "spam (SES spamVerdict FAIL)" and entry["status"] == "held"
    assert entry["sender"] == "anna.virtanen@customer.example" and entry["subject"] == "Second"
    assert entry["ticket"] is None and listed["cursor"] is None


def test_the_list_pages_with_a_cursor(helpdesk: Helpdesk, agent: Api) -> None:
    held = []
    for i in range(3):
        held.append(hold(helpdesk, f"Spam {i}"))
        helpdesk.clock.advance(minutes=1)
    page = agent.get("/api/quarantine?limit=2").json_body
    rest = agent.get(f"/api/quarantine?limit=2&cursor={page['cursor']}").json_body
    assert [m["mail_id"] for m in page["mail"] + rest["mail"]] == held[::-1]


@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("cursor=zz!", "cursor")])
def test_bad_list_parameters_are_400(agent: Api, query: str, field: str) -> None:
    response = agent.get(f"/api/quarantine?{query}")
    assert response.status_code == 400 and response.json_body["field"] == field


def test_release_turns_held_mail_into_a_ticket_without_an_acknowledgement(
    helpdesk: Helpdesk, agent: Api
) -> None:
    mail_id = hold(helpdesk, "Actually a real question", body="Where is my order 4711?")
    helpdesk.clock.advance(minutes=10)
    before = len(helpdesk.sent())

    released = agent.post(f"/api/quarantine/{mail_id}/release")
    assert released.status_code == 200, released.json_body
    entry = released.json_body
    assert entry["status"] == "released" and entry["decided_by"] == "lena@example.com"
    number = entry["ticket"]
    assert len(helpdesk.sent()) == before

    detail = agent.get(f"/api/tickets/{number}").json_body
    assert detail["ticket"]["subject"] == "Actually a real question"
    assert detail["ticket"]["requester"]["email"] == "anna.virtanen@customer.example"
    assert "order 4711" in detail["thread"][0]["text"]
    [event] = [e for e in detail["events"] if e["kind"] == "released_from_quarantine"]
    assert event["actor"] == "lena@example.com" and "spam" in event["data"]["reason"]
    unassigned = agent.get("/api/tickets?view=unassigned").json_body["tickets"]
    assert [t["number"] for t in unassigned] == [number]


def test_a_released_ticket_can_be_answered(helpdesk: Helpdesk, agent: Api) -> None:
    mail_id = hold(helpdesk)
    number = agent.post(f"/api/quarantine/{mail_id}/release").json_body["ticket"]
    assert agent.post(f"/api/tickets/{number}/replies", {"body": "Hello."}).status_code == 201


def test_released_mail_cannot_be_released_or_marked_again(helpdesk: Helpdesk, agent: Api) -> None:
    mail_id = hold(helpdesk)
    agent.post(f"/api/quarantine/{mail_id}/release")
    again = agent.post(f"/api/quarantine/{mail_id}/release")
    assert again.status_code == 409 and "released already" in again.json_body["message"]
    assert agent.post(f"/api/quarantine/{mail_id}/spam").status_code == 409


def test_confirmed_spam_is_kept_not_deleted(helpdesk: Helpdesk, agent: Api) -> None:
    mail_id = hold(helpdesk)
    confirmed = agent.post(f"/api/quarantine/{mail_id}/spam")
    assert confirmed.status_code == 200 and confirmed.json_body["status"] == "spam"
    listed = agent.get("/api/quarantine").json_body["mail"]
    assert [(m["mail_id"], m["status"]) for m in listed] == [(mail_id, "spam")]
    raw = helpdesk.aws["s3"].get_object(Bucket="helpdesk-mail-test", Key=f"inbound/{mail_id}")
    assert raw["Body"].read()
    assert agent.post(f"/api/quarantine/{mail_id}/spam").status_code == 409


def test_a_spam_confirmation_can_be_undone_by_releasing(helpdesk: Helpdesk, agent: Api) -> None:
    mail_id = hold(helpdesk)
    agent.post(f"/api/quarantine/{mail_id}/spam")
    released = agent.post(f"/api/quarantine/{mail_id}/release")
    assert released.status_code == 200 and released.json_body["ticket"]


def test_a_repeated_ses_delivery_of_released_mail_makes_no_second_ticket(
    helpdesk: Helpdesk, agent: Api
) -> None:
    mail_id = hold(helpdesk)
    number = agent.post(f"/api/quarantine/{mail_id}/release").json_body["ticket"]
    raw = helpdesk.aws["s3"].get_object(Bucket="helpdesk-mail-test", Key=f"inbound/{mail_id}")
    again = helpdesk.deliver(raw["Body"].read(), verdicts={"spam": "FAIL"}, mail_id=mail_id)
    assert (again["outcome"], again["ticket"]) == ("ticket", number)
    assert len(agent.get("/api/tickets?view=all").json_body["tickets"]) == 1


@pytest.mark.parametrize("action", ["release", "spam"])
def test_unknown_or_unheld_mail_is_404(helpdesk: Helpdesk, agent: Api, action: str) -> None:
    ticketed = helpdesk.deliver(make_mail(), mail_id="t" * 40)
    assert ticketed["outcome"] == "ticket"
    assert agent.post(f"/api/quarantine/{'x' * 40}/{action}").status_code == 404
    assert agent.post(f"/api/quarantine/{'t' * 40}/{action}").status_code == 404
    assert agent.post(f"/api/quarantine/..%2F/{action}").status_code == 404
