"""Settings: the one reader of os.environ and of helpdesk.toml, read once into frozen values."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from chalicelib.domain.mail.addresses import is_valid, normalise
from chalicelib.domain.mail.ratelimits import DOMAIN_FACTOR, FREE_MAIL_DOMAINS
from chalicelib.domain.sla.policy import DEFAULT_TARGETS, Basis, Deadline, Target, Targets, Vip
from chalicelib.domain.survey.model import SurveyRules
from chalicelib.domain.tickets.model import Priority
from chalicelib.domain.tickets.routing import Queue, Routing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "helpdesk.toml"
TEMPLATES_DIR = PROJECT_ROOT / "templates"


class ConfigError(ValueError):
    """The configuration is missing a value or has a wrong one; the message names it."""


@dataclass(frozen=True)
class CalendarSettings:
    timezone: str = "Europe/Helsinki"
    country: str = ""
    subdivision: str = ""
    hours: str = "mon-fri 09:00-17:00"
    closed: tuple[date, ...] = ()


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 100
    max_body_bytes: int = 96_000
    max_cc_from_mail: int = 20  # addresses a customer's mail may add to a ticket's cc (SES: 50)


@dataclass(frozen=True)
class AckSettings:
    max_per_sender_per_hour: int = 3  # an address, its +tag removed
    max_per_sender_per_day: int = 10
    max_per_domain_per_hour: int = 3 * DOMAIN_FACTOR  # everyone at one domain together
    max_per_domain_per_day: int = 10 * DOMAIN_FACTOR
    domain_limit_exempt: frozenset[str] = FREE_MAIL_DOMAINS  # and our own addresses' domains


@dataclass(frozen=True)
class SlaQueueSettings:
    calendar: str = ""  # the name of a [calendars.<name>] section; "" for [calendar]
    warning_address: str | None = None  # warnings of unassigned tickets; else the queue address
    targets: Mapping[Priority, Targets] = field(default_factory=dict)  # merged over [sla.targets]


@dataclass(frozen=True)
class SlaSettings:
    targets: Mapping[Priority, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    queues: Mapping[str, SlaQueueSettings] = field(default_factory=dict)
    vip: Vip = field(default_factory=Vip)
    warning_at: float = 0.8


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    mail_bucket: str
    routing: Routing
    helpdesk_name: str = "Support"
    inbound_prefix: str = "inbound/"
    attachments_prefix: str = "attachments/"
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    first_response_hours: float = 4.0
    ack: AckSettings = field(default_factory=AckSettings)
    limits: Limits = field(default_factory=Limits)
    scheduler_group: str = "helpdesk"
    scheduler_role_arn: str = ""
    scheduler_target_arn: str = ""
    scheduler_dead_letter_arn: str = ""  # SQS queue for schedules the Scheduler cannot deliver
    ses_configuration_set: str = ""  # named on every send: bounces and complaints come back
    endpoint_url: str | None = None
    templates_dir: Path = TEMPLATES_DIR
    calendars: Mapping[str, CalendarSettings] = field(default_factory=dict)  # [calendars.<name>]
    sla: SlaSettings = field(default_factory=SlaSettings)
    survey: SurveyRules = field(default_factory=SurveyRules)  # [survey]
    public_base_url: str = ""  # where the survey pages are served (PUBLIC_BASE_URL)
    survey_secret: str = field(default="", repr=False)  # SURVEY_SECRET (local, tests)
    survey_secret_parameter: str = ""  # SURVEY_SECRET_PARAMETER: an SSM SecureString's name

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, config_file: Path | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        path = Path(env.get("HELPDESK_CONFIG", "")) if env.get("HELPDESK_CONFIG") else None
        product = load_product_config(config_file or path or DEFAULT_CONFIG_FILE)
        return cls(
            stage=env.get("HELPDESK_STAGE", "dev"),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-1",
            table_name=_required(env, "TABLE_NAME"),
            mail_bucket=_required(env, "MAIL_BUCKET"),
            inbound_prefix=env.get("INBOUND_PREFIX", "inbound/"),
            attachments_prefix=env.get("ATTACHMENTS_PREFIX", "attachments/"),
            scheduler_group=env.get("SCHEDULER_GROUP", "helpdesk"),
            scheduler_role_arn=env.get("SCHEDULER_ROLE_ARN", ""),
            scheduler_target_arn=env.get("SCHEDULER_TARGET_ARN", ""),
            scheduler_dead_letter_arn=env.get("SCHEDULER_DEAD_LETTER_ARN", "").strip(),
            ses_configuration_set=env.get("SES_CONFIGURATION_SET", "").strip(),
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            public_base_url=env.get("PUBLIC_BASE_URL", "").strip().rstrip("/"),
            survey_secret=_secret(env),
            survey_secret_parameter=env.get("SURVEY_SECRET_PARAMETER", "").strip(),
            **product,
        )


def load_product_config(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"configuration file {path} not found") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from e
    routing = _routing(raw)
    calendars = {name: _calendar(spec) for name, spec in _section(raw, "calendars").items()}
    sla = _sla(_section(raw, "sla"), routing, calendars)
    return {
        "helpdesk_name": str(raw.get("name", "Support")),
        "routing": routing,
        "calendar": _calendar(raw.get("calendar", {})),
        "calendars": calendars,
        "sla": sla,
        "first_response_hours": sla.targets[Priority.NORMAL].first_response.duration
        / timedelta(hours=1),
        "ack": _acknowledgement(_section(raw, "acknowledgement")),
        "limits": Limits(
            **{k: int(_positive(raw.get("limits", {}), k, v)) for k, v in _LIMIT_DEFAULTS.items()}
        ),
        "survey": _survey(_section(raw, "survey")),
    }


_LIMIT_DEFAULTS = {
    "max_attachment_bytes": Limits.max_attachment_bytes,
    "max_attachments": Limits.max_attachments,
    "max_body_bytes": Limits.max_body_bytes,
    "max_cc_from_mail": Limits.max_cc_from_mail,
}


def _routing(raw: Mapping[str, Any]) -> Routing:
    queues_raw = raw.get("queues") or {}
    if not queues_raw:
        raise ConfigError("[queues] must name at least one queue with an address")
    queues = {name: _queue(name, spec) for name, spec in queues_raw.items()}
    default = str(raw.get("default_queue", next(iter(queues))))
    if default not in queues:
        raise ConfigError(f"default_queue {default!r} is not one of the [queues]")
    addresses: dict[str, str] = {}
    for queue in queues.values():
        addresses.setdefault(queue.address, queue.name)
    for address, queue_name in (raw.get("addresses") or {}).items():
        if queue_name not in queues:
            raise ConfigError(f"[addresses] {address} names unknown queue {queue_name!r}")
        addresses[_address(f"[addresses] {address}", address)] = queue_name
    return Routing(queues=queues, addresses=addresses, default_queue=default)


def _queue(name: str, spec: Mapping[str, Any]) -> Queue:
    address = _address(f"[queues.{name}] address", str(spec.get("address", "")))
    escalation = spec.get("escalation_address")
    return Queue(
        name=name,
        address=address,
        escalation_address=_address(f"[queues.{name}] escalation_address", escalation)
        if escalation
        else None,
    )


def _address(where: str, value: str) -> str:
    if not is_valid(value.strip()):
        raise ConfigError(f"{where}: {value!r} is not an email address")
    return normalise(value)


def _calendar(raw: Mapping[str, Any]) -> CalendarSettings:
    try:
        closed = tuple(date.fromisoformat(str(d)) for d in raw.get("closed", []))
    except ValueError as e:
        raise ConfigError(f"[calendar] closed: {e}") from e
    return CalendarSettings(
        timezone=str(raw.get("timezone", "Europe/Helsinki")),
        country=str(raw.get("country", "")),
        subdivision=str(raw.get("subdivision", "")),
        hours=str(raw.get("hours", "mon-fri 09:00-17:00")),
        closed=closed,
    )


def _positive(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{key} must be a positive number, not {value!r}")
    return float(value)


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is required")
    return value


# -- [sla] ------------------------------------------------------------------------------------

_SLA_KEYS = {"warning_at_percent", "first_response_business_hours", "targets", "vip", "queues"}
_DEADLINES = [d.value for d in Deadline]


def _sla(
    section: Mapping[str, Any], routing: Routing, calendars: Mapping[str, CalendarSettings]
) -> SlaSettings:
    _known("[sla]", section, _SLA_KEYS)
    targets = _targets("[sla.targets", _section(section, "targets"), DEFAULT_TARGETS)
    if "first_response_business_hours" in section:  # the key before per-priority targets
        if "first_response" in _section(_section(section, "targets"), "normal"):
            raise ConfigError(
                "[sla] first_response_business_hours repeats [sla.targets.normal] "
                "first_response; keep only the second"
            )
        hours = _positive(section, "first_response_business_hours", 4)
        normal = replace(targets[Priority.NORMAL], first_response=Target(timedelta(hours=hours)))
        targets[Priority.NORMAL] = normal
    percent = section.get("warning_at_percent", 80)
    if not isinstance(percent, int | float) or isinstance(percent, bool) or not 0 < percent < 100:
        raise ConfigError(f"[sla] warning_at_percent must be between 0 and 100, not {percent!r}")
    queues = {
        name: _sla_queue(name, spec, targets, routing, calendars)
        for name, spec in _section(section, "queues").items()
    }
    vip = _vip(_section(section, "vip"))
    return SlaSettings(targets=targets, queues=queues, vip=vip, warning_at=percent / 100)


def _targets(
    where: str, raw: Mapping[str, Any], base: Mapping[Priority, Targets]
) -> dict[Priority, Targets]:
    """`where` is the table name without its closing bracket, e.g. "[sla.targets"."""
    _known(f"{where}]", raw, {p.value for p in Priority})
    result = dict(base)
    for name, spec in raw.items():
        table = f"{where}.{name}]"
        if not isinstance(spec, Mapping):
            raise ConfigError(f"{table} must be a table of {', '.join(_DEADLINES)}")
        _known(table, spec, set(_DEADLINES))
        current = base[Priority(name)]
        result[Priority(name)] = Targets(
            *(
                _target(f"{table} {d}", spec[d]) if d in spec else current.of(Deadline(d))
                for d in _DEADLINES
            )
        )
    return result


def _target(where: str, value: Any) -> Target:
    """A number is business hours; { hours = 24, clock = "calendar" } counts around the clock."""
    spec = value if isinstance(value, Mapping) else {"hours": value}
    _known(where, spec, {"hours", "clock"})
    hours, clock = spec.get("hours"), spec.get("clock", "business")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
        raise ConfigError(f"{where}: hours must be a positive number, not {hours!r}")
    if clock not in {b.value for b in Basis}:
        raise ConfigError(f'{where}: clock must be "business" or "calendar", not {clock!r}')
    return Target(timedelta(hours=hours), Basis(clock))


def _sla_queue(
    name: str,
    spec: Any,
    targets: Mapping[Priority, Targets],
    routing: Routing,
    calendars: Mapping[str, CalendarSettings],
) -> SlaQueueSettings:
    where = f"[sla.queues.{name}]"
    if name not in routing.queues:
        raise ConfigError(f"{where} names unknown queue {name!r}")
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where} must be a table")
    _known(where, spec, {"calendar", "warning_address", "targets"})
    calendar = str(spec.get("calendar", ""))
    if calendar and calendar not in calendars:
        raise ConfigError(f"{where} calendar {calendar!r} has no [calendars.{calendar}] section")
    warning = spec.get("warning_address")
    return SlaQueueSettings(
        calendar=calendar,
        warning_address=_address(f"{where} warning_address", str(warning)) if warning else None,
        targets=_targets(f"[sla.queues.{name}.targets", _section(spec, "targets"), targets),
    )


def _vip(section: Mapping[str, Any]) -> Vip:
    _known("[sla.vip]", section, {"addresses", "domains", "target_factor", "raise_priority"})
    addresses = [_address("[sla.vip] addresses", str(a)) for a in section.get("addresses", [])]
    domains = [str(d).strip().lower().lstrip("@") for d in section.get("domains", [])]
    if not all(d and "." in d and "@" not in d for d in domains):
        raise ConfigError(f"[sla.vip] domains: {domains!r} are not all domain names")
    factor = section.get("target_factor", 0.5)
    if not isinstance(factor, int | float) or isinstance(factor, bool) or not 0 < factor <= 1:
        raise ConfigError(f"[sla.vip] target_factor must be in (0, 1], not {factor!r}")
    raise_priority = section.get("raise_priority", True)
    if not isinstance(raise_priority, bool):
        raise ConfigError(f"[sla.vip] raise_priority must be true or false, not {raise_priority!r}")
    return Vip(frozenset(addresses), frozenset(domains), float(factor), raise_priority)


def _section(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be a table, not {value!r}")
    return value


def _known(where: str, section: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; use {', '.join(sorted(allowed))}")


# -- [acknowledgement] ------------------------------------------------------------------------

_ACK_KEYS = {
    "max_per_sender_per_hour",
    "max_per_sender_per_day",
    "max_per_domain_per_hour",
    "max_per_domain_per_day",
    "domain_limit_exempt",
}


def _acknowledgement(section: Mapping[str, Any]) -> AckSettings:
    _known("[acknowledgement]", section, _ACK_KEYS)
    per_hour = int(_positive(section, "max_per_sender_per_hour", 3))
    per_day = int(_positive(section, "max_per_sender_per_day", 10))
    exempt = section.get("domain_limit_exempt", [])
    listed = exempt if isinstance(exempt, list) else []
    domains = [str(d).strip().lower().lstrip("@") for d in listed]
    if not isinstance(exempt, list) or not all(d and "." in d and "@" not in d for d in domains):
        raise ConfigError(f"[acknowledgement] domain_limit_exempt: {exempt!r} are not domains")
    return AckSettings(
        max_per_sender_per_hour=per_hour,
        max_per_sender_per_day=per_day,
        max_per_domain_per_hour=int(
            _positive(section, "max_per_domain_per_hour", per_hour * DOMAIN_FACTOR)
        ),
        max_per_domain_per_day=int(
            _positive(section, "max_per_domain_per_day", per_day * DOMAIN_FACTOR)
        ),
        domain_limit_exempt=FREE_MAIL_DOMAINS | frozenset(domains),
    )


# -- [survey] ---------------------------------------------------------------------------------

_SURVEY_KEYS = {
    "enabled",
    "delay_days",
    "morning_offset_minutes",
    "close_after_days",
    "link_validity_days",
}
MIN_SECRET_CHARS = 16


def _survey(section: Mapping[str, Any]) -> SurveyRules:
    _known("[survey]", section, _SURVEY_KEYS)
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"[survey] enabled must be true or false, not {enabled!r}")
    offset = section.get("morning_offset_minutes", 30)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < 24 * 60:
        raise ConfigError(f"[survey] morning_offset_minutes must be 0 to 1439, not {offset!r}")
    delay = section.get("delay_days", 3)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
        raise ConfigError(f"[survey] delay_days must be a number of days, not {delay!r}")
    close_after = _positive(section, "close_after_days", 7)
    validity = _positive(section, "link_validity_days", 28)
    if validity <= close_after:
        raise ConfigError("[survey] link_validity_days must be longer than close_after_days")
    return SurveyRules(
        enabled=enabled,
        delay=timedelta(days=delay),
        morning_offset=timedelta(minutes=offset),
        close_after=timedelta(days=close_after),
        validity=timedelta(days=validity),
    )


def _secret(env: Mapping[str, str]) -> str:
    value = env.get("SURVEY_SECRET", "").strip()
    if value and len(value) < MIN_SECRET_CHARS:
        raise ConfigError(f"SURVEY_SECRET must be at least {MIN_SECRET_CHARS} characters")
    return value
