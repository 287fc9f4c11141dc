"""The package carries the survey's templates; its functions may read the link secret in SSM."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import yaml

from tests.integration.test_package import _CfnLoader, package

__all__ = ["package"]  # the module-scoped fixture that builds the package once here

LANGUAGES = ("en", "fi", "sv", "pl", "fa", "da")


def resources(package: Path) -> dict[str, Any]:
    template = yaml.load((package / "sam.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    return dict(template["Resources"])


def test_the_package_carries_the_survey_mail_and_pages(package: Path) -> None:
    names = zipfile.ZipFile(package / "deployment.zip").namelist()
    assert "templates/survey/page.html" in names
    for language in LANGUAGES:
        assert f"templates/survey/strings.{language}.html" in names
        assert f"templates/mail/survey.{language}.txt" in names
        assert f"templates/mail/survey.{language}.html" in names
    assert "templates/mail/survey_notice.en.txt" in names


def test_the_functions_that_sign_and_check_links_may_read_only_that_parameter(
    package: Path,
) -> None:
    found = resources(package)
    for role in ("ScheduledRole", "ApiHandlerRole"):
        [policy] = [
            r["Properties"]
            for r in found.values()
            if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [{"Ref": role}]
        ]
        statements = policy["PolicyDocument"]["Statement"]
        [secret] = [s for s in statements if s["Sid"] == "SurveySecret"]
        assert secret["Action"] == "ssm:GetParameter"
        assert secret["Resource"]["Fn::Sub"].endswith(":parameter${SurveySecretParameter}")
        assert "*" not in str([s["Resource"] for s in statements]).replace("/*", "")
    for function in ("Scheduled", "APIHandler"):
        variables = found[function]["Properties"]["Environment"]["Variables"]
        assert variables["SURVEY_SECRET_PARAMETER"] == {"Ref": "SurveySecretParameter"}
        assert "SURVEY_SECRET" not in variables  # never in clear in the template
    scheduled = found["Scheduled"]["Properties"]["Environment"]["Variables"]
    assert "PUBLIC_BASE_URL" in scheduled


def test_the_survey_pages_are_public_routes_of_the_api(package: Path) -> None:
    paths = resources(package)["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert {"get", "post"} <= set(paths["/survey/{token}"])
    assert {"get", "post"} <= set(paths["/survey/{token}/opt-out"])
    assert "security" not in paths["/survey/{token}"]["post"]
