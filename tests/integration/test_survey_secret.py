"""The link secret: from SURVEY_SECRET, or an SSM SecureString read once per container."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
import pytest

from chalicelib import bootstrap
from chalicelib.config import ConfigError
from chalicelib.domain.errors import StorageError
from tests.conftest import REGION
from tests.fakes import FakeClock

PARAMETER = "/helpdesk/survey-secret"


@pytest.fixture
def ssm(aws: dict[str, Any]) -> Any:
    client = boto3.client("ssm", region_name=REGION)
    client.put_parameter(Name=PARAMETER, Type="SecureString", Value="s3cr3t-from-ssm-0123456789")
    return client


def container(settings: Any, aws: dict[str, Any], ssm: Any, **changes: str) -> Any:
    wired = replace(settings, **{"survey_secret": "", **changes})
    return bootstrap.Container(wired, clock=FakeClock(), clients={**aws, "ssm": ssm})


def test_the_parameter_is_read_once_per_container(settings: Any, aws: Any, ssm: Any) -> None:
    calls: list[str] = []
    ssm.meta.events.register("before-call.ssm", lambda event_name, **_: calls.append(event_name))
    wired = container(settings, aws, ssm, survey_secret_parameter=PARAMETER)
    assert wired.survey_secret == b"s3cr3t-from-ssm-0123456789"
    assert wired.survey_answers is wired.survey_answers
    assert wired.survey_mail is not None and wired.survey_secret == b"s3cr3t-from-ssm-0123456789"
    assert calls == ["before-call.ssm.GetParameter"]


def test_the_environment_secret_needs_no_ssm(settings: Any, aws: Any, ssm: Any) -> None:
    calls: list[str] = []
    ssm.meta.events.register("before-call.ssm", lambda event_name, **_: calls.append(event_name))
    wired = container(settings, aws, ssm, survey_secret="from-the-environment-0123")
    assert wired.survey_secret == b"from-the-environment-0123" and calls == []


def test_no_secret_at_all_is_named(settings: Any, aws: Any, ssm: Any) -> None:
    with pytest.raises(ConfigError, match="SURVEY_SECRET or SURVEY_SECRET_PARAMETER"):
        _ = container(settings, aws, ssm).survey_secret


def test_a_missing_parameter_is_a_storage_error(settings: Any, aws: Any, ssm: Any) -> None:
    wired = container(settings, aws, ssm, survey_secret_parameter="/helpdesk/nothing-here")
    with pytest.raises(StorageError, match="/helpdesk/nothing-here"):
        _ = wired.survey_secret


def test_sending_surveys_needs_the_public_base_url(settings: Any, aws: Any, ssm: Any) -> None:
    wired = container(settings, aws, ssm, survey_secret_parameter=PARAMETER, public_base_url="")
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        _ = wired.survey_sender
