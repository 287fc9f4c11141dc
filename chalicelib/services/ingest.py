"""ingest_email: one SES delivery becomes a ticket, a reply on one, or a quarantine entry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.config import AckSettings, Limits
from chalicelib.domain import threading
from chalicelib.domain.addresses import header_safe, is_valid, normalise
from chalicelib.domain.errors import Conflict, NotFound, StorageError
from chalicelib.domain.language import detect_language
from chalicelib.domain.loops import AutoMail, classify
from chalicelib.domain.mail import Address, ParsedEmail, Receipt
from chalicelib.domain.quotes import split_reply
from chalicelib.domain.routing import Route, Routing
from chalicelib.domain.tickets import (
    Event,
    Message,
    Party,
    Priority,
    Status,
    Ticket,
    on_customer_reply,
)
from chalicelib.services.acknowledge import Acknowledgement, Acknowledger
from chalicelib.services.desk_ports import HeldMail, HeldMailStore, HeldStatus
from chalicelib.services.messages import inbound_message, readable_text, store_attachments
from chalicelib.services.outgoing import sync_after_commit
from chalicelib.services.ports import (
    AckState,
    AlreadyProcessed,
    Clock,
    DuplicateMessage,
    Mailer,
    MailRecord,
    Metrics,
    Outcome,
    QuarantineEntry,
    RateLimit,
    RateLimited,
    RawMailStore,
    SlaPlanner,
    TicketStore,
    VersionConflict,
)

log = logging.getLogger("helpdesk.ingest")

MAX_REFERENCES_LOOKED_UP = 20
ACK_CLAIM_STALE_SECONDS = 90  # longer than inbound_email's timeout: the claimer is dead
VERSION_RETRIES = 3


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
        mailer: Mailer,
        parse: Callable[[bytes], ParsedEmail],
        acknowledger: Acknowledger,
        sla: SlaPlanner,
        clock: Clock,
        metrics: Metrics,
        routing: Routing,
        ack_limits: AckSettings,
        limits: Limits,
        inbound_prefix: str,
        region: str,
    ) -> None:
        self._store = store
        self._raw = raw
        self._mailer = mailer
        self._parse = parse
        self._ack = acknowledger
        self._sla = sla
        self._clock = clock
        self._metrics = metrics
        self._routing = routing
        self._ack_limits = ack_limits
        self._limits = limits
        self._prefix = inbound_prefix
        self._region = region

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
        sender = _sender(mail, receipt)
        if sender is None:
            return self._quarantine(receipt, mail, now, "no sender address (no From, no envelope)")
        auto = classify(mail, envelope_sender=receipt.source, own_addresses=self._own)
        decision = self._thread(mail, sender)
        if decision.ticket is not None:
            return self._reply(receipt, mail, now, sender, decision.ticket, auto)
        if auto is not None and not auto.may_open_ticket:
            return self._quarantine(receipt, mail, now, auto.reason)
        return self._new_ticket(receipt, mail, now, sender, auto, decision)

    @property
    def _own(self) -> frozenset[str]:
        return self._routing.own_addresses

    def _thread(self, mail: ParsedEmail, sender: Address) -> threading.ThreadDecision:
        refs = [threading.normalise_message_id(r) for r in mail.reference_ids]
        refs = [r for r in refs if r][:MAX_REFERENCES_LOOKED_UP]
        tags = threading.subject_tags(mail.subject)
        if not refs and not tags:
            return threading.ThreadDecision(None)
        found = self._store.find_threads(refs, tags)
        referenced = [found.by_message_id[r] for r in refs if r in found.by_message_id]
        return threading.decide(
            sender=sender.email, referenced=referenced, tagged=tags, tickets=found.tickets
        )

    # -- new ticket -------------------------------------------------------------------------

    def _new_ticket(
        self,
        receipt: Receipt,
        mail: ParsedEmail,
        now: datetime,
        sender: Address,
        auto: AutoMail | None,
        decision: threading.ThreadDecision,
    ) -> IngestResult:
        route = self._routing.route(receipt.recipients, [a.email for a in (*mail.to, *mail.cc)])
        number = self._store.allocate_number()
        attachments = store_attachments(self._raw, receipt.mail_id, mail, self._limits)
        message = inbound_message(
            mail,
            ticket_number=number,
            author=Party(sender.email, sender.name),
            at=now,
            mail_id=receipt.mail_id,
            raw_key=self._raw_key(receipt),
            attachments=attachments,
            limits=self._limits,
            flags=(f"auto:{auto.kind}",) if auto else (),
        )
        ticket = self._open_ticket(number, mail, message, sender, route, now)
        events = _creation_events(ticket, route, receipt, decision, auto, now)
        wants_ack = auto is None
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.TICKET,
            received_at=now,
            ticket_number=number,
            ack=AckState.CLAIMED if wants_ack else AckState.NOT_WANTED,
            ack_reason="" if wants_ack else str(auto.kind if auto else ""),
            ack_claimed_at=now if wants_ack else None,
        )
        limit = self._rate_limit(sender) if wants_ack else None
        try:
            self._store_new(ticket, message, events, record, limit)
        except RateLimited:
            record = replace(
                record, ack=AckState.NOT_WANTED, ack_reason="rate_limited", ack_claimed_at=None
            )
            events = [
                *events,
                Event(now, "acknowledgement_suppressed", "system", {"reason": "rate_limited"}),
            ]
            self._store_new(ticket, message, events, record, None)
        except DuplicateMessage as dup:
            return self._duplicate(receipt, now, dup)
        self._metrics.count("TicketsCreated")
        log.info(
            "ticket created",
            extra={"ticket": number, "queue": ticket.queue, "mail": receipt.mail_id},
        )
        return self._finish_new(record, ticket, message, route.address, now)

    def _store_new(
        self,
        ticket: Ticket,
        message: Message,
        events: list[Event],
        record: MailRecord,
        limit: RateLimit | None,
    ) -> None:
        self._store.create_ticket(
            ticket=ticket, message=message, events=events, record=record, rate_limit=limit
        )

    def _open_ticket(
        self,
        number: int,
        mail: ParsedEmail,
        message: Message,
        sender: Address,
        route: Route,
        now: datetime,
    ) -> Ticket:
        reply_to = next((normalise(a.email) for a in mail.reply_to if is_valid(a.email)), None)
        cc = tuple(
            normalise(a.email)
            for a in (*mail.to, *mail.cc)
            if normalise(a.email) not in self._own and normalise(a.email) != sender.email
        )
        language = detect_language(split_reply(readable_text(mail))[0] or mail.subject)
        priority = Priority.NORMAL
        opened = Ticket(
            number=number,
            subject=header_safe(mail.subject, 500),
            requester=Party(sender.email, sender.name),
            queue=route.queue.name,
            status=Status.NEW,
            priority=priority,
            language=language,
            created_at=now,
            updated_at=now,
            reply_to=reply_to if reply_to != sender.email else None,
            cc=tuple(dict.fromkeys(cc)),
            customer_waiting_since=now,
            thread_ids=tuple(i for i in [message.message_id] if i),
            version=1,
            extra={"received_at_address": route.address},
        )
        planned, _ = self._sla.plan(None, opened, now)
        return planned

    def _finish_new(
        self, record: MailRecord, ticket: Ticket, message: Message, address: str, now: datetime
    ) -> IngestResult:
        acknowledged = False
        if record.ack == AckState.CLAIMED:
            acknowledged = self._send_ack(record, ticket, message, address, now)
        elif record.ack == AckState.NOT_WANTED:
            self._metrics.count("AcknowledgementsSuppressed", reason=record.ack_reason)
        self._sla.sync_schedules(None, ticket)
        return IngestResult(Outcome.TICKET, ticket.number, acknowledged, record.ack_reason)

    def _send_ack(
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
            self._record_ack(sent, ack)
        except StorageError:
            # Remember at least that it went out, so the retry completes instead of resending.
            self._store.save_record(sent)
            raise
        self._metrics.count("AcknowledgementsSent")
        log.info("acknowledgement sent", extra={"ticket": ticket.number, "ses_id": provider_id})
        return True

    def _record_ack(self, sent: MailRecord, ack: Acknowledgement) -> None:
        provider_id = sent.ack_provider_id or ""
        ses_id = threading.ses_message_id(provider_id, self._region)
        message = replace(ack.message, provider_id=provider_id)
        ids = [i for i in (ack.mail.message_id, ses_id) if i]
        self._store.record_sent(record=sent, message=message, ids=ids)

    # -- reply on a ticket ------------------------------------------------------------------

    def _reply(
        self,
        receipt: Receipt,
        mail: ParsedEmail,
        now: datetime,
        sender: Address,
        ticket: Ticket,
        auto: AutoMail | None,
    ) -> IngestResult:
        attachments = store_attachments(self._raw, receipt.mail_id, mail, self._limits)
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.REPLY,
            received_at=now,
            ticket_number=ticket.number,
            ack_reason="reply on an existing ticket",
        )
        for _ in range(VERSION_RETRIES):
            message = inbound_message(
                mail,
                ticket_number=ticket.number,
                author=Party(sender.email, sender.name),
                at=now,
                mail_id=receipt.mail_id,
                raw_key=self._raw_key(receipt),
                attachments=attachments,
                limits=self._limits,
                flags=(f"auto:{auto.kind}",) if auto else (),
            )
            updated, events = self._after_reply(ticket, mail, now, auto)
            updated, sla_events = self._sla.plan(ticket, updated, now)
            events = [*events, *sla_events]
            try:
                self._store.append_message(
                    ticket=updated,
                    expected_version=ticket.version,
                    message=message,
                    events=events,
                    record=record,
                )
                break
            except VersionConflict:
                fresh = self._store.get_ticket(ticket.number)
                if fresh is None:
                    raise
                ticket = fresh
            except DuplicateMessage as dup:
                return self._duplicate(receipt, now, dup)
        else:
            raise VersionConflict(f"ticket {ticket.number} kept changing")
        self._metrics.count("RepliesThreaded")
        log.info("reply threaded", extra={"ticket": ticket.number, "mail": receipt.mail_id})
        self._sla.sync_schedules(ticket, updated)
        return IngestResult(Outcome.REPLY, ticket.number)

    def _after_reply(
        self, ticket: Ticket, mail: ParsedEmail, now: datetime, auto: AutoMail | None
    ) -> tuple[Ticket, list[Event]]:
        if auto is not None:
            event = Event(now, "automatic_mail_received", "system", {"reason": auto.reason})
            thread = ticket.with_thread_id(mail.message_id)
            return replace(ticket, thread_ids=thread, version=ticket.version + 1), [event]
        cc = tuple(
            normalise(a.email)
            for a in (*mail.to, *mail.cc)
            if is_valid(a.email)
            and normalise(a.email) not in self._own
            and normalise(a.email) not in ticket.participants
        )
        updated, events = on_customer_reply(ticket, at=now, message_id=mail.message_id, cc=cc)
        return updated, [Event(now, "customer_replied", "customer", {}), *events]

    # -- release from quarantine --------------------------------------------------------------

    def release(self, mail_id: str, by_agent: str, held: HeldMailStore) -> IngestResult:
        """An agent judged held mail legitimate: it becomes a new ticket, unacknowledged."""
        entry = held.get_held(mail_id)
        if entry is None:
            raise NotFound(f"no quarantined mail {mail_id}")
        if entry.status == HeldStatus.RELEASED:
            raise Conflict(f"mail {mail_id} was released already, as #{entry.ticket_number}")
        mail = self._parse(self._raw.get_raw(mail_id))
        receipt = _receipt_of(entry)
        sender = _sender(mail, receipt)
        if sender is None:
            raise Conflict(f"mail {mail_id} has no sender address: it cannot become a ticket")
        now = self._clock.now()
        route = self._routing.route(receipt.recipients, [a.email for a in (*mail.to, *mail.cc)])
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
        ticket = self._open_ticket(number, mail, message, sender, route, now)
        released = f"released from quarantine by {by_agent}"
        events = [
            *_creation_events(ticket, route, receipt, threading.ThreadDecision(None), None, now),
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
            )
        except DuplicateMessage as dup:
            raise Conflict(f"this mail is already on ticket #{dup.ticket_number}") from dup
        sync_after_commit(self._sla, None, ticket)
        self._metrics.count("QuarantineReleased")
        log.info("quarantine released", extra={"mail": mail_id, "ticket": number, "by": by_agent})
        return IngestResult(Outcome.TICKET, number, reason=released)

    # -- quarantine, duplicates, retries ----------------------------------------------------

    def _quarantine(
        self, receipt: Receipt, mail: ParsedEmail, now: datetime, reason: str
    ) -> IngestResult:
        entry = QuarantineEntry(
            mail_id=receipt.mail_id,
            received_at=now,
            reason=reason,
            sender=mail.sender.email if mail.sender else receipt.source,
            subject=header_safe(mail.subject, 500),
            recipients=receipt.recipients,
            raw_key=self._raw_key(receipt),
            detail={"verdicts": receipt.verdicts, "defects": list(mail.defects)[:20]},
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
        record = MailRecord(
            mail_id=receipt.mail_id,
            outcome=Outcome.DUPLICATE,
            received_at=now,
            ticket_number=dup.ticket_number,
            ack_reason=f"same Message-ID as a mail already on #{dup.ticket_number}",
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
        if record.outcome == Outcome.TICKET and record.ack in (
            AckState.SENT,
            AckState.CLAIMED,
            AckState.FAILED,
        ):
            done = replace(done, acknowledged=self._finish_ack(record, ticket, receipt, mail, now))
        self._sla.sync_schedules(None, ticket)
        return done

    def _finish_ack(
        self, record: MailRecord, ticket: Ticket, receipt: Receipt, mail: ParsedEmail, now: datetime
    ) -> bool:
        """Send the acknowledgement the first delivery did not, or finish recording it."""
        route = self._routing.route(receipt.recipients, [a.email for a in (*mail.to, *mail.cc)])
        inbound = inbound_message(
            mail,
            ticket_number=ticket.number,
            author=ticket.requester,
            at=record.received_at,
            mail_id=receipt.mail_id,
            raw_key=self._raw_key(receipt),
            attachments=(),
            limits=self._limits,
        )
        if record.ack == AckState.SENT:
            ack = self._ack.compose(
                ticket=ticket, inbound=inbound, from_address=route.address, now=now
            )
            self._record_ack(record, ack)
            return False
        if not _ack_unfinished(record, now):
            return False
        claimed = replace(record, ack=AckState.CLAIMED, ack_claimed_at=now)
        self._store.save_record(claimed)
        return self._send_ack(claimed, ticket, inbound, route.address, now)

    def _raw_key(self, receipt: Receipt) -> str:
        return f"{self._prefix}{receipt.mail_id}"

    def _rate_limit(self, sender: Address) -> RateLimit:
        return RateLimit(
            sender=sender.email,
            per_hour=self._ack_limits.max_per_sender_per_hour,
            per_day=self._ack_limits.max_per_sender_per_day,
        )


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


def _spam_or_virus(receipt: Receipt) -> str | None:
    if receipt.virus.upper() == "FAIL":
        return "virus (SES virusVerdict FAIL)"
    if receipt.spam.upper() == "FAIL":
        return "spam (SES spamVerdict FAIL)"
    return None


def _sender(mail: ParsedEmail, receipt: Receipt) -> Address | None:
    if mail.sender and is_valid(mail.sender.email):
        return Address(normalise(mail.sender.email), header_safe(mail.sender.name, 200))
    envelope = receipt.source.strip().strip("<>")
    if envelope and is_valid(envelope):
        return Address(normalise(envelope))
    return None


def _ack_unfinished(record: MailRecord, now: datetime) -> bool:
    if record.ack == AckState.FAILED:
        return True
    if record.ack != AckState.CLAIMED or record.ack_claimed_at is None:
        return False
    return (now - record.ack_claimed_at).total_seconds() > ACK_CLAIM_STALE_SECONDS


def _creation_events(
    ticket: Ticket,
    route: Route,
    receipt: Receipt,
    decision: threading.ThreadDecision,
    auto: AutoMail | None,
    now: datetime,
) -> list[Event]:
    data: dict[str, object] = {
        "via": "email",
        "address": route.address,
        "queue": ticket.queue,
        "verdicts": receipt.verdicts,
    }
    if route.also_to:
        data["also_addressed_to"] = list(route.also_to)
    if decision.notes:
        data["notes"] = list(decision.notes)
    if decision.follow_up_of:
        data["follow_up_of"] = decision.follow_up_of
    events = [Event(now, "created", "customer", data)]
    if auto is not None:
        events.append(
            Event(
                now,
                "acknowledgement_suppressed",
                "system",
                {"reason": auto.kind, "detail": auto.reason},
            )
        )
    return events
