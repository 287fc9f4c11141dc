"""Queues from addresses."""

from __future__ import annotations

from chalicelib.domain.tickets.routing import Queue, Routing

ROUTING = Routing(
    queues={
        "Support": Queue("Support", "support@example.com"),
        "Billing": Queue("Billing", "billing@example.com"),
    },
    addresses={
        "support@example.com": "Support",
        "billing@example.com": "Billing",
        "anna@example.com": "Billing",
    },
    default_queue="Support",
)


def test_queue_address_routes_to_its_queue() -> None:
    route = ROUTING.route(["billing@example.com"], ["billing@example.com"])
    assert route.queue.name == "Billing" and route.address == "billing@example.com"


def test_personal_address_lands_in_the_team_queue() -> None:
    route = ROUTING.route(["Anna@Example.com"], ["anna@example.com"])
    assert route.queue.name == "Billing"
    assert route.address == "anna@example.com"


def test_unknown_address_goes_to_the_default_queue_and_answers_from_it() -> None:
    route = ROUTING.route(["sales@example.com"], [])
    assert route.queue.name == "Support" and route.address == "support@example.com"


def test_two_of_our_addresses_pick_the_first_in_to_and_note_the_other() -> None:
    route = ROUTING.route(
        ["support@example.com", "billing@example.com"],
        ["billing@example.com", "support@example.com"],
    )
    assert route.queue.name == "Billing"
    assert route.also_to == ("support@example.com",)


def test_own_addresses_include_queues_and_personal_addresses() -> None:
    assert ROUTING.own_addresses == {
        "support@example.com",
        "billing@example.com",
        "anna@example.com",
    }
