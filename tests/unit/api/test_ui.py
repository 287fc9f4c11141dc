"""The agent UI's routes: public, data-free, strict about what the browser may run and load."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.api.ui import UI_DIR, VENDOR_DIR, asset_names, content_security_policy, vendor_names

SCRIPTS = sorted(UI_DIR.glob("*.js"))


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def client(settings: Any) -> Iterator[Any]:
    from app import app

    bootstrap.use(bootstrap.Container(settings))
    with Client(app) as test_client:
        yield test_client
    bootstrap.use(None)


def test_the_page_is_public_and_sent_with_strict_security_headers(client: Any) -> None:
    response = client.http.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == content_security_policy(None)
    assert b'<script type="module" src="ui/app.js"></script>' in response.body


@pytest.mark.parametrize("name", sorted(asset_names()))
def test_each_script_and_stylesheet_is_served_with_its_type(client: Any, name: str) -> None:
    response = client.http.get(f"/ui/{name}")
    assert response.status_code == 200
    kind = "text/javascript" if name.endswith(".js") else "text/css"
    assert response.headers["Content-Type"] == f"{kind}; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.body == (UI_DIR / name).read_bytes()


def test_vendored_libraries_are_served_and_match_the_checksum_their_note_records(
    client: Any,
) -> None:
    note = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", note, re.M))
    assert set(recorded) == vendor_names() and recorded
    for name, checksum in recorded.items():
        response = client.http.get(f"/ui/vendor/{name}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.headers["Content-Security-Policy"] == content_security_policy(None)
        assert hashlib.sha256(response.body).hexdigest() == checksum


@pytest.mark.parametrize(
    "path",
    [
        "/ui/index.html",
        "/ui/nope.js",
        "/ui/app.py",
        "/ui/..%2Fapp.py",
        "/ui/vendor/README.md",
        "/ui/vendor/uplot.LICENSE",
        "/ui/vendor/..%2Fapp.js",
        "/ui/vendor/nope.js",
    ],
)
def test_nothing_else_is_served_from_ui(client: Any, path: str) -> None:
    assert client.http.get(path).status_code in (403, 404)


def test_the_page_needs_no_token_while_the_api_behind_it_still_does(client: Any) -> None:
    from app import app

    ui_routes = {p for p in app.routes if p == "/" or p.startswith("/ui")}
    assert ui_routes == {"/", "/ui/{asset}", "/ui/vendor/{asset}"}
    assert client.http.get("/").status_code == 200
    assert client.http.get("/ui/app.js").status_code == 200
    assert client.http.get("/api/me").status_code == 401


def test_the_policy_allows_only_own_scripts_and_no_framing_or_foreign_forms() -> None:
    policy = directives(content_security_policy(None))
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "frame-src" not in policy  # srcdoc frames need none; default-src refuses the rest
    assert policy["img-src"] == ["'self'", "data:", "https:"]


def test_only_a_local_plain_http_aws_endpoint_allows_http_images(settings: Any) -> None:
    assert "http:" in directives(content_security_policy("http://127.0.0.1:5000"))["img-src"]
    assert "http:" not in directives(content_security_policy("https://s3.example"))["img-src"]
    local = dataclasses.replace(settings, endpoint_url="http://127.0.0.1:5000")
    bootstrap.use(bootstrap.Container(local))
    try:
        from app import app

        with Client(app) as test_client:
            headers = test_client.http.get("/ui/app.css").headers
    finally:
        bootstrap.use(None)
    assert headers["Content-Security-Policy"] == content_security_policy("http://127.0.0.1:5000")


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.style_attributes = 0
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.inline_scripts += 1
        self.inline_handlers += [name for name in values if name.startswith("on")]
        self.style_attributes += "style" in values
        self.references += [
            v for k, v in attrs if k in ("src", "href") and v and v.startswith("ui/")
        ]


def test_the_page_has_no_inline_script_handlers_or_styles() -> None:
    markup = _Markup()
    markup.feed((UI_DIR / "index.html").read_text(encoding="utf-8"))
    assert (markup.inline_scripts, markup.inline_handlers, markup.style_attributes) == (0, [], 0)
    assert {r.removeprefix("ui/") for r in markup.references} <= asset_names()


def test_every_module_the_scripts_import_is_served() -> None:
    imported = {
        name
        for script in SCRIPTS
        for name in re.findall(r'from "\./([^"]+)"', script.read_text(encoding="utf-8"))
    }
    assert imported and imported <= asset_names()
    assert "mail.css" in asset_names()  # linked from inside the mail frames


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_are_strict_and_never_turn_strings_into_markup_or_code(script: Any) -> None:
    source = script.read_text(encoding="utf-8")
    assert source.startswith('"use strict";')
    forbidden = (
        r"\.(innerHTML|outerHTML)\s*=[^=]|insertAdjacentHTML|document\.write|\beval\(|new Function"
    )
    assert re.findall(forbidden, source) == []


def test_mail_frames_are_sandboxed_without_scripts_or_their_own_origin() -> None:
    source = (UI_DIR / "mail.js").read_text(encoding="utf-8")
    [sandbox] = re.findall(r'sandbox: "([^"]*)"', source)
    assert not {"allow-scripts", "allow-same-origin", "allow-forms", "allow-top-navigation"} & set(
        sandbox.split()
    )
    assigned = {s.name: len(re.findall(r"\.srcdoc\s*=", s.read_text())) for s in SCRIPTS}
    assert {name: n for name, n in assigned.items() if n} == {"mail.js": 1}
