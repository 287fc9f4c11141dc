"""The Chalice app: Lambda entry points and HTTP routes. It translates; services decide."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from chalice.app import Chalice

from chalicelib import bootstrap
from chalicelib.adapters.aws.ses_event import receipts_from_event
from chalicelib.adapters.aws.ses_feedback import feedback_from_event
from chalicelib.api import agents, openapi, quarantine, queues, templates, ticket_work, tickets
from chalicelib.api import day_mail as day_mail_reports
from chalicelib.api import reports as csat_reports
from chalicelib.api import survey as survey_pages
from chalicelib.api import ui as agent_ui
from chalicelib.api.auth import authenticate
from chalicelib.domain.errors import InvalidInput

app = Chalice(app_name="helpdesk", configure_logs=False)  # Powertools owns the logger
logger = Logger(service="helpdesk")
metrics = Metrics(namespace="Helpdesk", service="helpdesk")

app.register_middleware(authenticate, "http")
app.register_blueprint(agents.bp)
for _desk in (tickets, ticket_work, queues, templates, quarantine, openapi):
    app.register_blueprint(_desk.bp)
app.register_blueprint(agent_ui.bp)  # the page at / and its /ui/ assets (public)
app.register_blueprint(csat_reports.bp)  # /api/reports/csat
app.register_blueprint(day_mail_reports.bp)  # /api/reports/mail
app.register_blueprint(survey_pages.bp)  # /survey/{token}: the public survey pages


@app.lambda_function(name="inbound_email")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def inbound_email(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SES receipt rule → Lambda action (after the S3 action stored the raw mail)."""
    results = []
    for receipt in receipts_from_event(event):
        logger.append_keys(mail=receipt.mail_id)
        try:
            result = bootstrap.container().ingest(receipt)
        except Exception:
            logger.exception("inbound mail failed; the raw mail stays in S3 for the retry")
            raise
        logger.append_keys(ticket=result.ticket_number)
        results.append(
            {
                "mail": receipt.mail_id,
                "outcome": result.outcome.value,
                "ticket": result.ticket_number,
                "acknowledged": result.acknowledged,
                "reason": result.reason,
            }
        )
    return {"results": results}


@app.lambda_function(name="scheduled")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def scheduled(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """EventBridge Scheduler → a one-time schedule's Input, dispatched by its "type"."""
    logger.append_keys(schedule=event.get("schedule"), ticket=event.get("ticket"))
    try:
        result: dict[str, Any] = bootstrap.container().scheduled(event)
    except InvalidInput as e:  # a retry cannot mend the event: refuse it once, loudly
        logger.error("scheduled event refused", extra={"reason": str(e)})
        return {"refused": str(e)}
    except Exception:
        logger.exception("scheduled task failed; it is invoked again")
        raise
    logger.info("scheduled task done", extra={"result": result})
    return result


@app.lambda_function(name="ses_events")
@logger.inject_lambda_context(clear_state=True)
def ses_events(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SNS ← SES configuration set: bounces and complaints of the mail we sent."""
    try:
        feedback = feedback_from_event(event)
    except InvalidInput as e:  # not an SES event: retrying cannot mend it
        logger.error("SES event refused", extra={"reason": str(e)})
        return {"refused": str(e)}
    results = []
    for item in feedback:
        result = bootstrap.container().feedback.record(item)
        results.append(
            {
                "recipient": result.recipient,
                "kind": result.kind,
                "ticket": result.ticket,
                "suppressed": result.suppressed,
            }
        )
    return {"results": results}
