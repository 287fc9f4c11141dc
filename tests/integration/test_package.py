"""The deployment package: what `make package` builds is complete, lean and valid."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


class _CfnLoader(yaml.SafeLoader):
    """Reads the short-form tags chalice writes (!GetAtt, !Sub …) as plain mappings."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package")
    subprocess.run(
        [str(REPO / "scripts" / "package"), "prod", str(out)],
        check=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PY": sys.executable, "HOME": str(Path.home())},
    )
    return out


def test_package_carries_templates_and_configuration(package: Path) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    for language in ("en", "fi", "sv", "pl", "fa", "da"):
        assert f"templates/mail/acknowledgement.{language}.txt" in names
        assert f"templates/mail/acknowledgement.{language}.html" in names
    assert "helpdesk.toml" in names and "app.py" in names
    assert "chalicelib/services/inbound/ingest.py" in names


def test_package_does_not_ship_boto3_or_the_local_stack(package: Path) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    assert not [
        n for n in names if n.startswith(("boto3/", "botocore/", "moto/", "local/", "tests/"))
    ]


def test_package_stays_within_the_size_targets(package: Path) -> None:
    archive = zipfile.ZipFile(package / "deployment.zip")
    assert (package / "deployment.zip").stat().st_size <= 6 * 1024 * 1024  # bench/package.py
    assert sum(i.file_size for i in archive.infolist()) <= 20 * 1024 * 1024


def test_package_ships_cld3_built_for_the_lambda_runtime_and_it_loads(
    package: Path, tmp_path: Path
) -> None:
    archive = zipfile.ZipFile(package / "deployment.zip")
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}-x86_64-linux-gnu.so"
    assert f"gcld3/pybind_ext.{tag}" in archive.namelist()  # chalice drops what it cannot match
    archive.extractall(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from chalicelib.adapters.language_model import Cld3LanguageModel;"
            "print(Cld3LanguageModel().identify('Hej, min faktura er forkert. Mvh Lars'))",
        ],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "language='da'" in done.stdout


def test_functions_use_the_hand_written_roles_and_infra_names(package: Path) -> None:
    template = yaml.load((package / "sam.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    function = template["Resources"]["InboundEmail"]["Properties"]
    assert function["Runtime"] in ("python3.12", "python3.13")
    assert function["Role"] == {"Fn::GetAtt": ["InboundEmailRole", "Arn"]}
    assert function["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": "Table"}
    assert function["Environment"]["Variables"]["MAIL_BUCKET"] == {"Ref": "MailBucket"}
    assert "ReceiptRule" in template["Resources"] and "Table" in template["Resources"]


def test_the_api_uses_its_own_least_privilege_role(package: Path) -> None:
    template = yaml.load((package / "sam.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    resources = template["Resources"]
    function = resources["APIHandler"]["Properties"]
    assert function["Role"] == {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]}
    variables = function["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": "Table"}
    assert variables["MAIL_BUCKET"] == {"Ref": "MailBucket"}
    assert variables["SCHEDULER_GROUP"] == {"Ref": "ScheduleGroup"}
    [policy] = resources["ApiHandlerRole"]["Properties"]["Policies"]
    actions = set()
    for statement in policy["PolicyDocument"]["Statement"]:
        listed = statement["Action"]
        actions |= set(listed if isinstance(listed, list) else [listed])
        assert "*" not in str(statement["Resource"]).replace("/*", "")
    assert actions == {
        "s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
        "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "ses:SendEmail",
        "scheduler:CreateSchedule", "scheduler:DeleteSchedule", "iam:PassRole",
        "dynamodb:DeleteItem",  # report summaries only (LeadingKeys AGGSUM#*)
        "dynamodb:BatchWriteItem",  # the reports' reader stores summaries: AGGSUM#* only
    }  # fmt: skip
    for action in ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem"):
        [only] = [s for s in policy["PolicyDocument"]["Statement"] if s["Action"] == action]
        assert only["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["AGGSUM#*"]}
        }


def test_package_carries_the_reply_templates(package: Path) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    for language in ("en", "fi", "sv", "pl", "fa", "da"):
        assert f"templates/mail/reply.{language}.txt" in names
        assert f"templates/mail/reply.{language}.html" in names


def test_package_carries_the_agent_ui(package: Path) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    ui = sorted(p.name for p in (REPO / "templates" / "ui").iterdir() if p.is_file())
    assert {"index.html", "app.js", "app.css", "mail.js", "mail.css"} <= set(ui)
    assert [n for n in ui if f"templates/ui/{n}" not in names] == []
    assert "chalicelib/api/ui.py" in names
