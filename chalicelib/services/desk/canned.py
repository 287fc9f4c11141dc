"""Canned answers: admins write and retire them, agents use them and say whether they helped."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.desk.canned import (
    MAX_COMMENT_CHARS,
    MAX_NAME_CHARS,
    CannedTemplate,
    Feedback,
    placeholder_values,
)
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, VersionConflict
from chalicelib.domain.mail.language import SUPPORTED
from chalicelib.domain.tickets.model import Ticket
from chalicelib.services.ports import Clock, TemplateEngine, TemplateStore, TicketStore

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FEEDBACK_SHOWN = 20


class CannedTemplates:
    def __init__(
        self,
        *,
        store: TemplateStore,
        engine: TemplateEngine,
        tickets: TicketStore,
        clock: Clock,
        helpdesk_name: str,
    ) -> None:
        self._store = store
        self._engine = engine
        self._tickets = tickets
        self._clock = clock
        self._name = helpdesk_name

    def create(self, admin: Agent, *, name: str, language: str, body: str) -> CannedTemplate:
        now = self._clock.now()
        template = CannedTemplate(
            id=secrets.token_hex(5),
            name=_name(name),
            language=_language(language),
            body=self._body(body),
            created_at=now,
            created_by=admin.id,
            updated_at=now,
            updated_by=admin.id,
        )
        self._store.create_template(template)
        return template

    def update(
        self,
        template_id: str,
        admin: Agent,
        *,
        name: str | None = None,
        language: str | None = None,
        body: str | None = None,
        version: int | None = None,
    ) -> CannedTemplate:
        template = self.get(template_id)
        if version is not None and version != template.version:
            raise Conflict(f"template {template_id} changed since version {version}", template)
        changed = replace(
            template,
            name=_name(name) if name is not None else template.name,
            language=_language(language) if language is not None else template.language,
            body=self._body(body) if body is not None else template.body,
        )
        return self._save(template, changed, admin)

    def retire(self, template_id: str, admin: Agent) -> CannedTemplate:
        """Kept for history (replies name the template they used); no longer offered."""
        template = self.get(template_id)
        if not template.active:
            return template
        return self._save(template, replace(template, retired_at=self._clock.now()), admin)

    def get(self, template_id: str) -> CannedTemplate:
        template = self._store.get_template(template_id)
        if template is None:
            raise NotFound(f"no template {template_id}")
        return template

    def available(
        self, language: str | None = None, include_retired: bool = False
    ) -> list[CannedTemplate]:
        wanted = _language(language) if language else None
        found = [
            t
            for t in self._store.list_templates()
            if (include_retired or t.active) and (wanted is None or t.language == wanted)
        ]
        return sorted(found, key=lambda t: (t.language, t.name.lower(), t.id))

    def feedback(self, template_id: str) -> list[Feedback]:
        return self._store.list_feedback(template_id, FEEDBACK_SHOWN)

    def render(self, template_id: str, ticket_number: int, agent: Agent) -> str:
        ticket = self._tickets.get_ticket(ticket_number)
        if ticket is None:
            raise InvalidInput("ticket", f"no ticket {ticket_number}")
        return self._render(self.get(template_id), ticket, agent)

    def text_for(self, template_id: str, ticket: Ticket, agent: Agent) -> str:
        """The body of a reply written with a template (CannedText, for replies)."""
        template = self._store.get_template(template_id)
        if template is None or not template.active:
            raise InvalidInput("template_id", f"no active template {template_id}")
        return self._render(template, ticket, agent)

    def give_feedback(
        self, template_id: str, agent: Agent, helpful: bool, comment: str = ""
    ) -> CannedTemplate:
        text = _CONTROL.sub("", comment).strip()
        if len(text) > MAX_COMMENT_CHARS:
            raise InvalidInput("comment", f"at most {MAX_COMMENT_CHARS} characters")
        for _ in range(2):
            previous = self._store.get_feedback(template_id, agent.id)
            feedback = Feedback(template_id, agent.id, helpful, self._clock.now(), text)
            try:
                self._store.put_feedback(feedback, previous)
                break
            except VersionConflict:
                continue
        else:
            raise Conflict("your feedback changed meanwhile; try again")
        return self.get(template_id)

    def _render(self, template: CannedTemplate, ticket: Ticket, agent: Agent) -> str:
        return self._engine.render(template.body, placeholder_values(ticket, agent, self._name))

    def _save(self, before: CannedTemplate, after: CannedTemplate, admin: Agent) -> CannedTemplate:
        saved = replace(
            after, updated_at=self._clock.now(), updated_by=admin.id, version=before.version + 1
        )
        try:
            self._store.save_template(saved, before.version)
        except VersionConflict:
            raise Conflict(f"template {before.id} changed meanwhile", self.get(before.id)) from None
        return saved

    def _body(self, body: str) -> str:
        text = _CONTROL.sub("", body.replace("\r\n", "\n")).strip()
        if not text:
            raise InvalidInput("body", "is required")
        self._engine.check(text)
        return text


def _name(name: str) -> str:
    text = " ".join(_CONTROL.sub(" ", name).split())
    if not text:
        raise InvalidInput("name", "is required")
    if len(text) > MAX_NAME_CHARS:
        raise InvalidInput("name", f"at most {MAX_NAME_CHARS} characters")
    return text


def _language(language: str) -> str:
    if language not in SUPPORTED:
        raise InvalidInput("language", f"must be one of {', '.join(SUPPORTED)}")
    return language
