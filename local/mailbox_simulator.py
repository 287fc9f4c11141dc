"""SES's mailbox simulator, played locally: mail we send to bounce@ or complaint@
simulator.amazonses.com comes back as the bounce or complaint event SES would publish, through
the SES events topic to `ses_events` (in-process, on a thread of its own, after the send).

SES answers those addresses the same way in AWS, so the flow can be tried without a real
customer bouncing: a mail with `Cc: bounce@simulator.amazonses.com`, then an agent's reply (it
goes to the cc too) shows "reply to bounce@simulator.amazonses.com bounced: ..." on the ticket.
(Mail *from* that address is quarantined by the loop checks: its local part says bounce.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("local.ses")

BOUNCE = "bounce@simulator.amazonses.com"
COMPLAINT = "complaint@simulator.amazonses.com"
_KEY = "local_simulated_recipients"

Invoke = Callable[[str, Any], Any]


def simulated_event(kind: str, ses_id: str, to: str, source: str, at: datetime) -> dict[str, Any]:
    """The SES event JSON of a configuration set's SNS destination, for one recipient."""
    stamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mail = {"timestamp": stamp, "source": source, "messageId": ses_id, "destination": [to]}
    if kind == "Bounce":
        detail = {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": to,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown (SES mailbox simulator)",
                }
            ],
            "timestamp": stamp,
            "feedbackId": f"local-{ses_id}-bounce",
        }
        return {"eventType": "Bounce", "bounce": detail, "mail": mail}
    detail = {
        "complainedRecipients": [{"emailAddress": to}],
        "timestamp": stamp,
        "feedbackId": f"local-{ses_id}-complaint",
        "complaintFeedbackType": "abuse",
    }
    return {"eventType": "Complaint", "complaint": detail, "mail": mail}


def sns_event(topic_arn: str, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": "Notification",
                    "TopicArn": topic_arn,
                    "Message": json.dumps(message),
                },
            }
        ]
    }


class MailboxSimulator:
    """Hooks on the app's sesv2 client: note simulator recipients, then answer after the send."""

    def __init__(
        self, invoke: Invoke, function_arn: str, topic_arn: str, now: Callable[[], datetime]
    ) -> None:
        self._invoke = invoke
        self._function = function_arn
        self._topic = topic_arn
        self._now = now
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-ses")

    def attach(self, sesv2: Any) -> None:
        sesv2.meta.events.register("provide-client-params.sesv2.SendEmail", self.note)
        sesv2.meta.events.register("after-call.sesv2.SendEmail", self.answer)

    def note(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        destination = params.get("Destination") or {}
        to = [*destination.get("ToAddresses", []), *destination.get("CcAddresses", [])]
        simulated = [a for a in to if a.lower() in (BOUNCE, COMPLAINT)]
        if simulated:
            context[_KEY] = (simulated, str(params.get("FromEmailAddress") or ""))

    def answer(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if _KEY not in context or "MessageId" not in parsed:
            return
        recipients, source = context.pop(_KEY)
        for to in recipients:
            kind = "Bounce" if to.lower() == BOUNCE else "Complaint"
            event = simulated_event(kind, str(parsed["MessageId"]), to, source, self._now())
            # later, on its own thread: the sending handler holds the functions' lock
            self._executor.submit(self._deliver, sns_event(self._topic, event), kind, to)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _deliver(self, event: dict[str, Any], kind: str, to: str) -> None:
        try:
            result = self._invoke(self._function, event)
        except Exception:
            log.exception("simulated %s to %s: ses_events failed", kind.lower(), to)
            return
        log.info("simulated %s to %s: %s", kind.lower(), to, result)
