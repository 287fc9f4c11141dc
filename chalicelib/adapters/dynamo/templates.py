"""Canned templates on DynamoDB.

PK / SK                          what
TEMPLATES / <id>                 a template with its feedback counts (listing is one Query)
TEMPLATE#<id> / FB#<agent>       one agent's latest feedback on it (one vote per agent)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo.items import parse_ts, ts
from chalicelib.adapters.dynamo.table import DynamoTable, Item, to_attr
from chalicelib.domain.desk.canned import CannedTemplate, Feedback
from chalicelib.domain.errors import Conflict, NotFound, StorageError, VersionConflict

TEMPLATES = "TEMPLATES"


def template_to_item(t: CannedTemplate) -> Item:
    item = {
        "PK": TEMPLATES,
        "SK": t.id,
        "type": "template",
        "name": t.name,
        "language": t.language,
        "body": t.body,
        "created_at": ts(t.created_at),
        "created_by": t.created_by,
        "updated_at": ts(t.updated_at),
        "updated_by": t.updated_by,
        "version": t.version,
        "retired_at": ts(t.retired_at) if t.retired_at else None,
        "helpful": t.helpful,
        "not_helpful": t.not_helpful,
    }
    return {k: v for k, v in item.items() if v is not None}


def template_from_item(item: Item) -> CannedTemplate:
    return CannedTemplate(
        id=item["SK"],
        name=item.get("name", ""),
        language=item.get("language", "en"),
        body=item.get("body", ""),
        created_at=datetime.fromisoformat(item["created_at"]),
        created_by=item.get("created_by", ""),
        updated_at=datetime.fromisoformat(item["updated_at"]),
        updated_by=item.get("updated_by", ""),
        version=int(item.get("version", 1)),
        retired_at=parse_ts(item.get("retired_at")),
        helpful=int(item.get("helpful", 0)),
        not_helpful=int(item.get("not_helpful", 0)),
    )


def _feedback_key(template_id: str, agent: str) -> Item:
    return {"PK": f"TEMPLATE#{template_id}", "SK": f"FB#{agent}"}


def _feedback_from_item(item: Item) -> Feedback:
    return Feedback(
        template_id=item["PK"].split("#", 1)[1],
        agent=item["agent"],
        helpful=bool(item["helpful"]),
        at=datetime.fromisoformat(item["at"]),
        comment=item.get("comment", ""),
    )


class DynamoTemplateStore(DynamoTable):
    def get_template(self, template_id: str) -> CannedTemplate | None:
        item = self.get({"PK": TEMPLATES, "SK": template_id})
        return template_from_item(item) if item else None

    def list_templates(self) -> list[CannedTemplate]:
        return [template_from_item(i) for i in self._all({":pk": TEMPLATES})]

    def create_template(self, template: CannedTemplate) -> None:
        if self.transact([self.put_new(template_to_item(template))]) is not None:
            raise Conflict(f"a template {template.id} exists already")

    def save_template(self, template: CannedTemplate, expected_version: int) -> None:
        """Everything but the feedback counts, which feedback moves on its own."""
        item = template_to_item(template)
        fields = ["name", "language", "body", "updated_at", "updated_by", "version"]
        sets = [f"#{f} = :{f}" for f in fields]
        values: Item = {f":{f}": item[f] for f in fields} | {":expected": expected_version}
        update = f"SET {', '.join(sets)}"
        if template.retired_at is not None:
            update += ", #retired_at = :retired_at"
            values[":retired_at"] = item["retired_at"]
            fields.append("retired_at")
        cancelled = self.transact(
            [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_attr({"PK": TEMPLATES, "SK": template.id}),
                        "UpdateExpression": update,
                        "ConditionExpression": "#version = :expected",
                        "ExpressionAttributeNames": {f"#{f}": f for f in fields},
                        "ExpressionAttributeValues": to_attr(values),
                    }
                }
            ]
        )
        if cancelled is not None:
            raise VersionConflict(f"template {template.id} is no longer version {expected_version}")

    def get_feedback(self, template_id: str, agent: str) -> Feedback | None:
        item = self.get(_feedback_key(template_id, agent))
        return _feedback_from_item(item) if item else None

    def list_feedback(self, template_id: str, limit: int) -> list[Feedback]:
        found = [_feedback_from_item(i) for i in self._all({":pk": f"TEMPLATE#{template_id}"})]
        return sorted(found, key=lambda f: f.at, reverse=True)[:limit]

    def put_feedback(self, feedback: Feedback, previous: Feedback | None) -> None:
        ops = [self._feedback_put(feedback, previous), self._count_update(feedback, previous)]
        cancelled = self.transact(ops)
        if cancelled is None:
            return
        if 1 in cancelled.failed:
            if not cancelled.failed[1]:
                raise NotFound(f"no template {feedback.template_id}")
            raise Conflict(f"template {feedback.template_id} is retired")
        if 0 in cancelled.failed:
            raise VersionConflict(f"{feedback.agent} gave feedback meanwhile")
        raise StorageError(f"feedback not stored: {cancelled.failed}")

    def _feedback_put(self, feedback: Feedback, previous: Feedback | None) -> dict[str, Any]:
        item = {
            **_feedback_key(feedback.template_id, feedback.agent),
            "type": "template_feedback",
            "agent": feedback.agent,
            "helpful": feedback.helpful,
            "at": ts(feedback.at),
            **({"comment": feedback.comment} if feedback.comment else {}),
        }
        put = self.put(item)
        if previous is None:
            put["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["Put"]["ConditionExpression"] = "#at = :at"
            put["Put"]["ExpressionAttributeNames"] = {"#at": "at"}
            put["Put"]["ExpressionAttributeValues"] = to_attr({":at": ts(previous.at)})
        return put

    def _count_update(self, feedback: Feedback, previous: Feedback | None) -> dict[str, Any]:
        helpful = int(feedback.helpful) - (int(previous.helpful) if previous else 0)
        not_helpful = int(not feedback.helpful) - (int(not previous.helpful) if previous else 0)
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attr({"PK": TEMPLATES, "SK": feedback.template_id}),
                "UpdateExpression": "ADD #h :h, #n :n",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(#r)",
                "ExpressionAttributeNames": {
                    "#h": "helpful",
                    "#n": "not_helpful",
                    "#r": "retired_at",
                },
                "ExpressionAttributeValues": to_attr({":h": helpful, ":n": not_helpful}),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _all(self, values: Item) -> list[Item]:
        found: list[Item] = []
        start: dict[str, Any] | None = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page, start = self.query(KeyConditionExpression="PK = :pk", values=values, **extra)
            found += page
            if not start:
                return found
