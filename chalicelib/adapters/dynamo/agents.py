"""AgentStore on DynamoDB.

PK / SK                          what
AGENTS / <agent id>              an agent's profile (one partition: listing is one Query)
AGENT#<agent id> / TOKEN#<id>    a token's record, for listing and revoking
TOKEN#<sha256> / TOKEN           the lookup by hash that authentication reads
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamo.items import parse_ts, ts
from chalicelib.adapters.dynamo.table import DynamoTable, Item
from chalicelib.domain.desk.agents import Agent, ApiToken, Role
from chalicelib.domain.errors import Conflict, StorageError


def agent_to_item(agent: Agent) -> Item:
    return {
        "PK": "AGENTS",
        "SK": agent.id,
        "type": "agent",
        "name": agent.name,
        "email": agent.email,
        "role": agent.role.value,
        "title": agent.title,
        "queues": list(agent.queues),
        "languages": list(agent.languages),
        "active": agent.active,
        "created_at": ts(agent.created_at) if agent.created_at else None,
    }


def agent_from_item(item: Item) -> Agent:
    return Agent(
        id=item["SK"],
        name=item.get("name", ""),
        email=str(item.get("email", item["SK"])),
        role=Role(item.get("role", "agent")),
        title=item.get("title", ""),
        queues=tuple(item.get("queues", ())),
        languages=tuple(item.get("languages", ())),
        active=bool(item.get("active", True)),
        created_at=parse_ts(item.get("created_at")),
    )


def _token_items(token: ApiToken) -> list[Item]:
    common = {
        "type": "token",
        "token_id": token.id,
        "agent_id": token.agent_id,
        "token_hash": token.token_hash,
        "created_at": ts(token.created_at),
        "label": token.label,
        "revoked_at": ts(token.revoked_at) if token.revoked_at else None,
    }
    return [
        {"PK": f"AGENT#{token.agent_id}", "SK": f"TOKEN#{token.id}", **common},
        {"PK": f"TOKEN#{token.token_hash}", "SK": "TOKEN", **common},
    ]


def _token_from_item(item: Item) -> ApiToken:
    return ApiToken(
        id=item["token_id"],
        agent_id=item["agent_id"],
        token_hash=item["token_hash"],
        created_at=datetime.fromisoformat(item["created_at"]),
        label=item.get("label", ""),
        revoked_at=parse_ts(item.get("revoked_at")),
    )


class DynamoAgentStore(DynamoTable):
    def get_agent(self, agent_id: str) -> Agent | None:
        item = self.get({"PK": "AGENTS", "SK": agent_id})
        return agent_from_item(item) if item else None

    def list_agents(self) -> list[Agent]:
        found, _ = self.query(KeyConditionExpression="PK = :pk", values={":pk": "AGENTS"})
        return [agent_from_item(i) for i in found]

    def create_agent(self, agent: Agent) -> None:
        if self.transact([self.put_new(agent_to_item(agent))]) is not None:
            raise Conflict(f"an agent {agent.id} exists already")

    def save_agent(self, agent: Agent) -> None:
        self.put_item(agent_to_item(agent))

    def add_token(self, token: ApiToken) -> None:
        if self.transact([self.put_new(i) for i in _token_items(token)]) is not None:
            raise StorageError("token collision")

    def revoke_token(self, token: ApiToken) -> None:
        self.transact([self.put(i) for i in _token_items(token)])

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        item = self.get({"PK": f"TOKEN#{token_hash}", "SK": "TOKEN"})
        return _token_from_item(item) if item else None

    def list_tokens(self, agent_id: str) -> list[ApiToken]:
        found, _ = self.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
            values={":pk": f"AGENT#{agent_id}", ":t": "TOKEN#"},
        )
        return [_token_from_item(i) for i in found]
