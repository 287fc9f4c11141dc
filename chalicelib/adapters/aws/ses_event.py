"""The SES receipt event (Lambda action) → Receipts: headers and verdicts, never a body."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.mail.parsed import Receipt


def receipts_from_event(event: Mapping[str, Any]) -> list[Receipt]:
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list) or not records:
        raise InvalidInput("Records", "not an SES receipt event (no Records)")
    return [_receipt(record, i) for i, record in enumerate(records)]


def _receipt(record: Any, index: int) -> Receipt:
    ses = record.get("ses") if isinstance(record, Mapping) else None
    if not isinstance(ses, Mapping):
        raise InvalidInput(f"Records[{index}].ses", "missing")
    mail = ses.get("mail") or {}
    receipt = ses.get("receipt") or {}
    mail_id = str(mail.get("messageId") or "")
    if not mail_id or "/" in mail_id or len(mail_id) > 200:
        raise InvalidInput(f"Records[{index}].ses.mail.messageId", f"invalid: {mail_id!r}")
    return Receipt(
        mail_id=mail_id,
        received_at=_timestamp(receipt.get("timestamp") or mail.get("timestamp")),
        source=str(mail.get("source") or ""),
        recipients=tuple(
            str(r) for r in receipt.get("recipients") or mail.get("destination") or ()
        ),
        spam=_verdict(receipt, "spamVerdict"),
        virus=_verdict(receipt, "virusVerdict"),
        spf=_verdict(receipt, "spfVerdict"),
        dkim=_verdict(receipt, "dkimVerdict"),
        dmarc=_verdict(receipt, "dmarcVerdict"),
        dmarc_policy=str(receipt.get("dmarcPolicy") or "")[:20],
    )


def _verdict(receipt: Mapping[str, Any], name: str) -> str:
    value = receipt.get(name)
    return str(value.get("status", "")) if isinstance(value, Mapping) else ""


def _timestamp(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)
