"""Agents and API tokens: every /api route is behind a bearer token, roles are enforced."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api


def test_no_token_is_401_with_a_bearer_challenge(client: Any, api: Api) -> None:
    response = client.http.get("/api/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json_body["error"] == "unauthorized"


@pytest.mark.parametrize(
    "header",
    ["Bearer hd_not-a-real-token-000000000000", "Basic YWRtaW46YWRtaW4=", "Bearer", "hd_x"],
)
def test_bad_credentials_are_401(client: Any, api: Api, header: str) -> None:
    assert client.http.get("/api/me", headers={"Authorization": header}).status_code == 401


def test_the_admin_token_signs_in(api: Api) -> None:
    me = api.get("/api/me").json_body
    assert me == {
        "id": "admin@example.com",
        "name": "Ada Admin",
        "email": "admin@example.com",
        "title": "",
        "role": "admin",
        "queues": ["Support", "Billing", "Second line"],
        "languages": [],
        "active": True,
    }


def test_admin_creates_an_agent_who_can_sign_in_with_a_token_shown_once(api: Api) -> None:
    created = api.post(
        "/api/agents",
        {
            "email": "Mikko@Example.com",
            "name": "Mikko",
            "title": "Billing specialist",
            "queues": ["Billing"],
            "languages": ["fi", "sv"],
        },
    )
    assert created.status_code == 201 and created.json_body["id"] == "mikko@example.com"
    issued = api.post("/api/agents/mikko@example.com/tokens", {"label": "laptop"})
    assert issued.status_code == 201 and issued.json_body["token"].startswith("hd_")
    assert (
        api.get("/api/me", token=issued.json_body["token"]).json_body["title"]
        == "Billing specialist"
    )
    listed = api.get("/api/agents/mikko@example.com/tokens").json_body["tokens"]
    assert listed and "token" not in listed[0]


def test_tokens_are_stored_only_as_hashes(api: Api, aws: dict[str, Any]) -> None:
    secret = api.post("/api/agents/admin@example.com/tokens", {}).json_body["token"]
    dump = str(aws["dynamodb"].scan(TableName="helpdesk-test")["Items"])
    assert secret not in dump


def test_an_agent_may_not_manage_agents(api: Api) -> None:
    agent = api.as_agent("lena@example.com", "Lena")
    forbidden = agent.post("/api/agents", {"email": "x@example.com", "name": "X"})
    assert forbidden.status_code == 403 and forbidden.json_body["error"] == "forbidden"
    assert agent.get("/api/agents").status_code == 200


def test_a_revoked_token_stops_working(api: Api) -> None:
    agent = api.as_agent("lena@example.com", "Lena")
    assert agent.get("/api/me").status_code == 200
    [token] = api.get("/api/agents/lena@example.com/tokens").json_body["tokens"]
    assert api.delete(f"/api/agents/lena@example.com/tokens/{token['id']}").status_code == 200
    assert agent.get("/api/me").status_code == 401


def test_a_deactivated_agent_is_signed_out(api: Api) -> None:
    agent = api.as_agent("lena@example.com", "Lena")
    api.patch("/api/agents/lena@example.com", {"active": False})
    assert agent.get("/api/me").status_code == 401


def test_invalid_json_is_400_naming_the_body(api: Api) -> None:
    response = api.post("/api/agents", "{not json")
    assert response.status_code == 400 and response.json_body["field"] == "body"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No Email"}, "email"),
        ({"email": "not-an-address", "name": "X"}, "email"),
        ({"email": "x@example.com"}, "name"),
        ({"email": "x@example.com", "name": "X", "role": "root"}, "role"),
        ({"email": "x@example.com", "name": "X", "queues": ["Nope"]}, "queues"),
        ({"email": "x@example.com", "name": 7}, "name"),
    ],
)
def test_invalid_fields_are_400_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.post("/api/agents", body)
    assert response.status_code == 400 and response.json_body["field"] == field


def test_an_existing_agent_is_409(api: Api) -> None:
    assert (
        api.post("/api/agents", {"email": "admin@example.com", "name": "Again"}).status_code == 409
    )


def test_oversized_bodies_are_413(api: Api) -> None:
    response = api.post("/api/agents", {"email": "x@example.com", "name": "x" * 300_000})
    assert response.status_code == 413


def test_unknown_agent_is_404(api: Api) -> None:
    assert api.get("/api/agents/nobody@example.com").status_code == 404


def test_header_injection_in_names_is_neutralised(api: Api) -> None:
    created = api.post(
        "/api/agents", {"email": "eve@example.com", "name": "Eve\r\nBcc: x@evil.example"}
    )
    assert created.json_body["name"] == "Eve Bcc: x@evil.example"
