"""Agents and their API tokens: create, list, issue, revoke, authenticate."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import replace

from chalicelib.domain.desk.agents import (
    Agent,
    ApiToken,
    IssuedToken,
    Role,
    hash_token,
    looks_like_token,
    new_token,
)
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Unauthorized
from chalicelib.domain.mail.addresses import header_safe, is_valid, normalise
from chalicelib.services.ports import AgentStore, Clock

AUTH_CACHE_SECONDS = 60  # a revoked token stops working within this time on a warm container


class AgentService:
    def __init__(self, store: AgentStore, clock: Clock, queues: Sequence[str]) -> None:
        self._store = store
        self._clock = clock
        self._queues = tuple(queues)
        self._cache: dict[str, tuple[float, Agent]] = {}

    def create(
        self,
        *,
        email: str,
        name: str,
        role: str = "agent",
        title: str = "",
        queues: Sequence[str] = (),
        languages: Sequence[str] = (),
    ) -> Agent:
        agent = Agent(
            id=self._email(email),
            email=self._email(email),
            name=self._text("name", name, required=True),
            title=self._text("title", title),
            role=self._role(role),
            queues=self._known_queues(queues),
            languages=tuple(dict.fromkeys(str(lang).lower()[:8] for lang in languages)),
            created_at=self._clock.now(),
        )
        self._store.create_agent(agent)
        return agent

    def update(self, agent_id: str, **changes: object) -> Agent:
        agent = self.get(agent_id)
        fields: dict[str, object] = {}
        if "name" in changes:
            fields["name"] = self._text("name", str(changes["name"]), required=True)
        if "title" in changes:
            fields["title"] = self._text("title", str(changes["title"]))
        if "role" in changes:
            fields["role"] = self._role(str(changes["role"]))
        if "queues" in changes:
            fields["queues"] = self._known_queues(_strings("queues", changes["queues"]))
        if "languages" in changes:
            fields["languages"] = tuple(_strings("languages", changes["languages"]))
        if "active" in changes:
            fields["active"] = bool(changes["active"])
        updated = replace(agent, **fields)  # type: ignore[arg-type]
        self._store.save_agent(updated)
        self._cache.clear()
        return updated

    def get(self, agent_id: str) -> Agent:
        agent = self._store.get_agent(normalise(agent_id))
        if agent is None:
            raise NotFound(f"no agent {agent_id}")
        return agent

    def all(self) -> list[Agent]:
        return self._store.list_agents()

    def issue_token(self, agent_id: str, label: str = "") -> IssuedToken:
        agent = self.get(agent_id)
        issued = new_token(agent.id, self._clock.now(), self._text("label", label))
        self._store.add_token(issued.token)
        return issued

    def tokens(self, agent_id: str) -> list[ApiToken]:
        return self._store.list_tokens(self.get(agent_id).id)

    def revoke_token(self, agent_id: str, token_id: str) -> ApiToken:
        for token in self.tokens(agent_id):
            if token.id == token_id:
                revoked = replace(token, revoked_at=self._clock.now())
                self._store.revoke_token(revoked)
                self._cache.clear()
                return revoked
        raise NotFound(f"agent {agent_id} has no token {token_id}")

    def authenticate(self, authorization: str | None) -> Agent:
        """The agent behind an `Authorization: Bearer <token>` header, or Unauthorized."""
        secret = _bearer(authorization)
        digest = hash_token(secret)
        cached = self._cache.get(digest)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        token = self._store.token_by_hash(digest)
        if token is None or token.revoked_at is not None:
            raise Unauthorized("unknown or revoked token")
        agent = self._store.get_agent(token.agent_id)
        if agent is None or not agent.active:
            raise Unauthorized("the token's agent is not active")
        self._cache[digest] = (time.monotonic() + AUTH_CACHE_SECONDS, agent)
        return agent

    def ensure_admin(self, email: str, name: str) -> IssuedToken:
        """Create the first admin if missing, and give it a fresh token (the local stack)."""
        with contextlib.suppress(Conflict):
            self.create(email=email, name=name, role=Role.ADMIN.value, queues=self._queues)
        return self.issue_token(email, "local admin")

    def _email(self, email: str) -> str:
        address = normalise(str(email))
        if not is_valid(address):
            raise InvalidInput("email", "not an email address")
        return address

    def _role(self, role: str) -> Role:
        try:
            return Role(role)
        except ValueError as e:
            raise InvalidInput("role", "must be agent or admin") from e

    def _known_queues(self, queues: Sequence[str]) -> tuple[str, ...]:
        unknown = [q for q in queues if q not in self._queues]
        if unknown:
            raise InvalidInput("queues", f"unknown queue {unknown[0]!r}")
        return tuple(dict.fromkeys(queues))

    @staticmethod
    def _text(field: str, value: str, *, required: bool = False, limit: int = 200) -> str:
        text = header_safe(str(value), limit)
        if required and not text:
            raise InvalidInput(field, "is required")
        return text


def _bearer(authorization: str | None) -> str:
    scheme, _, secret = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not looks_like_token(secret.strip()):
        raise Unauthorized("send Authorization: Bearer <token>")
    return secret.strip()


def _strings(field: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field, "must be a list of strings")
    return list(value)
