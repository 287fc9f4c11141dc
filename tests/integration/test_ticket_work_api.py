"""Agents work tickets: replies by email, notes, edits with versions, take, transfer."""

from __future__ import annotations

from dataclasses import replace
from email.utils import getaddresses
from typing import Any

import pytest

from chalicelib.domain.errors import MailRejected, StorageError
from chalicelib.domain.mail.threads import ses_message_id
from chalicelib.services.ports import OutgoingMail
from tests.helpers import make_mail, sent_mail
from tests.integration.conftest import Api, AwsCalls, Helpdesk


def mail_in(helpdesk: Helpdesk, **kwargs: Any) -> int:
    to = kwargs.pop("to", "support@example.com")
    result = helpdesk.deliver(make_mail(to=to, **kwargs), recipients=(to,))
    assert result["outcome"] == "ticket"
    return int(result["ticket"])


@pytest.fixture
def mikko(api: Api) -> Api:
    return api.as_agent(
        "mikko@example.com", "Mikko Mallikas", title="Billing specialist", queues=["Billing"]
    )


# -- replies ----------------------------------------------------------------------------------


def test_a_reply_goes_out_threaded_greeting_and_signed(helpdesk: Helpdesk, mikko: Api) -> None:
    number = mail_in(helpdesk, message_id="<q1@customer.example>")
    helpdesk.clock.advance(minutes=20)
    response = mikko.post(
        f"/api/tickets/{number}/replies", {"body": "We fixed the invoice.\n\nSorry about that!"}
    )
    assert response.status_code == 201, response.json_body

    reply = helpdesk.sent()[-1]
    assert reply["From"].addresses[0].addr_spec == "support@example.com"
    assert reply["From"].addresses[0].display_name == "Example Support"
    assert reply["To"].addresses[0].addr_spec == "anna.virtanen@customer.example"
    assert reply["Subject"] == f"Re: Invoice shows the wrong amount [#{number}]"
    assert reply["In-Reply-To"] == "<q1@customer.example>"
    assert "<q1@customer.example>" in reply["References"]
    assert "Auto-Submitted" not in reply
    text = reply.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hello Anna Virtanen,\n\nWe fixed the invoice.\n\nSorry about that!")
    assert "Mikko Mallikas\nBilling specialist, Example Support" in text
    html = reply.get_body(("html",)).get_content()
    assert '<p dir="auto">We fixed the invoice.</p>' in html and "Mikko Mallikas" in html

    ticket = response.json_body["ticket"]
    assert ticket["status"] == "pending" and ticket["customer_waiting_since"] is None
    assert ticket["first_responded_at"] == helpdesk.clock.now().isoformat()


