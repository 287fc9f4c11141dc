"""Senders with international addresses: tickets for them, and no mail SES would refuse.

The envelope sender is written as the sending system would over SMTPUTF8 (RFC 6531).
"""

from __future__ import annotations

from chalicelib.domain.mail.delivery import AckState, Outcome
from tests.unit.services.inbound.conftest import Inbound


def mail_from(sender: str, *extra: str) -> bytes:
    head = [f"From: {sender}", "To: support@example.com", "Subject: Rechnung", *extra]
    return ("\r\n".join(head) + "\r\n\r\nMeine Rechnung ist falsch.\r\n").encode()


def test_an_idn_sender_gets_a_ticket_and_an_acknowledgement_to_the_ascii_form(
    inbound: Inbound,
) -> None:
    result = inbound.deliver(mail_from("Jörg <joerg@müller.de>"), source="joerg@müller.de")

    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1001)
    assert inbound.tickets.tickets[1001].requester.email == "joerg@xn--mller-kva.de"
    [ack] = inbound.mailer.sent
    assert [a.email for a in ack.to] == ["joerg@xn--mller-kva.de"]


def test_an_idn_customer_writing_either_spelling_is_the_same_requester(inbound: Inbound) -> None:
    inbound.deliver(mail_from("joerg@müller.de"), source="joerg@müller.de")
    inbound.clock.advance(hours=25)  # the same text within a day is the same mail (dedupe)
    inbound.deliver(mail_from("joerg@xn--mller-kva.de"), source="joerg@xn--mller-kva.de")

    requesters = [t.requester.email for t in inbound.tickets.tickets.values()]
    assert requesters == ["joerg@xn--mller-kva.de"] * 2


def test_a_utf8_local_part_gets_a_ticket_but_no_acknowledgement_ses_would_refuse(
    inbound: Inbound,
) -> None:
    raw = mail_from("Jörg <jörg@müller.de>")

    result = inbound.deliver(raw, mail_id="m1", source="jörg@müller.de")

    assert (result.outcome, result.ticket_number) == (Outcome.TICKET, 1001)
    ticket = inbound.tickets.tickets[1001]
    assert ticket.requester.email == "jörg@xn--mller-kva.de"
    assert inbound.mailer.sent == []
    assert inbound.tickets.records["m1"].ack == AckState.NOT_WANTED
    assert inbound.tickets.records["m1"].ack_reason == "smtputf8"
    assert inbound.event_kinds(1001) == ["created", "acknowledgement_suppressed"]


def test_a_utf8_local_part_with_an_ascii_reply_to_is_acknowledged_there(
    inbound: Inbound,
) -> None:
    inbound.deliver(
        mail_from("jörg@example.de", "Reply-To: joerg@example.de"), source="jörg@example.de"
    )

    [ack] = inbound.mailer.sent
    assert [a.email for a in ack.to] == ["joerg@example.de"]
