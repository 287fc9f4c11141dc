"""The survey mail (in the customer's language, threaded, two signed links) and the No notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.mail.language import text_direction
from chalicelib.domain.mail.parsed import Address
from chalicelib.domain.survey.model import Survey
from chalicelib.domain.survey.tokens import Answer, SurveyClaim, sign
from chalicelib.domain.tickets.model import Message, MessageKind, Party, Ticket
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.inbound.messages import new_message_id
from chalicelib.services.outgoing import our_message_id, tagged_subject
from chalicelib.services.ports import OutgoingMail, Renderer

# Not an answer to a mail of theirs: RFC 3834 calls mail we start ourselves auto-generated.
SURVEY_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


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
        self._renderer = renderer
        self._routing = routing
        self._name = helpdesk_name
        self._links = links

    def compose(
        self, ticket: Ticket, survey: Survey, sent_at: datetime
    ) -> tuple[OutgoingMail, Message]:
        """The same survey and send time always give the same links (a resend after a failure)."""
        queue = self._queue(ticket)
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
            "helpdesk_name": self._name,
            "direction": text_direction(ticket.language),
            "language": ticket.language,
        }
        rendered = self._renderer.render_mail("survey", ticket.language, context)
        message_id = our_message_id("survey", ticket, survey.id, queue.address)
        mail = OutgoingMail(
            sender=Address(queue.address, self._name),
            to=(Address(ticket.customer_address, ticket.requester.name),),
            subject=tagged_subject(ticket),
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            in_reply_to=ticket.thread_ids[-1] if ticket.thread_ids else None,
            references=ticket.thread_ids,
            headers=SURVEY_HEADERS,
            language=ticket.language,
        )
        message = Message(
            id=new_message_id(sent_at, f"survey-{survey.id}"),
            ticket_number=ticket.number,
            kind=MessageKind.AUTO,
            created_at=sent_at,
            author=Party(queue.address, self._name),
            subject=mail.subject,
            text=rendered.text,
            html=rendered.html,
            to=(ticket.customer_address,),
            message_id=message_id,
            flags=("survey",),
            meta={"survey": survey.id},
        )
        return mail, message

    def notice(self, ticket: Ticket, survey: Survey, comment: str, at: datetime) -> OutgoingMail:
        """To the agent the ticket went back to (else the queue): the customer said No."""
        queue = self._queue(ticket)
        context = {
            "ticket_tag": ticket.tag,
            "ticket_number": ticket.number,
            "subject": ticket.subject,
            "requester": ticket.requester.email,
            "requester_name": ticket.requester.name,
            "queue": ticket.queue,
            "priority": ticket.priority.value,
            "assignee": ticket.assignee or "",
            "comment": comment,
            "answered_at": at.isoformat(timespec="minutes"),
            "helpdesk_name": self._name,
            "language": "en",
            "direction": "ltr",
        }
        rendered = self._renderer.render_mail("survey_notice", "en", context)
        to = ticket.assignee or survey.solver or queue.address
        return OutgoingMail(
            sender=Address(queue.address, self._name),
            to=(Address(to),),
            subject=f"[Survey: not solved] {ticket.tag} {ticket.subject[:120]}",
            text=rendered.text,
            html=rendered.html,
            headers=SURVEY_HEADERS,
            language="en",
        )

    def _queue(self, ticket: Ticket) -> Queue:
        return self._routing.queue_named(ticket.queue)