def test_the_ses_id_is_stored_and_the_customers_answer_threads_back(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    api.post(f"/api/tickets/{number}/replies", {"body": "Which order number?"})
    ses_id = helpdesk.ticket(number).thread_ids[-1]
    assert ses_id.endswith("@eu-west-1.amazonses.com")
    outbound = [m for m in helpdesk.messages(number) if m["kind"] == "outbound"]
    assert ses_id == ses_message_id(outbound[0]["provider_id"], "eu-west-1")

    helpdesk.clock.advance(hours=1)
    answer = make_mail(
        subject="Re: your answer",  # no tag: the id alone must thread it
        body="Order 4711.",
        headers={"In-Reply-To": f"<{ses_id}>", "References": f"<{ses_id}>"},
    )
    result = helpdesk.deliver(answer)
    assert (result["outcome"], result["ticket"]) == ("reply", number)
    assert helpdesk.ticket(number).status == "open"


def test_a_second_reply_references_the_first(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk, message_id="<q1@customer.example>")
    api.post(f"/api/tickets/{number}/replies", {"body": "First."})
    first_ses = helpdesk.ticket(number).thread_ids[-1]
    helpdesk.clock.advance(minutes=1)
    api.post(f"/api/tickets/{number}/replies", {"body": "Second.", "status": "solved"})
    second = helpdesk.sent()[-1]
    assert second["In-Reply-To"] == f"<{first_ses}>"
    assert f"<{first_ses}>" in second["References"]
    assert "<q1@customer.example>" in second["References"]
    assert helpdesk.ticket(number).status == "solved"


def test_a_reply_costs_one_read_one_send_and_one_transaction(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    number = mail_in(helpdesk)
    api.get("/api/me")
    aws_calls.clear()
    api.post(f"/api/tickets/{number}/replies", {"body": "Done."})
    assert aws_calls.of("dynamodb") == ["GetItem", "TransactWriteItems"]
    assert aws_calls.of("sesv2") == ["SendEmail"]
    assert len(aws_calls.of("scheduler")) <= 2  # the SLA clock's deletes of ended deadlines


def test_a_keyed_reply_before_any_sla_firing_stays_within_five_calls(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    """Both first-response schedules are still there: one is deleted, one left to fire idle."""
    number = mail_in(helpdesk)
    api.get("/api/me")
    aws_calls.clear()
    api.post(f"/api/tickets/{number}/replies", {"body": "Done."}, headers=keyed("k-calls"))
    assert aws_calls.of("scheduler") == ["DeleteSchedule"]
    assert len(aws_calls.calls) == 5, aws_calls.calls


@pytest.mark.parametrize(("asked", "status"), [("open", "open"), ("solved", "solved")])
def test_a_reply_may_keep_it_open_or_solve_it(
    helpdesk: Helpdesk, api: Api, asked: str, status: str
) -> None:
    number = mail_in(helpdesk)
    response = api.post(f"/api/tickets/{number}/replies", {"body": "x", "status": asked})
    assert response.json_body["ticket"]["status"] == status


def test_reply_cc_joins_the_ticket(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk, cc="Boss <boss@customer.example>")
    api.post(f"/api/tickets/{number}/replies", {"body": "x", "cc": ["CFO@customer.example"]})
    cc = {a.addr_spec for a in helpdesk.sent()[-1]["Cc"].addresses}
    assert cc == {"boss@customer.example", "cfo@customer.example"}
    assert helpdesk.ticket(number).cc == ("boss@customer.example", "cfo@customer.example")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": 5}, "body"),
        ({"body": "x", "status": "closed"}, "status"),
        ({"body": "x", "cc": "a@b.example"}, "cc"),
        ({"body": "x", "cc": [7]}, "cc"),
        ({"body": "x", "cc": ["a@b.example\r\nBcc: eve@evil.example"]}, "cc"),
        ({"body": "x", "cc": ["Eve <eve@evil.example>, x@y.example"]}, "cc"),
        ({"body": "x", "cc": ["support@example.com"]}, "cc"),
        ({"body": "x", "cc": [f"p{i}@customer.example" for i in range(11)]}, "cc"),
        ({"template_id": "nope"}, "template_id"),
    ],
)
def test_bad_replies_are_400_naming_the_field_and_send_nothing(
    helpdesk: Helpdesk, api: Api, body: dict[str, Any], field: str
) -> None:
    number = mail_in(helpdesk)
    before = len(helpdesk.sent())
    response = api.post(f"/api/tickets/{number}/replies", body)
    assert response.status_code == 400 and response.json_body["field"] == field
    assert len(helpdesk.sent()) == before


def test_an_oversized_reply_is_413(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk)
    assert api.post(f"/api/tickets/{number}/replies", {"body": "x" * 70_000}).status_code == 413
    assert api.post(f"/api/tickets/{number}/replies", {"body": "x" * 300_000}).status_code == 413


def test_closed_and_spam_tickets_are_refused_with_a_reason(helpdesk: Helpdesk, api: Api) -> None:
    closed = mail_in(helpdesk, subject="Closed")
    spam = mail_in(helpdesk, subject="Spam")
    api.patch(f"/api/tickets/{closed}", {"version": 1, "status": "closed"})
    api.patch(f"/api/tickets/{spam}", {"version": 1, "spam": True})
    before = len(helpdesk.sent())
    for number, reason in ((closed, "closed"), (spam, "spam")):
        response = api.post(f"/api/tickets/{number}/replies", {"body": "x"})
        assert response.status_code == 409 and reason in response.json_body["message"]
    assert len(helpdesk.sent()) == before


def test_a_reply_to_an_unknown_ticket_is_404(api: Api) -> None:
    assert api.post("/api/tickets/424242/replies", {"body": "x"}).status_code == 404


def test_header_injection_through_names_and_subjects_is_neutralised(
    helpdesk: Helpdesk, api: Api
) -> None:
    raw = (
        b"From: =?utf-8?q?Anna=0D=0ABcc=3A_eve=40evil=2Eexample?= <anna@customer.example>\r\n"
        b"To: support@example.com\r\n"
        b"Subject: =?utf-8?q?Hello=0D=0ABcc=3A_eve=40evil=2Eexample?=\r\n"
        b"Message-ID: <inj@customer.example>\r\n\r\nHi\r\n"
    )
    number = helpdesk.deliver(raw, source="anna@customer.example")["ticket"]
    eve = api.as_agent("eve@example.com", "Eve\r\nBcc: eve@evil.example", title="X\nCc: a@b.c")
    assert eve.post(f"/api/tickets/{number}/replies", {"body": "Hi\r\nBcc: x@y"}).status_code == 201
    reply = helpdesk.sent()[-1]
    assert "Bcc" not in reply and "Cc" not in reply
    assert "\n" not in reply["Subject"] and "Hello Bcc: eve@evil.example" in reply["Subject"]
    envelope = getaddresses(sent_mail(helpdesk.aws)[-1].destinations)  # where SES delivers
    assert envelope and {address for _, address in envelope} == {"anna@customer.example"}


def test_a_change_after_the_send_is_kept_and_the_mail_is_not_sent_again(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    real = helpdesk.container.mailer

    class ColleagueMeanwhile:
        """While SES sends, a colleague raises the priority: the reply must not overwrite it."""

        def send(self, mail: OutgoingMail) -> str:
            api.patch(f"/api/tickets/{number}", {"version": 1, "priority": "urgent"})
            return str(real.send(mail))

    helpdesk.container.__dict__["mailer"] = ColleagueMeanwhile()
    before = len(helpdesk.sent())
    response = api.post(f"/api/tickets/{number}/replies", {"body": "Done."})
    assert response.status_code == 201
    assert len(helpdesk.sent()) == before + 1
    ticket = helpdesk.ticket(number)
    assert (ticket.priority, ticket.status, ticket.version) == ("urgent", "pending", 3)
    assert len([m for m in helpdesk.messages(number) if m["kind"] == "outbound"]) == 1


def test_the_reply_comes_from_the_current_queue(helpdesk: Helpdesk, api: Api) -> None:
    billing = mail_in(helpdesk, to="billing@example.com")
    api.post(f"/api/tickets/{billing}/replies", {"body": "x", "status": "open"})
    assert helpdesk.sent()[-1]["From"].addresses[0].addr_spec == "billing@example.com"
    api.post(f"/api/tickets/{billing}/transfer", {"queue": "Second line", "note": "Escalating"})
    api.post(f"/api/tickets/{billing}/replies", {"body": "y"})
    assert helpdesk.sent()[-1]["From"].addresses[0].addr_spec == "support@example.com"


@pytest.mark.parametrize(
    ("language", "greeting", "closing"),
    [
        ("fi", "Hei Anna Virtanen,", "Ystävällisin terveisin"),
        ("sv", "Hej Anna Virtanen,", "Vänliga hälsningar"),
        ("da", "Hej Anna Virtanen,", "Venlig hilsen"),
        ("pl", "Dzień dobry Anna Virtanen,", "Z pozdrowieniami"),
        ("fa", "سلام Anna Virtanen عزیز،", "با احترام،"),
    ],
)
def test_replies_are_written_in_the_customers_language(
    helpdesk: Helpdesk, api: Api, language: str, greeting: str, closing: str
) -> None:
    number = mail_in(helpdesk)
    store = helpdesk.container.desk_store
    ticket = store.get_ticket(number)
    store.update_ticket(
        ticket=replace(ticket, language=language, version=2), expected_version=1, events=[]
    )
    api.post(f"/api/tickets/{number}/replies", {"body": "Text."})
    reply = helpdesk.sent()[-1]
    text = reply.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith(greeting) and closing in text
    html = reply.get_body(("html",)).get_content()
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "fa")


# -- notes ------------------------------------------------------------------------------------


def test_a_note_is_kept_on_the_thread_and_never_emailed(helpdesk: Helpdesk, mikko: Api) -> None:
    number = mail_in(helpdesk)
    before = len(helpdesk.sent())
    response = mikko.post(f"/api/tickets/{number}/notes", {"body": "Customer is VIP."})
    assert response.status_code == 201 and response.json_body["message"]["kind"] == "note"
    assert len(helpdesk.sent()) == before
    thread = mikko.get(f"/api/tickets/{number}").json_body
    assert thread["thread"][-1]["text"] == "Customer is VIP."
    assert thread["thread"][-1]["author"]["email"] == "mikko@example.com"
    assert "note_added" in [e["kind"] for e in thread["events"]]
    assert thread["ticket"]["version"] == 1  # a note changes nothing a colleague could lose


@pytest.mark.parametrize(("body", "status"), [({}, 400), ({"body": "  "}, 400), ({"body": 1}, 400)])
def test_a_note_needs_text(helpdesk: Helpdesk, api: Api, body: Any, status: int) -> None:
    number = mail_in(helpdesk)
    response = api.post(f"/api/tickets/{number}/notes", body)
    assert response.status_code == status and response.json_body["field"] == "body"


def test_a_note_on_an_unknown_ticket_is_404(api: Api) -> None:
    assert api.post("/api/tickets/424242/notes", {"body": "x"}).status_code == 404


# -- edits ------------------------------------------------------------------------------------


def test_an_edit_with_the_current_version_applies_and_is_logged(
    helpdesk: Helpdesk, api: Api, mikko: Api
) -> None:
    number = mail_in(helpdesk)
    response = api.patch(
        f"/api/tickets/{number}",
        {"version": 1, "priority": "high", "assignee": "Mikko@Example.com", "queue": "Billing"},
    )
    assert response.status_code == 200, response.json_body
    ticket = response.json_body
    assert (ticket["priority"], ticket["assignee"], ticket["queue"]) == (
        "high",
        "mikko@example.com",
        "Billing",
    )
    assert ticket["version"] == 2 and ticket["status"] == "open"
    kinds = [e["kind"] for e in api.get(f"/api/tickets/{number}").json_body["events"]]
    for kind in ("priority_changed", "queue_changed", "assigned", "status_changed"):
        assert kind in kinds
    unassigned = api.patch(f"/api/tickets/{number}", {"version": 2, "assignee": None})
    assert unassigned.json_body["assignee"] is None


def test_two_agents_editing_at_once_one_wins_the_other_gets_409_with_the_winner(
    helpdesk: Helpdesk, api: Api, mikko: Api
) -> None:
    number = mail_in(helpdesk)
    first = api.patch(f"/api/tickets/{number}", {"version": 1, "priority": "urgent"})
    second = mikko.patch(f"/api/tickets/{number}", {"version": 1, "status": "pending"})
    assert first.status_code == 200 and second.status_code == 409
    assert second.json_body["current"]["priority"] == "urgent"
    assert second.json_body["current"]["version"] == 2
    retried = mikko.patch(f"/api/tickets/{number}", {"version": 2, "status": "pending"})
    assert retried.status_code == 200
    assert (retried.json_body["priority"], retried.json_body["status"]) == ("urgent", "pending")


def test_a_write_that_loses_the_race_after_reading_is_409_too(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk)
    store = helpdesk.container.desk_store
    real_update = store.update_ticket

    def colleague_first(**kwargs: Any) -> None:
        store.update_ticket = real_update
        api.patch(f"/api/tickets/{number}", {"version": 1, "priority": "low"})
        real_update(**kwargs)

    store.update_ticket = colleague_first
    response = api.patch(f"/api/tickets/{number}", {"version": 1, "priority": "urgent"})
    assert response.status_code == 409 and response.json_body["current"]["priority"] == "low"
    assert helpdesk.ticket(number).priority == "low"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "version"),
        ({"version": "1"}, "version"),
        ({"version": True}, "version"),
        ({"version": 1, "status": "new"}, "status"),
        ({"version": 1, "status": "bogus"}, "status"),
        ({"version": 1, "priority": "critical"}, "priority"),
        ({"version": 1, "queue": "Nope"}, "queue"),
        ({"version": 1, "assignee": "nobody@example.com"}, "assignee"),
        ({"version": 1, "assignee": 5}, "assignee"),
        ({"version": 1, "spam": "yes"}, "spam"),
    ],
)
def test_bad_edits_are_400_naming_the_field(
    helpdesk: Helpdesk, api: Api, body: dict[str, Any], field: str
) -> None:
    number = mail_in(helpdesk)
    response = api.patch(f"/api/tickets/{number}", body)
    assert response.status_code == 400 and response.json_body["field"] == field
    assert helpdesk.ticket(number).version == 1


