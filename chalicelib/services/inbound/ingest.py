"""ingest_email: one SES delivery becomes a ticket, a reply on one, or a quarantine entry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.config import AckSettings, Limits
from chalicelib.domain.errors import (
    AckRefused,
    AlreadyProcessed,
    DuplicateMessage,
    RateLimited,
    StorageError,
)
from chalicelib.domain.mail import threads
from chalicelib.domain.mail.addresses import header_safe, needs_smtputf8, normalise
from chalicelib.domain.mail.authentication import (
    Authentication,
    authenticate,
    enforced_dmarc_failure,
)
from chalicelib.domain.mail.delivery import (
    AckState,
    MailRecord,
    Outcome,
    QuarantineEntry,
    RateLimit,
)
from chalicelib.domain.mail.duplicates import (
    Fingerprint,
    content_hash,
    flag_reused_id,
    is_same_mail,
)
from chalicelib.domain.mail.loops import AutoMail, classify
from chalicelib.domain.mail.parsed import Address, ParsedEmail, Receipt
from chalicelib.domain.mail.ratelimits import acknowledgement_limit
from chalicelib.domain.tickets.fitting import fit, left_in_raw_mail
from chalicelib.domain.tickets.model import (
    AttachmentRef,
    Event,
    Message,
    Party,
    Status,
    Ticket,
    on_customer_reply,
)
from chalicelib.services.inbound.acknowledgement import UNAUTHENTICATED
from chalicelib.services.inbound.delivery import AckDelivery
from chalicelib.services.inbound.messages import (
    inbound_message,
    readable_text,
    store_attachments,
)
from chalicelib.services.inbound.opening import TicketOpener, admit, creation_events, sender_of
from chalicelib.services.ports import Clock, Metrics, RawMailStore, SlaPlanner, TicketStore
from chalicelib.services.recording import FactRecorder, facts_of
from chalicelib.services.unit_of_work import Change, Sync, TicketUnit

log = logging.getLogger("helpdesk.ingest")

_SMTPUTF8_ONLY = {
    "reason": "smtputf8",
    "detail": "the address has a non-ASCII local part: SES cannot send to it (no SMTPUTF8)",
}

MAX_REFERENCES_LOOKED_UP = 20


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    ticket_number: int | None = None
    acknowledged: bool = False
    reason: str = ""


class IngestEmail:
    def __init__(
        self,
        *,
        store: TicketStore,
        raw: RawMailStore,
        parse: Callable[[bytes], ParsedEmail],
        opener: TicketOpener,
        acks: AckDelivery,
        sla: SlaPlanner,
        clock: Clock,
        metrics: Metrics,
        own_addresses: frozenset[str],
        ack_limits: AckSettings,
        limits: Limits,
        inbound_prefix: str,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._raw = raw
        self._parse = parse
        self._opener = opener
        self._acks = acks
        self._sla = sla
        self._unit = TicketUnit(
            store=store, sla=sla, clock=clock, sync=Sync.STRICT, recorder=recorder
        )
        self._clock = clock
        self._metrics = metrics
        self._own = own_addresses
        self._ack_limits = ack_limits
        self._limits = limits
        self._prefix = inbound_prefix

    def __call__(self, receipt: Receipt) -> IngestResult:
        mail = self._parse(self._raw.get_raw(receipt.mail_id))
        now = self._clock.now()
        try:
            return self._ingest(receipt, mail, now)
        except AlreadyProcessed as done:
            return self._resume(done.record, receipt, mail, now)

    def _ingest(self, receipt: Receipt, mail: ParsedEmail, now: datetime) -> IngestResult:
        verdict = _spam_or_virus(receipt)
        if verdict:
            return self._quarantine(receipt, mail, now, verdict)
        sender = sender_of(mail, receipt)
        if sender is None:
            return self._quarantine(receipt, mail, now, "no sender address (no From, no envelope)")
        refused = enforced_dmarc_failure(receipt)
        if refused:
            return self._quarantine(receipt, mail, now, refused)
        proof = authenticate(receipt, sender.email, mail.dkim_domains)
        auto = classify(mail, envelope_sender=receipt.source, own_addresses=self._own)
        decision = self._thread(mail, sender, proof.proven)
        if decision.claimed is not None:
            claim = {"claims_ticket": decision.claimed, "authentication": proof.how}
            return self._quarantine(receipt, mail, now, decision.notes[-1], claim)
        if decision.ticket is not None:
            return self._reply(receipt, mail, now, sender, decision.ticket, auto, proof)
        if auto is not None and not auto.may_open_ticket:
            return self._quarantine(receipt, mail, now, auto.reason)
        return self._new_ticket(receipt, mail, now, sender, auto, decision, proof)

    def _thread(self, mail: ParsedEmail, sender: Address, proven: bool) -> threads.ThreadDecision:
        refs = [threads.normalise_message_id(r) for r in mail.reference_ids]
        refs = [r for r in refs if r][:MAX_REFERENCES_LOOKED_UP]
        tags = threads.subject_tags(mail.subject)
        if not refs and not tags:
            return threads.ThreadDecision(None)
        found = self._store.find_threads(refs, tags)
        referenced = [found.by_message_id[r] for r in refs if r in found.by_message_id]
        who = normalise(sender.email)
        vouched = {  # tickets of a Message-ID we sent to this very address
            found.by_message_id[r]
            for r in refs
            if r in found.by_message_id and who in found.sent_to.get(r, frozenset())
        }
        return threads.decide(
            sender=sender.email,
            referenced=referenced,
            tagged=tags,
            tickets=found.tickets,
            proven=proven,
            vouched=vouched,
        )

    def _inbound(
        self,
        receipt: Receipt,
        mail: ParsedEmail,
        *,
        number: int,
        author: Party,
        at: datetime,
        attachments: tuple[AttachmentRef, ...] | None = None,
        auto: AutoMail | None = None,
        proven: bool = True,
    ) -> Message:
        stored = (
            store_attachments(self._raw, receipt.mail_id, mail, self._limits)
            if attachments is None
            else attachments
        )
        message = inbound_message(
            mail,
            ticket_number=number,
            author=author,
            at=at,
            mail_id=receipt.mail_id,
            raw_key=f"{self._prefix}{receipt.mail_id}",
            attachments=stored,
            limits=self._limits,
            flags=(
                *((f"auto:{auto.kind}",) if auto else ()),
                *(() if proven else (UNAUTHENTICATED,)),
            ),
        )
        return fit(message, self._store.message_excess)  # an item over 400 KB fails every retry

    # -- new ticket -------------------------------------------------------------------------

    def _new_ticket(
        self,
        receipt: Receipt,
        mail: ParsedEmail,
        now: datetime,
        sender: Address,
        auto: AutoMail | None,
        decision: threads.ThreadDecision,
        proof: Authentication,
    ) -> IngestResult:
        route = self._opener.route(receipt, mail)
        number = self._store.allocate_number()
        author = Party(sender.email, sender.name)
        message = self._inbound(
            receipt, mail, number=number, author=author, at=now, auto=auto, proven=proof.proven
        )
        admitted = self._opener.admit(mail, sender, proof, self._limits.max_cc_from_mail, now)
        ticket = self._opener.open(number, mail, message, sender, route, now, admitted)
        events = [*creation_events(ticket, route, receipt, decision, auto, now), *admitted.events]
        events += left_in_raw_mail(message)
        unmailable = auto is None and needs_smtputf8(ticket.customer_address)
        if unmailable:  # SES would refuse it: the ticket says so instead of the handler failing
            events.append(Event(now, "acknowledgement_suppressed", "system", dict(_SMTPUTF8_ONLY)))
        wants_ack = auto is None and not unmailable
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.TICKET,
            received_at=now,
            ticket_number=number,
            ack=AckState.CLAIMED if wants_ack else AckState.NOT_WANTED,
            ack_reason="" if wants_ack else str(auto.kind if auto else "smtputf8"),
            ack_claimed_at=now if wants_ack else None,
            fingerprint=fingerprint_of(mail, sender),
        )
        limit = self._rate_limit(sender, proof.proven) if wants_ack else None
        try:
            self._store_new(ticket, message, events, record, limit)
        except StorageError:  # it may have committed: the retry must still send
            self._acks.release(record)
            raise
        except AckRefused as refused:  # rate limited, or the address hard-bounced
            record = replace(
                record, ack=AckState.NOT_WANTED, ack_reason=refused.reason, ack_claimed_at=None
            )
            why: dict[str, object] = {"reason": refused.reason}
            if isinstance(refused, RateLimited):
                why["quota"] = refused.counted
            suppressed = Event(now, "acknowledgement_suppressed", "system", why)
            self._store_new(ticket, message, [*events, suppressed], record, None)
        except DuplicateMessage as dup:
            return self._duplicate(receipt, now, dup)
        self._metrics.count("TicketsCreated")
        log.info(
            "ticket created",
            extra={"ticket": number, "queue": ticket.queue, "mail": receipt.mail_id},
        )
        try:  # the deadlines first: no trouble with the acknowledgement may leave them unset
            self._sla.sync_schedules(None, ticket)
        except StorageError:
            self._acks.release(record)
            raise
        acknowledged = False
        if record.ack == AckState.CLAIMED:
            acknowledged = self._acks.send(record, ticket, message, route.address, now)
        else:
            self._metrics.count("AcknowledgementsSuppressed", reason=record.ack_reason)
        return IngestResult(Outcome.TICKET, ticket.number, acknowledged, record.ack_reason)

    def _store_new(
        self,
        ticket: Ticket,
        message: Message,
        events: list[Event],
        record: MailRecord,
        limit: RateLimit | None,
    ) -> None:
        """Raises DuplicateMessage only for the same mail: a different one that reuses an
        earlier Message-ID is stored, flagged, and claimed by its sender and content instead."""
        found = facts_of(self._recorder, None, ticket, events, message, ticket.created_at)
        try:
            self._store.create_ticket(
                ticket=ticket,
                message=message,
                events=events,
                record=record,
                rate_limit=limit,
                facts=found,
            )
        except DuplicateMessage as dup:
            reused = _reused_id(record, dup)
            if reused is None:
                raise
            flagged, note = flag_reused_id(message, dup.ticket_number, record.received_at)
            self._store.create_ticket(
                ticket=ticket,
                message=flagged,
                events=[*events, note],
                record=reused,
                rate_limit=limit,
                facts=found,
            )

    # -- reply on a ticket ------------------------------------------------------------------

    def _reply(
        self,
        receipt: Receipt,
        mail: ParsedEmail,
        now: datetime,
        sender: Address,
        ticket: Ticket,
        auto: AutoMail | None,
        proof: Authentication,
    ) -> IngestResult:
        attachments = store_attachments(self._raw, receipt.mail_id, mail, self._limits)
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.REPLY,
            received_at=now,
            ticket_number=ticket.number,
            ack_reason="reply on an existing ticket",
            fingerprint=fingerprint_of(mail, sender),
        )
        author = Party(sender.email, sender.name)
        earlier: list[DuplicateMessage] = []  # a different mail holding this Message-ID

        def decide(current: Ticket, at: datetime) -> Change:
            if current.status is Status.CLOSED:  # closed since we read it: a follow-up instead
                raise _ClosedMeanwhile
            message = self._inbound(
                receipt,
                mail,
                number=current.number,
                author=author,
                at=at,
                auto=auto,
                attachments=attachments,
                proven=proof.proven,
            )
            updated, events = self._after_reply(current, mail, at, auto, proof)
            events += left_in_raw_mail(message)
            if earlier:
                message, note = flag_reused_id(message, earlier[0].ticket_number, at)
                events.append(note)
            return Change(updated, events, message, record=record)

        try:
            self._append_reply(ticket, decide, now, record, earlier)
        except DuplicateMessage as dup:
            return self._duplicate(receipt, now, dup)
        except _ClosedMeanwhile:
            note = f"follow-up to closed ticket #{ticket.number} (closed as this mail arrived)"
            follow_up = threads.ThreadDecision(None, follow_up_of=ticket.number, notes=(note,))
            if auto is not None and not auto.may_open_ticket:
                return self._quarantine(receipt, mail, now, auto.reason)
            return self._new_ticket(receipt, mail, now, sender, auto, follow_up, proof)
        self._metrics.count("RepliesThreaded")
        log.info("reply threaded", extra={"ticket": ticket.number, "mail": receipt.mail_id})
        return IngestResult(Outcome.REPLY, ticket.number)

    def _append_reply(
        self,
        ticket: Ticket,
        decide: Callable[[Ticket, datetime], Change],
        now: datetime,
        record: MailRecord,
        earlier: list[DuplicateMessage],
    ) -> None:
        """As _store_new: only the same mail is a DuplicateMessage; a different one reusing
        an earlier Message-ID is written again, flagged (`earlier` tells `decide`)."""
        try:
            self._unit.change(ticket, decide, at=now)
        except DuplicateMessage as dup:
            reused = _reused_id(record, dup)
            if reused is None:
                raise
            earlier.append(dup)
            self._unit.change(ticket, lambda t, at: replace(decide(t, at), record=reused), at=now)

    def _after_reply(
        self,
        ticket: Ticket,
        mail: ParsedEmail,
        now: datetime,
        auto: AutoMail | None,
        proof: Authentication,
    ) -> tuple[Ticket, list[Event]]:
        if auto is not None:
            event = Event(now, "automatic_mail_received", "system", {"reason": auto.reason})
            thread = ticket.with_thread_id(mail.message_id)
            return replace(ticket, thread_ids=thread, version=ticket.version + 1), [event]
        room = self._limits.max_cc_from_mail - len(ticket.cc)
        admitted = admit(
            mail, proof=proof, known=ticket.participants, own=self._own, room=room, now=now
        )
        updated, events = on_customer_reply(
            ticket, at=now, message_id=mail.message_id, cc=admitted.cc
        )
        replied = Event(now, "customer_replied", "customer", {"authentication": proof.how})
        events.extend(e for e in admitted.events if e.kind == "cc_not_added")
        return updated, [replied, *events]

    # -- quarantine, duplicates, retries ----------------------------------------------------

    def _quarantine(
        self,
        receipt: Receipt,
        mail: ParsedEmail,
        now: datetime,
        reason: str,
        claim: Mapping[str, object] | None = None,
    ) -> IngestResult:
        entry = QuarantineEntry(
            mail_id=receipt.mail_id,
            received_at=now,
            reason=reason,
            sender=mail.sender.email if mail.sender else receipt.source,
            subject=header_safe(mail.subject, 500),
            recipients=receipt.recipients,
            raw_key=f"{self._prefix}{receipt.mail_id}",
            detail={
                "verdicts": receipt.verdicts,
                "defects": list(mail.defects)[:20],
                **(claim or {}),
            },
        )
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.QUARANTINE,
            received_at=now,
            quarantine_reason=reason,
        )
        self._store.quarantine(entry=entry, record=record)
        self._metrics.count("Quarantined")
        log.info("mail quarantined", extra={"mail": receipt.mail_id, "reason": reason})
        return IngestResult(Outcome.QUARANTINE, reason=reason)

    def _duplicate(self, receipt: Receipt, now: datetime, dup: DuplicateMessage) -> IngestResult:
        same = (
            "same Message-ID, sender and content" if dup.message_id else "same sender and content"
        )
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.DUPLICATE,
            received_at=now,
            ticket_number=dup.ticket_number,
            ack_reason=f"{same} as a mail already on #{dup.ticket_number}",
        )
        self._store.save_record(record)
        log.info("duplicate delivery", extra={"ticket": dup.ticket_number, "mail": receipt.mail_id})
        return IngestResult(Outcome.DUPLICATE, dup.ticket_number, reason=record.ack_reason)

    def _resume(
        self, record: MailRecord, receipt: Receipt, mail: ParsedEmail, now: datetime
    ) -> IngestResult:
        """A repeated delivery: finish what the first one left undone, and nothing else."""
        log.info("repeated delivery", extra={"mail": receipt.mail_id, "outcome": record.outcome})
        done = IngestResult(record.outcome, record.ticket_number, reason="already processed")
        if record.outcome not in (Outcome.TICKET, Outcome.REPLY) or record.ticket_number is None:
            return done
        ticket = self._store.get_ticket(record.ticket_number)
        if ticket is None:
            raise StorageError(f"ticket {record.ticket_number} of mail {record.mail_id} is missing")
        if record.outcome == Outcome.TICKET and record.ack != AckState.NOT_WANTED:
            first = record.received_at
            inbound = self._inbound(
                receipt,
                mail,
                number=ticket.number,
                author=ticket.requester,
                at=first,
                attachments=(),
                proven=_proven(receipt, mail),
            )
            address = self._opener.route(receipt, mail).address
            self._sla.sync_schedules(None, ticket)
            sent_now = self._acks.finish(record, ticket, inbound, address, now)
            return replace(done, acknowledged=sent_now)
        self._sla.sync_schedules(None, ticket)
        return done

    def _rate_limit(self, sender: Address, proven: bool) -> RateLimit:
        limits = self._ack_limits
        # our own domain's people (an internal desk) are never one sender either
        own_domains = {address.rpartition("@")[2] for address in self._own}
        return acknowledgement_limit(
            sender.email,
            per_hour=limits.max_per_sender_per_hour,
            per_day=limits.max_per_sender_per_day,
            domain_per_hour=limits.max_per_domain_per_hour,
            domain_per_day=limits.max_per_domain_per_day,
            exempt_domains=limits.domain_limit_exempt | own_domains,
            proven=proven,
        )


class _ClosedMeanwhile(Exception):
    """The ticket a reply was joining closed before the reply was written."""


def _proven(receipt: Receipt, mail: ParsedEmail) -> bool:
    sender = sender_of(mail, receipt)
    return sender is not None and authenticate(receipt, sender.email, mail.dkim_domains).proven


def fingerprint_of(mail: ParsedEmail, sender: Address) -> Fingerprint:
    return Fingerprint(
        sender.email, content_hash(readable_text(mail), (a.data for a in mail.attachments))
    )


def _reused_id(record: MailRecord, dup: DuplicateMessage) -> MailRecord | None:
    """The record to write again when `dup` is a different mail under the same Message-ID;
    None when it is this very mail (or its sender and content within a day)."""
    found = record.fingerprint
    if found is None or found.reuses_message_id or not dup.message_id:
        return None
    if is_same_mail(found, dup.sender, dup.content_hash):
        return None
    return replace(record, fingerprint=replace(found, reuses_message_id=True))


def _spam_or_virus(receipt: Receipt) -> str | None:
    if receipt.virus.upper() == "FAIL":
        return "virus (SES virusVerdict FAIL)"
    if receipt.spam.upper() == "FAIL":
        return "spam (SES spamVerdict FAIL)"
    return None
