"""The acknowledgement's delivery: claimed in the ticket's transaction, sent once, recorded.

SES may deliver a mail twice, and the function may die half-way. The claim written with the
ticket says an acknowledgement is owed; a send failure marks it FAILED so the retry sends it;
a successful send is recorded (SENT) before anything else can fail, so the retry completes the
record instead of sending again. Only a function killed between SES accepting the mail and that
record leaves a CLAIMED state behind: after ACK_CLAIM_STALE_SECONDS the retry sends again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.errors import StorageError
from chalicelib.domain.mail import threads
from chalicelib.domain.mail.delivery import AckState, MailRecord
from chalicelib.domain.tickets.model import Message, Ticket
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
        except StorageError:
            self._store.save_record(replace(record, ack=AckState.FAILED))
            raise
        sent = replace(record, ack=AckState.SENT, ack_provider_id=provider_id)
        try:
            self._record(sent, ack)
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
            self._record(record, ack)
            return False
        if not unfinished(record, now):
            return False
        claimed = replace(record, ack=AckState.CLAIMED, ack_claimed_at=now)
        self._store.save_record(claimed)
        return self.send(claimed, ticket, inbound, address, now)

    def _record(self, sent: MailRecord, ack: Acknowledgement) -> None:
        provider_id = sent.ack_provider_id or ""
        ses_id = threads.ses_message_id(provider_id, self._region)
        message = replace(ack.message, provider_id=provider_id)
        ids = [i for i in (ack.mail.message_id, ses_id) if i]
        self._store.record_sent(record=sent, message=message, ids=ids)


def unfinished(record: MailRecord, now: datetime) -> bool:
    if record.ack == AckState.FAILED:
        return True
    if record.ack != AckState.CLAIMED or record.ack_claimed_at is None:
        return False
    return (now - record.ack_claimed_at).total_seconds() > ACK_CLAIM_STALE_SECONDS
