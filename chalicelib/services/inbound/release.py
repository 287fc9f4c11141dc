"""Release from quarantine: an agent judged held mail legitimate; it becomes a ticket, or a
reply on the ticket it claimed, unanswered by any automatic mail (the agent will write)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from chalicelib.config import Limits
from chalicelib.domain.errors import Conflict, DuplicateMessage, NotFound, VersionConflict
from chalicelib.domain.mail import threads
from chalicelib.domain.mail.authentication import authenticate
from chalicelib.domain.mail.delivery import HeldMail, HeldStatus, MailRecord, Outcome
from chalicelib.domain.mail.parsed import Address, ParsedEmail, Receipt
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.fitting import fit, left_in_raw_mail
from chalicelib.domain.tickets.model import Event, Party, Ticket, on_customer_reply
from chalicelib.services.inbound.ingest import IngestResult
from chalicelib.services.inbound.messages import inbound_message, store_attachments
from chalicelib.services.inbound.opening import TicketOpener, creation_events, sender_of
from chalicelib.services.ports import (
    Clock,
    HeldMailStore,
    Metrics,
    RawMailStore,
    SlaPlanner,
    TicketStore,
)
from chalicelib.services.recording import FactRecorder, facts_of
from chalicelib.services.unit_of_work import Change, TicketUnit, sync_after_commit

log = logging.getLogger("helpdesk.quarantine")


class QuarantineRelease:
    def __init__(
        self,
        *,
        store: TicketStore,
        raw: RawMailStore,
        parse: Callable[[bytes], ParsedEmail],
        opener: TicketOpener,
        sla: SlaPlanner,
        clock: Clock,
        metrics: Metrics,
        limits: Limits,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._raw = raw
        self._parse = parse
        self._opener = opener
        self._sla = sla
        self._clock = clock
        self._metrics = metrics
        self._limits = limits
        self._unit = TicketUnit(store=store, sla=sla, clock=clock, recorder=recorder)

    def release(self, mail_id: str, by_agent: str, held: HeldMailStore) -> IngestResult:
        entry, mail, receipt, sender = self._open(mail_id, held)
        now = self._clock.now()
        route = self._opener.route(receipt, mail)
        number = self._store.allocate_number()
        message = inbound_message(
            mail,
            ticket_number=number,
            author=Party(sender.email, sender.name),
            at=receipt.received_at,
            mail_id=mail_id,
            raw_key=entry.entry.raw_key,
            attachments=store_attachments(self._raw, mail_id, mail, self._limits),
            limits=self._limits,
        )
        message = fit(message, self._store.message_excess)
        proof = authenticate(
            receipt, sender.email, mail.dkim_domains
        )  # a release vouches for no one
        admitted = self._opener.admit(mail, sender, proof, self._limits.max_cc_from_mail, now)
        ticket = self._opener.open(number, mail, message, sender, route, now, admitted)
        released = f"released from quarantine by {by_agent}"
        events = [
            *creation_events(ticket, route, receipt, threads.ThreadDecision(None), None, now),
            *admitted.events,
            *left_in_raw_mail(message),
            Event(now, "released_from_quarantine", by_agent, {"reason": entry.entry.reason}),
            Event(now, "acknowledgement_suppressed", "system", {"reason": released}),
        ]
        record = MailRecord(
            mail_id=mail_id,
            outcome=Outcome.TICKET,
            received_at=receipt.received_at,
            ticket_number=number,
            ack_reason=released,
            quarantine_reason=entry.entry.reason,
        )
        try:
            held.release(
                held=entry,
                ticket=ticket,
                message=message,
                events=events,
                record=record,
                by=by_agent,
                at=now,
                facts=facts_of(self._recorder, None, ticket, events, message, now),
            )
        except DuplicateMessage as dup:
            raise Conflict(f"this mail is already on ticket #{dup.ticket_number}") from dup
        sync_after_commit(self._sla, None, ticket)
        self._metrics.count("QuarantineReleased")
        log.info("quarantine released", extra={"mail": mail_id, "ticket": number, "by": by_agent})
        return IngestResult(Outcome.TICKET, number, reason=released)

    def append(self, mail_id: str, by_agent: str, held: HeldMailStore) -> IngestResult:
        """An agent vouches for a held reply's sender: it joins the ticket it claimed, as the
        customer's reply (no cc is added: the mail itself proved nothing)."""
        entry, mail, receipt, sender = self._open(mail_id, held)
        number = entry.entry.detail.get("claims_ticket")
        if not isinstance(number, int) or isinstance(number, bool):
            raise Conflict(f"mail {mail_id} names no ticket to join; release it as a new ticket")
        attachments = store_attachments(self._raw, mail_id, mail, self._limits)
        appended = f"appended from quarantine by {by_agent}"
        record = MailRecord(
            mail_id=mail_id,
            outcome=Outcome.REPLY,
            received_at=receipt.received_at,
            ticket_number=number,
            ack_reason=appended,
            quarantine_reason=entry.entry.reason,
        )
        message = inbound_message(
            mail,
            ticket_number=number,
            author=Party(sender.email, sender.name),
            at=receipt.received_at,
            mail_id=mail_id,
            raw_key=entry.entry.raw_key,
            attachments=attachments,
            limits=self._limits,
        )
        message = fit(message, self._store.message_excess)

        def decide(ticket: Ticket, now: datetime) -> Change:
            updated, events = on_customer_reply(ticket, at=now, message_id=mail.message_id, cc=())
            vouched = {"authentication": f"vouched for by {by_agent}"}
            why = {"reason": entry.entry.reason, "mail": mail_id}
            log_events = [
                Event(now, "customer_replied", "customer", vouched),
                Event(now, "appended_from_quarantine", by_agent, why),
                *events,
                *left_in_raw_mail(message),
            ]

            def write(
                after: Ticket, expected: int, all_events: list[Event], found: Facts | None
            ) -> None:
                held.append(
                    held=entry,
                    ticket=after,
                    expected_version=expected,
                    message=message,
                    events=all_events,
                    record=record,
                    by=by_agent,
                    at=now,
                    facts=found,
                )

            return Change(updated, log_events, message, write=write)

        try:
            self._unit.change(number, decide)
        except DuplicateMessage as dup:
            raise Conflict(f"this mail is already on ticket #{dup.ticket_number}") from dup
        except VersionConflict:
            raise Conflict(f"ticket #{number} keeps changing; try again") from None
        self._metrics.count("QuarantineAppended")
        log.info("quarantine appended", extra={"mail": mail_id, "ticket": number, "by": by_agent})
        return IngestResult(Outcome.REPLY, number, reason=appended)

    def _open(
        self, mail_id: str, held: HeldMailStore
    ) -> tuple[HeldMail, ParsedEmail, Receipt, Address]:
        entry = held.get_held(mail_id)
        if entry is None:
            raise NotFound(f"no quarantined mail {mail_id}")
        if entry.status == HeldStatus.RELEASED:
            raise Conflict(f"mail {mail_id} was released already, as #{entry.ticket_number}")
        mail = self._parse(self._raw.get_raw(mail_id))
        receipt = _receipt_of(entry)
        sender = sender_of(mail, receipt)
        if sender is None:
            raise Conflict(f"mail {mail_id} has no sender address: it cannot become a ticket")
        return entry, mail, receipt, sender


def _receipt_of(held: HeldMail) -> Receipt:
    entry = held.entry
    verdicts = dict(entry.detail.get("verdicts") or {})
    return Receipt(
        mail_id=entry.mail_id,
        received_at=entry.received_at,
        source=entry.sender,
        recipients=entry.recipients,
        **{k: str(verdicts[k]) for k in ("spam", "virus", "spf", "dkim", "dmarc") if k in verdicts},
    )
