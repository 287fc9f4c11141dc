"""Wiring: boto3 clients (lazily, once per container) → adapters → services.

Tests and the local stack build the same Container with their own clock or clients.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any

from chalicelib.config import Settings
from chalicelib.services.ports import Clock, Metrics


class NullMetrics:
    def count(self, name: str, reason: str | None = None) -> None:
        return None


class Container:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        metrics: Metrics | None = None,
        clients: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._metrics = metrics
        self._clients = dict(clients or {})

    def client(self, name: str) -> Any:
        if name not in self._clients:
            import boto3

            self._clients[name] = boto3.client(
                name, region_name=self.settings.region, endpoint_url=self.settings.endpoint_url
            )
        return self._clients[name]

    @cached_property
    def clock(self) -> Clock:
        if self._clock is not None:
            return self._clock
        from chalicelib.adapters.system import SystemClock

        return SystemClock()

    @cached_property
    def metrics(self) -> Metrics:
        return self._metrics or NullMetrics()

    @cached_property
    def store(self) -> Any:
        from chalicelib.adapters.dynamo_store import DynamoTicketStore

        return DynamoTicketStore(self.client("dynamodb"), self.settings.table_name)

    @cached_property
    def raw_mail(self) -> Any:
        from chalicelib.adapters.s3_store import S3RawMailStore

        s = self.settings
        return S3RawMailStore(
            self.client("s3"), s.mail_bucket, s.inbound_prefix, s.attachments_prefix
        )

    @cached_property
    def mailer(self) -> Any:
        from chalicelib.adapters.ses_mailer import SesMailer

        return SesMailer(self.client("sesv2"), self.clock)

    @cached_property
    def scheduler(self) -> Any:
        from chalicelib.adapters.scheduler import EventBridgeScheduler

        s = self.settings
        return EventBridgeScheduler(
            self.client("scheduler"),
            s.scheduler_group,
            s.scheduler_target_arn,
            s.scheduler_role_arn,
        )

    @cached_property
    def renderer(self) -> Any:
        from chalicelib.adapters.renderer import JinjaRenderer

        return JinjaRenderer(self.settings.templates_dir)

    @cached_property
    def calendar(self) -> Any:
        from chalicelib.adapters.holidays_calendar import public_holidays
        from chalicelib.domain.business_time import BusinessCalendar, parse_weekly_hours

        cal = self.settings.calendar
        now = self.clock.now()
        years = range(now.year - 1, now.year + 3)
        holidays = (
            public_holidays(cal.country, years, cal.subdivision or None)
            if cal.country
            else frozenset()
        )
        return BusinessCalendar(
            timezone=cal.timezone,
            weekly=parse_weekly_hours(cal.hours),
            closed_dates=frozenset({*holidays, *cal.closed}),
        )

    @cached_property
    def sla(self) -> Any:
        from chalicelib.services.sla import BusinessHoursSla

        return BusinessHoursSla(self.calendar, timedelta(hours=self.settings.first_response_hours))

    @cached_property
    def agents(self) -> Any:
        from chalicelib.adapters.dynamo_agents import DynamoAgentStore
        from chalicelib.services.agents import AgentService

        store = DynamoAgentStore(self.client("dynamodb"), self.settings.table_name)
        return AgentService(store, self.clock, list(self.settings.routing.queues))

    @cached_property
    def ingest(self) -> Any:
        from chalicelib.adapters.mime_parser import parse_email
        from chalicelib.services.acknowledge import Acknowledger
        from chalicelib.services.ingest import IngestEmail

        s = self.settings
        return IngestEmail(
            store=self.store,
            raw=self.raw_mail,
            mailer=self.mailer,
            parse=parse_email,
            acknowledger=Acknowledger(self.renderer, s.helpdesk_name, s.calendar.timezone),
            sla=self.sla,
            clock=self.clock,
            metrics=self.metrics,
            routing=s.routing,
            ack_limits=s.ack,
            limits=s.limits,
            inbound_prefix=s.inbound_prefix,
            region=s.region,
        )


_current: Container | None = None


def container() -> Container:
    """The container of this Lambda container (built on first use from the environment)."""
    global _current
    if _current is None:
        from chalicelib.adapters.system import PowertoolsMetrics

        _current = Container(Settings.from_env(), metrics=PowertoolsMetrics())
    return _current


def use(new: Container | None) -> None:
    """Replace the container: tests and the local stack wire their own clock and clients."""
    global _current
    _current = new
