"""In-memory stand-ins for the ports, shared by the fast unit tests.

Each fake keeps the contract its port documents (services/ports.py): the ticket store writes
with the version it was given and raises VersionConflict on a stale one, AlreadyProcessed on a
second delivery and DuplicateMessage on a known Message-ID, as the DynamoDB adapter does in one
transaction. They record what was asked of them so that a test can assert on it, and take a
`fail`/`interfere` hook where a test needs AWS to go wrong once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import (
    AlreadyProcessed,
    DuplicateMessage,
    HardBounced,
    KeyUsed,
    NotFound,
    RateLimited,
    ReplayFailed,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.mail.delivery import AckState, MailRecord, QuarantineEntry, RateLimit
from chalicelib.domain.mail.duplicates import DEDUPE_WINDOW
from chalicelib.domain.mail.language import ModelGuess
from chalicelib.domain.reports.facts import Facts, board_part
from chalicelib.domain.tickets.model import WAITING_ON_AGENT, Event, Message, MessageKind, Ticket
from chalicelib.services.ports import (
    CALL_BUDGET,
    BoardCounts,
    FailedTask,
    LongestWait,
    MailQuery,
    MailRow,
    OutgoingMail,
    SentMail,
    ThreadLookup,
)


class FakeClock:
    """A clock the test moves; starts on a Monday morning in Helsinki business hours."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def set(self, at: datetime) -> None:
        self.current = at.astimezone(UTC)

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


class RecordingMetrics:
    def __init__(self) -> None:
        self.counts: list[tuple[str, str | None]] = []

    def count(self, name: str, reason: str | None = None) -> None:
        self.counts.append((name, reason))

    def total(self, name: str) -> int:
        return sum(1 for n, _ in self.counts if n == name)


class RecordingMailer:
    """The Mailer port: keeps every mail; `fail` is raised instead of sending, once."""

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.fail: Exception | None = None

    def send(self, mail: OutgoingMail) -> str:
        if self.fail is not None:
            error, self.fail = self.fail, None
            raise error
        self.sent.append(mail)
        return f"0102-ses-{len(self.sent)}"


class RecordingScheduler:
    """The Scheduler port: schedules by name, as EventBridge Scheduler keeps them."""

    def __init__(self) -> None:
        self.schedules: dict[str, tuple[datetime, Mapping[str, Any]]] = {}
        self.calls = 0

    def create(self, name: str, at: datetime, payload: Mapping[str, Any]) -> bool:
        self.calls += 1
        if name in self.schedules:
            return False
        self.schedules[name] = (at, payload)
        return True

    def delete(self, name: str) -> bool:
        self.calls += 1
        return self.schedules.pop(name, None) is not None


class ScriptedLanguageModel:
    """A LanguageModel that answers `guess` (or what `answers` says for a text); records texts."""

    def __init__(
        self, guess: ModelGuess | None = None, answers: Mapping[str, ModelGuess] | None = None
    ) -> None:
        self.guess = guess
        self.answers = dict(answers or {})
        self.asked: list[str] = []

    def identify(self, text: str) -> ModelGuess | None:
        self.asked.append(text)
        return self.answers.get(text, self.guess)


class RecordingSla:
    """An SlaPlanner that plans nothing and records each sync; `fail` breaks the next sync."""

    def __init__(self) -> None:
        self.synced: list[tuple[Ticket | None, Ticket, int]] = []
        self.fail = False

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]:
        return after, [Event(at, "sla_planned", "system")]

    def sync_schedules(
        self, before: Ticket | None, after: Ticket, budget: int = CALL_BUDGET
    ) -> None:
        if self.fail:
            self.fail = False
            raise StorageError("scheduler unavailable")
        self.synced.append((before, after, budget))


@dataclass
class Written:
    """One successful write of the store, in order: what a transaction would have held."""

    kind: str  # create | append | update | thread
    ticket_number: int
    events: list[Event]
    message: Message | None = None
    index_ids: list[str] = field(default_factory=list)
    facts: Facts | None = None  # the report facts written in the same transaction


