"""SES receipt events shaped exactly as SES builds them for a Lambda action."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any

_ID_ALPHABET = string.ascii_lowercase + string.digits
PASS_VERDICTS = {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS"}


def new_mail_id() -> str:
    """SES message ids: 40 lower-case letters and digits."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(40))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def ses_event(
    raw: bytes,
    *,
    mail_id: str,
    recipients: Sequence[str],
    source: str,
    at: datetime,
    function_arn: str,
    verdicts: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    pairs = [{"name": k, "value": str(v)} for k, v in headers.items()]
    verdict = {**PASS_VERDICTS, **(verdicts or {})}
    receipt: dict[str, Any] = {
        "timestamp": _iso(at),
        "processingTimeMillis": 120,
        "recipients": list(recipients),
        "spamVerdict": {"status": verdict["spam"]},
        "virusVerdict": {"status": verdict["virus"]},
        "spfVerdict": {"status": verdict["spf"]},
        "dkimVerdict": {"status": verdict["dkim"]},
        "dmarcVerdict": {"status": verdict["dmarc"]},
        "action": {"type": "Lambda", "functionArn": function_arn, "invocationType": "Event"},
    }
    if verdict["dmarc"] == "FAIL" and verdict.get("dmarc_policy"):
        receipt["dmarcPolicy"] = verdict["dmarc_policy"]  # SES names it only when DMARC failed
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": _iso(at),
                        "source": source,
                        "messageId": mail_id,
                        "destination": list(recipients),
                        "headersTruncated": False,
                        "headers": pairs,
                        "commonHeaders": _common_headers(headers, source),
                    },
                    "receipt": receipt,
                },
            }
        ]
    }


def _common_headers(headers: Any, source: str) -> dict[str, Any]:
    common: dict[str, Any] = {"returnPath": source}
    for name, key in (("from", "from"), ("to", "to"), ("cc", "cc"), ("reply-to", "replyTo")):
        values = headers.get_all(name)
        if values:
            common[key] = (
                [str(v) for v in values]
                if key == "from"
                else [f"{n} <{a}>" if n else a for n, a in getaddresses([str(v) for v in values])]
            )
    for name, key in (("date", "date"), ("message-id", "messageId"), ("subject", "subject")):
        if headers.get(name) is not None:
            common[key] = str(headers.get(name))
    return common