def test_edits_of_unknown_tickets_invalid_json_and_huge_bodies(api: Api) -> None:
    assert api.patch("/api/tickets/424242", {"version": 1}).status_code == 404
    assert api.patch("/api/tickets/1001", "{oops").json_body["field"] == "body"
    assert api.patch("/api/tickets/1001", {"version": 1, "x": "y" * 300_000}).status_code == 413


def test_an_inactive_agent_cannot_be_assigned(helpdesk: Helpdesk, api: Api, mikko: Api) -> None:
    number = mail_in(helpdesk)
    api.patch("/api/agents/mikko@example.com", {"active": False})
    response = api.patch(f"/api/tickets/{number}", {"version": 1, "assignee": "mikko@example.com"})
    assert response.status_code == 400 and response.json_body["field"] == "assignee"


def test_a_closed_ticket_stays_closed(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk)
    api.patch(f"/api/tickets/{number}", {"version": 1, "status": "closed"})
    response = api.patch(f"/api/tickets/{number}", {"version": 2, "status": "open"})
    assert response.status_code == 409 and response.json_body["current"]["status"] == "closed"


# -- take and transfer ------------------------------------------------------------------------


def test_take_assigns_to_me_once_and_a_colleague_gets_409(
    helpdesk: Helpdesk, api: Api, mikko: Api
) -> None:
    number = mail_in(helpdesk)
    taken = mikko.post(f"/api/tickets/{number}/take")
    assert taken.status_code == 200
    assert (taken.json_body["assignee"], taken.json_body["status"]) == ("mikko@example.com", "open")
    assert mikko.post(f"/api/tickets/{number}/take").json_body["version"] == 2
    late = api.post(f"/api/tickets/{number}/take")
    assert late.status_code == 409 and late.json_body["current"]["assignee"] == "mikko@example.com"
    assert "mikko@example.com" in late.json_body["message"]
    assert api.post("/api/tickets/424242/take").status_code == 404