class InMemoryTickets:
    """TicketStore and DeskStore in dicts, with the adapter's conditions.

    `interfere(number, change)` makes the next versioned write of that ticket lose to a
    concurrent writer: the ticket becomes `change(ticket)` one version on, and the write raises
    VersionConflict, as DynamoDB's condition would.
    """

    def __init__(self, *tickets: Ticket, next_number: int = 1000) -> None:
        self.tickets: dict[int, Ticket] = {t.number: t for t in tickets}
        self.messages: dict[int, list[Message]] = {t.number: [] for t in tickets}
        self.records: dict[str, MailRecord] = {}
        self.message_ids: dict[str, int] = {}
        self.fingerprints: dict[str, tuple[str, str]] = {}  # Message-ID → its sender and hash
        self.dedupe: dict[tuple[str, str], tuple[int, datetime]] = {}  # → ticket, claimed until
        self.sent_to: dict[str, frozenset[str]] = {}  # our Message-IDs: to whom we sent them
        self.quarantined: dict[str, QuarantineEntry] = {}
        self.action_claims: dict[tuple[str, str], ActionClaim] = {}  # (agent, key) → its claim
        self.rates: dict[str, int] = {}
        self.hard_bounced: set[str] = set()  # CUSTOMER#<address> items with hard_bounced_at
        self.written: list[Written] = []
        self.item_budget: int | None = None
        self._next = next_number
        self._interfere: dict[int, list[Callable[[Ticket], Ticket]]] = {}

    # -- test hooks ------------------------------------------------------------------------

    def interfere(self, number: int, change: Callable[[Ticket], Ticket], times: int = 1) -> None:
        self._interfere.setdefault(number, []).extend([change] * times)

    def events(self, number: int) -> list[Event]:
        return [e for w in self.written if w.ticket_number == number for e in w.events]

    # -- reads -----------------------------------------------------------------------------

    def get_ticket(self, number: int) -> Ticket | None:
        return self.tickets.get(number)

    def get_mail_record(self, mail_id: str) -> MailRecord | None:
        return self.records.get(mail_id)

    def get_message(self, number: int, message_id: str) -> Message | None:
        return next((m for m in self.messages.get(number, []) if m.id == message_id), None)

    def find_threads(self, message_ids: Sequence[str], numbers: Iterable[int]) -> ThreadLookup:
        by_id = {m: self.message_ids[m] for m in message_ids if m in self.message_ids}
        wanted = {*numbers, *by_id.values()}
        return ThreadLookup(
            by_message_id=by_id,
            tickets={n: self.tickets[n] for n in wanted if n in self.tickets},
            sent_to={m: self.sent_to[m] for m in by_id if m in self.sent_to},
        )

    def message_excess(self, message: Message) -> int:
        """Against `item_budget` when a test sets one: a message's repr stands in for its item."""
        if self.item_budget is None:
            return 0
        return len(repr(message).encode()) - self.item_budget

    def list_quarantine(self, limit: int = 50) -> list[QuarantineEntry]:
        entries = sorted(self.quarantined.values(), key=lambda e: e.received_at, reverse=True)
        return entries[:limit]

    # -- writes ----------------------------------------------------------------------------

    def allocate_number(self) -> int:
        self._next += 1
        return self._next

    def create_ticket(
        self,
        *,
        ticket: Ticket,
        message: Message,
        events: Sequence[Event],
        record: MailRecord,
        rate_limit: RateLimit | None,
        facts: Facts | None = None,
    ) -> None:
        self._check_new(record, message)
        if ticket.number in self.tickets:
            raise StorageError(f"ticket {ticket.number} exists")
        if rate_limit is not None:
            if rate_limit.sender.lower() in self.hard_bounced:
                raise HardBounced(rate_limit.sender)
            self._count(rate_limit, record.received_at)
        self.records[record.mail_id] = record
        self.tickets[ticket.number] = ticket
        self.messages[ticket.number] = []
        self._claim(record, message)
        self._add(message, (), own_id=_indexed(record))
        self.written.append(Written("create", ticket.number, list(events), message, facts=facts))

    def append_message(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        record: MailRecord | None,
        index_ids: Sequence[str] = (),
        facts: Facts | None = None,
    ) -> None:
        self._check_new(record, message)
        self._check_version(ticket.number, expected_version)
        if record is not None:
            self.records[record.mail_id] = record
        self.tickets[ticket.number] = ticket
        self._claim(record, message)
        self._add(message, index_ids, own_id=_indexed(record))
        self.written.append(
            Written("append", ticket.number, list(events), message, list(index_ids), facts)
        )

    def update_ticket(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        self._check_version(ticket.number, expected_version)
        self.tickets[ticket.number] = ticket
        self.written.append(Written("update", ticket.number, list(events), facts=facts))

    def add_to_thread(
        self, *, message: Message, events: Sequence[Event], claim: ActionClaim | None = None
    ) -> None:
        self._check_claim(claim)
        if message.ticket_number not in self.tickets:
            raise NotFound(f"no ticket {message.ticket_number}")
        self._add(message, ())
        self._keep_claim(claim)
        self.written.append(Written("thread", message.ticket_number, list(events), message))

    def write_claimed(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        message: Message | None,
        claim: ActionClaim,
        facts: Facts | None = None,
    ) -> None:
        self._check_claim(claim)
        self._check_version(ticket.number, expected_version)
        self.tickets[ticket.number] = ticket
        if message is not None:
            self._add(message, ())
        self._keep_claim(claim)
        kind = "update" if message is None else "append"
        self.written.append(Written(kind, ticket.number, list(events), message, facts=facts))

    def action_claim(self, agent: str, key: str) -> ActionClaim | None:
        return self.action_claims.get((agent, key))

    def record_sent(
        self,
        *,
        record: MailRecord,
        message: Message,
        ids: Sequence[str],
        ticket: Ticket | None = None,
    ) -> None:
        self.records[record.mail_id] = record
        self._add(message, ids)

    def save_record(self, record: MailRecord, events: Sequence[Event] = ()) -> None:
        self.records[record.mail_id] = record
        if events and record.ticket_number is not None:
            self.written.append(Written("record", record.ticket_number, list(events)))

    def release_ack_claim(self, mail_id: str) -> None:
        found = self.records.get(mail_id)
        if found is not None and found.ack == AckState.CLAIMED:
            self.records[mail_id] = replace(found, ack=AckState.FAILED)

    def quarantine(self, *, entry: QuarantineEntry, record: MailRecord) -> None:
        if record.mail_id in self.records:
            raise AlreadyProcessed(self.records[record.mail_id])
        self.records[record.mail_id] = record
        self.quarantined[entry.mail_id] = entry

    # -- conditions ------------------------------------------------------------------------

    def _count(self, limit: RateLimit, at: datetime) -> None:
        """As the table's counters: all quotas have room, then all count, or none does."""
        keys = {
            q.key: (f"{q.key}/{at:%Y-%m-%d}", f"{q.key}/{at:%Y-%m-%dT%H}") for q in limit.quotas
        }
        for quota in limit.quotas:
            day, hour = keys[quota.key]
            if self.rates.get(day, 0) >= quota.per_day or self.rates.get(hour, 0) >= quota.per_hour:
                raise RateLimited(quota.key)
        for day, hour in keys.values():
            self.rates[day] = self.rates.get(day, 0) + 1
            self.rates[hour] = self.rates.get(hour, 0) + 1

    def _check_new(self, record: MailRecord | None, message: Message) -> None:
        if record is not None and record.mail_id in self.records:
            raise AlreadyProcessed(self.records[record.mail_id])
        found = record.fingerprint if record is not None else None
        if message.message_id and not (found and found.reuses_message_id):
            if message.message_id in self.message_ids:
                sender, hashed = self.fingerprints.get(message.message_id, (None, None))
                number = self.message_ids[message.message_id]
                raise DuplicateMessage(
                    message.message_id, number, sender=sender, content_hash=hashed
                )
        elif found is not None and record is not None:
            claimed = self.dedupe.get((found.sender, found.content_hash))
            if claimed is not None and claimed[1] > record.received_at:
                raise DuplicateMessage(
                    "", claimed[0], sender=found.sender, content_hash=found.content_hash
                )

    def _claim(self, record: MailRecord | None, message: Message) -> None:
        """What the adapter's claim puts: the Message-ID's sender and hash, or a dedupe key."""
        found = record.fingerprint if record is not None else None
        if found is None or record is None:
            return
        if message.message_id and not found.reuses_message_id:
            self.fingerprints[message.message_id] = (found.sender, found.content_hash)
        else:
            until = record.received_at + DEDUPE_WINDOW
            self.dedupe[(found.sender, found.content_hash)] = (message.ticket_number, until)

    def _check_claim(self, claim: ActionClaim | None) -> None:
        held = self.action_claims.get((claim.agent, claim.key)) if claim else None
        if held is not None:
            raise KeyUsed(held)

    def _keep_claim(self, claim: ActionClaim | None) -> None:
        if claim is not None:
            self.action_claims[(claim.agent, claim.key)] = claim

    def _check_version(self, number: int, expected: int) -> None:
        current = self.tickets.get(number)
        if current is None:
            raise VersionConflict(f"ticket {number} is gone")
        pending = self._interfere.get(number)
        if pending:
            changed = pending.pop(0)(current)
            self.tickets[number] = replace(changed, version=current.version + 1)
            raise VersionConflict(f"ticket {number} changed meanwhile")
        if current.version != expected:
            raise VersionConflict(f"ticket {number} is no longer version {expected}")

    def _add(self, message: Message, ids: Iterable[str], own_id: bool = True) -> None:
        """A message is stored under its id: writing it again replaces it, as a PutItem does."""
        thread = self.messages.setdefault(message.ticket_number, [])
        thread[:] = [m for m in thread if m.id != message.id] + [message]
        own = [message.message_id] if message.message_id and own_id else []
        for i in dict.fromkeys([*own, *ids]):
            self.message_ids[i] = message.ticket_number
            if message.kind in (MessageKind.OUTBOUND, MessageKind.AUTO):
                self.sent_to[i] = frozenset(a.lower() for a in (*message.to, *message.cc))


def _indexed(record: MailRecord | None) -> bool:
    """Whether the write indexes the message's own Message-ID (not when another mail has it)."""
    return not (record is not None and record.fingerprint and record.fingerprint.reuses_message_id)


class InMemoryFeedback:
    """FeedbackStore on an InMemoryTickets: its Message-ID index, a log, its hard bounces."""

    def __init__(self, tickets: InMemoryTickets) -> None:
        self.tickets = tickets
        self.entries: dict[tuple[int, str], Event] = {}  # (ticket, key): a PutItem per key
        self.bounces: dict[str, tuple[datetime, str, int | None]] = {}

    def find_sent(self, message_ids: Sequence[str]) -> SentMail | None:
        for message_id in message_ids:
            number = self.tickets.message_ids.get(message_id)
            if number is None:
                continue
            provider_id = message_id.partition("@")[0]
            thread = self.tickets.messages.get(number, [])
            message = next(
                (m for m in thread if message_id == m.message_id or provider_id == m.provider_id),
                None,
            )
            return SentMail(number, message)
        return None

    def add_event(self, number: int, event: Event, key: str) -> None:
        self.entries[(number, key)] = event

    def hard_bounced(self, address: str, at: datetime, reason: str, ticket: int | None) -> None:
        self.tickets.hard_bounced.add(address.lower())
        self.bounces[address.lower()] = (at, reason, ticket)

    def events(self, number: int) -> list[Event]:
        return [e for (n, _), e in self.entries.items() if n == number]


class InMemoryFailureQueue:
    """FailureQueue as SQS keeps it: a received task is hidden until deleted or released."""

    def __init__(self, *tasks: FailedTask, batch: int = 10) -> None:
        self.waiting: dict[str, FailedTask] = {t.id: t for t in tasks}
        self.hidden: dict[str, FailedTask] = {}
        self.deleted: list[str] = []
        self._batch = batch

    def receive(self) -> list[FailedTask]:
        batch = list(self.waiting.values())[: self._batch]
        for task in batch:
            self.hidden[task.id] = self.waiting.pop(task.id)
        return batch

    def delete(self, task: FailedTask) -> None:
        self.hidden.pop(task.id)
        self.deleted.append(task.id)

    def release(self, task: FailedTask) -> None:
        self.waiting[task.id] = self.hidden.pop(task.id)


class RecordingInvoker:
    """Invoker: records each call; `fail` names functions (or payload markers) that fail."""

    def __init__(self, fail: Callable[[str, Mapping[str, Any]], bool] | None = None) -> None:
        self.calls: list[tuple[str, Mapping[str, Any]]] = []
        self._fail = fail or (lambda _function, _payload: False)

    def invoke(self, function: str, payload: Mapping[str, Any]) -> None:
        self.calls.append((function, payload))
        if self._fail(function, payload):
            raise ReplayFailed(f"{function} failed again")


class InMemoryBoard:
    """BoardStore over tickets: the counters their writes' ADDs leave (facts.board_part summed),
    or `raw` as an older table holds them; `calls` names every read, as DynamoDB bills them."""

    def __init__(
        self, tickets: Iterable[Ticket] = (), raw: Mapping[str, Mapping[str, int]] | None = None
    ) -> None:
        self.tickets = {t.number: t for t in tickets}
        self.raw = raw
        self.calls: list[str] = []

    def board_counts(self) -> BoardCounts:
        self.calls.append("board")
        found: dict[str, dict[str, int]] = {}
        for ticket in self.tickets.values():
            for key, names in board_part(ticket).items():
                for name, amount in names.items():
                    found.setdefault(key, {})[name] = found.get(key, {}).get(name, 0) + amount
        board = self.raw if self.raw is not None else found
        queues = {k[2:]: dict(v) for k, v in board.items() if k.startswith("Q#")}
        return BoardCounts(queues, {k[2:]: dict(v) for k, v in board.items() if k[:2] == "A#"})

    def longest_wait(self, queue: str) -> LongestWait | None:
        self.calls.append(f"wait {queue}")
        waits = sorted(
            (t.customer_waiting_since, t.number)
            for t in self.tickets.values()
            if t.queue == queue and t.status in WAITING_ON_AGENT and t.customer_waiting_since
        )
        return LongestWait(ticket=waits[0][1], since=waits[0][0]) if waits else None


class AgentList:
    """AgentListing: the directory, one read."""

    def __init__(self, *agents: Agent) -> None:
        self.agents = list(agents)
        self.calls = 0

    def list_agents(self) -> list[Agent]:
        self.calls += 1
        return list(self.agents)


class InMemoryReportFacts:
    """The report aggregates as ReportFacts: raw facts per day, summaries as their JSON.

    Costs are counted as DynamoDB would pay them: a run of consecutive summaries is one Query,
    the raw cells one Query per month; every summary or raw cell returned is an item.
    """

    def __init__(self) -> None:
        from chalicelib.domain.reports.rollup import Rollup

        self.raw: dict[Any, Rollup] = {}
        self.cells: dict[Any, int] = {}  # raw items per day, for the item count
        self.stored: dict[tuple[str, Any], dict[str, Any]] = {}
        self.board_counts: dict[str, dict[str, int]] = {}
        self.raw_reads: list[Any] = []  # the days read from raw cells, in order

    def record(self, found: Any) -> None:
        """Add a Facts, as the write path's ADDs would (board included)."""
        from chalicelib.domain.reports.histogram import Histogram
        from chalicelib.domain.reports.rollup import Pair, Rollup

        for (day, cell), names in found.counts.items():
            self.raw.setdefault(day, Rollup()).add_counts(day, cell, names)
            self.cells[day] = self.cells.get(day, 0) + 1
        for d in found.durations:
            pair = Pair(Histogram.of([d.calendar_s]), Histogram.of([d.business_s]))
            self.raw.setdefault(d.day, Rollup()).add_durations(d.cell, d.metric, pair)
            self.cells[d.day] = self.cells.get(d.day, 0) + 1
        for key, names in found.board.items():
            board = self.board_counts.setdefault(key, {})
            for name, amount in names.items():
                board[name] = board.get(name, 0) + amount

    def summaries(self, kind: str, firsts: Sequence[Any], cost: Any) -> dict[Any, Any]:
        from chalicelib.adapters.dynamo.reports import runs
        from chalicelib.domain.reports.rollup import from_json

        found = {d: from_json(self.stored[(kind, d)]) for d in firsts if (kind, d) in self.stored}
        cost.queries += len(list(runs(kind, firsts)))
        cost.items += len(found)
        return found

    def raw_days(self, days: Sequence[Any], cost: Any) -> dict[Any, Any]:
        from chalicelib.domain.reports.rollup import Rollup, from_json, to_json

        self.raw_reads += list(days)
        cost.queries += len({(d.year, d.month) for d in days})
        cost.items += sum(self.cells.get(d, 0) for d in days)
        return {d: from_json(to_json(self.raw.get(d, Rollup()))) for d in days}

    def put_summaries(self, kind: str, rollups: Mapping[Any, Any], cost: Any) -> None:
        from chalicelib.domain.reports.rollup import to_json

        for first, rollup in rollups.items():
            self.stored[(kind, first)] = to_json(rollup)
        cost.written += len(rollups)

    def board(self, cost: Any) -> dict[str, dict[str, int]]:
        cost.queries += 1
        cost.items += len(self.board_counts)
        return {k: dict(v) for k, v in self.board_counts.items()}


class RecordingDayMail:
    """DayMailStore: answers `rows` of the asked days (filters applied), records each query."""

    def __init__(self, *rows: MailRow, next_cursor: str | None = None) -> None:
        self.rows = list(rows)
        self.next_cursor = next_cursor
        self.queries: list[MailQuery] = []

    def mail_page(self, query: MailQuery) -> tuple[list[MailRow], str | None]:
        self.queries.append(query)
        found = [
            r
            for r in self.rows
            if (query.kind is None or r.kind is query.kind)
            and (query.queue is None or r.queue == query.queue)
            and (query.agent is None or r.agent == query.agent)
        ]
        return found[: query.limit], self.next_cursor


def _held_to_their_ports() -> None:
    """Never called: mypy checks here that each fake satisfies the port it stands in for."""
    from chalicelib.services import ports

    _clock: ports.Clock = FakeClock()
    _metrics: ports.Metrics = RecordingMetrics()
    _mailer: ports.Mailer = RecordingMailer()
    _scheduler: ports.Scheduler = RecordingScheduler()
    _sla: ports.SlaPlanner = RecordingSla()
    _language: ports.LanguageModel = ScriptedLanguageModel()
    _tickets: ports.TicketStore = InMemoryTickets()
    _desk: ports.DeskStore = InMemoryTickets()
    _feedback: ports.FeedbackStore = InMemoryFeedback(InMemoryTickets())
    _failures: ports.FailureQueue = InMemoryFailureQueue()
    _invoker: ports.Invoker = RecordingInvoker()
    _board: ports.BoardStore = InMemoryBoard()
    _agents: ports.AgentListing = AgentList()
    _day_mail: ports.DayMailStore = RecordingDayMail()
    _report_facts: ports.ReportFacts = InMemoryReportFacts()
