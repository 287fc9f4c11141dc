"""SES receiving, played locally: a matching rule's S3 action at once, its Lambda action later."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from local.clock import LocalClock
from local.lambdas import LambdaFunctions, MissingFunction, function_name
from local.receipt_rules import ReceiptRule, verdicts_from_header
from local.ses_events import new_mail_id, ses_event

log = logging.getLogger("local.ses")

# Lambda retries a failed asynchronous invocation twice (after about 1 and 2 minutes); locally
# the same two retries come after 1 and 2 seconds.
RETRY_DELAYS = (1.0, 2.0)


@dataclass(frozen=True)
class Delivery:
    mail_id: str
    at: datetime
    source: str
    rules: tuple[tuple[ReceiptRule, tuple[str, ...]], ...]  # each rule with its recipients


class Receiver:
    """Stores accepted mail (S3 action) at once; runs the Lambda action later, off the SMTP loop."""

    def __init__(
        self,
        rules: Sequence[ReceiptRule],
        s3_client: Any,
        functions: LambdaFunctions,
        clock: LocalClock,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._rules = tuple(rules)
        self._s3 = s3_client
        self._functions = functions
        self._clock = clock
        self._retry_delays = tuple(retry_delays)
        self._stopping = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-lambda")

    @property
    def recipients(self) -> list[str]:
        return [r for rule in self._rules for r in rule.recipients]

    def accepts(self, address: str) -> bool:
        return any(rule.accepts(address) for rule in self._rules)

    def store(self, raw: bytes, recipients: Sequence[str], source: str) -> Delivery:
        """The S3 actions; raises when the raw mail could not be stored (SMTP answers 451)."""
        matched = tuple(
            (rule, tuple(r for r in recipients if rule.accepts(r)))
            for rule in self._rules
            if any(rule.accepts(r) for r in recipients)
        )
        delivery = Delivery(new_mail_id(), self._clock.now(), source, matched)
        for rule, _ in matched:
            if rule.bucket:
                key = rule.prefix + delivery.mail_id
                self._s3.put_object(Bucket=rule.bucket, Key=key, Body=raw)
                log.info(
                    "mail %s from <%s> to %s: %d bytes stored at s3://%s/%s",
                    delivery.mail_id,
                    source,
                    ", ".join(recipients),
                    len(raw),
                    rule.bucket,
                    key,
                )
        return delivery

    def process_later(self, delivery: Delivery, raw: bytes) -> Future[None]:
        return self._executor.submit(self.process, delivery, raw)

    def process(self, delivery: Delivery, raw: bytes) -> None:
        """The Lambda actions, with Lambda's two retries of an asynchronous invocation."""
        verdicts = verdicts_from_header(raw)
        for rule, recipients in delivery.rules:
            if not rule.function_arn:
                continue
            event = ses_event(
                raw,
                mail_id=delivery.mail_id,
                recipients=recipients,
                source=delivery.source,
                at=delivery.at,
                function_arn=rule.function_arn,
                verdicts=verdicts,
            )
            self._invoke(delivery.mail_id, rule, event)

    def close(self) -> None:
        self._stopping.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _invoke(self, mail_id: str, rule: ReceiptRule, event: dict[str, Any]) -> None:
        assert rule.function_arn is not None
        attempts = len(self._retry_delays) + 1
        for attempt in range(1, attempts + 1):
            try:
                result = self._functions.invoke(rule.function_arn, event)
            except MissingFunction as e:
                log.error("mail %s: %s; the raw mail stays in s3://%s", mail_id, e, rule.bucket)
                return
            except Exception as e:
                log.error(
                    "mail %s: %s failed (attempt %d of %d): %s; the raw mail stays in s3://%s/%s%s",
                    mail_id,
                    function_name(rule.function_arn),
                    attempt,
                    attempts,
                    f"{type(e).__name__}: {e}",
                    rule.bucket,
                    rule.prefix,
                    mail_id,
                    exc_info=attempt == 1,  # the traceback once, not once per retry
                )
                if attempt == attempts or self._stopping.wait(self._retry_delays[attempt - 1]):
                    return
                continue
            log.info("mail %s: %s", mail_id, summary(result))
            return


def summary(result: Any) -> str:
    """`ticket #1001 (ticket), acknowledged` from what inbound_email returned."""
    items = result.get("results", []) if isinstance(result, Mapping) else []
    parts = []
    for item in items:
        ticket = f"ticket #{item['ticket']}" if item.get("ticket") else "no ticket"
        ack = "acknowledged" if item.get("acknowledged") else "no acknowledgement"
        reason = f" ({item['reason']})" if item.get("reason") else ""
        parts.append(f"{ticket} ({item.get('outcome')}), {ack}{reason}")
    return "; ".join(parts) or "processed"
