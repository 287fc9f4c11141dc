"""Which ticket a mail belongs to: references and subject tags, checked against the sender."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from chalicelib.domain.mail.addresses import normalise
from chalicelib.domain.tickets.model import Status, Ticket

_TAG = re.compile(r"\[#(\d{1,9})\]")


def subject_tags(subject: str) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(n) for n in _TAG.findall(subject)))


def strip_tags(subject: str) -> str:
    return " ".join(_TAG.sub(" ", subject).split())


def ses_message_id(provider_id: str, region: str) -> str:
    """The Message-ID SES puts on mail it sends for us (without angle brackets)."""
    host = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
    return f"{provider_id}@{host}"


def normalise_message_id(value: str) -> str:
    return value.strip().strip("<>").strip()


@dataclass(frozen=True)
class ThreadDecision:
    """Join `ticket`, or open a new ticket; `notes` say which references were not followed."""

    ticket: Ticket | None
    follow_up_of: int | None = None
    notes: tuple[str, ...] = field(default=())
    claimed: int | None = None  # the ticket an unproven sender claims to answer: held, not joined


def decide(
    *,
    sender: str,
    referenced: Iterable[int],
    tagged: Iterable[int],
    tickets: Mapping[int, Ticket],
    proven: bool = True,
    vouched: Collection[int] = (),
) -> ThreadDecision:
    """Join the first referenced ticket the sender takes part in; a stranger starts a new one.

    References (In-Reply-To, References) come before subject tags: they name one message, a tag
    can be copied. A closed ticket is final, so a reply to it opens a follow-up ticket.
    A From address proves nothing by itself: a sender whose mail is not `proven` (authenticated)
    joins only a ticket it `vouched` for, by quoting a Message-ID we sent to that address;
    otherwise the claim is held for an agent, and the mail neither joins nor reads the ticket.
    """
    who = normalise(sender)
    notes: list[str] = []
    for number in dict.fromkeys((*referenced, *tagged)):
        ticket = tickets.get(number)
        if ticket is None:
            continue
        if who not in ticket.participants:
            notes.append(f"refers to #{number}, but {who} is not on that ticket")
            continue
        if not proven and number not in vouched:
            notes.append(f"claims to be a reply to #{number} from {who}, sender not authenticated")
            return ThreadDecision(None, notes=tuple(notes), claimed=number)
        if ticket.status == Status.CLOSED:
            notes.append(f"follow-up to closed ticket #{number}")
            return ThreadDecision(None, follow_up_of=number, notes=tuple(notes))
        return ThreadDecision(ticket, notes=tuple(notes))
    return ThreadDecision(None, notes=tuple(notes))
