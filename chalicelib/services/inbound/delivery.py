"""The acknowledgement's delivery: claimed in the ticket's transaction, sent at most once.

SES may deliver a mail twice, and the function may die half-way. The claim written with the
ticket says an acknowledgement is owed. What the send did is recorded before anything else
can fail, on the record the retry reads:
- SES answered with an error (nothing went out): FAILED, and the retry sends it;
- SES refused it for good (a suppressed address, too many recipients): REFUSED, never retried;
  the ticket says "acknowledgement not delivered" and its SLA goes on as for any ticket;
- the outcome is unknown (a timeout after the request left): UNKNOWN, never sent again, and
  the ticket says so;
- SES took it: SENT, and the retry only completes the record.
A claim still CLAIMED on a retry means a function died between the claim and that record: the
mail may have gone, so after ACK_CLAIM_STALE_SECONDS it becomes UNKNOWN, not a second mail.
A failure before the send releases the claim (FAILED), so the retry does send.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.errors import DeliveryUnknown, MailRejected, StorageError
from chalicelib.domain.mail import threads
from chalicelib.domain.mail.delivery import AckState, MailRecord
from chalicelib.domain.tickets.model import Event, Message, Ticket
from chalicelib.services.inbound.acknowledgement import Acknowledgement, Acknowledger
from chalicelib.services.ports import Mailer, Metrics, TicketStore

log = logging.getLogger("helpdesk.ingest")

ACK_CLAIM_STALE_SECONDS = 90  # longer than inbound_email's timeout: the claimer is dead


class AckDelivery:
    def __init__(
        self,
        *,
        store: TicketStore,
        mailer: Mailer,
        acknowledger: Acknowledger,
        metrics: Metrics,
        region: str,
    ) -> None:
        self._store = store
        self._mailer = mailer
        self._ack = acknowledger
        self._metrics = metrics
        self._region = region

    def send(
        self, record: MailRecord, ticket: Ticket, inbound: Message, address: str, now: datetime
    ) -> bool:
        ack = self._ack.compose(ticket=ticket, inbound=inbound, from_address=address, now=now)
        try:
            provider_id = self._mailer.send(ack.mail)
        except MailRejected as e:
            self._undelivered(record, AckState.REFUSED, str(e), now)
            return False
        except DeliveryUnknown as e:
            self._undelivered(record, AckState.UNKNOWN, str(e), now)
            return False
        except StorageError:
            self._store.save_record(replace(record, ack=AckState.FAILED))
            raise
        sent = replace(record, ack=AckState.SENT, ack_provider_id=provider_id)
        try:
            self._record(sent, ack, ticket)
        except StorageError:
            # Remember at least that it went out, so the retry completes instead of resending.
            self._store.save_record(sent)
            raise
        self._metrics.count("AcknowledgementsSent")
        log.info("acknowledgement sent", extra={"ticket": ticket.number, "ses_id": provider_id})
        return True

    def finish(
        self, record: MailRecord, ticket: Ticket, inbound: Message, address: str, now: datetime
    ) -> bool:
        """On a repeated delivery: send what the first one did not, or finish recording it."""
        if record.ack == AckState.SENT:
            ack = self._ack.compose(ticket=ticket, inbound=inbound, from_address=address, now=now)
            self._record(record, ack, ticket)
            return False
        if record.ack == AckState.FAILED:
            claimed = replace(record, ack=AckState.CLAIMED, ack_claimed_at=now)
            self._store.save_record(claimed)
            return self.send(claimed, ticket, inbound, address, now)
        if stale_claim(record, now):
            why = "the function died while sending; the mail may have gone out"
            self._undelivered(record, AckState.UNKNOWN, why, now)
        return False

    def release(self, record: MailRecord) -> None:
        """Something failed before the send: the claim goes back, so the retry sends."""
        if record.ack != AckState.CLAIMED:
            return
        try:
            self._store.release_ack_claim(record.mail_id)
        except StorageError:  # it goes stale, and then counts as possibly sent: never twice
            log.exception("acknowledgement claim not released", extra={"mail": record.mail_id})

    def _undelivered(self, record: MailRecord, state: AckState, why: str, now: datetime) -> None:
        """The ticket says what became of its acknowledgement; its SLA goes on regardless."""
        kind = (
            "acknowledgement_not_delivered"
            if state is AckState.REFUSED
            else "acknowledgement_delivery_unknown"
        )
        event = Event(now, kind, "system", {"reason": why[:500]})
        self._store.save_record(replace(record, ack=state, ack_reason=why[:500]), [event])
        self._metrics.count("AcknowledgementsUndelivered", reason=state.value)
        log.warning("acknowledgement %s", state.value, extra={"mail": record.mail_id, "why": why})

    def _record(self, sent: MailRecord, ack: Acknowledgement, ticket: Ticket) -> None:
        provider_id = sent.ack_provider_id or ""
        ses_id = threads.ses_message_id(provider_id, self._region)
        message = replace(ack.message, provider_id=provider_id)
        ids = [i for i in (ack.mail.message_id, ses_id) if i]
        self._store.record_sent(record=sent, message=message, ids=ids, ticket=ticket)


def stale_claim(record: MailRecord, now: datetime) -> bool:
    if record.ack != AckState.CLAIMED or record.ack_claimed_at is None:
        return False
    return (now - record.ack_claimed_at).total_seconds() > ACK_CLAIM_STALE_SECONDS
