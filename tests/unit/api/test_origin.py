"""Which form POSTs come from another site's page."""

from __future__ import annotations

import pytest

from chalicelib.api.origin import cross_site

HOST = {"Host": "desk.example.com"}


@pytest.mark.parametrize("site", ["cross-site", "same-site", "Cross-Site"])
def test_a_browser_saying_another_site_made_the_request_is_refused(site: str) -> None:
    assert cross_site({**HOST, "Sec-Fetch-Site": site, "Origin": "https://desk.example.com"})


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_our_own_page_or_a_typed_address_is_allowed(site: str) -> None:
    assert not cross_site({**HOST, "Sec-Fetch-Site": site, "Origin": "null"})


def test_without_fetch_metadata_a_foreign_origin_is_refused() -> None:
    assert cross_site({**HOST, "Origin": "https://evil.example"})


def test_without_fetch_metadata_our_origin_is_allowed_whatever_the_case() -> None:
    assert not cross_site({"host": "Desk.Example.com", "origin": "https://desk.example.com"})


def test_origin_null_is_what_our_no_referrer_page_sends_and_is_allowed() -> None:
    assert not cross_site({**HOST, "Origin": "null"})


def test_a_script_without_either_header_is_allowed_the_token_is_the_secret() -> None:
    assert not cross_site(HOST)
