"""[sla] in helpdesk.toml: targets per priority and queue, VIPs, calendars; mistakes are named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.config import ConfigError, Settings
from chalicelib.domain.sla.policy import Basis, Deadline, Target
from chalicelib.domain.tickets.model import Priority

ENV = {"TABLE_NAME": "t", "MAIL_BUCKET": "b"}
QUEUES = '[queues.Support]\naddress = "support@x.example"\n'
H = timedelta(hours=1)


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "helpdesk.toml"
    path.write_text(QUEUES + text, encoding="utf-8")
    return Settings.from_env(ENV, path)


def test_the_shipped_configuration_has_the_documented_targets() -> None:
    sla = Settings.from_env(ENV).sla
    table = {p.value: [sla.targets[p].of(d).duration / H for d in Deadline] for p in Priority}
    assert table == {
        "low": [24, 24, 80],
        "normal": [4, 4, 40],
        "high": [2, 2, 16],
        "urgent": [1, 1, 8],
    }
    assert sla.warning_at == 0.8 and sla.vip.factor == 0.5 and sla.vip.raise_priority


def test_without_an_sla_section_the_defaults_apply(tmp_path: Path) -> None:
    settings = load(tmp_path, "")
    assert settings.sla.targets[Priority.NORMAL].first_response == Target(4 * H)
    assert settings.first_response_hours == 4


def test_the_older_first_response_key_still_sets_the_normal_promise(tmp_path: Path) -> None:
    settings = load(tmp_path, "[sla]\nfirst_response_business_hours = 6\n")
    assert settings.sla.targets[Priority.NORMAL].first_response == Target(6 * H)
    assert settings.first_response_hours == 6


def test_the_older_key_and_the_new_one_together_are_refused(tmp_path: Path) -> None:
    text = "[sla]\nfirst_response_business_hours = 6\n[sla.targets.normal]\nfirst_response = 4\n"
    with pytest.raises(ConfigError, match="keep only the second"):
        load(tmp_path, text)


def test_a_target_can_count_calendar_time_and_only_what_is_given_changes(tmp_path: Path) -> None:
    text = '[sla.targets.low]\nresolution = { hours = 120, clock = "calendar" }\n'
    low = load(tmp_path, text).sla.targets[Priority.LOW]
    assert low.resolution == Target(120 * H, Basis.CALENDAR)
    assert low.first_response == Target(24 * H)


def test_a_queue_gets_its_own_calendar_targets_and_warning_address(tmp_path: Path) -> None:
    text = (
        '[calendars.Night]\ntimezone = "UTC"\nhours = "mon-sun 00:00-24:00"\n'
        '[sla.queues.Support]\ncalendar = "Night"\nwarning_address = "Team@X.example"\n'
        "[sla.queues.Support.targets.urgent]\nfirst_response = 0.5\n"
    )
    settings = load(tmp_path, text)
    queue = settings.sla.queues["Support"]
    assert queue.calendar == "Night" and settings.calendars["Night"].timezone == "UTC"
    assert queue.warning_address == "team@x.example"
    assert queue.targets[Priority.URGENT].first_response == Target(H / 2)
    assert queue.targets[Priority.URGENT].resolution == Target(8 * H)
    assert queue.targets[Priority.LOW] == settings.sla.targets[Priority.LOW]


def test_vips_are_read_normalised(tmp_path: Path) -> None:
    text = (
        '[sla.vip]\naddresses = ["CEO@Big.example"]\ndomains = ["@Partner.example"]\n'
        "target_factor = 0.25\nraise_priority = false\n"
    )
    vip = load(tmp_path, text).sla.vip
    assert vip.addresses == {"ceo@big.example"} and vip.domains == {"partner.example"}
    assert (vip.factor, vip.raise_priority) == (0.25, False)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[sla.targets.critical]\nfirst_response = 1\n", "'critical'"),
        ("[sla.targets.normal]\nfirst_responce = 1\n", "'first_responce'"),
        ("[sla.targets.normal]\nresolution = -1\n", r"\[sla.targets.normal\] resolution"),
        ('[sla.targets.normal]\nresolution = { hours = 8, clock = "wall" }\n', "clock"),
        ("[sla]\nwarning_at_percent = 100\n", "warning_at_percent"),
        ("[sla]\nwarn_at = 80\n", "'warn_at'"),
        ('[sla.queues.Sales]\ncalendar = ""\n', "unknown queue 'Sales'"),
        ('[sla.queues.Support]\ncalendar = "Moon"\n', r"\[calendars.Moon\]"),
        ('[sla.queues.Support]\nwarning_address = "team"\n', "not an email address"),
        ('[sla.vip]\ndomains = ["localhost"]\n', "domains"),
        ("[sla.vip]\ntarget_factor = 2\n", "target_factor"),
        ('[sla.vip]\nraise_priority = "yes"\n', "raise_priority"),
    ],
)
def test_mistakes_fail_at_start_with_their_name(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load(tmp_path, text)
