"""Settings: the one reader of os.environ and of helpdesk.toml, read once into frozen values."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chalicelib.domain.addresses import is_valid, normalise
from chalicelib.domain.routing import Queue, Routing

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


@dataclass(frozen=True)
class AckSettings:
    max_per_sender_per_hour: int = 3
    max_per_sender_per_day: int = 10


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
    endpoint_url: str | None = None
    templates_dir: Path = TEMPLATES_DIR

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
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            **product,
        )


def load_product_config(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"configuration file {path} not found") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from e
    return {
        "helpdesk_name": str(raw.get("name", "Support")),
        "routing": _routing(raw),
        "calendar": _calendar(raw.get("calendar", {})),
        "first_response_hours": _positive(raw.get("sla", {}), "first_response_business_hours", 4),
        "ack": AckSettings(
            max_per_sender_per_hour=int(
                _positive(raw.get("acknowledgement", {}), "max_per_sender_per_hour", 3)
            ),
            max_per_sender_per_day=int(
                _positive(raw.get("acknowledgement", {}), "max_per_sender_per_day", 10)
            ),
        ),
        "limits": Limits(
            **{k: int(_positive(raw.get("limits", {}), k, v)) for k, v in _LIMIT_DEFAULTS.items()}
        ),
    }


_LIMIT_DEFAULTS = {
    "max_attachment_bytes": Limits.max_attachment_bytes,
    "max_attachments": Limits.max_attachments,
    "max_body_bytes": Limits.max_body_bytes,
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
