"""A mail that fails sender authentication never joins or reads a customer's ticket (issue 12).

Each test here failed before the gate: a From header naming the requester was enough to append
to their ticket, add Cc addresses our replies then went to, and read the thread back.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.mail.delivery import Outcome
from tests.helpers import make_mail
from tests.unit.services.inbound.conftest import ANNA, Inbound

FIRST = "<first@customer.example>"
UNPROVEN = {"spf": "FAIL", "dkim": "FAIL", "dmarc": "FAIL"}
NO_DMARC = {"spf": "FAIL", "dkim": "GRAY", "dmarc": "GRAY"}  # a domain without a DMARC record


def reply(**kwargs: Any) -> bytes:
    defaults = {"subject": "Re: Invoice", "body": "Please send the refund to my new account.\n"}
    return make_mail(**(defaults | kwargs))


def held_reason(inbound: Inbound) -> str:
    [entry] = inbound.tickets.list_quarantine()
    return entry.reason


def test_an_unauthenticated_reply_by_reference_is_held_not_joined(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(reply(headers={"In-Reply-To": FIRST}), verdicts=UNPROVEN)

    assert result.outcome is Outcome.QUARANTINE and result.ticket_number is None
    assert inbound.inbound_messages(1001) == []
    assert held_reason(inbound) == (
        f"claims to be a reply to #1001 from {ANNA.email}, sender not authenticated"
    )
    [entry] = inbound.tickets.list_quarantine()
    assert entry.detail["claims_ticket"] == 1001
    assert inbound.mailer.sent == []  # nothing of the ticket goes back to the claimed sender


def test_an_unauthenticated_reply_by_subject_tag_is_held(inbound: Inbound) -> None:
    inbound.existing_ticket()
    result = inbound.deliver(reply(subject="Re: Invoice [#1001]"), verdicts=NO_DMARC)
    assert result.outcome is Outcome.QUARANTINE
    assert inbound.inbound_messages(1001) == []


def test_an_unauthenticated_reply_to_a_closed_ticket_opens_no_follow_up(
    inbound: Inbound,
) -> None:
    from chalicelib.domain.tickets.model import Status

    inbound.existing_ticket(status=Status.CLOSED)
    result = inbound.deliver(reply(headers={"In-Reply-To": FIRST}), verdicts=UNPROVEN)
    assert result.outcome is Outcome.QUARANTINE
    assert list(inbound.tickets.tickets) == [1001]


def test_spf_passing_for_the_from_domain_proves_a_domain_without_dmarc(inbound: Inbound) -> None:
    inbound.existing_ticket()
    verdicts = {**NO_DMARC, "spf": "PASS"}
    result = inbound.deliver(reply(headers={"In-Reply-To": FIRST}), verdicts=verdicts)
    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)


def test_spf_passing_for_another_domain_proves_nothing(inbound: Inbound) -> None:
    inbound.existing_ticket()
    verdicts = {**NO_DMARC, "spf": "PASS"}
    result = inbound.deliver(
        reply(headers={"In-Reply-To": FIRST}), source="bounce@attacker.example", verdicts=verdicts
    )
    assert result.outcome is Outcome.QUARANTINE


def test_dkim_passing_proves_only_when_every_signature_is_of_the_from_domain(
    inbound: Inbound,
) -> None:
    inbound.existing_ticket()
    verdicts = {**NO_DMARC, "dkim": "PASS"}
    own = "v=1; a=rsa-sha256; d=customer.example; s=mail; h=from; bh=x; b=y"
    other = "v=1; a=rsa-sha256; d=attacker.example; s=s1; h=from; bh=x; b=y"
    joined = inbound.deliver(
        reply(headers={"In-Reply-To": FIRST, "DKIM-Signature": own}), verdicts=verdicts
    )
    assert joined.outcome is Outcome.REPLY

    mixed = make_mail(subject="Re: Invoice", headers={"In-Reply-To": FIRST})
    mixed = b"DKIM-Signature: " + other.encode() + b"\r\n" + mixed
    held = inbound.deliver(mixed, verdicts=verdicts)
    assert held.outcome is Outcome.QUARANTINE


def test_quoting_a_message_id_we_sent_to_that_address_vouches_for_it(inbound: Inbound) -> None:
    inbound.existing_ticket()
    inbound.tickets.message_ids["ack.1001.x@example.com"] = 1001
    inbound.tickets.sent_to["ack.1001.x@example.com"] = frozenset({ANNA.email})
    result = inbound.deliver(
        reply(headers={"In-Reply-To": "<ack.1001.x@example.com>"}, cc="friend@elsewhere.example"),
        verdicts=UNPROVEN,
    )
    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)
    ticket = inbound.tickets.tickets[1001]
    assert "friend@elsewhere.example" not in ticket.cc  # unproven: no new recipients
    [skipped] = [e for e in inbound.tickets.events(1001) if e.kind == "cc_not_added"]
    assert skipped.data["reason"] == "sender not authenticated"


def test_quoting_our_message_id_sent_to_someone_else_vouches_for_nobody_else(
    inbound: Inbound,
) -> None:
    inbound.existing_ticket()
    inbound.tickets.message_ids["reply.1001.y@example.com"] = 1001
    inbound.tickets.sent_to["reply.1001.y@example.com"] = frozenset({"boss@customer.example"})
    result = inbound.deliver(
        reply(headers={"In-Reply-To": "<reply.1001.y@example.com>"}), verdicts=UNPROVEN
    )
    assert result.outcome is Outcome.QUARANTINE


@pytest.mark.parametrize("policy", ["reject", "quarantine"])
def test_dmarc_failing_under_an_enforced_policy_is_quarantined_unacknowledged(
    inbound: Inbound, policy: str
) -> None:
    result = inbound.deliver(make_mail(), verdicts={**UNPROVEN, "dmarc_policy": policy})
    assert result.outcome is Outcome.QUARANTINE
    assert held_reason(inbound) == f"DMARC FAIL under the From domain's policy {policy!r}"
    assert inbound.tickets.tickets == {} and inbound.mailer.sent == []


def test_dmarc_failing_under_policy_none_still_opens_a_ticket(inbound: Inbound) -> None:
    result = inbound.deliver(make_mail(), verdicts={**UNPROVEN, "dmarc_policy": "none"})
    assert result.outcome is Outcome.TICKET


def test_a_proven_reply_adds_at_most_the_cc_limit(inbound: Inbound) -> None:
    inbound.existing_ticket()
    many = ", ".join(f"colleague{i}@customer.example" for i in range(25))
    result = inbound.deliver(reply(headers={"In-Reply-To": FIRST}, cc=many))
    assert result.outcome is Outcome.REPLY
    assert len(inbound.tickets.tickets[1001].cc) == 20
    [skipped] = [e for e in inbound.tickets.events(1001) if e.kind == "cc_not_added"]
    assert skipped.data["count"] == 5 and skipped.data["reason"] == "over the cc limit"


# -- an agent vouches for a held reply -------------------------------------------------------


def held_claim(inbound: Inbound, **ticket: Any) -> str:
    inbound.existing_ticket(**ticket)
    inbound.deliver(
        reply(headers={"In-Reply-To": FIRST}, cc="friend@elsewhere.example"),
        mail_id="held0000000000000000000000000000000001",
        verdicts=UNPROVEN,
    )
    return "held0000000000000000000000000000000001"


def test_appending_a_held_claim_makes_it_the_customers_reply_on_that_ticket(
    inbound: Inbound,
) -> None:
    mail_id = held_claim(inbound)
    result = inbound.append(mail_id)

    assert (result.outcome, result.ticket_number) == (Outcome.REPLY, 1001)
    [message] = inbound.inbound_messages(1001)
    assert message.author.email == ANNA.email
    ticket = inbound.tickets.tickets[1001]
    assert ticket.version == 4 and "friend@elsewhere.example" not in ticket.cc
    kinds = inbound.event_kinds(1001)
    assert kinds[:2] == ["customer_replied", "appended_from_quarantine"]
    [entry] = inbound.tickets.list_quarantine()
    assert entry.status == "released"
    assert inbound.tickets.records[mail_id].outcome is Outcome.REPLY
    assert inbound.mailer.sent == []  # no acknowledgement: the agent will write
    assert len(inbound.sla.synced) == 1


def test_appending_twice_is_a_conflict(inbound: Inbound) -> None:
    from chalicelib.domain.errors import Conflict

    mail_id = held_claim(inbound)
    inbound.append(mail_id)
    with pytest.raises(Conflict, match="released already"):
        inbound.append(mail_id)
    assert len(inbound.inbound_messages(1001)) == 1


def test_appending_survives_a_concurrent_change_of_the_ticket(inbound: Inbound) -> None:
    from dataclasses import replace

    from chalicelib.domain.tickets.model import Priority

    mail_id = held_claim(inbound)
    inbound.tickets.interfere(1001, lambda t: replace(t, priority=Priority.URGENT))
    inbound.append(mail_id)
    ticket = inbound.tickets.tickets[1001]
    assert ticket.priority is Priority.URGENT and len(inbound.inbound_messages(1001)) == 1


def test_mail_that_claims_no_ticket_cannot_be_appended(inbound: Inbound) -> None:
    from chalicelib.domain.errors import Conflict

    inbound.deliver(
        make_mail(),
        mail_id="dmarc000000000000000000000000000000001",
        verdicts={**UNPROVEN, "dmarc_policy": "reject"},
    )
    with pytest.raises(Conflict, match="names no ticket"):
        inbound.append("dmarc000000000000000000000000000000001")


# -- a new ticket from a sender nobody vouches for ---------------------------------------------

PHISHING = make_mail(
    sender="Anna Virtanen via www.evil.example <anna.virtanen@customer.example>",
    subject="Account locked: confirm at https://evil.example/login",
    body="Your account is locked. Log in at evil.example/reset or write to help@evil.example\n",
    cc="attacker@evil.example",
    headers={"Reply-To": "attacker@evil.example"},
)


def test_an_unauthenticated_new_ticket_adds_neither_its_cc_nor_its_reply_to(
    inbound: Inbound,
) -> None:
    result = inbound.deliver(PHISHING, verdicts=UNPROVEN)
    assert result.outcome is Outcome.TICKET
    ticket = inbound.tickets.tickets[1001]
    assert (ticket.cc, ticket.reply_to, ticket.customer_address) == ((), None, ANNA.email)
    logged = {e.kind: e.data for e in inbound.tickets.events(1001)}
    assert logged["cc_not_added"]["addresses"] == ["attacker@evil.example"]
    assert logged["cc_not_added"]["reason"] == "sender not authenticated"
    assert logged["reply_to_not_used"]["address"] == "attacker@evil.example"


def test_the_acknowledgement_of_an_unauthenticated_mail_restates_no_link_or_address(
    inbound: Inbound,
) -> None:
    inbound.deliver(PHISHING, verdicts=UNPROVEN)
    [ack] = inbound.mailer.sent
    assert [a.email for a in (*ack.to, *ack.cc)] == [ANNA.email]  # From, not the Reply-To
    shown = " ".join([ack.subject, ack.text, ack.html or "", *(a.name for a in ack.to)])
    for planted in ("evil.example", "https://", "help@", "attacker@", "Log in at"):
        assert planted not in shown
    assert "Account locked: confirm at …" in ack.subject


def test_the_acknowledgement_of_a_proven_mail_still_quotes_it(inbound: Inbound) -> None:
    inbound.deliver(make_mail(body="The invoice 4711 shows 120 EUR, see example.com/i/4711\n"))
    [ack] = inbound.mailer.sent
    assert "example.com/i/4711" in ack.text


def test_a_proven_new_ticket_adds_at_most_the_cc_limit(inbound: Inbound) -> None:
    many = ", ".join(f"colleague{i}@customer.example" for i in range(25))
    inbound.deliver(make_mail(cc=many))
    assert len(inbound.tickets.tickets[1001].cc) == 20
    [skipped] = [e for e in inbound.tickets.events(1001) if e.kind == "cc_not_added"]
    assert skipped.data["count"] == 5 and skipped.data["reason"] == "over the cc limit"


def test_spoofed_mail_does_not_use_up_the_real_senders_acknowledgements() -> None:
    from chalicelib.config import AckSettings
    from tests.unit.services.inbound.conftest import Inbound as Desk

    inbound = Desk(ack_limits=AckSettings(max_per_sender_per_hour=2))
    spoofed = [
        inbound.deliver(make_mail(subject=f"Spoof {i}"), verdicts=UNPROVEN).acknowledged
        for i in range(3)
    ]
    real = inbound.deliver(make_mail(subject="My real question")).acknowledged
    assert spoofed == [True, True, False] and real is True
