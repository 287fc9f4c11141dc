"""Mailer on SES v2: builds the MIME ourselves (threading headers, two parts) and sends it raw."""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
)

from chalicelib.domain.errors import DeliveryUnknown, MailRejected, StorageError
from chalicelib.domain.mail.addresses import header_safe, is_valid, needs_smtputf8
from chalicelib.domain.mail.parsed import Address
from chalicelib.services.ports import Clock, OutgoingMail

_SAFE_ID = re.compile(r"^[^\s<>()\\,;:\"\[\]\x00-\x1f\x7f]+@[^\s<>()\\,;:\"\[\]\x00-\x1f\x7f]+$")
_REJECTIONS = (
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "AccountSuspendedException",
    "SendingPausedException",
    "BadRequestException",
)
# Raised before a byte left this machine: SES cannot have the mail, so sending again is safe.
# Any other BotoCoreError (a read timeout, a connection closed mid-answer) may follow SES
# accepting it: the mail is treated as possibly sent, never sent again.
_NOT_SENT = (EndpointConnectionError, NoCredentialsError, ParamValidationError)


def build_mime(mail: OutgoingMail, clock: Clock) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _header_address(mail.sender)
    msg["To"] = [_header_address(a) for a in mail.to]
    if mail.cc:
        msg["Cc"] = [_header_address(a) for a in mail.cc]
    msg["Subject"] = header_safe(mail.subject)
    msg["Date"] = format_datetime(clock.now())
    if mail.message_id and _SAFE_ID.match(mail.message_id):
        msg["Message-ID"] = f"<{mail.message_id}>"
    if mail.in_reply_to and _SAFE_ID.match(mail.in_reply_to):
        msg["In-Reply-To"] = f"<{mail.in_reply_to}>"
    references = [r for r in mail.references if _SAFE_ID.match(r)]
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references[-20:])
    for name, value in mail.headers.items():
        msg[header_safe(name, 60)] = header_safe(value)
    msg.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    if mail.html:
        msg.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = header_safe(mail.language, 20)  # set_content() clears Content-*
    return msg


def _header_address(address: Address) -> HeaderAddress:
    if not is_valid(address.email):
        raise MailRejected(f"not an email address: {address.email!r}")
    if needs_smtputf8(address.email):
        raise MailRejected(f"{address.email!r} needs SMTPUTF8, which SES cannot send")
    return HeaderAddress(display_name=header_safe(address.name, 200), addr_spec=address.email)


class SesMailer:
    def __init__(self, client: Any, clock: Clock, configuration_set: str | None = None) -> None:
        self._ses = client
        self._clock = clock
        self._configuration_set = configuration_set

    def send(self, mail: OutgoingMail) -> str:
        raw = build_mime(mail, self._clock).as_bytes()
        kwargs: dict[str, Any] = {
            "FromEmailAddress": mail.sender.email,
            "Destination": {
                "ToAddresses": [a.email for a in mail.to],
                "CcAddresses": [a.email for a in mail.cc],
            },
            "Content": {"Raw": {"Data": raw}},
        }
        if self._configuration_set:
            kwargs["ConfigurationSetName"] = self._configuration_set
        try:
            return str(self._ses.send_email(**kwargs)["MessageId"])
        except ClientError as e:  # SES answered: it did not take the mail
            code = e.response["Error"]["Code"]
            if code in _REJECTIONS:
                message = e.response["Error"].get("Message", "")
                raise MailRejected(f"SES refused the mail: {code} {message}".strip()) from e
            raise StorageError(f"SES send failed: {code}") from e
        except _NOT_SENT as e:
            raise StorageError(f"SES not reached: {e}") from e
        except BotoCoreError as e:
            raise DeliveryUnknown(f"SES may have sent the mail: {e}") from e
