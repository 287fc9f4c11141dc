"""[survey] and the survey's environment: defaults, and wrong values named at start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.config import DEFAULT_CONFIG_FILE, ConfigError, Settings

ENV = {"TABLE_NAME": "t", "MAIL_BUCKET": "b"}
QUEUES = '[queues.A]\naddress = "a@x.example"\n'


def write(tmp_path: Path, survey: str) -> Path:
    path = tmp_path / "helpdesk.toml"
    path.write_text(QUEUES + "[survey]\n" + survey, encoding="utf-8")
    return path


def test_the_shipped_configuration_asks_three_days_later_and_closes_after_seven() -> None:
    rules = Settings.from_env(ENV, DEFAULT_CONFIG_FILE).survey
    assert rules.enabled
    assert (rules.delay, rules.morning_offset) == (timedelta(days=3), timedelta(minutes=30))
    assert (rules.close_after, rules.validity) == (timedelta(days=7), timedelta(days=28))


def test_values_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "enabled = false\ndelay_days = 2\nmorning_offset_minutes = 0\n"
        "close_after_days = 10\nlink_validity_days = 14\n",
    )
    rules = Settings.from_env(ENV, path).survey
    assert not rules.enabled and rules.delay == timedelta(days=2)
    assert rules.morning_offset == timedelta(0) and rules.close_after == timedelta(days=10)


@pytest.mark.parametrize(
    ("survey", "named"),
    [
        ("delay = 3\n", "unknown key 'delay'"),
        ("delay_days = -1\n", "delay_days"),
        ('enabled = "yes"\n', "enabled"),
        ("morning_offset_minutes = 1440\n", "morning_offset_minutes"),
        ("close_after_days = 0\n", "close_after_days"),
        ("close_after_days = 30\nlink_validity_days = 28\n", "longer than close_after_days"),
    ],
)
def test_wrong_values_are_named(tmp_path: Path, survey: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(ENV, write(tmp_path, survey))


def test_the_environment_gives_the_links_their_address_and_secret() -> None:
    settings = Settings.from_env(
        {
            **ENV,
            "PUBLIC_BASE_URL": "https://help.example/api/",
            "SURVEY_SECRET": "0123456789abcdef",
            "SURVEY_SECRET_PARAMETER": "/helpdesk/survey-secret",
        }
    )
    assert settings.public_base_url == "https://help.example/api"
    assert settings.survey_secret == "0123456789abcdef"
    assert settings.survey_secret_parameter == "/helpdesk/survey-secret"
    assert "0123456789abcdef" not in repr(settings)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="SURVEY_SECRET must be at least 16"):
        Settings.from_env({**ENV, "SURVEY_SECRET": "short"})
