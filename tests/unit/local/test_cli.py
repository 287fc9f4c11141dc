"""The command line: durations for `python -m local clock --advance`, ports from the environment."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from local.cli import parse_duration
from local.settings import LocalSettings, StartError, check_ports


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3600", 3600),
        ("90m", 5400),
        ("4h", 14400),
        ("3d", 259200),
        ("1d12h", 129600),
        ("1.5h", 5400),
    ],
)
def test_durations_take_seconds_or_units(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "3x", "-1", "d", "1d12", "3 days"])
def test_a_bad_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_ports_and_state_come_from_the_environment(tmp_path: Path) -> None:
    settings = LocalSettings.from_env(
        {
            "HELPDESK_API_PORT": "18000",
            "HELPDESK_SMTP_PORT": "12525",
            "HELPDESK_AWS_PORT": "15000",
            "HELPDESK_SMTP_MAX_BYTES": "1000",
            "HELPDESK_STATE_DIR": str(tmp_path),
        }
    )
    assert (settings.api_port, settings.smtp_port, settings.aws_port) == (18000, 12525, 15000)
    assert settings.smtp_max_bytes == 1000
    assert settings.token_file == tmp_path / "admin-token"
    defaults = LocalSettings.from_env({})
    assert (defaults.api_port, defaults.smtp_port, defaults.aws_port) == (8000, 2525, 5000)
    assert defaults.smtp_max_bytes == 40 * 1024 * 1024


def test_a_bad_port_names_its_variable() -> None:
    with pytest.raises(StartError, match="HELPDESK_SMTP_PORT='smtp'"):
        LocalSettings.from_env({"HELPDESK_SMTP_PORT": "smtp"})


def test_a_busy_port_names_the_variable_that_moves_it() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        busy = listener.getsockname()[1]
        settings = LocalSettings(api_port=busy, smtp_port=_free(), aws_port=_free())
        with pytest.raises(StartError, match=f"port {busy} \\(API and UI\\).*HELPDESK_API_PORT"):
            check_ports(settings)


def test_two_services_cannot_share_a_port() -> None:
    port = _free()
    with pytest.raises(StartError, match="HELPDESK_AWS_PORT and HELPDESK_API_PORT"):
        check_ports(LocalSettings(api_port=port, smtp_port=_free(), aws_port=port))


def _free() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
