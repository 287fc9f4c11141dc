"""SMTP in (aiosmtpd): answers as SES's inbound endpoint does, then hands mail to receiving."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller

from local.receiving import Receiver

log = logging.getLogger("local.smtp")

REJECTED = "550 5.1.1 Recipient address rejected"


class SesInbound:
    """aiosmtpd handler: RCPT checked against the receipt rules; 250 once the raw mail is stored."""

    def __init__(self, receiver: Receiver) -> None:
        self._receiver = receiver

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not self._receiver.accepts(address):
            log.info("RCPT <%s> rejected: no active receipt rule accepts it", address)
            return REJECTED
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = bytes(envelope.original_content or b"")
        loop = asyncio.get_running_loop()
        try:
            delivery = await loop.run_in_executor(
                None, self._receiver.store, raw, list(envelope.rcpt_tos), envelope.mail_from or ""
            )
        except Exception:
            log.exception("could not store a mail from <%s>; answered 451", envelope.mail_from)
            return "451 4.3.0 Could not store the mail, try again later"
        # SES accepts before the Lambda action runs: processing errors never reach the sender.
        self._receiver.process_later(delivery, raw)
        return f"250 Ok {delivery.mail_id}"


def start_smtp(receiver: Receiver, host: str, port: int, max_bytes: int) -> Controller:
    controller = Controller(
        SesInbound(receiver),
        hostname=host,
        port=port,
        server_hostname="localhost",  # skips socket.getfqdn(), which can wait on DNS
        ident="helpdesk local SES inbound",
        data_size_limit=max_bytes,
        enable_SMTPUTF8=True,
    )
    controller.start()
    return controller