def test_a_transfer_moves_the_ticket_with_a_note_and_keeps_one_thread(
    helpdesk: Helpdesk, api: Api, mikko: Api
) -> None:
    number = mail_in(helpdesk)
    mikko.post(f"/api/tickets/{number}/take")
    response = mikko.post(
        f"/api/tickets/{number}/transfer", {"queue": "Second line", "note": "Needs a developer."}
    )
    assert response.status_code == 200
    ticket = response.json_body
    assert (ticket["queue"], ticket["assignee"], ticket["number"]) == ("Second line", None, number)
    detail = api.get(f"/api/tickets/{number}").json_body
    note = detail["thread"][-1]
    assert note["kind"] == "note" and note["text"] == "Needs a developer."
    [moved] = [e for e in detail["events"] if e["kind"] == "transferred"]
    assert moved["data"]["from"] == "Support" and moved["actor"] == "mikko@example.com"
    unassigned = api.get("/api/tickets?view=unassigned&queue=Second line").json_body
    assert [t["number"] for t in unassigned["tickets"]] == [number]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "x"}, "queue"),
        ({"queue": "Nope", "note": "x"}, "queue"),
        ({"queue": "Support", "note": "x"}, "queue"),  # already there
        ({"queue": "Billing"}, "note"),
        ({"queue": "Billing", "note": " "}, "note"),
    ],
)
def test_bad_transfers_are_400(
    helpdesk: Helpdesk, api: Api, body: dict[str, Any], field: str
) -> None:
    number = mail_in(helpdesk)
    response = api.post(f"/api/tickets/{number}/transfer", body)
    assert response.status_code == 400 and response.json_body["field"] == field


