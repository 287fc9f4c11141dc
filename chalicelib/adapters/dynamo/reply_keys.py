"""Reply idempotency keys on DynamoDB: one conditional write claims a key, TTL forgets it.

A released key is marked, not deleted: the API's role has no DeleteItem on the table."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.dynamo import items
from chalicelib.adapters.dynamo.table import DynamoTable, from_attr, to_attr
from chalicelib.domain.desk.reply_keys import CLAIM_TTL, ClaimState, ReplyClaim, key_digest
from chalicelib.domain.errors import StorageError


def claim_key(agent: str, key: str) -> items.Item:
    return {"PK": f"REPLYKEY#{key_digest(agent, key)}", "SK": "REPLYKEY"}


def claim_to_item(claim: ReplyClaim) -> items.Item:
    item = {
        **claim_key(claim.agent, claim.key),
        "type": "reply_key",
        "agent": claim.agent,
        "key": claim.key,
        "ticket": claim.ticket,
        "fingerprint": claim.fingerprint,
        "at": items.ts(claim.at),
        "local_id": claim.local_id,
        "message_id": claim.message_id,
        "claimed_at": items.ts(claim.claimed_at),
        "state": claim.state.value,
        "expires": int((claim.at + CLAIM_TTL).timestamp()),
    }
    if claim.provider_id:
        item["provider_id"] = claim.provider_id
    return item


def claim_from_item(item: items.Item) -> ReplyClaim:
    return ReplyClaim(
        agent=item["agent"],
        key=item["key"],
        ticket=int(item["ticket"]),
        fingerprint=item["fingerprint"],
        at=datetime.fromisoformat(item["at"]),
        local_id=item["local_id"],
        message_id=item["message_id"],
        claimed_at=datetime.fromisoformat(item["claimed_at"]),
        state=ClaimState(item["state"]),
        provider_id=item.get("provider_id"),
    )


class DynamoReplyClaims(DynamoTable):
    def claim(self, claim: ReplyClaim) -> ReplyClaim | None:
        for _ in range(2):
            old = self._put_if(
                claim,
                "attribute_not_exists(PK) OR #s = :released",
                {":released": ClaimState.RELEASED.value},
                {"#s": "state"},
            )
            if old is None:
                return None
            held = old or self.get(claim_key(claim.agent, claim.key), consistent=True)
            if held:
                return claim_from_item(held)
        raise StorageError("the reply key was claimed and released at once; try again")

    def take_over(self, claim: ReplyClaim, stale: ReplyClaim) -> bool:
        values = {":claimed": items.ts(stale.claimed_at), ":state": stale.state.value}
        condition = "claimed_at = :claimed AND #s = :state"
        return self._put_if(claim, condition, values, {"#s": "state"}) is None

    def save(self, claim: ReplyClaim) -> None:
        self.put_item(claim_to_item(claim))

    def release(self, claim: ReplyClaim) -> None:
        self.save(replace(claim, state=ClaimState.RELEASED, provider_id=None))

    def _put_if(
        self,
        claim: ReplyClaim,
        condition: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> items.Item | None:
        """Put unless the condition fails; then the item that failed it ({} if there is none)."""
        extra: dict[str, Any] = {"ExpressionAttributeValues": to_attr(values)} if values else {}
        if names:
            extra["ExpressionAttributeNames"] = names
        try:
            self._db.put_item(
                TableName=self._table,
                Item=to_attr(claim_to_item(claim)),
                ConditionExpression=condition,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **extra,
            )
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise StorageError(f"DynamoDB put_item failed: {e}") from e
            return from_attr(e.response.get("Item") or {})
        except BotoCoreError as e:
            raise StorageError(f"DynamoDB put_item failed: {e}") from e
        return None
