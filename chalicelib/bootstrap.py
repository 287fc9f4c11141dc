"""Wiring: boto3 clients (lazily, once per container) → adapters → services.

Every provider is typed with the port it serves (or the service it builds), so that mypy
holds each adapter to its port where it is wired.

Tests and the local stack build the same Container with their own clock or clients.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.config import Settings
from chalicelib.services.ports import Clock, Metrics

if TYPE_CHECKING:  # imported where used, so that a Lambda loads only what its flow needs
    from chalicelib.adapters.aws.s3 import S3RawMailStore
    from chalicelib.adapters.dynamo.survey import DynamoSurveyStore
    from chalicelib.adapters.render.mail_templates import JinjaRenderer
    from chalicelib.domain.sla.business_time import BusinessCalendar
    from chalicelib.domain.sla.policy import SlaPolicy
    from chalicelib.services import ports
    from chalicelib.services.desk.actions import TicketActions
    from chalicelib.services.desk.agents import AgentService
    from chalicelib.services.desk.canned import CannedTemplates
    from chalicelib.services.desk.day_mail import DayMail
    from chalicelib.services.desk.detail import TicketDetails
    from chalicelib.services.desk.quarantine import QuarantineDesk
    from chalicelib.services.desk.queues import QueueBoard
    from chalicelib.services.desk.replies import ReplyService
    from chalicelib.services.desk.views import TicketViews
    from chalicelib.services.feedback import FeedbackRecorder
    from chalicelib.services.inbound.ingest import IngestEmail
    from chalicelib.services.inbound.opening import TicketOpener
    from chalicelib.services.inbound.release import QuarantineRelease
    from chalicelib.services.recording import FactRecorder
    from chalicelib.services.reports.agents import AgentReport
    from chalicelib.services.reports.summary import SummaryReport
    from chalicelib.services.scheduled import ScheduledTasks
    from chalicelib.services.sla.firing import SlaFiring
    from chalicelib.services.survey.answers import SurveyAnswers
    from chalicelib.services.survey.autoclose import SurveyCloser
    from chalicelib.services.survey.mail import SurveyMail
    from chalicelib.services.survey.notice import SurveyNoticeRetry
    from chalicelib.services.survey.report import CsatReport
    from chalicelib.services.survey.sender import SurveySender


class NullMetrics:
    def count(self, name: str, reason: str | None = None) -> None:
        return None


def client_config(service: str) -> Any:
    """SES gets no retries from botocore: a retried send after a read timeout mails the customer
    twice. Our own code decides (chalicelib/adapters/aws/ses.py). The rest keep botocore's."""
    from botocore.config import Config

    if service == "sesv2":
        return Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=20)
    return Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=20)


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
                name,
                region_name=self.settings.region,
                endpoint_url=self.settings.endpoint_url,
                config=client_config(name),
            )
        return self._clients[name]

    @cached_property
    def clock(self) -> Clock:
        if self._clock is not None:
            return self._clock
        from chalicelib.adapters.aws.runtime import SystemClock

        return SystemClock()

    @cached_property
    def metrics(self) -> Metrics:
        return self._metrics or NullMetrics()

    @cached_property
    def store(self) -> ports.TicketStore:
        from chalicelib.adapters.dynamo.tickets import DynamoTicketStore

        return DynamoTicketStore(
            self.client("dynamodb"), self.settings.table_name, self.settings.calendar.timezone
        )

    @cached_property
    def raw_mail(self) -> S3RawMailStore:  # RawMailStore and Presigner
        from chalicelib.adapters.aws.s3 import S3RawMailStore

        s = self.settings
        return S3RawMailStore(
            self.client("s3"), s.mail_bucket, s.inbound_prefix, s.attachments_prefix
        )

    @cached_property
    def mailer(self) -> ports.Mailer:
        from chalicelib.adapters.aws.ses import SesMailer

        return SesMailer(
            self.client("sesv2"), self.clock, self.settings.ses_configuration_set or None
        )

    @cached_property
    def scheduler(self) -> ports.Scheduler:
        from chalicelib.adapters.aws.scheduler import EventBridgeScheduler

        s = self.settings
        return EventBridgeScheduler(
            self.client("scheduler"),
            s.scheduler_group,
            s.scheduler_target_arn,
            s.scheduler_role_arn,
            s.scheduler_dead_letter_arn or None,
        )

    @cached_property
    def renderer(self) -> JinjaRenderer:  # the survey pages use its environment too
        from chalicelib.adapters.render.mail_templates import JinjaRenderer

        return JinjaRenderer(self.settings.templates_dir)

    @cached_property
    def calendar(self) -> BusinessCalendar:
        from chalicelib.adapters.public_holidays import public_holidays
        from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours

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

    # -- the SLA clock (issue 5) --------------------------------------------------------------

    def business_calendar(self, name: str = "") -> BusinessCalendar:
        """The [calendar] (name "") or a named [calendars.<name>], with its public holidays."""
        if not name:
            return self.calendar
        from chalicelib.adapters.public_holidays import public_holidays
        from chalicelib.domain.sla.business_time import BusinessCalendar, parse_weekly_hours

        cal, year = self.settings.calendars[name], self.clock.now().year
        holidays = (
            public_holidays(cal.country, range(year - 1, year + 3), cal.subdivision or None)
            if cal.country
            else frozenset()
        )
        return BusinessCalendar(
            cal.timezone, parse_weekly_hours(cal.hours), frozenset({*holidays, *cal.closed})
        )

    @cached_property
    def sla_policy(self) -> SlaPolicy:
        from chalicelib.domain.sla.policy import SlaPolicy

        sla = self.settings.sla
        return SlaPolicy(
            calendar=self.calendar,
            targets=sla.targets,
            queue_targets={name: q.targets for name, q in sla.queues.items()},
            queue_calendars={
                name: self.business_calendar(q.calendar)
                for name, q in sla.queues.items()
                if q.calendar
            },
            vip=sla.vip,
            warning_at=sla.warning_at,
        )

    @cached_property
    def recorder(self) -> FactRecorder:
        """The report facts of every ticket write (chalicelib/domain/reports/facts.py)."""
        from chalicelib.services.recording import FactRecorder

        return FactRecorder(self.sla_policy, self.settings.calendar.timezone)

    @cached_property
    def sla(self) -> ports.SlaPlanner:
        from chalicelib.services.sla.clock import BusinessHoursSla

        return BusinessHoursSla(self.sla_policy, self.scheduler, self.clock)

    @cached_property
    def sla_store(self) -> ports.FiringStore:
        from chalicelib.adapters.dynamo.sla import DynamoSlaStore

        return DynamoSlaStore(self.client("dynamodb"), self.settings.table_name)

    @cached_property
    def sla_firing(self) -> SlaFiring:
        from chalicelib.services.sla.firing import SlaFiring
        from chalicelib.services.sla.notices import SlaNotices

        s = self.settings
        notices = SlaNotices(
            self.renderer,
            s.routing,
            s.helpdesk_name,
            self.sla_policy,
            {name: q.warning_address for name, q in s.sla.queues.items() if q.warning_address},
        )
        return SlaFiring(
            store=self.sla_store,
            mailer=self.mailer,
            notices=notices,
            policy=self.sla_policy,
            clock=self.clock,
            metrics=self.metrics,
            recorder=self.recorder,
        )

    @cached_property
    def scheduled(self) -> ScheduledTasks:
        """The `scheduled` Lambda: one line per schedule type."""
        from chalicelib.services.scheduled import ScheduledTasks

        tasks = ScheduledTasks()
        tasks.register("sla", lambda: self.sla_firing)
        tasks.register("survey_send", lambda: self.survey_sender)
        tasks.register("survey_autoclose", lambda: self.survey_closer)
        tasks.register("survey_notice", lambda: self.survey_notice_retry)
        return tasks

    @cached_property
    def agents(self) -> AgentService:
        from chalicelib.adapters.dynamo.agents import DynamoAgentStore
        from chalicelib.services.desk.agents import AgentService

        store = DynamoAgentStore(self.client("dynamodb"), self.settings.table_name)
        return AgentService(store, self.clock, list(self.settings.routing.queues))

    @cached_property
    def feedback(self) -> FeedbackRecorder:
        """SES's bounces and complaints of the mail we sent (the `ses_events` Lambda)."""
        from chalicelib.adapters.dynamo.feedback import DynamoFeedback
        from chalicelib.services.feedback import FeedbackRecorder

        store: ports.FeedbackStore = self._table(DynamoFeedback)
        return FeedbackRecorder(store, self.settings.region)

    @cached_property
    def ingest(self) -> IngestEmail:
        from chalicelib.adapters.mime.parser import parse_email
        from chalicelib.services.inbound.acknowledgement import Acknowledger
        from chalicelib.services.inbound.delivery import AckDelivery
        from chalicelib.services.inbound.ingest import IngestEmail

        s = self.settings
        acks = AckDelivery(
            store=self.store,
            mailer=self.mailer,
            acknowledger=Acknowledger(self.renderer, s.helpdesk_name, s.calendar.timezone),
            metrics=self.metrics,
            region=s.region,
        )
        return IngestEmail(
            store=self.store,
            raw=self.raw_mail,
            parse=parse_email,
            opener=self.ticket_opener,
            acks=acks,
            sla=self.ticket_planner_for_mail,
            clock=self.clock,
            metrics=self.metrics,
            own_addresses=s.routing.own_addresses,
            ack_limits=s.ack,
            limits=s.limits,
            inbound_prefix=s.inbound_prefix,
            recorder=self.recorder,
        )

    @cached_property
    def ticket_opener(self) -> TicketOpener:
        from chalicelib.adapters.language_model import Cld3LanguageModel
        from chalicelib.services.inbound.opening import TicketOpener

        return TicketOpener(
            sla=self.ticket_planner_for_mail,
            routing=self.settings.routing,
            language=Cld3LanguageModel(),
        )

    @cached_property
    def quarantine_release(self) -> QuarantineRelease:
        from chalicelib.adapters.mime.parser import parse_email
        from chalicelib.services.inbound.release import QuarantineRelease

        return QuarantineRelease(
            store=self.store,
            raw=self.raw_mail,
            parse=parse_email,
            opener=self.ticket_opener,
            sla=self.ticket_planner_for_mail,
            clock=self.clock,
            metrics=self.metrics,
            limits=self.settings.limits,
            recorder=self.recorder,
        )

    # -- the agent desk (issue 4) ------------------------------------------------------------

    def _table[T](self, cls: Callable[[Any, str, str], T]) -> T:
        """A store on the table; the desk's time zone keys what is filed by local day."""
        return cls(
            self.client("dynamodb"), self.settings.table_name, self.settings.calendar.timezone
        )

    @cached_property
    def desk_store(self) -> ports.DeskStore:
        from chalicelib.adapters.dynamo.desk import DynamoDesk

        return self._table(DynamoDesk)

    @cached_property
    def ticket_views(self) -> TicketViews:
        from chalicelib.adapters.dynamo.views import DynamoTicketViews
        from chalicelib.services.desk.views import TicketViews

        return TicketViews(self._table(DynamoTicketViews), tuple(self.settings.routing.queues))

    @cached_property
    def ticket_details(self) -> TicketDetails:
        from chalicelib.adapters.dynamo.views import DynamoTicketViews
        from chalicelib.adapters.render.sanitize import NhSanitizer
        from chalicelib.services.desk.detail import TicketDetails

        return TicketDetails(self._table(DynamoTicketViews), self.raw_mail, NhSanitizer())

    @cached_property
    def queue_board(self) -> QueueBoard:
        from chalicelib.adapters.dynamo.agents import DynamoAgentStore
        from chalicelib.adapters.dynamo.board import DynamoBoard
        from chalicelib.services.desk.queues import QueueBoard

        store: ports.BoardStore = self._table(DynamoBoard)
        agents: ports.AgentListing = self._table(DynamoAgentStore)
        return QueueBoard(store, agents, self.settings.routing, self.clock)

    @cached_property
    def day_mail(self) -> DayMail:
        from chalicelib.adapters.dynamo.day_mail import DynamoDayMail
        from chalicelib.services.desk.day_mail import DayMail

        store: ports.DayMailStore = self._table(DynamoDayMail)
        return DayMail(store, self.settings.calendar.timezone)

    @cached_property
    def ticket_actions(self) -> TicketActions:
        from chalicelib.services.desk.actions import TicketActions

        return TicketActions(
            store=self.desk_store,
            agents=self.agents,
            sla=self.ticket_planner,
            clock=self.clock,
            queues=tuple(self.settings.routing.queues),
            recorder=self.recorder,
        )

    @cached_property
    def replies(self) -> ReplyService:
        from chalicelib.adapters.dynamo.reply_keys import DynamoReplyClaims
        from chalicelib.services.desk.replies import ReplyService

        s = self.settings
        return ReplyService(
            store=self.desk_store,
            mailer=self.mailer,
            renderer=self.renderer,
            canned=self.canned,
            sla=self.ticket_planner,
            clock=self.clock,
            routing=s.routing,
            helpdesk_name=s.helpdesk_name,
            region=s.region,
            claims=self._table(DynamoReplyClaims),
            recorder=self.recorder,
        )

    @cached_property
    def canned(self) -> CannedTemplates:
        from chalicelib.adapters.dynamo.templates import DynamoTemplateStore
        from chalicelib.adapters.render.canned_engine import SandboxedTemplates
        from chalicelib.services.desk.canned import CannedTemplates

        return CannedTemplates(
            store=self._table(DynamoTemplateStore),
            engine=SandboxedTemplates(),
            tickets=self.desk_store,
            clock=self.clock,
            helpdesk_name=self.settings.helpdesk_name,
        )

    @cached_property
    def quarantine_desk(self) -> QuarantineDesk:
        from chalicelib.adapters.dynamo.quarantine import DynamoHeldMail
        from chalicelib.services.desk.quarantine import QuarantineDesk

        return QuarantineDesk(self._table(DynamoHeldMail), self.quarantine_release, self.clock)

    # -- the satisfaction survey (issue 6) ---------------------------------------------------

    def _ticket_planner(self, *, delete_cancelled: bool) -> ports.SlaPlanner:
        from chalicelib.services.survey.planner import SurveyPlanner

        policy = self.sla_policy
        return SurveyPlanner(
            self.sla,
            self.scheduler,
            self.settings.survey,
            policy.calendar_of,
            delete_cancelled=delete_cancelled,
        )

    @cached_property
    def ticket_planner(self) -> ports.SlaPlanner:
        """Agents' replies and edits: a reopen also deletes the planned survey's schedule."""
        return self._ticket_planner(delete_cancelled=True)

    @cached_property
    def ticket_planner_for_mail(self) -> ports.SlaPlanner:
        """Customer mail: a reopen cancels the survey on the ticket only (a call budget)."""
        return self._ticket_planner(delete_cancelled=False)

    @cached_property
    def survey_secret(self) -> bytes:
        """The link-signing key: SURVEY_SECRET, else the SSM parameter (read once here)."""
        from chalicelib.config import ConfigError

        s = self.settings
        if s.survey_secret:
            return s.survey_secret.encode("utf-8")
        if not s.survey_secret_parameter:
            raise ConfigError("surveys need SURVEY_SECRET or SURVEY_SECRET_PARAMETER")
        from chalicelib.adapters.aws.ssm import SsmSecret

        return SsmSecret(self.client("ssm"), s.survey_secret_parameter).value()

    @cached_property
    def survey_store(self) -> DynamoSurveyStore:  # SurveyStore and CsatRecords
        from chalicelib.adapters.dynamo.survey import DynamoSurveyStore

        return self._table(DynamoSurveyStore)

    @cached_property
    def survey_mail(self) -> SurveyMail:
        from chalicelib.services.survey.mail import SurveyLinks, SurveyMail

        s = self.settings
        links = SurveyLinks(s.public_base_url, self.survey_secret, s.survey.validity)
        return SurveyMail(self.renderer, s.routing, s.helpdesk_name, links)

    @cached_property
    def survey_sender(self) -> SurveySender:
        from chalicelib.config import ConfigError
        from chalicelib.services.survey.sender import SurveySender

        if not self.settings.public_base_url:
            raise ConfigError("surveys need PUBLIC_BASE_URL, where /survey/<token> is served")
        return SurveySender(
            store=self.survey_store,
            mailer=self.mailer,
            mail=self.survey_mail,
            scheduler=self.scheduler,
            rules=self.settings.survey,
            clock=self.clock,
            metrics=self.metrics,
            recorder=self.recorder,
        )

    @cached_property
    def survey_closer(self) -> SurveyCloser:
        from chalicelib.services.survey.autoclose import SurveyCloser

        return SurveyCloser(
            store=self.survey_store,
            sla=self.sla,
            clock=self.clock,
            metrics=self.metrics,
            recorder=self.recorder,
        )

    @cached_property
    def survey_notice_retry(self) -> SurveyNoticeRetry:
        from chalicelib.services.survey.notice import SurveyNoticeRetry

        return SurveyNoticeRetry(
            store=self.survey_store, mailer=self.mailer, mail=self.survey_mail, clock=self.clock
        )

    @cached_property
    def survey_answers(self) -> SurveyAnswers:
        from chalicelib.services.survey.answers import SurveyAnswers

        return SurveyAnswers(
            store=self.survey_store,
            mailer=self.mailer,
            mail=self.survey_mail,
            scheduler=self.scheduler,
            sla=self.sla,
            policy=self.sla_policy,
            secret=self.survey_secret,
            clock=self.clock,
            metrics=self.metrics,
            recorder=self.recorder,
        )

    @cached_property
    def csat_report(self) -> CsatReport:
        from chalicelib.services.survey.report import CsatReport

        return CsatReport(self.survey_store, self.clock)

    # -- reports (issue 13) ------------------------------------------------------------------

    @cached_property
    def report_facts(self) -> ports.ReportFacts:
        from chalicelib.adapters.dynamo.reports import DynamoReportFacts

        return self._table(DynamoReportFacts)

    @cached_property
    def summary_report(self) -> SummaryReport:
        from chalicelib.services.reports.summary import SummaryReport

        return SummaryReport(self.report_facts, self.clock, self.settings.calendar.timezone)

    @cached_property
    def agent_report(self) -> AgentReport:
        from chalicelib.adapters.dynamo.agents import DynamoAgentStore
        from chalicelib.services.reports.agents import AgentReport

        return AgentReport(
            self.report_facts,
            self._table(DynamoAgentStore),
            self.clock,
            self.settings.calendar.timezone,
        )


_current: Container | None = None


def container() -> Container:
    """The container of this Lambda container (built on first use from the environment)."""
    global _current
    if _current is None:
        from chalicelib.adapters.aws.runtime import PowertoolsMetrics

        _current = Container(Settings.from_env(), metrics=PowertoolsMetrics())
    return _current


def use(new: Container | None) -> None:
    """Replace the container: tests and the local stack wire their own clock and clients."""
    global _current
    _current = new
