"""Bounces and complaints under moto: SES's SNS event → ses_events → the ticket and the table."""

from __future__ import annotations

from typing import Any

from tests.helpers import make_mail, sent_mail
from tests.integration.conftest import Helpdesk
from tests.ses_events import bounce, complaint, sns

ANNA = "anna.virtanen@customer.example"


def acknowledged_ticket(helpdesk: Helpdesk) -> str:
    """Anna's first mail becomes #1001 and is acknowledged; returns the ack's SES id."""
    assert helpdesk.deliver(make_mail())["acknowledged"]
    [ack] = sent_mail(helpdesk.aws)
    return str(ack.id)


def ses_events(helpdesk: Helpdesk, *events: dict[str, Any]) -> dict[str, Any]:
    return dict(helpdesk.client.lambda_.invoke("ses_events", sns(*events)).payload)


def test_a_bounced_acknowledgement_shows_on_its_ticket(helpdesk: Helpdesk) -> None:
    ses_id = acknowledged_ticket(helpdesk)

    result = ses_events(helpdesk, bounce(ses_id, ANNA))

    assert result["results"] == [
        {"recipient": ANNA, "kind": "bounce", "ticket": 1001, "suppressed": True}
    ]
    [entry] = [e for e in helpdesk.events(1001) if e["kind"] == "mail_bounced"]
    assert entry["actor"] == "ses"
    assert entry["data"]["text"] == (
        f"acknowledgement to {ANNA} bounced: smtp; 550 5.1.1 user unknown"
    )


def test_after_a_hard_bounce_the_next_mail_is_a_ticket_without_an_acknowledgement(
    helpdesk: Helpdesk,
) -> None:
    ses_events(helpdesk, bounce(acknowledged_ticket(helpdesk), ANNA))

    result = helpdesk.deliver(make_mail(subject="A new question"))

    assert (result["outcome"], result["ticket"]) == ("ticket", 1002)
    assert not result["acknowledged"] and result["reason"] == "hard_bounced"
    assert len(sent_mail(helpdesk.aws)) == 1  # only the first, bounced acknowledgement
    suppressed = [e for e in helpdesk.events(1002) if e["kind"] == "acknowledgement_suppressed"]
    assert [e["data"]["reason"] for e in suppressed] == ["hard_bounced"]


def test_a_soft_bounce_or_a_complaint_leaves_acknowledgements_going(helpdesk: Helpdesk) -> None:
    ses_id = acknowledged_ticket(helpdesk)
    ses_events(helpdesk, bounce(ses_id, ANNA, kind="Transient"), complaint(ses_id, ANNA))

    assert helpdesk.deliver(make_mail(subject="A new question"))["acknowledged"]
    kinds = [e["kind"] for e in helpdesk.events(1001)]
    assert kinds.count("mail_bounced") == 1 and kinds.count("mail_complaint") == 1


def test_sns_delivering_the_event_twice_leaves_one_entry(helpdesk: Helpdesk) -> None:
    event = bounce(acknowledged_ticket(helpdesk), ANNA)
    ses_events(helpdesk, event)
    ses_events(helpdesk, event)

    assert [e["kind"] for e in helpdesk.events(1001)].count("mail_bounced") == 1


def test_an_agent_reply_that_bounces_is_named_a_reply(helpdesk: Helpdesk, api: Any) -> None:
    acknowledged_ticket(helpdesk)
    answered = api.post("/api/tickets/1001/replies", {"body": "Corrected, see attached."})
    assert answered.status_code in (200, 201), answered.json_body
    reply = sent_mail(helpdesk.aws)[-1]

    ses_events(helpdesk, bounce(reply.id, ANNA, diagnostic="smtp; 552 mailbox full"))

    texts = [e["data"]["text"] for e in helpdesk.events(1001) if e["kind"] == "mail_bounced"]
    assert texts == [f"reply to {ANNA} bounced: smtp; 552 mailbox full"]


def test_a_non_ses_event_is_refused_once_not_retried(helpdesk: Helpdesk) -> None:
    assert "refused" in ses_events(helpdesk, {"eventType": "Bounce"})


def test_every_mail_we_send_names_the_configuration_set(helpdesk: Helpdesk) -> None:
    named: list[str | None] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        named.append(params.get("ConfigurationSetName"))

    helpdesk.container.client("sesv2").meta.events.register(
        "provide-client-params.sesv2.SendEmail", capture
    )
    helpdesk.deliver(make_mail())

    assert named == ["helpdesk-local-helpdesk"]
