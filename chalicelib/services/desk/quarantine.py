"""Held mail for agents: list it, release it into a ticket or onto the ticket it claims, or
confirm it as spam (kept)."""

from __future__ import annotations

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.mail.delivery import HeldMail, HeldStatus
from chalicelib.services.desk.views import page_cursor, page_limit
from chalicelib.services.ports import Clock, HeldMailStore, Releaser


class QuarantineDesk:
    def __init__(self, store: HeldMailStore, releaser: Releaser, clock: Clock) -> None:
        self._store = store
        self._releaser = releaser
        self._clock = clock

    def page(self, limit: int | None, cursor: str | None) -> tuple[list[HeldMail], str | None]:
        return self._store.list_held(page_limit(limit), page_cursor(cursor))

    def get(self, mail_id: str) -> HeldMail:
        held = self._store.get_held(mail_id)
        if held is None:
            raise NotFound(f"no quarantined mail {mail_id}")
        return held

    def release(self, mail_id: str, agent: Agent) -> HeldMail:
        self._releaser.release(mail_id, agent.id, self._store)
        return self.get(mail_id)

    def append(self, mail_id: str, agent: Agent) -> HeldMail:
        self._releaser.append(mail_id, agent.id, self._store)
        return self.get(mail_id)

    def mark_spam(self, mail_id: str, agent: Agent) -> HeldMail:
        held = self.get(mail_id)
        if held.status != HeldStatus.HELD:
            raise Conflict(f"mail {mail_id} is {held.status.value} already")
        self._store.mark_spam(held=held, by=agent.id, at=self._clock.now())
        return self.get(mail_id)