# -- a retried reply (Idempotency-Key) ---------------------------------------------------------


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def outbound(helpdesk: Helpdesk, number: int) -> list[dict[str, Any]]:
    return [m for m in helpdesk.messages(number) if m["kind"] == "outbound"]


def test_a_repeated_reply_with_its_key_mails_once_and_answers_the_same(
    helpdesk: Helpdesk, api: Api, aws_calls: AwsCalls
) -> None:
    number = mail_in(helpdesk)
    path, body = f"/api/tickets/{number}/replies", {"body": "Done.", "status": "solved"}
    api.get("/api/me")
    aws_calls.clear()
    first = api.post(path, body, headers=keyed("6f1c2a9e-draft-1"))
    assert first.status_code == 201, first.json_body
    assert aws_calls.of("dynamodb") == ["GetItem", "PutItem", "TransactWriteItems"]
    assert len(aws_calls.calls) <= 5, aws_calls.calls  # the target of an agent reply
    sent = len(helpdesk.sent())
    helpdesk.clock.advance(seconds=5)
    again = api.post(path, body, headers=keyed("6f1c2a9e-draft-1"))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json_body["message"] == first.json_body["message"]
    assert len(helpdesk.sent()) == sent and len(outbound(helpdesk, number)) == 1
    assert helpdesk.ticket(number).status == "solved"


