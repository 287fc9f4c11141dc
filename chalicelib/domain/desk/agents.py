"""Agents, their roles, and API tokens (random, shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

TOKEN_PREFIX = "hd_"  # noqa: S105 - a prefix that makes leaked tokens easy to spot


class Role(StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


@dataclass(frozen=True)
class Agent:
    id: str  # the agent's email address, lower-case
    name: str
    email: str
    role: Role = Role.AGENT
    title: str = ""
    queues: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    active: bool = True
    created_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class ApiToken:
    id: str
    agent_id: str
    token_hash: str
    created_at: datetime
    label: str = ""
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """The only moment the secret exists in clear: returned once to whoever asked for it."""

    token: ApiToken
    secret: str = field(repr=False)


def new_token(agent_id: str, at: datetime, label: str = "") -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=secrets.token_hex(6),
        agent_id=agent_id,
        token_hash=hash_token(secret),
        created_at=at,
        label=label,
    )
    return IssuedToken(token, secret)


def hash_token(secret: str) -> str:
    """A fast hash is right here: the tokens are 256 random bits, not passwords."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= 100 and value.isascii()
