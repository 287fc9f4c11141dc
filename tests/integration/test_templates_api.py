"""Canned templates: admins write and retire them, agents use them and say whether they helped."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import make_mail
from tests.integration.conftest import Api, Helpdesk

GREETING = {
    "name": "Invoice corrected",
    "language": "en",
    "body": "Your invoice for {{ ticket_tag }} is corrected, {{ customer_name|default('friend') }}."
    "{% if agent_title %}\n-- {{ agent_name }}, {{ agent_title }}{% endif %}",
}


@pytest.fixture
def agent(api: Api) -> Api:
    return api.as_agent("mikko@example.com", "Mikko", title="Billing specialist")


@pytest.fixture
def template(api: Api) -> dict[str, Any]:
    response = api.post("/api/templates", GREETING)
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def ticket(helpdesk: Helpdesk) -> int:
    return int(helpdesk.deliver(make_mail())["ticket"])


def test_admins_create_and_agents_list_by_language(
    api: Api, agent: Api, template: dict[str, Any]
) -> None:
    api.post("/api/templates", {**GREETING, "name": "Lasku korjattu", "language": "fi"})
    assert template["version"] == 1 and template["active"]
    assert template["feedback"] == {"helpful": 0, "not_helpful": 0}
    listed = agent.get("/api/templates").json_body["templates"]
    assert [t["language"] for t in listed] == ["en", "fi"]
    finnish = agent.get("/api/templates?language=fi").json_body["templates"]
    assert [t["name"] for t in finnish] == ["Lasku korjattu"]


def test_agents_may_not_write_templates(agent: Api, template: dict[str, Any]) -> None:
    assert agent.post("/api/templates", GREETING).status_code == 403
    assert agent.patch(f"/api/templates/{template['id']}", {"name": "x"}).status_code == 403
    assert agent.delete(f"/api/templates/{template['id']}").status_code == 403


def test_an_edit_bumps_the_version_and_a_stale_one_is_409(
    api: Api, template: dict[str, Any]
) -> None:
    url = f"/api/templates/{template['id']}"
    edited = api.patch(url, {"name": "Invoice fixed", "version": 1})
    assert edited.status_code == 200 and edited.json_body["version"] == 2
    stale = api.patch(url, {"name": "Other", "version": 1})
    assert stale.status_code == 409 and stale.json_body["current"]["name"] == "Invoice fixed"


def test_retired_templates_are_kept_but_no_longer_offered(
    helpdesk: Helpdesk, api: Api, agent: Api, template: dict[str, Any]
) -> None:
    retired = api.delete(f"/api/templates/{template['id']}")
    assert retired.status_code == 200 and retired.json_body["retired_at"]
    assert agent.get("/api/templates").json_body["templates"] == []
    kept = agent.get("/api/templates?include_retired=true").json_body["templates"]
    assert [t["id"] for t in kept] == [template["id"]]
    number = ticket(helpdesk)
    response = agent.post(f"/api/tickets/{number}/replies", {"template_id": template["id"]})
    assert response.status_code == 400 and response.json_body["field"] == "template_id"


def test_a_preview_fills_the_placeholders(
    helpdesk: Helpdesk, agent: Api, template: dict[str, Any]
) -> None:
    number = ticket(helpdesk)
    preview = agent.post(f"/api/templates/{template['id']}/render", {"ticket": number})
    assert preview.status_code == 200
    assert preview.json_body["text"] == (
        f"Your invoice for [#{number}] is corrected, Anna Virtanen.\n-- Mikko, Billing specialist"
    )


def test_a_reply_with_an_empty_body_is_the_template(
    helpdesk: Helpdesk, agent: Api, template: dict[str, Any]
) -> None:
    number = ticket(helpdesk)
    response = agent.post(f"/api/tickets/{number}/replies", {"template_id": template["id"]})
    assert response.status_code == 201
    text = helpdesk.sent()[-1].get_body(("plain",)).get_content()
    assert f"Your invoice for [#{number}] is corrected, Anna Virtanen." in text
    events = agent.get(f"/api/tickets/{number}").json_body["events"]
    assert [e["data"] for e in events if e["kind"] == "template_used"] == [
        {"template": template["id"]}
    ]


def test_a_reply_with_its_own_body_records_the_template_as_used(
    helpdesk: Helpdesk, agent: Api, template: dict[str, Any]
) -> None:
    number = ticket(helpdesk)
    agent.post(
        f"/api/tickets/{number}/replies", {"body": "My own words.", "template_id": template["id"]}
    )
    assert "My own words." in helpdesk.sent()[-1].get_body(("plain",)).get_content()
    events = agent.get(f"/api/tickets/{number}").json_body["events"]
    assert [e["data"] for e in events if e["kind"] == "template_used"] == [
        {"template": template["id"]}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GREETING, "body": "{{ ''.__class__.__mro__ }}"}, "body"),
        ({**GREETING, "body": "{% for i in range(10**9) %}x{% endfor %}"}, "body"),
        ({**GREETING, "body": "{{ customer_name|attr('__init__') }}"}, "body"),
        ({**GREETING, "body": "{{ secret_key }}"}, "body"),
        ({**GREETING, "body": "{% if %}"}, "body"),
        ({**GREETING, "body": "   "}, "body"),
        ({**GREETING, "language": "de"}, "language"),
        ({**GREETING, "name": ""}, "name"),
        ({"language": "en", "body": "x"}, "name"),
    ],
)
def test_unsafe_or_invalid_templates_are_400(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/templates", body)
    assert response.status_code == 400 and response.json_body["field"] == field


def test_feedback_counts_one_vote_per_agent_and_shows_comments(
    api: Api, agent: Api, template: dict[str, Any]
) -> None:
    url = f"/api/templates/{template['id']}/feedback"
    assert agent.post(url, {"helpful": True}).json_body["feedback"] == {
        "helpful": 1,
        "not_helpful": 0,
    }
    changed = agent.post(url, {"helpful": False, "comment": "Too formal for Finns."})
    assert changed.json_body["feedback"] == {"helpful": 0, "not_helpful": 1}
    assert api.post(url, {"helpful": True}).json_body["feedback"] == {
        "helpful": 1,
        "not_helpful": 1,
    }
    detail = agent.get(f"/api/templates/{template['id']}").json_body
    comments = {f["agent"]: f["comment"] for f in detail["recent_feedback"]}
    assert comments == {"mikko@example.com": "Too formal for Finns.", "admin@example.com": ""}


def test_feedback_edits_do_not_lose_counts(api: Api, agent: Api, template: dict[str, Any]) -> None:
    agent.post(f"/api/templates/{template['id']}/feedback", {"helpful": True})
    edited = api.patch(f"/api/templates/{template['id']}", {"body": "New text.", "version": 1})
    assert edited.json_body["feedback"] == {"helpful": 1, "not_helpful": 0}
    assert api.get(f"/api/templates/{template['id']}").json_body["feedback"]["helpful"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "helpful"), ({"helpful": "yes"}, "helpful"), ({"helpful": 1}, "helpful")],
)
def test_bad_feedback_is_400(
    agent: Api, template: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = agent.post(f"/api/templates/{template['id']}/feedback", body)
    assert response.status_code == 400 and response.json_body["field"] == field


def test_feedback_on_a_retired_template_is_409(
    api: Api, agent: Api, template: dict[str, Any]
) -> None:
    api.delete(f"/api/templates/{template['id']}")
    response = agent.post(f"/api/templates/{template['id']}/feedback", {"helpful": True})
    assert response.status_code == 409


def test_unknown_templates_are_404(api: Api, helpdesk: Helpdesk) -> None:
    number = ticket(helpdesk)
    assert api.get("/api/templates/nope").status_code == 404
    assert api.patch("/api/templates/nope", {"name": "x"}).status_code == 404
    assert api.delete("/api/templates/nope").status_code == 404
    assert api.post("/api/templates/nope/render", {"ticket": number}).status_code == 404
    assert api.post("/api/templates/nope/feedback", {"helpful": True}).status_code == 404


def test_a_preview_for_an_unknown_ticket_is_400_naming_it(
    api: Api, template: dict[str, Any]
) -> None:
    response = api.post(f"/api/templates/{template['id']}/render", {"ticket": 424242})
    assert response.status_code == 400 and response.json_body["field"] == "ticket"
