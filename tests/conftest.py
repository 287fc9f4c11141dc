"""Shared fixtures: moto provisioned from infra/, a movable clock, the app wired to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeClock, RecordingMetrics

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = REPO / "tests" / "fixtures" / "mail"
REGION = "eu-west-1"
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "TABLE_NAME": "helpdesk-test",
    "MAIL_BUCKET": "helpdesk-mail-test",
    "SCHEDULER_GROUP": "helpdesk-test",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/helpdesk-local-scheduler",
    "SCHEDULER_TARGET_ARN": (
        "arn:aws:lambda:eu-west-1:123456789012:function:helpdesk-local-scheduled"
    ),
    # the failed-tasks queue and the configuration set, as local/provision.py names them
    "SCHEDULER_DEAD_LETTER_ARN": "arn:aws:sqs:eu-west-1:123456789012:helpdesk-local-failed-tasks",
    "SES_CONFIGURATION_SET": "helpdesk-local-helpdesk",
    "HELPDESK_STAGE": "test",
    "PUBLIC_BASE_URL": "https://helpdesk.test/api",  # where the survey links point
    "SURVEY_SECRET": "test-survey-secret-0123456789",
}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def aws(aws_env: None) -> Iterator[dict[str, Any]]:
    """moto in-process, with every resource infra/resources.yaml declares."""
    import boto3
    from moto import mock_aws

    from local.provision import AWS_SERVICES, Names, provision

    with mock_aws():
        clients = {name: boto3.client(name, region_name=REGION) for name in AWS_SERVICES}
        provision(
            clients,
            Names(
                bucket=TEST_ENV["MAIL_BUCKET"],
                table=TEST_ENV["TABLE_NAME"],
                schedule_group=TEST_ENV["SCHEDULER_GROUP"],
                region=REGION,
            ),
        )
        yield clients


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def metrics() -> RecordingMetrics:
    return RecordingMetrics()


@pytest.fixture
def settings(aws_env: None) -> Any:
    from chalicelib.config import Settings

    return Settings.from_env(dict(os.environ))


@pytest.fixture
def container(
    aws: dict[str, Any], settings: Any, clock: FakeClock, metrics: RecordingMetrics
) -> Iterator[Any]:
    from chalicelib import bootstrap

    wired = bootstrap.Container(settings, clock=clock, metrics=metrics, clients=aws)
    bootstrap.use(wired)
    yield wired
    bootstrap.use(None)
