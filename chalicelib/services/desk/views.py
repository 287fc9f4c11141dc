"""Ticket lists for agents: which sorted partition serves a view, so each view is one Query.

Every combination reads one partition in its index order. A FilterExpression is used only
where no index is keyed by the combination, and only where it drops few items:

    view        queue  requester  partition (index)              filter
    all         -      -          every ticket of a group (GSI3)  -
    all         Q      -          queue Q, group (GSI1)           -
    mine        -      -          my tickets, group (GSI2)        -
    mine        Q      -          my tickets, group (GSI2)        queue: an agent works few queues
    unassigned  -      -          agent "-", group (GSI2)         -
    unassigned  Q      -          unassigned in Q, group (GSI5)   -
    at_risk     any    -          flagged (GSI6)                  queue: flagged tickets are few
    any         any    R          R's tickets (GSI4)              view, queue, status: a customer
                                                                  has a handful of tickets
    status=new or status=open filter within the "todo" group (new and open share it, so that
    "what needs doing" is one list sorted by due time); this is the one filter that may drop
    many items, and only when asked for. status=new reads the unassigned partition (GSI2 "-",
    or GSI5 with a queue): a new ticket is never assigned, so only unassigned open tickets are
    filtered out there; "mine" with status=new is empty by definition and reads nothing.

Sort order: work waiting on us (todo) by due time, soonest first; pending by last change,
oldest first (the longest silence first); solved and closed most recent first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.mail.addresses import is_valid, normalise
from chalicelib.domain.tickets.model import Status
from chalicelib.services.ports import Page, PartitionKind, ViewQuery, ViewStore

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 2048
TODO = "todo"
GROUPS = (TODO, Status.PENDING.value, Status.SOLVED.value, Status.CLOSED.value)
WITHIN_TODO = (Status.NEW.value, Status.OPEN.value)


class View(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL = "all"
    AT_RISK = "at_risk"
    BREACHED = "breached"


@dataclass(frozen=True)
class ViewRequest:
    view: str = View.ALL.value
    queue: str | None = None
    status: str | None = None
    requester: str | None = None
    limit: int | None = None
    cursor: str | None = None


class TicketViews:
    def __init__(self, store: ViewStore, queues: tuple[str, ...]) -> None:
        self._store = store
        self._queues = queues

    def page(self, request: ViewRequest, agent: Agent) -> Page:
        query = plan(request, agent, self._queues)
        if (
            query.kind == PartitionKind.ASSIGNEE
            and query.value != "-"
            and query.statuses == (Status.NEW.value,)
        ):
            return Page([], None)  # a new ticket is never assigned: nothing to read
        return self._store.query_view(query)


def plan(request: ViewRequest, agent: Agent, queues: tuple[str, ...]) -> ViewQuery:
    view = _view(request.view)
    queue = _queue(request.queue, queues)
    group, within = _status(request.status, view)
    limit, cursor = page_limit(request.limit), page_cursor(request.cursor)
    if request.requester is not None:
        if view in (View.AT_RISK, View.BREACHED):
            raise InvalidInput("view", "at_risk and breached cannot be combined with requester")
        return ViewQuery(
            PartitionKind.REQUESTER,
            _email(request.requester),
            newest_first=True,
            statuses=within or _GROUP_STATUSES.get(request.status or "", ()),
            queue=queue,
            assignee=agent.id if view == View.MINE else None,
            unassigned_only=view == View.UNASSIGNED,
            limit=limit,
            cursor=cursor,
        )
    if view == View.ALL and within == (Status.NEW.value,):
        # New tickets are all unassigned (taking or assigning one opens it): their partition
        # holds far fewer open tickets to filter out than the whole "todo" group does.
        view = View.UNASSIGNED
    kind, value, filter_queue = _partition(view, queue, group, agent)
    return ViewQuery(
        kind,
        value,
        group=group,
        newest_first=group in (Status.SOLVED.value, Status.CLOSED.value),
        statuses=within,
        queue=filter_queue,
        limit=limit,
        cursor=cursor,
    )


_GROUP_STATUSES = {TODO: WITHIN_TODO, **{g: (g,) for g in GROUPS[1:]}}


def _partition(
    view: View, queue: str | None, group: str, agent: Agent
) -> tuple[PartitionKind, str, str | None]:
    """The partition to read, and the queue to filter on when the partition is not a queue's."""
    if view in (View.AT_RISK, View.BREACHED):
        return PartitionKind.FLAG, view.value, queue
    if view == View.MINE:
        return PartitionKind.ASSIGNEE, agent.id, queue
    if view == View.UNASSIGNED:
        return (
            (PartitionKind.UNASSIGNED, queue, None)
            if queue
            else (PartitionKind.ASSIGNEE, "-", None)
        )
    if queue is not None:
        return PartitionKind.QUEUE, queue, None
    return PartitionKind.STATUS, group, None


def _email(value: str) -> str:
    email = normalise(value)
    if not is_valid(email):
        raise InvalidInput("requester", "not an email address")
    return email


def _view(value: str | None) -> View:
    try:
        return View(value or View.ALL.value)
    except ValueError as e:
        raise InvalidInput("view", f"must be one of {', '.join(View)}") from e


def _queue(value: str | None, queues: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in queues:
        raise InvalidInput("queue", f"unknown queue {value!r}")
    return value


def _status(value: str | None, view: View) -> tuple[str, tuple[str, ...]]:
    """The status group to read, and the statuses to keep within it (empty: all of them)."""
    if value is None or value == "":
        return TODO, ()
    if value in WITHIN_TODO:
        return TODO, (value,)
    if value not in GROUPS:
        raise InvalidInput("status", f"must be one of {', '.join((*GROUPS, *WITHIN_TODO))}")
    if view in (View.AT_RISK, View.BREACHED) and value != TODO:
        raise InvalidInput("status", "at_risk and breached hold only tickets waiting on an agent")
    return value, ()


def page_limit(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput("limit", f"must be between 1 and {MAX_LIMIT}")
    return value


def page_cursor(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > MAX_CURSOR_CHARS:
        raise InvalidInput("cursor", "not a cursor this API gave out")
    return value
