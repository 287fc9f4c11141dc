"""The survey mail (in the customer's language, threaded, two signed links) and the No notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.survey.model import Survey
from chalicelib.domain.survey.tokens import Answer, SurveyClaim, sign
from chalicelib.domain.tickets.model import Message, MessageKind, Party, Ticket
from chalicelib.domain.tickets.routing import Routing
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.outgoing import GENERATED_HEADERS, MailComposer, Recorded, our_message_id
from chalicelib.services.ports import OutgoingMail, Renderer


@dataclass(frozen=True)
class Links:
    yes: str
    no: str
    opt_out: str


@dataclass(frozen=True)
class SurveyLinks:
    """Signed, expiring links to the public survey pages."""

    base_url: str  # PUBLIC_BASE_URL: where /survey/{token} is served
    secret: bytes
    validity: timedelta = timedelta(days=28)

    def token(self, ticket: Ticket, survey: Survey, answer: Answer, sent_at: datetime) -> str:
        expires = sent_at + self.validity
        return sign(SurveyClaim(ticket.number, survey.id, answer, expires), self.secret)

    def links(self, ticket: Ticket, survey: Survey, sent_at: datetime) -> Links:
        base = self.base_url.rstrip("/")
        yes = self.token(ticket, survey, Answer.YES, sent_at)
        no = self.token(ticket, survey, Answer.NO, sent_at)
        return Links(f"{base}/survey/{yes}", f"{base}/survey/{no}", f"{base}/survey/{no}/opt-out")


class SurveyMail:
    def __init__(
        self, renderer: Renderer, routing: Routing, helpdesk_name: str, links: SurveyLinks
    ) -> None:
        self._mail = MailComposer(renderer, helpdesk_name, routing)
        self._links = links

    def compose(
        self, ticket: Ticket, survey: Survey, sent_at: datetime
    ) -> tuple[OutgoingMail, Message]:
        """The same survey and send time always give the same links (a resend after a failure)."""
        sender = self._mail.queue_address(ticket)
        links = self._links.links(ticket, survey, sent_at)
        context = {
            "customer_name": ticket.requester.name,
            "ticket_tag": ticket.tag,
            "ticket_number": ticket.number,
            "subject": ticket.subject,
            "agent_name": survey.solver_name,
            "yes_url": links.yes,
            "no_url": links.no,
            "opt_out_url": links.opt_out,
        }
        rendered = self._mail.render("survey", ticket.language, context)
        mail = self._mail.to_customer(
            ticket,
            rendered,
            sender=sender,
            message_id=our_message_id("survey", ticket, survey.id, sender),
            headers=GENERATED_HEADERS,  # not an answer to a mail of theirs
        )
        recorded = Recorded(
            id=new_message_id(sent_at, f"survey-{survey.id}"),
            kind=MessageKind.AUTO,
            author=Party(sender, self._mail.name),
            at=sent_at,
            flags=("survey",),
            meta={"survey": survey.id},
        )
        return mail, self._mail.record(ticket, mail, recorded)

    def notice(self, ticket: Ticket, survey: Survey, comment: str, at: datetime) -> OutgoingMail:
        """To the agent the ticket went back to (else the queue): the customer said No."""
        return self._mail.notice(
            ticket,
            "survey_notice",
            to=ticket.assignee or survey.solver or self._mail.queue_address(ticket),
            subject=f"[Survey: not solved] {ticket.tag} {ticket.subject[:120]}",
            context={"comment": comment, "answered_at": at.isoformat(timespec="minutes")},
        )
