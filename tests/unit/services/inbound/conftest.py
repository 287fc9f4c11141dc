"""The inbound flow wired to in-memory fakes: SES receipt events in, tickets and mail out.

The services are the real ones (IngestEmail, TicketOpener, AckDelivery, Acknowledger with the
real templates, QuarantineRelease, the real MIME parser); only the ports are fakes. Receipts
are built from SES receipt events shaped as SES sends them (local.ses_events), so verdicts
reach the service the way they do in production.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import pytest

from chalicelib.adapters.aws.ses_event import receipts_from_event
from chalicelib.adapters.mime.parser import parse_email
from chalicelib.adapters.render.mail_templates import JinjaRenderer
from chalicelib.config import TEMPLATES_DIR, AckSettings, Limits
from chalicelib.domain.errors import Conflict, DuplicateMessage, NotFound
from chalicelib.domain.mail.delivery import (
    HeldMail,
    HeldStatus,
    MailRecord,
    Outcome,
    QuarantineEntry,
)
from chalicelib.domain.mail.parsed import ParsedAttachment
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Party, Status, Ticket
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.inbound.acknowledgement import Acknowledger
from chalicelib.services.inbound.delivery import AckDelivery
from chalicelib.services.inbound.ingest import IngestEmail, IngestResult
from chalicelib.services.inbound.opening import TicketOpener
from chalicelib.services.inbound.release import QuarantineRelease
from local.ses_events import new_mail_id, ses_event
from tests.fakes import (
    FakeClock,
    InMemoryTickets,
    RecordingMailer,
    RecordingMetrics,
    RecordingSla,
    ScriptedLanguageModel,
    Written,
)
from tests.helpers import a_ticket

HELPDESK_NAME = "Example Support"
TIMEZONE = "Europe/Helsinki"
REGION = "eu-west-1"
ANNA = Party("anna.virtanen@customer.example", "Anna Virtanen")  # make_mail's default sender
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


def fail_once(target: object, method: str, error: Exception) -> None:
    """The next call of `target.method` raises `error`; the calls after it go through."""
    real = getattr(target, method)

    def failing(*args: Any, **kwargs: Any) -> Any:
        setattr(target, method, real)
        raise error

    setattr(target, method, failing)


class DictRawMail:
    """RawMailStore: the raw mail SES's S3 action wrote, and the attachments stored beside it."""

    def __init__(self) -> None:
        self.raw: dict[str, bytes] = {}
        self.attachments: dict[str, bytes] = {}

    def get_raw(self, mail_id: str) -> bytes:
        if mail_id not in self.raw:
            raise NotFound(f"s3://helpdesk-mail-test/inbound/{mail_id} does not exist")
        return self.raw[mail_id]

    def put_attachment(self, mail_id: str, index: int, attachment: ParsedAttachment) -> str:
        key = f"attachments/{mail_id}/{index:03d}/{attachment.filename}"
        self.attachments[key] = attachment.data
        return key


class InMemoryHeldMail:
    """HeldMailStore over the same tickets: the entries ingest quarantined, and decisions.

    Keeps the DynamoDB adapter's conditions: only held (or spam-confirmed) mail is released,
    only while its delivery record still says quarantine; a known Message-ID is a
    DuplicateMessage and nothing is written.
    """

    def __init__(self, tickets: InMemoryTickets) -> None:
        self._tickets = tickets
        self.decided: dict[str, tuple[int | None, str, datetime]] = {}

    def get_held(self, mail_id: str) -> HeldMail | None:
        entry = self._tickets.quarantined.get(mail_id)
        if entry is None:
            return None
        number, by, at = self.decided.get(mail_id, (None, None, None))
        return HeldMail(entry, ticket_number=number, decided_by=by, decided_at=at)

    def list_held(self, limit: int, cursor: str | None) -> tuple[list[HeldMail], str | None]:
        entries = self._tickets.list_quarantine(limit)
        return [h for e in entries if (h := self.get_held(e.mail_id))], None

    def _check_held(self, held: HeldMail) -> str:
        """The adapter's conditions: still held (or spam), its record still a quarantine."""
        mail_id = held.entry.mail_id
        current = self.get_held(mail_id)
        stored = self._tickets.records.get(mail_id)
        if current is None or current.status not in (HeldStatus.HELD, HeldStatus.SPAM):
            raise Conflict(f"mail {mail_id} was decided on meanwhile")
        if stored is None or stored.outcome != Outcome.QUARANTINE:
            raise Conflict(f"mail {mail_id} was decided on meanwhile")
        return mail_id

    def release(
        self,
        *,
        held: HeldMail,
        ticket: Ticket,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        by: str,
        at: datetime,
        facts: Facts | None = None,
    ) -> None:
        mail_id = self._check_held(held)
        known = self._tickets.message_ids
        if message.message_id and message.message_id in known:
            raise DuplicateMessage(message.message_id, known[message.message_id])
        self._decide(held.entry, HeldStatus.RELEASED, ticket.number, by, at)
        self._tickets.records[mail_id] = record
        self._tickets.tickets[ticket.number] = ticket
        self._tickets.messages[ticket.number] = [message]
        if message.message_id:
            known[message.message_id] = ticket.number
        self._tickets.written.append(Written("create", ticket.number, list(events), message))

    def append(
        self,
        *,
        held: HeldMail,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        by: str,
        at: datetime,
        facts: Facts | None = None,
    ) -> None:
        mail_id = self._check_held(held)
        stored = self._tickets.records.pop(mail_id)  # the fake's append checks the record is new
        try:
            self._tickets.append_message(
                ticket=ticket,
                expected_version=expected_version,
                message=message,
                events=events,
                record=record,
            )
        except Exception:
            self._tickets.records[mail_id] = stored
            raise
        self._decide(held.entry, HeldStatus.RELEASED, ticket.number, by, at)

    def mark_spam(self, *, held: HeldMail, by: str, at: datetime) -> None:
        current = self.get_held(held.entry.mail_id)
        if current is None or current.status != HeldStatus.HELD:
            raise Conflict(f"mail {held.entry.mail_id} was decided on meanwhile")
        self._decide(held.entry, HeldStatus.SPAM, None, by, at)

    def _decide(
        self, entry: QuarantineEntry, status: HeldStatus, number: int | None, by: str, at: datetime
    ) -> None:
        self._tickets.quarantined[entry.mail_id] = replace(entry, status=status.value)
        self.decided[entry.mail_id] = (number, by, at)


