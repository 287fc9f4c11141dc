"""The moto patch keeps transactions all-or-nothing while copying only what they touch."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from local import moto_patch


def put(pk: str, condition: bool = False) -> dict[str, Any]:
    item = {"Put": {"TableName": "helpdesk-test", "Item": {"PK": {"S": pk}, "SK": {"S": "X"}}}}
    if condition:
        item["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
    return item


def test_a_cancelled_transaction_leaves_every_item_as_it_was(aws: dict[str, Any]) -> None:
    moto_patch.apply()
    db = aws["dynamodb"]
    db.transact_write_items(TransactItems=[put("B")])
    with pytest.raises(ClientError, match="TransactionCanceled"):
        db.transact_write_items(TransactItems=[put("A"), put("B", condition=True)])
    keys = {i["PK"]["S"] for i in db.scan(TableName="helpdesk-test")["Items"]}
    assert keys == {"B"}


def test_a_committed_transaction_writes_every_item(aws: dict[str, Any]) -> None:
    moto_patch.apply()
    aws["dynamodb"].transact_write_items(TransactItems=[put("A"), put("C")])
    keys = {i["PK"]["S"] for i in aws["dynamodb"].scan(TableName="helpdesk-test")["Items"]}
    assert keys == {"A", "C"}
