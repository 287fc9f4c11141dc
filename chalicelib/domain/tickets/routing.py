"""Queues from addresses: which queue a mail lands in, and which address answers it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.domain.mail.addresses import normalise


@dataclass(frozen=True)
class Queue:
    name: str
    address: str  # the address replies from this queue are sent from
    escalation_address: str | None = None


@dataclass(frozen=True)
class Route:
    queue: Queue
    address: str  # the address the customer wrote to: acknowledgements come from it
    also_to: tuple[str, ...] = ()  # our other addresses on the same mail


@dataclass(frozen=True)
class Routing:
    queues: Mapping[str, Queue]
    addresses: Mapping[str, str]  # receiving address → queue name (queue and personal addresses)
    default_queue: str

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset({*self.addresses, *(q.address for q in self.queues.values())})

    def queue_named(self, name: str) -> Queue:
        """A ticket's queue; one renamed away since falls back to the default queue."""
        return self.queues.get(name) or self.queues[self.default_queue]

    def queue_for(self, address: str) -> Queue:
        name = self.addresses.get(normalise(address), self.default_queue)
        return self.queues[name]

    def route(self, recipients: Iterable[str], headers_to: Iterable[str]) -> Route:
        """Pick the address the customer wrote to: one in To first, then the first recipient."""
        ours = [a for a in dict.fromkeys(normalise(r) for r in recipients)]
        in_headers = [a for a in dict.fromkeys(normalise(h) for h in headers_to) if a in ours]
        ordered = list(dict.fromkeys([*in_headers, *ours]))
        if not ordered:
            default = self.queues[self.default_queue]
            return Route(default, default.address)
        first = ordered[0]
        queue = self.queue_for(first)
        reply_from = first if first in self.addresses or first == queue.address else queue.address
        return Route(queue, reply_from, tuple(ordered[1:]))
