"""Settings fail fast with a message that names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.config import ConfigError, Settings

ENV = {"TABLE_NAME": "t", "MAIL_BUCKET": "b"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "helpdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_configuration_loads() -> None:
    settings = Settings.from_env(ENV)
    assert settings.routing.default_queue == "Support"
    assert settings.routing.queue_for("anna@example.com").name == "Billing"
    assert settings.calendar.country == "FI"


def test_missing_table_name_is_named() -> None:
    with pytest.raises(ConfigError, match="TABLE_NAME"):
        Settings.from_env({"MAIL_BUCKET": "b"})


def test_unknown_queue_in_addresses_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[queues.A]\naddress = "a@x.example"\n[addresses]\n"p@x.example" = "B"\n'
    )
    with pytest.raises(ConfigError, match="unknown queue 'B'"):
        Settings.from_env(ENV, path)


def test_bad_address_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an email address"):
        Settings.from_env(ENV, write(tmp_path, '[queues.A]\naddress = "nope"\n'))


def test_negative_limit_is_refused(tmp_path: Path) -> None:
    text = '[queues.A]\naddress = "a@x.example"\n[acknowledgement]\nmax_per_sender_per_hour = -1\n'
    with pytest.raises(ConfigError, match="max_per_sender_per_hour"):
        Settings.from_env(ENV, write(tmp_path, text))


def test_broken_toml_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"helpdesk\.toml"):
        Settings.from_env(ENV, write(tmp_path, "[queues\n"))


def test_config_file_comes_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[queues.Only]\naddress = "only@x.example"\n')
    settings = Settings.from_env({**ENV, "HELPDESK_CONFIG": str(path)})
    assert list(settings.routing.queues) == ["Only"]
