"""The /local routes: only the local runner adds them; on their own they answer as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from chalice.app import Chalice
from chalice.test import Client

from local.firing import ScheduleRunner
from local.routes import LocalServices, local_blueprint
from tests.conftest import REPO
from tests.unit.local.fakes import START, FakeSchedules, RecordingInvoke, frozen_clock, schedule

LIST_ROUTES = "import json, app; print(json.dumps(sorted(app.app.routes)))"
SENT = {
    "ses_message_id": "ses-1",
    "subject": "Re: <b>Hello</b> [#1001]",
    "from": "Example Support <support@example.com>",
    "to": ["Anna <anna@customer.example>"],
    "date": "Mon, 23 Nov 2026 08:00:00 +0000",
    "headers": [{"name": "Subject", "value": "Re: <b>Hello</b> [#1001]"}],
    "text": "Hello Anna",
    "html": '<p onclick="x()">Hello <script>alert(1)</script></p>',
    "raw": "Subject: ...",
}


def test_a_deployed_stage_has_no_local_routes() -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "HELPDESK_STAGE": "prod",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "TABLE_NAME": "helpdesk",
        "MAIL_BUCKET": "helpdesk-mail",
    }
    result = subprocess.run(
        [sys.executable, "-c", LIST_ROUTES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    routes = json.loads(result.stdout.strip().splitlines()[-1])
    assert "/api/me" in routes
    assert [r for r in routes if r.startswith("/local")] == []


@pytest.fixture
def client() -> Iterator[Any]:
    clock = frozen_clock()
    source = FakeSchedules(schedule("sla-1001-warning", timedelta(hours=3)))
    runner = ScheduleRunner(source, RecordingInvoke(clock), clock)
    services = LocalServices(
        clock=clock,
        runner=runner,
        outbox=lambda: [SENT],
        page={"api_port": 8000, "smtp_port": 2525, "token_file": ".local/admin-token"},
    )
    app = Chalice(app_name="local-routes-test")
    app.register_blueprint(local_blueprint(services, serve_root=True))
    with Client(app) as c:
        yield c


def post_clock(client: Any, body: Any) -> Any:
    return client.http.post(
        "/local/clock", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )


def test_get_clock_tells_the_local_time(client: Any) -> None:
    body = client.http.get("/local/clock").json_body
    assert body == {"now": START.isoformat(), "offset_seconds": 0.0}


def test_post_clock_moves_time_and_lists_what_fired(client: Any) -> None:
    response = post_clock(client, {"advance_seconds": 4 * 3600})
    assert response.status_code == 200
    assert response.json_body == {
        "now": (START + timedelta(hours=4)).isoformat(),
        "fired": [
            {"name": "sla-1001-warning", "at": (START + timedelta(hours=3)).isoformat(), "ok": True}
        ],
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advance_seconds": -1},
        {"advance_seconds": "3d"},
        {"advance_seconds": True},
        {"advance_seconds": 1e300},
        [1],
    ],
)
def test_post_clock_refuses_anything_but_a_non_negative_number(client: Any, body: Any) -> None:
    response = post_clock(client, body)
    assert response.status_code == 400
    assert response.json_body["error"] == "invalid_input"


def test_the_outbox_is_json_by_default(client: Any) -> None:
    assert client.http.get("/local/outbox").json_body == {"messages": [SENT]}
    assert client.http.get("/local/outbox/ses-1").json_body == SENT
    assert client.http.get("/local/outbox/nope").status_code == 404


def test_the_outbox_page_shows_html_mail_only_in_a_sandbox(client: Any) -> None:
    response = client.http.get("/local/outbox?format=html")
    page = response.body.decode()
    assert response.headers["Content-Type"].startswith("text/html")
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Re: &lt;b&gt;Hello&lt;/b&gt; [#1001]" in page
    assert "<iframe sandbox srcdoc=" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_start_page_is_served_at_local_and_at_the_root(client: Any) -> None:
    for path in ("/local", "/"):
        response = client.http.get(path)
        assert response.status_code == 200
        assert "make clock ADVANCE=3d" in response.body.decode()
