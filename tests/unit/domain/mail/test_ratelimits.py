"""Whom an acknowledgement counts against: the address without its +tag, and its domain."""

from __future__ import annotations

from chalicelib.domain.mail.delivery import Quota
from chalicelib.domain.mail.ratelimits import (
    FREE_MAIL_DOMAINS,
    acknowledgement_limit,
    counted_address,
)


def limit(address: str, exempt: frozenset[str] = FREE_MAIL_DOMAINS) -> tuple[Quota, ...]:
    found = acknowledgement_limit(
        address,
        per_hour=3,
        per_day=10,
        domain_per_hour=30,
        domain_per_day=100,
        exempt_domains=exempt,
    )
    return found.quotas


def test_a_plus_tag_is_the_same_address() -> None:
    assert counted_address("Anna+Orders@Customer.Example") == "anna@customer.example"


def test_an_address_that_is_only_a_tag_stays_as_written() -> None:
    assert counted_address("+news@customer.example") == "+news@customer.example"


def test_an_acknowledgement_counts_against_the_address_and_its_domain() -> None:
    assert limit("anna+1@customer.example") == (
        Quota("anna@customer.example", 3, 10),
        Quota("@customer.example", 30, 100),
    )


def test_a_free_mail_address_counts_against_itself_only() -> None:
    assert limit("anna@gmail.com") == (Quota("anna@gmail.com", 3, 10),)


def test_subdomains_of_an_exempt_domain_are_exempt() -> None:
    assert len(limit("anna@mail.bigisp.example", frozenset({"bigisp.example"}))) == 1
    assert len(limit("anna@notbigisp.example", frozenset({"bigisp.example"}))) == 2
