"""The package carries the SLA notices and deploys `scheduled` with its own least-privilege role."""

from __future__ import annotations

import zipfile
from pathlib import Path

import yaml

from tests.integration.test_package import _CfnLoader, package

__all__ = ["package"]  # the module-scoped fixture that builds the package once here


def test_the_package_carries_the_sla_notice_templates(package: Path) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    for notice in ("sla_warning", "sla_breach"):
        assert f"templates/mail/{notice}.en.txt" in names
        assert f"templates/mail/{notice}.en.html" in names


def test_scheduled_runs_as_the_name_scheduler_may_invoke_with_a_narrow_role(package: Path) -> None:
    resources = yaml.load((package / "sam.yaml").read_text(), Loader=_CfnLoader)["Resources"]  # noqa: S506
    function = resources["Scheduled"]["Properties"]
    assert function["Handler"] == "app.scheduled"
    assert function["FunctionName"] == {"Fn::Sub": "${AWS::StackName}-scheduled"}
    assert function["Role"] == {"Fn::GetAtt": ["ScheduledRole", "Arn"]}
    invoke = resources["SchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert invoke["Statement"][0]["Resource"]["Fn::Sub"].endswith(
        ":function:${AWS::StackName}-scheduled"
    )
    statements = resources["ScheduledRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    actions = sorted(a for s in statements["Statement"] for a in _list(s["Action"]))
    assert actions == [
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",  # the report aggregates' ADDs in the firing's transaction
        "ses:SendEmail",
        "ses:SendRawEmail",
    ]


def test_the_table_has_the_sparse_sla_records_index(package: Path) -> None:
    resources = yaml.load((package / "sam.yaml").read_text(), Loader=_CfnLoader)["Resources"]  # noqa: S506
    indexes = resources["Table"]["Properties"]["GlobalSecondaryIndexes"]
    [gsi7] = [i for i in indexes if i["IndexName"] == "GSI7"]
    assert [k["AttributeName"] for k in gsi7["KeySchema"]] == ["GSI7PK", "GSI7SK"]


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
