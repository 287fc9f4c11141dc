"""SLA notices: the internal mail at a warning (to the assignee or queue) and at a breach."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chalicelib.domain.mail.dates import format_due, format_zone
from chalicelib.domain.sla.policy import Point, PointKind, SlaPolicy
from chalicelib.domain.tickets.model import Priority, Ticket
from chalicelib.domain.tickets.routing import Queue, Routing
from chalicelib.services.outgoing import MailComposer
from chalicelib.services.ports import OutgoingMail, Renderer

TEMPLATES = {PointKind.WARNING: "sla_warning", PointKind.BREACH: "sla_breach"}


class SlaNotices:
    def __init__(
        self,
        renderer: Renderer,
        routing: Routing,
        helpdesk_name: str,
        policy: SlaPolicy,
        warning_addresses: Mapping[str, str] | None = None,
    ) -> None:
        self._mail = MailComposer(renderer, helpdesk_name, routing)
        self._routing = routing
        self._policy = policy
        self._warning_addresses = dict(warning_addresses or {})

    def recipient(self, ticket: Ticket, kind: PointKind) -> str:
        """Warnings go to the assignee, else the queue; breaches to the queue's escalation."""
        queue = self._queue(ticket)
        warned = ticket.assignee or self._warning_addresses.get(queue.name) or queue.address
        if kind is PointKind.BREACH:
            return queue.escalation_address or warned
        return warned

    def compose(
        self, ticket: Ticket, point: Point, now: datetime, was: Priority | None = None
    ) -> OutgoingMail:
        zone = self._policy.calendar_of(ticket.queue).zone  # due times read in the queue's zone
        due = point.due.astimezone(zone)
        context = {
            "previous_priority": (was or ticket.priority).value,
            "vip": ticket.vip,
            "deadline": point.deadline.label,
            "due": format_due(due, "en", now.astimezone(zone)),
            "zone": format_zone(due),
        }
        title = "SLA warning" if point.kind is PointKind.WARNING else "SLA breached"
        return self._mail.notice(
            ticket,
            TEMPLATES[point.kind],
            to=self.recipient(ticket, point.kind),
            subject=f"[{title}] {ticket.tag} {point.deadline.label} due {context['due']}: "
            f"{ticket.subject[:120]}",
            context=context,
        )

    def _queue(self, ticket: Ticket) -> Queue:
        return self._routing.queue_named(ticket.queue)
