"""Spoofed replies on the real path (SES event → Lambda → DynamoDB): held, never joined, and an
agent can append one after checking with the customer (issue 12)."""

from __future__ import annotations

import pytest

from tests.helpers import make_mail
from tests.integration.conftest import Api, Helpdesk

UNPROVEN = {"spf": "FAIL", "dkim": "FAIL", "dmarc": "FAIL"}
ANNA = "anna.virtanen@customer.example"


@pytest.fixture
def agent(api: Api) -> Api:
    return api.as_agent("lena@example.com", "Lena")


def open_ticket(helpdesk: Helpdesk) -> tuple[int, str]:
    """Anna's ticket and the Message-ID of our acknowledgement to her."""
    first = make_mail(message_id="<q1@customer.example>")
    number = int(helpdesk.deliver(first)["ticket"])
    [ack] = helpdesk.sent()
    return number, str(ack["Message-ID"])


def test_a_spoofed_reply_is_held_and_the_agents_reply_goes_only_to_the_customer(
    helpdesk: Helpdesk, agent: Api
) -> None:
    number, _ = open_ticket(helpdesk)
    spoofed = make_mail(
        subject=f"Re: Invoice [#{number}]",
        body="New bank details for the refund: ...",
        cc="attacker@evil.example",
        headers={"In-Reply-To": "<q1@customer.example>"},
    )
    result = helpdesk.deliver(spoofed, verdicts=UNPROVEN, source="x@evil.example")

    assert result["outcome"] == "quarantine" and result["ticket"] is None
    detail = agent.get(f"/api/tickets/{number}").json_body
    assert len(detail["thread"]) == 2  # Anna's mail and our acknowledgement, nothing more
    assert "attacker@evil.example" not in detail["ticket"]["cc"]
    [held] = agent.get("/api/quarantine").json_body["mail"]
    assert held["claims_ticket"] == number
    assert (
        held["reason"] == f"claims to be a reply to #{number} from {ANNA}, sender not authenticated"
    )

    sent = agent.post(f"/api/tickets/{number}/replies", body={"body": "We will call you."})
    assert sent.status_code == 201, sent.json_body
    last = helpdesk.sent()[-1]
    assert last["To"].addresses[0].addr_spec == ANNA and last["Cc"] is None


def test_a_reply_to_our_acknowledgement_is_vouched_for_by_its_message_id(
    helpdesk: Helpdesk,
) -> None:
    number, ack_id = open_ticket(helpdesk)
    real = make_mail(subject="Re: Invoice", headers={"In-Reply-To": ack_id})
    result = helpdesk.deliver(real, verdicts={"spf": "FAIL", "dkim": "GRAY", "dmarc": "GRAY"})
    assert (result["outcome"], result["ticket"]) == ("reply", number)


def test_an_agent_appends_a_held_claim_to_its_ticket(helpdesk: Helpdesk, agent: Api) -> None:
    number, _ = open_ticket(helpdesk)
    mail_id = "claim".ljust(40, "0")
    claim = make_mail(subject="Re: Invoice", headers={"In-Reply-To": "<q1@customer.example>"})
    helpdesk.deliver(claim, verdicts=UNPROVEN, mail_id=mail_id)
    before = len(helpdesk.sent())

    appended = agent.post(f"/api/quarantine/{mail_id}/append")
    assert appended.status_code == 200, appended.json_body
    assert appended.json_body["status"] == "released"
    assert appended.json_body["ticket"] == number
    detail = agent.get(f"/api/tickets/{number}").json_body
    assert len(detail["thread"]) == 3 and len(helpdesk.sent()) == before
    [event] = [e for e in detail["events"] if e["kind"] == "appended_from_quarantine"]
    assert event["actor"] == "lena@example.com"
    assert agent.post(f"/api/quarantine/{mail_id}/append").status_code == 409


def test_dmarc_reject_is_quarantined_without_an_acknowledgement(
    helpdesk: Helpdesk, agent: Api
) -> None:
    result = helpdesk.deliver(make_mail(), verdicts={**UNPROVEN, "dmarc_policy": "reject"})
    assert result["outcome"] == "quarantine" and helpdesk.sent() == []
    [held] = agent.get("/api/quarantine").json_body["mail"]
    assert held["claims_ticket"] is None and "reject" in held["reason"]