@dataclass
class Inbound:
    """The inbound flow on fakes; `deliver` does what SES does (S3 action, then Lambda)."""

    clock: FakeClock = field(default_factory=FakeClock)
    metrics: RecordingMetrics = field(default_factory=RecordingMetrics)
    mailer: RecordingMailer = field(default_factory=RecordingMailer)
    sla: RecordingSla = field(default_factory=RecordingSla)
    language: ScriptedLanguageModel = field(default_factory=ScriptedLanguageModel)
    tickets: InMemoryTickets = field(default_factory=InMemoryTickets)
    raw: DictRawMail = field(default_factory=DictRawMail)
    ack_limits: AckSettings = field(default_factory=AckSettings)
    limits: Limits = field(default_factory=Limits)

    @cached_property
    def held(self) -> InMemoryHeldMail:
        return InMemoryHeldMail(self.tickets)

    @cached_property
    def acknowledger(self) -> Acknowledger:
        return Acknowledger(JinjaRenderer(TEMPLATES_DIR), HELPDESK_NAME, TIMEZONE)

    @cached_property
    def acks(self) -> AckDelivery:
        return AckDelivery(
            store=self.tickets,
            mailer=self.mailer,
            acknowledger=self.acknowledger,
            metrics=self.metrics,
            region=REGION,
        )

    @cached_property
    def opener(self) -> TicketOpener:
        return TicketOpener(sla=self.sla, routing=ROUTING, language=self.language)

    @cached_property
    def ingest(self) -> IngestEmail:
        return IngestEmail(
            store=self.tickets,
            raw=self.raw,
            parse=parse_email,
            opener=self.opener,
            acks=self.acks,
            sla=self.sla,
            clock=self.clock,
            metrics=self.metrics,
            own_addresses=ROUTING.own_addresses,
            ack_limits=self.ack_limits,
            limits=self.limits,
            inbound_prefix="inbound/",
        )

    @cached_property
    def releaser(self) -> QuarantineRelease:
        return QuarantineRelease(
            store=self.tickets,
            raw=self.raw,
            parse=parse_email,
            opener=self.opener,
            sla=self.sla,
            clock=self.clock,
            metrics=self.metrics,
            limits=self.limits,
        )

    def deliver(
        self,
        raw: bytes,
        *,
        mail_id: str | None = None,
        recipients: Sequence[str] = ("support@example.com",),
        source: str = ANNA.email,
        verdicts: Mapping[str, str] | None = None,
    ) -> IngestResult:
        mail_id = mail_id or new_mail_id()
        self.raw.raw[mail_id] = raw
        event = ses_event(
            raw,
            mail_id=mail_id,
            recipients=recipients,
            source=source,
            at=self.clock.now(),
            function_arn="arn:aws:lambda:eu-west-1:123456789012:function:inbound",
            verdicts=verdicts,
        )
        [receipt] = receipts_from_event(event)
        return self.ingest(receipt)

    def release(self, mail_id: str, by: str = "lena@example.com") -> IngestResult:
        return self.releaser.release(mail_id, by, self.held)

    def append(self, mail_id: str, by: str = "lena@example.com") -> IngestResult:
        return self.releaser.append(mail_id, by, self.held)

    def existing_ticket(self, **changes: Any) -> Ticket:
        """Anna's open ticket #1001, version 3, whose first mail was <first@customer.example>."""
        ticket = a_ticket(
            self.clock.now(),
            requester=ANNA,
            status=Status.OPEN,
            thread_ids=("first@customer.example",),
            version=3,
        )
        ticket = replace(ticket, **changes)
        assert self.tickets.allocate_number() == ticket.number
        self.tickets.tickets[ticket.number] = ticket
        self.tickets.messages[ticket.number] = []
        self.tickets.message_ids["first@customer.example"] = ticket.number
        return ticket

    def thread(self, number: int) -> list[Message]:
        """The ticket's messages as the table keeps them: one item per message id (the fake
        appends on every record_sent; DynamoDB's put of the same key overwrites)."""
        return list({m.id: m for m in self.tickets.messages.get(number, [])}.values())

    def inbound_messages(self, number: int) -> list[Message]:
        return [m for m in self.thread(number) if m.kind == MessageKind.INBOUND]

    def acknowledgements(self, number: int) -> list[Message]:
        return [m for m in self.thread(number) if m.kind == MessageKind.AUTO]

    def event_kinds(self, number: int) -> list[str]:
        return [e.kind for e in self.tickets.events(number)]


@pytest.fixture
def inbound() -> Inbound:
    return Inbound()


def _held_to_their_ports() -> None:
    """Never called: mypy checks here that each fake satisfies the port it stands in for."""
    from chalicelib.services import ports

    _raw: ports.RawMailStore = DictRawMail()
    _held: ports.HeldMailStore = InMemoryHeldMail(InMemoryTickets())
