"""An agent's reply: sent once through SES from the queue's address, then recorded on the ticket.

Replies come from the address of the ticket's current queue (`[queues.X] address`): after a
transfer to Billing the customer hears from billing@, and a second-line queue configured with
support@ keeps answering from support@. The thread does not depend on the From address: the
subject keeps the ticket tag and References carry the ids the customer's mail program knows.

With an `Idempotency-Key` (domain/desk/reply_keys.py) a repeated request answers with the reply
already made, finishes recording one that was sent, or waits for one being sent; it never mails
the customer a second copy. When SES's answer never comes (a timeout after the request left)
the reply is recorded as possibly sent, flagged for the agent, and never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.desk.drafts import CannedText, Draft, ReplyRequest, draft_of, mail_context
from chalicelib.domain.desk.reply_keys import (
    HEADER,
    ClaimState,
    ReplyClaim,
    fingerprint,
    key_digest,
)
from chalicelib.domain.errors import (
    Conflict,
    DeliveryUnknown,
    DuplicateMessage,
    InvalidInput,
    NotFound,
    StorageError,
    VersionConflict,
)
from chalicelib.domain.mail import threads
from chalicelib.domain.survey.model import note_solver
from chalicelib.domain.tickets.changes import after_agent_reply
from chalicelib.domain.tickets.model import Event, Message, MessageKind, Party, Ticket
from chalicelib.domain.tickets.routing import Routing
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.outgoing import MailComposer, Recorded, our_message_id
from chalicelib.services.ports import (
    CALL_BUDGET,
    Clock,
    DeskStore,
    Mailer,
    OutgoingMail,
    Renderer,
    ReplyClaims,
    SlaPlanner,
)
from chalicelib.services.recording import FactRecorder
from chalicelib.services.unit_of_work import Change, TicketUnit

__all__ = ["Reply", "ReplyRequest", "ReplyService"]

log = logging.getLogger("helpdesk.replies")

DELIVERY_UNKNOWN = "delivery_unknown"  # a message's flag: SES may or may not have sent it


@dataclass(frozen=True)
class Reply:
    ticket: Ticket
    message: Message
    replayed: bool = False  # a repeat of an earlier request with the same Idempotency-Key


class ReplyService:
    def __init__(
        self,
        *,
        store: DeskStore,
        mailer: Mailer,
        renderer: Renderer,
        canned: CannedText,
        sla: SlaPlanner,
        clock: Clock,
        routing: Routing,
        helpdesk_name: str,
        region: str,
        claims: ReplyClaims | None = None,
        recorder: FactRecorder | None = None,
    ) -> None:
        self._recorder = recorder
        self._store = store
        self._mailer = mailer
        self._canned = canned
        self._sla = sla
        self._clock = clock
        self._routing = routing
        self._name = helpdesk_name
        self._region = region
        self._claims = claims
        self._mail = MailComposer(renderer, helpdesk_name, routing)
        self._unit = TicketUnit(store=store, sla=sla, clock=clock, recorder=recorder)

    def reply(
        self, number: int, agent: Agent, request: ReplyRequest, key: str | None = None
    ) -> Reply:
        """Send and record a reply; with an idempotency `key`, at most once for that key."""
        ticket = self._store.get_ticket(number)
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        draft = draft_of(ticket, agent, request, self._canned, self._routing)
        now = self._clock.now()
        if key is None or self._claims is None:
            message, mail = self._compose(ticket, agent, draft, now, new_message_id(now))
            return self._send(ticket, agent, draft, message, mail, None)
        local_id = new_message_id(now, key_digest(agent.id, key)[:16])
        message, mail = self._compose(ticket, agent, draft, now, local_id)
        claim = ReplyClaim(
            agent=agent.id,
            key=key,
            ticket=number,
            fingerprint=fingerprint(number, request),
            at=now,
            local_id=local_id,
            message_id=mail.message_id or "",
            claimed_at=now,
        )
        try:
            held = self._claims.claim(claim)
        except StorageError:  # the claim may have landed: take back ours, or the retry waits
            self._unclaim(claim)
            raise
        if held is None:
            return self._send(ticket, agent, draft, message, mail, claim)
        return self._repeat(ticket, agent, draft, claim, held)

    def _repeat(
        self, ticket: Ticket, agent: Agent, draft: Draft, claim: ReplyClaim, held: ReplyClaim
    ) -> Reply:
        """The key was used before: answer, finish or resend that reply; never a second one."""
        if held.fingerprint != claim.fingerprint:
            raise InvalidInput(HEADER, "was used for another reply: a new reply needs a new key")
        recorded = self._store.get_message(ticket.number, held.local_id)
        if recorded is not None:
            return Reply(ticket, recorded, replayed=True)
        message, _ = self._compose(ticket, agent, draft, held.at, held.local_id, held.message_id)
        if held.state is ClaimState.SENT and held.provider_id:
            sent = replace(message, provider_id=held.provider_id)
            log.info("reply sent before, recording it", extra={"ticket": ticket.number})
            return Reply(self._recorded(ticket, agent, sent, draft, True), sent, replayed=True)
        if held.state is ClaimState.UNKNOWN or held.stale(claim.claimed_at):
            # SES may have it: the customer must not get it twice; the agent is told
            log.warning("reply possibly sent, recording it", extra={"ticket": ticket.number})
            why = "the first request died before SES answered"
            return self._possibly_sent(ticket, agent, draft, message, held, why, replayed=True)
        raise Conflict(f"this reply ({HEADER}) is being sent; ask again in a minute")

    def _send(
        self,
        ticket: Ticket,
        agent: Agent,
        draft: Draft,
        message: Message,
        mail: OutgoingMail,
        claim: ReplyClaim | None,
    ) -> Reply:
        try:
            provider_id = self._mailer.send(mail)
        except StorageError:  # SES answered with an error (or was not reached): nothing went out
            self._forget(claim)
            raise
        except DeliveryUnknown as e:
            return self._possibly_sent(ticket, agent, draft, message, claim, str(e))
        sent = replace(message, provider_id=provider_id)
        log.info("reply sent", extra={"ticket": ticket.number, "ses_id": provider_id})
        try:
            return Reply(self._recorded(ticket, agent, sent, draft, claim is not None), sent)
        except StorageError:
            self._remember_sent(claim, provider_id)
            raise

    def _possibly_sent(
        self,
        ticket: Ticket,
        agent: Agent,
        draft: Draft,
        message: Message,
        claim: ReplyClaim | None,
        why: str,
        *,
        replayed: bool = False,
    ) -> Reply:
        """Recorded as the reply it may be, flagged: the agent checks with the customer."""
        unsure = replace(message, flags=(*message.flags, DELIVERY_UNKNOWN))
        if claim is not None and self._claims is not None:
            try:
                self._claims.save(replace(claim, state=ClaimState.UNKNOWN))
            except StorageError:  # it goes stale, and a stale claim is taken as possibly sent
                log.exception("reply claim not marked unknown", extra={"ticket": claim.ticket})
        note = Event(unsure.created_at, "reply_delivery_unknown", agent.id, {"reason": why[:500]})
        after = self._recorded(ticket, agent, unsure, draft, claim is not None, [note])
        return Reply(after, unsure, replayed=replayed)

    def _unclaim(self, claim: ReplyClaim) -> None:
        """Release this very claim if it is there (and nobody else's): nothing was sent."""
        if self._claims is None:
            return
        released = replace(claim, state=ClaimState.RELEASED, provider_id=None)
        try:
            self._claims.take_over(released, claim)
        except StorageError:  # it goes stale instead: then taken as possibly sent
            log.exception("reply claim not taken back", extra={"ticket": claim.ticket})

    def _forget(self, claim: ReplyClaim | None) -> None:
        if claim is None or self._claims is None:
            return
        try:
            self._claims.release(claim)
        except StorageError:  # it goes stale instead, and a retry after that sends
            log.exception("reply claim not released", extra={"ticket": claim.ticket})

    def _remember_sent(self, claim: ReplyClaim | None, provider_id: str) -> None:
        """Sent but not recorded: the repeat with the same key records it without sending."""
        if claim is None or self._claims is None:
            return
        try:
            self._claims.save(replace(claim, state=ClaimState.SENT, provider_id=provider_id))
        except StorageError:
            log.exception("reply claim not marked sent", extra={"ticket": claim.ticket})

    def _compose(
        self,
        ticket: Ticket,
        agent: Agent,
        draft: Draft,
        now: datetime,
        local_id: str,
        message_id: str | None = None,
    ) -> tuple[Message, OutgoingMail]:
        sender = self._mail.queue_address(ticket)
        rendered = self._mail.render(
            "reply", ticket.language, mail_context(ticket, agent, draft.body, self._name)
        )
        mail = self._mail.to_customer(
            ticket,
            rendered,
            sender=sender,
            message_id=message_id or our_message_id("reply", ticket, local_id, sender),
            cc=tuple(dict.fromkeys((*ticket.cc, *draft.cc))),
        )
        recorded = Recorded(
            id=local_id,
            kind=MessageKind.OUTBOUND,
            author=Party(agent.email, agent.name),
            at=now,
            meta={"from": sender},
        )
        return self._mail.record(ticket, mail, recorded), mail

    def _recorded(
        self,
        ticket: Ticket,
        agent: Agent,
        sent: Message,
        draft: Draft,
        keyed: bool,
        notes: Sequence[Event] = (),
    ) -> Ticket:
        """Write what was sent; a concurrent change is re-read and re-applied, never re-sent.

        A key's PutItem is one AWS call more: one tidying DeleteSchedule fewer keeps the reply
        within 5 calls (a leftover schedule fires once and does nothing)."""
        budget = CALL_BUDGET - 1 if keyed else CALL_BUDGET
        at = sent.created_at
        ses_id = threads.ses_message_id(sent.provider_id, self._region) if sent.provider_id else ""
        replied = Event(at, "replied", agent.id, {"message": sent.id, "ses_id": ses_id})
        used = [Event(at, "template_used", agent.id, {"template": draft.template_id})]
        extra = used if draft.template_id else []

        def decide(current: Ticket, now: datetime) -> Change:
            after, events = after_agent_reply(
                current,
                at=now,
                actor=agent.id,
                status=draft.status,
                cc=draft.cc,
                thread_id=ses_id or None,
            )
            after = note_solver(current, after, agent)  # the survey names who solved it
            index = [ses_id] if ses_id else []
            return Change(after, [replied, *events, *extra, *notes], sent, index_ids=index)

        try:
            return self._unit.change(ticket, decide, at=at, budget=budget)
        except DuplicateMessage:  # a concurrent repeat of the same key recorded it first
            return self._store.get_ticket(ticket.number) or ticket
        except (VersionConflict, NotFound):
            pass
        log.error("reply sent but not recorded", extra={"ticket": ticket.number, "ses": ses_id})
        raise StorageError(f"the reply to {ticket.tag} was sent but could not be recorded")
