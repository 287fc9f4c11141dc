"""A note, take or transfer asked with an `Idempotency-Key`: its claim rides in the change's own
transaction (domain/desk/action_keys.py), and a repeat is answered from it without acting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.desk.action_keys import ActionClaim, action_fingerprint, same_request
from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.desk.reply_keys import HEADER, key_digest
from chalicelib.domain.errors import NotFound
from chalicelib.domain.reports.facts import Facts
from chalicelib.domain.tickets.model import Event, Message, Ticket
from chalicelib.services.ports import DeskStore
from chalicelib.services.unit_of_work import Change, TicketUnit


@dataclass(frozen=True)
class Acted[T]:
    """What an action made, or (`replayed`) what a repeat of it under the same key answers."""

    result: T
    replayed: bool = False


def asked(
    agent: Agent,
    key: str | None,
    action: str,
    number: int,
    at: datetime,
    *fields: str,
    note_id: str | None = None,
) -> ActionClaim | None:
    """The claim a keyed request will write (None without a key): the action and its fields."""
    if key is None:
        return None
    fingerprint = action_fingerprint(action, number, *fields)
    return ActionClaim(agent.id, key, action, number, fingerprint, at, note_id)


def unique(agent: Agent, key: str | None) -> str | None:
    """A keyed note's id comes from its key (the part after its time), as a keyed reply's does."""
    return key_digest(agent.id, key)[:16] if key else None


class ActionKeys:
    def __init__(self, store: DeskStore, unit: TicketUnit) -> None:
        self._store = store
        self._unit = unit

    def held(self, asked: ActionClaim | None) -> ActionClaim | None:
        """What the key did before, if it did (one consistent GetItem; none without a key)."""
        return self._store.action_claim(asked.agent, asked.key) if asked else None

    def claimed(self, change: Change, asked: ActionClaim | None, at: datetime) -> Change:
        """The change as written with its key's claim, in one transaction; as it is without."""
        if asked is None:
            return change
        note = change.message
        claim = replace(asked, at=at, note_id=note.id if note else None)

        def write(after: Ticket, version: int, events: list[Event], found: Facts | None) -> None:
            self._store.write_claimed(
                ticket=after,
                expected_version=version,
                events=events,
                message=note,
                claim=claim,
                facts=found,
            )

        return replace(change, write=write)

    def ticket_again(self, held: ActionClaim, asked: ActionClaim) -> Acted[Ticket]:
        """A repeat of a take or transfer: the ticket as it is now; nothing is done again."""
        number = same_request(held, asked.fingerprint).ticket
        return Acted(self._unit.get(number), replayed=True)

    def note_again(self, held: ActionClaim, asked: ActionClaim) -> Acted[Message]:
        """A repeat of a note: the note made the first time."""
        same_request(held, asked.fingerprint)
        made = self._store.get_message(held.ticket, held.note_id or "")
        if made is None:
            raise NotFound(f"the note of this {HEADER} is no longer on ticket {held.ticket}")
        return Acted(made, replayed=True)