def test_a_key_is_one_reply_and_keys_are_per_agent(
    helpdesk: Helpdesk, api: Api, mikko: Api
) -> None:
    number = mail_in(helpdesk)
    path = f"/api/tickets/{number}/replies"
    assert api.post(path, {"body": "One."}, headers=keyed("k-1")).status_code == 201
    other = api.post(path, {"body": "Two."}, headers=keyed("k-1"))
    assert other.status_code == 400 and other.json_body["field"] == "Idempotency-Key"
    assert mikko.post(path, {"body": "Two."}, headers=keyed("k-1")).status_code == 201
    assert api.post(path, {"body": "Two."}, headers=keyed("k-2")).status_code == 201
    said = sorted("One." if "One." in m["text"] else "Two." for m in outbound(helpdesk, number))
    assert said == ["One.", "Two.", "Two."]


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "ключ", "a\tb"])
def test_a_malformed_key_is_400_and_sends_nothing(helpdesk: Helpdesk, api: Api, key: str) -> None:
    number = mail_in(helpdesk)
    before = len(helpdesk.sent())
    response = api.post(f"/api/tickets/{number}/replies", {"body": "x"}, headers=keyed(key))
    assert response.status_code == 400 and response.json_body["field"] == "Idempotency-Key"
    assert len(helpdesk.sent()) == before


