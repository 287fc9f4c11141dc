"""SES receipt rules as the local stack reads them from moto, and the local verdict header."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import Any

from local.ses_events import PASS_VERDICTS

log = logging.getLogger("local.ses")

VERDICT_HEADER = "X-Local-Verdicts"
VERDICT_STATUSES = frozenset({"PASS", "FAIL", "GRAY", "PROCESSING_FAILED", "DISABLED"})
DMARC_POLICIES = frozenset({"none", "quarantine", "reject"})


@dataclass(frozen=True)
class ReceiptRule:
    name: str
    recipients: tuple[str, ...]
    bucket: str | None = None
    prefix: str = ""
    function_arn: str | None = None

    def accepts(self, address: str) -> bool:
        """SES matching: an address exactly, a domain, or `.domain` for its subdomains."""
        if not self.recipients:
            return True
        return any(_matches(condition, address) for condition in self.recipients)

    @classmethod
    def from_api(cls, rule: Mapping[str, Any]) -> ReceiptRule:
        actions: list[dict[str, Any]] = list(rule.get("Actions", []))
        s3: dict[str, Any] = next((a["S3Action"] for a in actions if "S3Action" in a), {})
        fn: dict[str, Any] = next((a["LambdaAction"] for a in actions if "LambdaAction" in a), {})
        return cls(
            name=str(rule["Name"]),
            recipients=tuple(str(r) for r in rule.get("Recipients", [])),
            bucket=s3.get("BucketName"),
            prefix=str(s3.get("ObjectKeyPrefix") or ""),
            function_arn=fn.get("FunctionArn"),
        )


def _matches(condition: str, address: str) -> bool:
    wanted, given = condition.strip().lower(), address.strip().lower()
    domain = given.rpartition("@")[2]
    if "@" in wanted:
        return given == wanted
    if wanted.startswith("."):
        return domain.endswith(wanted)
    return domain == wanted


def active_rules(ses_client: Any) -> list[ReceiptRule]:
    """The enabled rules of the active receipt rule set, in order (provisioned from infra/)."""
    rules = ses_client.describe_active_receipt_rule_set().get("Rules") or []
    return [ReceiptRule.from_api(r) for r in rules if r.get("Enabled", False)]


def verdicts_from_header(raw: bytes) -> dict[str, str]:
    """`X-Local-Verdicts: spam=FAIL, virus=PASS` lets a local sender play SES's scanners."""
    value = BytesHeaderParser().parsebytes(raw).get(VERDICT_HEADER)
    verdicts: dict[str, str] = {}
    for item in str(value or "").split(","):
        name, _, status = (p.strip() for p in item.partition("="))
        if not name:
            continue
        if name.lower() in PASS_VERDICTS and status.upper() in VERDICT_STATUSES:
            verdicts[name.lower()] = status.upper()
        elif name.lower() == "dmarc_policy" and status.lower() in DMARC_POLICIES:
            verdicts["dmarc_policy"] = status.lower()
        else:
            log.warning(
                "%s: ignored %r (use e.g. spam=FAIL, dmarc=FAIL, dmarc_policy=reject)",
                VERDICT_HEADER,
                item,
            )
    return verdicts
