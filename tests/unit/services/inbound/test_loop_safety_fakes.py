"""Loop safety through the inbound flow: X-Loop, and acknowledgement limits per address and
per domain (issue 12)."""

from __future__ import annotations

from chalicelib.config import AckSettings
from chalicelib.domain.mail.delivery import Outcome
from tests.helpers import make_mail
from tests.unit.services.inbound.conftest import Inbound


def mail_from(address: str, subject: str = "Question") -> bytes:
    return make_mail(sender=address, subject=subject)


def acknowledged(inbound: Inbound, *senders: str) -> list[bool]:
    return [inbound.deliver(mail_from(s), source=s).acknowledged for s in senders]


def suppressed_quota(inbound: Inbound, number: int) -> object:
    [event] = [e for e in inbound.tickets.events(number) if e.kind == "acknowledgement_suppressed"]
    return event.data["quota"]


# -- X-Loop ---------------------------------------------------------------------------------


def test_our_acknowledgement_coming_back_under_a_forwarders_x_loop_is_quarantined(
    inbound: Inbound,
) -> None:
    # a Sieve forward adds its own X-Loop above ours and sends it from the customer's address
    ours = make_mail(subject="Re: Invoice [#1001]", headers={"X-Loop": "support@example.com"})
    raw = b"X-Loop: anna.virtanen@customer.example\r\n" + ours

    result = inbound.deliver(raw)

    assert result.outcome == Outcome.QUARANTINE and "own X-Loop" in result.reason
    assert inbound.mailer.sent == [] and inbound.tickets.tickets == {}


def test_a_mail_with_another_systems_x_loop_is_a_ticket_without_an_ack(inbound: Inbound) -> None:
    result = inbound.deliver(make_mail(headers={"X-Loop": "helpdesk@vendor.example"}))

    assert (result.outcome, result.acknowledged, result.reason) == (Outcome.TICKET, False, "bulk")
    assert inbound.mailer.sent == []


# -- acknowledgement limits -----------------------------------------------------------------


def test_plus_tags_count_as_one_address() -> None:
    inbound = Inbound(ack_limits=AckSettings(max_per_sender_per_hour=2))
    assert acknowledged(
        inbound, "anna@customer.example", "anna+1@customer.example", "Anna+2@Customer.example"
    ) == [True, True, False]
    assert suppressed_quota(inbound, 1003) == "anna@customer.example"


def test_many_addresses_of_one_domain_share_the_domains_limit() -> None:
    inbound = Inbound(ack_limits=AckSettings(max_per_domain_per_hour=3))
    senders = [f"user{i}@customer.example" for i in range(4)]

    assert acknowledged(inbound, *senders) == [True, True, True, False]
    assert suppressed_quota(inbound, 1004) == "@customer.example"
    assert [t.number for t in inbound.tickets.tickets.values()] == [1001, 1002, 1003, 1004]
    inbound.clock.advance(hours=1)
    assert acknowledged(inbound, "user9@customer.example") == [True]


def test_the_domain_limit_counts_per_day_too() -> None:
    inbound = Inbound(ack_limits=AckSettings(max_per_domain_per_day=2))
    first = acknowledged(inbound, "a@customer.example", "b@customer.example")
    inbound.clock.advance(hours=2)
    assert first + acknowledged(inbound, "c@customer.example") == [True, True, False]


def test_free_mail_domains_are_not_one_sender() -> None:
    inbound = Inbound(ack_limits=AckSettings(max_per_domain_per_hour=1))
    senders = ["ann@gmail.com", "bob@gmail.com", "cy@outlook.com", "di@outlook.com"]
    assert acknowledged(inbound, *senders) == [True, True, True, True]


def test_listed_domains_and_our_own_domain_are_exempt_from_the_domain_limit() -> None:
    limits = AckSettings(
        max_per_domain_per_hour=1, domain_limit_exempt=frozenset({"bigisp.example"})
    )
    inbound = Inbound(ack_limits=limits)
    senders = ["a@bigisp.example", "b@mail.bigisp.example", "c@example.com", "d@example.com"]
    assert acknowledged(inbound, *senders) == [True, True, True, True]


def test_a_mail_stopped_by_the_domain_limit_does_not_use_up_its_address() -> None:
    inbound = Inbound(ack_limits=AckSettings(max_per_sender_per_day=1, max_per_domain_per_hour=1))
    assert acknowledged(inbound, "a@customer.example", "b@customer.example") == [True, False]
    inbound.clock.advance(hours=1)
    assert acknowledged(inbound, "b@customer.example") == [True]
