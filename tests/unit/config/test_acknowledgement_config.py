"""[acknowledgement]: the per-address and per-domain limits, and the domains exempt from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.config import AckSettings, ConfigError, Settings

ENV = {"TABLE_NAME": "t", "MAIL_BUCKET": "b"}


def ack(tmp_path: Path, body: str) -> AckSettings:
    path = tmp_path / "helpdesk.toml"
    path.write_text(f'[queues.A]\naddress = "a@x.example"\n[acknowledgement]\n{body}\n')
    return Settings.from_env(ENV, path).ack


def test_the_domain_limit_defaults_to_ten_times_the_addresses(tmp_path: Path) -> None:
    settings = ack(tmp_path, "max_per_sender_per_hour = 5\nmax_per_sender_per_day = 20")
    assert (settings.max_per_domain_per_hour, settings.max_per_domain_per_day) == (50, 200)


def test_the_domain_limit_can_be_set(tmp_path: Path) -> None:
    settings = ack(tmp_path, "max_per_domain_per_hour = 7\nmax_per_domain_per_day = 9")
    assert (settings.max_per_domain_per_hour, settings.max_per_domain_per_day) == (7, 9)


def test_listed_domains_join_the_free_mail_domains(tmp_path: Path) -> None:
    settings = ack(tmp_path, 'domain_limit_exempt = ["BigISP.example", "@other.example"]')
    assert {"bigisp.example", "other.example", "gmail.com"} <= settings.domain_limit_exempt


@pytest.mark.parametrize("value", ['"bigisp.example"', '["not a domain"]', "3"])
def test_a_wrong_exempt_list_is_named(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="domain_limit_exempt"):
        ack(tmp_path, f"domain_limit_exempt = {value}")


def test_an_unknown_acknowledgement_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_per_domain_hour"):
        ack(tmp_path, "max_per_domain_hour = 3")
