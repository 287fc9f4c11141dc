"""Ports: everything the use cases need from outside, as Protocols the adapters implement.

One module so that a newcomer (and mypy, through the typed bootstrap) sees every boundary in one
place: mail in and out, the ticket table and its views, agents, templates, held mail, the SLA
schedules and firings, the survey and its answer records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from chalicelib.domain.desk.action_keys import ActionClaim
from chalicelib.domain.desk.agents import Agent, ApiToken
from chalicelib.domain.desk.canned import CannedTemplate, Feedback
from chalicelib.domain.desk.reply_keys import ReplyClaim
from chalicelib.domain.mail.delivery import HeldMail, MailRecord, QuarantineEntry, RateLimit
from chalicelib.domain.mail.language import ModelGuess
from chalicelib.domain.mail.parsed import Address, ParsedAttachment
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.reports.history import TicketLog
from chalicelib.domain.reports.rollup import Rollup
from chalicelib.domain.sla.firing import FiringMark
from chalicelib.domain.survey.csat import CsatRecord
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Ticket

CALL_BUDGET = 2  # scheduler calls per write, met for new tickets, customer and agent replies


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class RawMailStore(Protocol):
    def get_raw(self, mail_id: str) -> bytes: ...

    def put_attachment(self, mail_id: str, index: int, attachment: ParsedAttachment) -> str:
        """Store one attachment beside the raw mail; returns its key. Same input, same key."""
        ...


@dataclass(frozen=True)
class OutgoingMail:
    sender: Address
    to: tuple[Address, ...]
    subject: str
    text: str
    html: str | None = None
    cc: tuple[Address, ...] = ()
    message_id: str | None = None  # ours, without brackets; SES replaces it but keeps References
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    language: str = "en"


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> str:
        """Send through SES; returns the SES MessageId. Raises MailRejected or StorageError."""
        ...


@dataclass(frozen=True)
class RenderedMail:
    text: str
    html: str


class Renderer(Protocol):
    def render_mail(
        self, template: str, language: str, context: Mapping[str, Any]
    ) -> RenderedMail: ...


class Scheduler(Protocol):
    def create(self, name: str, at: datetime, payload: Mapping[str, Any]) -> bool:
        """Create a one-time schedule; False when one of that name exists already."""
        ...

    def delete(self, name: str) -> bool:
        """Delete a schedule; False when it was not there (already fired or deleted)."""
        ...


class LanguageModel(Protocol):
    def identify(self, text: str) -> ModelGuess | None:
        """A statistical model's top guess of the text's language; None when it has none."""
        ...


class SlaPlanner(Protocol):
    """The SLA clock, in two steps around every ticket write.

    `plan` is pure: it returns `after` with its deadlines (first response, next response,
    resolution, sla_state) set for what changed since `before` (None for a new ticket), and
    the events to log with it (a deadline met or missed); the caller writes both in its own
    transaction. `sync_schedules` runs after the write: it creates the schedules `after` needs
    and deletes those only `before` had. Both are idempotent.
    """

    def plan(
        self, before: Ticket | None, after: Ticket, at: datetime
    ) -> tuple[Ticket, list[Event]]: ...

    def sync_schedules(
        self, before: Ticket | None, after: Ticket, budget: int = CALL_BUDGET
    ) -> None:
        """`budget`: scheduler calls the caller can spend on deletes that are only tidying."""
        ...


class Metrics(Protocol):
    def count(self, name: str, reason: str | None = None) -> None: ...


@dataclass(frozen=True)
class ThreadLookup:
    by_message_id: Mapping[str, int]
    tickets: Mapping[int, Ticket]
    sent_to: Mapping[str, frozenset[str]] = field(default_factory=dict)  # our ids: to whom


class VersionedTickets(Protocol):
    """What the unit of work needs: a ticket read, and writes at the version it was read."""

    def get_ticket(self, number: int) -> Ticket | None: ...

    def update_ticket(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        """One transaction. Raises VersionConflict when the ticket changed."""
        ...

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
        """One transaction. Raises AlreadyProcessed, DuplicateMessage or VersionConflict.

        `index_ids` are more Message-IDs that should thread to this ticket (an outbound
        message's SES id); `record` is None for messages that did not come by mail.
        """
        ...


class TicketStore(VersionedTickets, Protocol):
    def allocate_number(self) -> int: ...

    def get_mail_record(self, mail_id: str) -> MailRecord | None: ...

    def get_message(self, number: int, message_id: str) -> Message | None:
        """One message of a ticket's thread, by its id there (not its Message-ID header)."""
        ...

    def find_threads(self, message_ids: Sequence[str], numbers: Iterable[int]) -> ThreadLookup:
        """Tickets of these Message-IDs and these ticket numbers, in as few reads as possible."""
        ...

    def message_excess(self, message: Message) -> int:
        """Bytes by which this message is over what one stored item may hold; 0 or less fits.

        Pure (no AWS call): the size of the item the message would be written as."""
        ...

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
        """One transaction. Raises AlreadyProcessed, DuplicateMessage, or AckRefused.

        With a `rate_limit` (an acknowledgement is owed), the transaction also counts it and
        checks that the sender's address has not hard-bounced: RateLimited or HardBounced.
        """
        ...

    def record_sent(
        self,
        *,
        record: MailRecord,
        message: Message,
        ids: Sequence[str],
        ticket: Ticket | None = None,
    ) -> None:
        """After a send: store the sent message, index its ids, update the delivery record.

        `ticket` (its queue and assignee) puts the message on the day's mail."""
        ...

    def save_record(self, record: MailRecord, events: Sequence[Event] = ()) -> None:
        """The delivery record, and events for its ticket (what became of the acknowledgement)."""
        ...

    def release_ack_claim(self, mail_id: str) -> None:
        """CLAIMED → FAILED if the record exists and still says CLAIMED: nothing was sent, and
        the retry should send. A no-op when the record is missing or moved on."""
        ...

    def quarantine(self, *, entry: QuarantineEntry, record: MailRecord) -> None:
        """One transaction. Raises AlreadyProcessed."""
        ...

    def list_quarantine(self, limit: int = 50) -> list[QuarantineEntry]: ...


class PartitionKind(StrEnum):
    """The lists the table keeps sorted (one index each); the adapter knows their keys."""

    QUEUE = "queue"  # a queue's tickets of one status group
    ASSIGNEE = "assignee"  # an agent's tickets ("-" for unassigned) of one status group
    STATUS = "status"  # every ticket of one status group
    REQUESTER = "requester"  # a customer's tickets, newest first
    UNASSIGNED = "unassigned"  # a queue's unassigned tickets of one status group
    FLAG = "flag"  # tickets waiting on us whose SLA is at risk or breached


@dataclass(frozen=True)
class ViewQuery:
    """One Query: a partition, read in order, with the (rare) filters the partition cannot key."""

    kind: PartitionKind
    value: str
    group: str = ""
    newest_first: bool = False
    statuses: tuple[str, ...] = ()
    queue: str | None = None
    assignee: str | None = None
    unassigned_only: bool = False
    limit: int = 50
    cursor: str | None = None

    @property
    def filtered(self) -> bool:
        return bool(self.statuses or self.queue or self.assignee or self.unassigned_only)


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    cursor: str | None


@dataclass(frozen=True)
class TicketRecord:
    """A ticket's whole partition: the ticket, its thread oldest first, its event log."""

    ticket: Ticket
    messages: list[Message]
    events: list[Event]


class ViewStore(Protocol):
    def query_view(self, query: ViewQuery) -> Page:
        """Raises InvalidInput("cursor") for a cursor that is not one of this query's."""
        ...

    def ticket_record(self, number: int) -> TicketRecord | None: ...


@dataclass(frozen=True)
class BoardCounts:
    """The live board's counters as stored, per queue and per agent: name → value, any of them
    missing or below zero on a table older than the write path (domain/reports/board.py)."""

    queues: Mapping[str, Mapping[str, int]]
    agents: Mapping[str, Mapping[str, int]]
    queries: int = 1  # the Queries it took (one page: the items are a few dozen bytes each)


@dataclass(frozen=True)
class LongestWait:
    ticket: int
    since: datetime


class BoardStore(Protocol):
    """The manager's live board: a read costs O(queues), whatever the backlog."""

    def board_counts(self) -> BoardCounts:
        """Every counter of the board, in one Query of its partition."""
        ...

    def longest_wait(self, queue: str) -> LongestWait | None:
        """The queue's ticket whose customer has waited on an agent longest: one Query (Limit 1)
        of an eventually consistent index, so a ticket answered a moment ago may still show."""
        ...


@dataclass(frozen=True)
class MailRow:
    """One mail in or out, as the day's-mail index keeps it (no body: a row, not the message)."""

    at: datetime
    kind: MessageKind  # inbound, outbound or auto (never a note)
    ticket: int
    queue: str
    agent: str | None  # the ticket's assignee when the mail was written
    subject: str
    sender: str
    sender_name: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class MailQuery:
    """Desk-local days `first` to `last` (included), oldest first, one Query per page."""

    first: date
    last: date
    kind: MessageKind | None = None
    queue: str | None = None
    agent: str | None = None
    limit: int = 100
    cursor: str | None = None


class DayMailStore(Protocol):
    def mail_page(self, query: MailQuery) -> tuple[list[MailRow], str | None]:
        """One Query of one day's partition. The cursor resumes after it: in the same day, or
        at the start of the next day of the range once a day is read to its end (so a page may
        hold fewer rows than asked, even none, with more to come). Raises InvalidInput("cursor")
        for a cursor that is not of this range."""
        ...


class DeskStore(TicketStore, Protocol):
    def add_to_thread(
        self, *, message: Message, events: Sequence[Event], claim: ActionClaim | None = None
    ) -> None:
        """A message that changes nothing on the ticket (a note), with the claim of the key it
        was asked with, in one transaction. Raises NotFound, or KeyUsed when the key acted."""
        ...

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
        """The ticket at its version, its events, maybe a note, and the claim of the key the
        change was asked with: one transaction. Raises VersionConflict, or KeyUsed."""
        ...

    def action_claim(self, agent: str, key: str) -> ActionClaim | None:
        """What the agent's key did, read consistently; None when the key is new (or forgotten)."""
        ...


class Presigner(Protocol):
    def presign(self, key: str, *, filename: str | None = None, expires: int = 300) -> str: ...


class HtmlSanitizer(Protocol):
    def __call__(self, html: str, inline_images: Mapping[str, str]) -> str:
        """Safe HTML; `cid:` images point at `inline_images[content_id]`."""
        ...


class AgentDirectory(Protocol):
    def get(self, agent_id: str) -> Agent:
        """Raises NotFound."""
        ...


class TemplateEngine(Protocol):
    def check(self, source: str) -> None:
        """Raises InvalidInput("body") for a template that may not be saved."""
        ...

    def render(self, source: str, values: Mapping[str, str]) -> str:
        """Raises InvalidInput("template_id") when the template fails to render."""
        ...


class TemplateStore(Protocol):
    def get_template(self, template_id: str) -> CannedTemplate | None: ...

    def list_templates(self) -> list[CannedTemplate]: ...

    def create_template(self, template: CannedTemplate) -> None: ...

    def save_template(self, template: CannedTemplate, expected_version: int) -> None:
        """Raises VersionConflict."""
        ...

    def get_feedback(self, template_id: str, agent: str) -> Feedback | None: ...

    def list_feedback(self, template_id: str, limit: int) -> list[Feedback]: ...

    def put_feedback(self, feedback: Feedback, previous: Feedback | None) -> None:
        """Stores the agent's vote and moves the counts. Raises VersionConflict, NotFound."""
        ...


class HeldMailStore(Protocol):
    def get_held(self, mail_id: str) -> HeldMail | None: ...

    def list_held(self, limit: int, cursor: str | None) -> tuple[list[HeldMail], str | None]:
        """Newest first. Raises InvalidInput("cursor")."""
        ...

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
        """One transaction: the ticket, its first message, the delivery record and the entry.

        Raises Conflict when the entry was decided meanwhile, DuplicateMessage when its
        Message-ID is already on a ticket.
        """
        ...

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
        """One transaction: the held mail joins an existing ticket as the customer's reply.

        Raises Conflict when the entry was decided meanwhile, VersionConflict when the ticket
        changed, DuplicateMessage when its Message-ID is already on a ticket.
        """
        ...

    def mark_spam(self, *, held: HeldMail, by: str, at: datetime) -> None:
        """Raises Conflict when the entry was decided meanwhile."""
        ...


class SurveyStore(Protocol):
    def get_ticket(self, number: int) -> Ticket | None: ...

    def creation_reasons(self, ticket: Ticket) -> list[str]:
        """Why the acknowledgement was suppressed when the ticket was created (may be none)."""
        ...

    def claim_send(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        message: Message,
        events: Sequence[Event],
        customer: str,
        facts: Facts | None = None,
    ) -> None:
        """One transaction: the ticket (survey sent), the mail on its thread, its events, and
        a check that `customer` has not opted out. Raises OptedOut or VersionConflict."""
        ...

    def update_ticket(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        """One transaction. Raises VersionConflict."""
        ...

    def record_answer(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        record: CsatRecord,
        message: Message | None,
        events: Sequence[Event],
        facts: Facts | None = None,
    ) -> None:
        """One transaction: the ticket, its answer record, the comment. Raises VersionConflict."""
        ...

    def opt_out(self, address: str, at: datetime, ticket: int) -> None: ...


class CsatRecords(Protocol):
    def csat_records(self, since: datetime, until: datetime) -> list[CsatRecord]:
        """Answers recorded in [since, until), by month, without reading tickets."""
        ...


class FiringStore(Protocol):
    def read_firing(self, number: int, schedule: str) -> tuple[Ticket | None, FiringMark | None]:
        """The ticket and the mark of this schedule, in one read."""
        ...

    def record_firing(
        self,
        *,
        ticket: Ticket,
        expected_version: int,
        events: Sequence[Event],
        mark: FiringMark,
        facts: Facts | None = None,
    ) -> None:
        """One transaction. Raises AlreadyFired or VersionConflict."""
        ...

    def save_mark(self, mark: FiringMark) -> None: ...


class AgentListing(Protocol):
    """The agent directory as a list (one Query): names for reports and the board."""

    def list_agents(self) -> list[Agent]: ...


class AgentStore(Protocol):
    def get_agent(self, agent_id: str) -> Agent | None: ...

    def list_agents(self) -> list[Agent]: ...

    def create_agent(self, agent: Agent) -> None:
        """Raises Conflict when an agent with that id exists."""
        ...

    def save_agent(self, agent: Agent) -> None: ...

    def add_token(self, token: ApiToken) -> None: ...

    def token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def list_tokens(self, agent_id: str) -> list[ApiToken]: ...

    def revoke_token(self, token: ApiToken) -> None: ...


@dataclass(frozen=True)
class SentMail:
    """A mail we sent, found by its Message-ID: its ticket, and its copy on the thread."""

    ticket_number: int
    message: Message | None


class FeedbackStore(Protocol):
    """Where SES's word about a sent mail (a bounce, a complaint) is kept."""

    def find_sent(self, message_ids: Sequence[str]) -> SentMail | None:
        """The ticket of the first of these Message-IDs we know (MSGID items)."""
        ...

    def add_event(self, number: int, event: Event, key: str) -> None:
        """One entry on the ticket's log; the same `key` again writes the same entry."""
        ...

    def hard_bounced(self, address: str, at: datetime, reason: str, ticket: int | None) -> None:
        """Remember that the address takes no mail: acknowledgements to it stop."""
        ...


@dataclass(frozen=True)
class FailedTask:
    """An asynchronous invocation that failed for good, kept in a failure queue."""

    id: str  # the queue's message id
    receipt: str  # what deleting or releasing it needs
    function: str  # the function to invoke again (name or ARN)
    payload: Mapping[str, Any]  # the event it got
    why: str = ""  # what the record says went wrong


class FailureQueue(Protocol):
    def receive(self) -> list[FailedTask]:
        """Up to a batch of tasks, hidden from other readers until released or deleted."""
        ...

    def delete(self, task: FailedTask) -> None: ...

    def release(self, task: FailedTask) -> None:
        """Visible again at once: for the next replay, and for the alarm."""
        ...


class Invoker(Protocol):
    def invoke(self, function: str, payload: Mapping[str, Any]) -> None:
        """Run the function on the payload and wait; raises ReplayFailed when it fails."""
        ...


@dataclass(frozen=True)
class ScannedTickets:
    """One page of the backfill's Scan: the tickets whose partitions it finished, and how many
    items it read."""

    logs: list[TicketLog]
    scanned: int


@dataclass(frozen=True)
class Rebuilt:
    put: int  # report items written whole
    deleted: int  # stale report items (and the read side's summaries) removed


class ReportRebuild(Protocol):
    """The backfill's table: the one place the helpdesk Scans."""

    def estimate(self) -> int:
        """About how many items the table holds (for the ETA)."""
        ...

    def scan(self, segment: int, segments: int) -> Iterable[ScannedTickets]:
        """The tickets of one Scan segment, each with its whole partition; it also notes the
        report items it meets."""
        ...

    def replace_reports(
        self,
        found: Facts,
        board: Mapping[str, Mapping[str, int]] | None,
        *,
        before: str | None,
        dry_run: bool,
    ) -> Rebuilt:
        """Put the report items these totals make, delete the ones they do not (only months
        before `before` when given; the board only when given)."""
        ...

    def changed_since(self, at: datetime) -> list[int]:
        """Tickets written at or after `at`."""
        ...


class ReplyClaims(Protocol):
    def claim(self, claim: ReplyClaim) -> ReplyClaim | None:
        """Write the claim unless the agent's key is taken; returns the claim already there."""
        ...

    def take_over(self, claim: ReplyClaim, stale: ReplyClaim) -> bool:
        """Replace `stale` with `claim`, only if `stale` is still what is stored."""
        ...

    def save(self, claim: ReplyClaim) -> None: ...

    def release(self, claim: ReplyClaim) -> None:
        """Forget the claim: nothing was sent, the key may be used again."""
        ...


class Releaser(Protocol):
    """services.inbound.release.QuarantineRelease: held mail becomes a ticket or a reply."""

    def release(self, mail_id: str, by_agent: str, held: HeldMailStore) -> object: ...

    def append(self, mail_id: str, by_agent: str, held: HeldMailStore) -> object:
        """The held reply joins the ticket it claimed (an agent vouches for the sender)."""
        ...


@dataclass
class ReadCost:
    """What one report read from the table (and the summaries it wrote on the way)."""

    queries: int = 0
    items: int = 0
    written: int = 0


class ReportFacts(Protocol):
    """The report aggregates (adapters/dynamo/aggregates.py) and their summaries, by local day.

    `kind` is "D" (days: `firsts` are the days) or "M" (months: `firsts` are their first days).
    """

    def summaries(self, kind: str, firsts: Sequence[date], cost: ReadCost) -> dict[date, Rollup]:
        """The stored summaries among those asked for (missing ones are left out)."""
        ...

    def raw_days(self, days: Sequence[date], cost: ReadCost) -> dict[date, Rollup]:
        """The days read from their raw cells: every day asked for, empty when nothing happened."""
        ...

    def put_summaries(self, kind: str, rollups: Mapping[date, Rollup], cost: ReadCost) -> None:
        """Store summaries (idempotent: the same facts make the same item)."""
        ...

    def board(self, cost: ReadCost) -> dict[str, dict[str, int]]:
        """The live board now: `Q#<queue>` and `A#<agent>` → their counters."""
        ...