def test_a_reply_sent_but_not_recorded_is_recorded_by_its_retry_without_a_second_mail(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    store = helpdesk.container.desk_store
    real_append = store.append_message
    failing = {"left": 1}

    def append_fails_once(**kwargs: Any) -> None:
        if failing["left"]:
            failing["left"] -= 1
            raise StorageError("DynamoDB transact_write_items failed: throttled")
        real_append(**kwargs)

    store.append_message = append_fails_once
    path = f"/api/tickets/{number}/replies"
    failed = api.post(path, {"body": "Done."}, headers=keyed("draft-7"))
    assert failed.status_code == 503 and outbound(helpdesk, number) == []
    sent = len(helpdesk.sent())
    retried = api.post(path, {"body": "Done."}, headers=keyed("draft-7"))
    assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "true"
    assert len(helpdesk.sent()) == sent
    [message] = outbound(helpdesk, number)
    assert f"<{message['message_id']}>" == helpdesk.sent()[-1]["Message-ID"]
    assert helpdesk.ticket(number).thread_ids[-1] == ses_message_id(
        message["provider_id"], "eu-west-1"
    )
    assert helpdesk.ticket(number).status == "pending"


def test_a_reply_ses_refused_can_be_retried_with_the_same_key(helpdesk: Helpdesk, api: Api) -> None:
    number = mail_in(helpdesk)
    real = helpdesk.container.mailer

    class RefusesOnce:
        refused = False

        def send(self, mail: OutgoingMail) -> str:
            if not self.refused:
                self.refused = True
                raise StorageError("SES send failed: Throttling")
            return str(real.send(mail))

    helpdesk.container.__dict__["mailer"] = RefusesOnce()
    path = f"/api/tickets/{number}/replies"
    assert api.post(path, {"body": "Done."}, headers=keyed("draft-8")).status_code == 503
    assert api.post(path, {"body": "Done."}, headers=keyed("draft-8")).status_code == 201
    assert len(outbound(helpdesk, number)) == 1


def test_a_reply_ses_rejects_is_422_with_its_reason_and_a_throttled_one_503_with_retry_after(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)

    class Refuses:
        error: StorageError = MailRejected("SES refused the mail: MessageRejected too many")

        def send(self, mail: OutgoingMail) -> str:
            raise self.error

    ses = Refuses()
    helpdesk.container.__dict__["mailer"] = ses
    path = f"/api/tickets/{number}/replies"
    rejected = api.post(path, {"body": "Done."}, headers=keyed("draft-11"))
    assert rejected.status_code == 422 and "Retry-After" not in rejected.headers
    assert rejected.json_body == {
        "error": "mail_rejected",
        "message": "SES refused the mail: MessageRejected too many",
    }
    ses.error = StorageError("SES send failed: Throttling")
    throttled = api.post(path, {"body": "Done."})
    assert throttled.status_code == 503 and throttled.headers["Retry-After"] == "5"
    assert outbound(helpdesk, number) == []


def test_a_reply_still_being_sent_is_409_until_its_claim_goes_stale(
    helpdesk: Helpdesk, api: Api
) -> None:
    number = mail_in(helpdesk)
    real = helpdesk.container.mailer
    path = f"/api/tickets/{number}/replies"
    answers: list[Any] = []

    class SlowSes:
        """While SES is busy with the first request, the client sends it again."""

        def send(self, mail: OutgoingMail) -> str:
            if not answers:
                answers.append(api.post(path, {"body": "Done."}, headers=keyed("draft-9")))
            return str(real.send(mail))

    helpdesk.container.__dict__["mailer"] = SlowSes()
    assert api.post(path, {"body": "Done."}, headers=keyed("draft-9")).status_code == 201
    assert answers[0].status_code == 409 and "being sent" in answers[0].json_body["message"]
    assert len(outbound(helpdesk, number)) == 1


def test_a_reply_whose_sender_died_is_recorded_as_possibly_sent_never_mailed_twice(
    helpdesk: Helpdesk, api: Api
) -> None:
    """SES took the mail and the function was killed before it heard back (a timeout): the
    claim says "sending" and nobody can know more. A repeat within the minute is 409; after
    it, the repeat records the reply as possibly sent and sends nothing (issue 12: the same
    key mailed the customer twice 66 s apart)."""
    number = mail_in(helpdesk)
    real = helpdesk.container.mailer

    class DiesAfterSes:
        died = False

        def send(self, mail: OutgoingMail) -> str:
            provider_id = str(real.send(mail))
            if not self.died:
                self.died = True
                raise TimeoutError("Task timed out after 30.00 seconds")
            return provider_id

    helpdesk.container.__dict__["mailer"] = DiesAfterSes()
    path = f"/api/tickets/{number}/replies"
    assert api.post(path, {"body": "Done."}, headers=keyed("draft-10")).status_code == 500
    assert api.post(path, {"body": "Done."}, headers=keyed("draft-10")).status_code == 409
    sent = len(helpdesk.sent())
    helpdesk.clock.advance(seconds=61)
    again = api.post(path, {"body": "Done."}, headers=keyed("draft-10"))
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert len(helpdesk.sent()) == sent
    [message] = outbound(helpdesk, number)
    assert "delivery_unknown" in message["flags"]
    assert "reply_delivery_unknown" in [e["kind"] for e in helpdesk.events(number)]


def test_a_reply_whose_ses_answer_never_came_is_recorded_flagged_and_not_resent(
    helpdesk: Helpdesk, api: Api
) -> None:
    from chalicelib.domain.errors import DeliveryUnknown

    number = mail_in(helpdesk)
    real = helpdesk.container.mailer

    class TimesOutAfterSes:
        def send(self, mail: OutgoingMail) -> str:
            real.send(mail)
            raise DeliveryUnknown("SES may have sent the mail: Read timeout on endpoint URL")

    helpdesk.container.__dict__["mailer"] = TimesOutAfterSes()
    path = f"/api/tickets/{number}/replies"
    first = api.post(path, {"body": "Done."}, headers=keyed("draft-11"))
    assert first.status_code == 201
    assert "delivery_unknown" in first.json_body["message"]["flags"]
    sent = len(helpdesk.sent())
    again = api.post(path, {"body": "Done."}, headers=keyed("draft-11"))
    assert again.status_code == 200 and len(helpdesk.sent()) == sent
    assert len(outbound(helpdesk, number)) == 1
    assert helpdesk.ticket(number).status == "pending"
