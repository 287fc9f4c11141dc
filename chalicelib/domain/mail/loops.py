"""Loop safety (RFC 3834): recognise mail that must never get an automatic answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.mail.addresses import (
    is_list_manager,
    is_noreply,
    is_system_sender,
    normalise,
)
from chalicelib.domain.mail.parsed import ParsedEmail


class AutoKind(StrEnum):
    """What kind of automatic mail this is; the first three are never a new ticket."""

    AUTO_REPLY = "auto_reply"  # out-of-office and other robots answering
    BOUNCE = "bounce"  # delivery reports
    OWN_ADDRESS = "own_address"  # our own mail coming back
    BULK = "bulk"  # lists, newsletters, Precedence: bulk, mail that passed a robot (X-Loop)
    NO_REPLY = "no_reply"  # a sender that cannot receive answers
    SUPPRESS_REQUESTED = "suppress_requested"  # X-Auto-Response-Suppress


NEVER_A_TICKET = frozenset({AutoKind.AUTO_REPLY, AutoKind.BOUNCE, AutoKind.OWN_ADDRESS})

_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|autoreply|"
    r"automatische antwort|abwesenheitsnotiz|réponse automatique|automaattinen vastaus|"
    r"automatiskt svar|automatisk svar|autosvar|automatyczna odpowiedź|پاسخ خودکار|"
    r"respuesta automática|automatisch antwoord)\s*:",
    re.IGNORECASE,
)
# What MTAs put in the subject of a delivery failure, anchored at the start (a person's
# "Re:" or "Fwd:" of one is a person writing). Short words need the colon the MTA writes:
# "Undeliverable: order 55" is Exchange, "Undeliverable parcel" is a customer.
_BOUNCE_SUBJECT = re.compile(
    r"^\s*("
    r"undeliverable( mail| message)?\s*:|undelivered mail returned to sender|"
    r"mail delivery (failed|failure)\s*:|returned mail\s*:|delivery failure\s*:|"
    r"delivery status notification\s*\(|failure notice\s*$|mail system error - returned mail|"
    r"message not delivered\s*:|"
    r"(unzustellbar|nicht zustellbar)\s*:|unzustellbare (nachricht|e-mail)|"  # de
    r"onbestelbaar\s*:|"  # nl
    r"(non remis|non distribuable)\s*:|(message|courrier) non (remis|distribué)|"  # fr
    r"(no se puede entregar|no entregado|no entregable)\s*:|mensaje no entregado|"  # es
    r"non recapitabile\s*:|"  # it
    r"(ei voitu toimittaa|ei voida toimittaa|toimittamaton)\s*:|toimitus epäonnistui|"  # fi
    r"(olevererbart|ej levererat)\s*:|kunde inte levereras|"  # sv
    r"(ikke[- ]leverbar|ikke leveret)\s*:|kunne ikke leveres|"  # da
    r"(niedostarczalne|nie można dostarczyć)\s*:|"  # pl
    r"(wiadomość niedostarczona|niedostarczona wiadomość)|"
    r"(قابل تحویل نیست|تحویل داده نشد|غیرقابل تحویل)"  # fa
    r")",
    re.IGNORECASE,
)
_REPORT_TYPES = frozenset(
    {
        "multipart/report",
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
    }
)
# RFC 2369/2919 and the older list headers (Mailing-List: ezmlm, X-Mailing-List: SmartList,
# X-ML-Name: fml); List-Id alone was not enough, many lists send only some of these.
_LIST_HEADERS = (
    "list-id",
    "list-unsubscribe",
    "list-post",
    "list-help",
    "list-subscribe",
    "list-owner",
    "list-archive",
    "mailing-list",
    "x-mailing-list",
    "x-ml-name",
)
_SUPPRESS_VALUES = ("all", "autoreply", "oof")
_LOOP_ADDRESS = re.compile(r"[^\s<>\"',;()]+@[^\s<>\"',;()]+")


@dataclass(frozen=True)
class AutoMail:
    kind: AutoKind
    reason: str

    @property
    def may_open_ticket(self) -> bool:
        return self.kind not in NEVER_A_TICKET


def classify(
    mail: ParsedEmail, *, envelope_sender: str, own_addresses: frozenset[str]
) -> AutoMail | None:
    """Why this mail must get no automatic answer, or None for a person writing to us."""
    for check in (
        _own_address,
        _bounce,
        _auto_reply,
        _bulk,
        _loop_header,
        _no_reply,
        _suppress,
    ):
        verdict = check(mail, envelope_sender, own_addresses)
        if verdict:
            return verdict
    return None


def _loops(mail: ParsedEmail) -> tuple[str, ...]:
    """Every X-Loop the mail carries (a robot may add its own above ours)."""
    values = mail.x_loops or (mail.header("x-loop"),)
    return tuple(value for value in values if value.strip())


def _own_address(mail: ParsedEmail, _envelope: str, own: frozenset[str]) -> AutoMail | None:
    if mail.sender and normalise(mail.sender.email) in own:
        return AutoMail(AutoKind.OWN_ADDRESS, f"sent from our own address {mail.sender.email}")
    for value in _loops(mail):
        ours = [a for a in _LOOP_ADDRESS.findall(value) if normalise(a) in own]
        if ours:
            return AutoMail(AutoKind.OWN_ADDRESS, f"carries our own X-Loop: {ours[0]}")
    return None


def _bounce(mail: ParsedEmail, envelope: str, _own: frozenset[str]) -> AutoMail | None:
    if mail.content_type in _REPORT_TYPES:
        return AutoMail(AutoKind.BOUNCE, f"delivery report ({mail.content_type})")
    if envelope.strip() in ("", "<>"):
        return AutoMail(AutoKind.BOUNCE, "empty envelope sender (Return-Path <>)")
    if mail.sender and is_system_sender(mail.sender.email):
        return AutoMail(AutoKind.BOUNCE, f"sent by {mail.sender.email}")
    if is_system_sender(envelope):
        return AutoMail(AutoKind.BOUNCE, f"envelope sender {envelope}")
    if _BOUNCE_SUBJECT.match(mail.subject):
        return AutoMail(AutoKind.BOUNCE, "subject of a delivery failure")
    return None


def _auto_reply(mail: ParsedEmail, _envelope: str, _own: frozenset[str]) -> AutoMail | None:
    submitted = mail.header("auto-submitted").strip().lower()
    if submitted and not submitted.startswith("no"):
        return AutoMail(AutoKind.AUTO_REPLY, f"Auto-Submitted: {submitted}")
    for name in ("x-autoreply", "x-autorespond", "x-autogenerated", "x-auto-reply"):
        if mail.header(name):
            return AutoMail(AutoKind.AUTO_REPLY, f"{name} header")
    precedence = mail.header("precedence").strip().lower()
    if precedence in ("auto_reply", "auto-reply"):
        return AutoMail(AutoKind.AUTO_REPLY, f"Precedence: {precedence}")
    if _AUTO_REPLY_SUBJECT.match(mail.subject):
        return AutoMail(AutoKind.AUTO_REPLY, "subject marks an automatic reply")
    return None


def _bulk(mail: ParsedEmail, envelope: str, _own: frozenset[str]) -> AutoMail | None:
    precedence = mail.header("precedence").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return AutoMail(AutoKind.BULK, f"Precedence: {precedence}")
    for name in _LIST_HEADERS:
        if mail.header(name):
            return AutoMail(AutoKind.BULK, f"{name} header (mailing list)")
    for address in (mail.sender.email if mail.sender else "", envelope):
        if address and is_list_manager(address):
            return AutoMail(AutoKind.BULK, f"mailing-list software address {address}")
    return None


def _loop_header(mail: ParsedEmail, _envelope: str, _own: frozenset[str]) -> AutoMail | None:
    # Another robot's X-Loop (a list, a helpdesk, a procmail forward): never answered, but it
    # may carry a person's words, so it still becomes a ticket.
    values = _loops(mail)
    if values:
        return AutoMail(AutoKind.BULK, f"X-Loop: {values[0][:200]}")
    return None


def _no_reply(mail: ParsedEmail, envelope: str, _own: frozenset[str]) -> AutoMail | None:
    address = mail.sender.email if mail.sender else envelope
    if address and is_noreply(address):
        return AutoMail(AutoKind.NO_REPLY, f"no-reply sender {address}")
    return None


def _suppress(mail: ParsedEmail, _envelope: str, _own: frozenset[str]) -> AutoMail | None:
    value = mail.header("x-auto-response-suppress").lower()
    if any(token in value for token in _SUPPRESS_VALUES):
        return AutoMail(AutoKind.SUPPRESS_REQUESTED, f"X-Auto-Response-Suppress: {value}")
    return None
