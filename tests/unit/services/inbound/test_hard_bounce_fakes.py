"""An address that hard-bounced gets no more acknowledgements; its mail still makes tickets."""

from __future__ import annotations

from chalicelib.domain.mail.delivery import AckState, Outcome
from tests.helpers import make_mail
from tests.unit.services.inbound.conftest import ANNA, Inbound


def test_a_hard_bounced_sender_gets_a_ticket_without_an_acknowledgement(
    inbound: Inbound,
) -> None:
    inbound.tickets.hard_bounced.add(ANNA.email)

    result = inbound.deliver(make_mail(subject="Still there?"), mail_id="mail-1")

    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1001)
    assert not result.acknowledged and result.reason == "hard_bounced"
    assert inbound.mailer.sent == []
    assert inbound.tickets.records["mail-1"].ack == AckState.NOT_WANTED
    assert inbound.event_kinds(1001) == ["created", "acknowledgement_suppressed"]
    assert ("AcknowledgementsSuppressed", "hard_bounced") in inbound.metrics.counts


def test_a_hard_bounce_uses_up_none_of_the_senders_acknowledgement_limit(
    inbound: Inbound,
) -> None:
    inbound.tickets.hard_bounced.add(ANNA.email)
    inbound.deliver(make_mail(subject="Still there?"))

    assert inbound.tickets.rates == {}


def test_another_sender_is_still_acknowledged(inbound: Inbound) -> None:
    inbound.tickets.hard_bounced.add("someone.else@customer.example")

    assert inbound.deliver(make_mail()).acknowledged
