"""Which partition serves each ticket view, and which (rare) filters apply."""

from __future__ import annotations

import pytest

from chalicelib.domain.desk.agents import Agent
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.desk.views import ViewRequest, plan
from chalicelib.services.ports import PartitionKind as K

ME = Agent(id="mikko@example.com", name="Mikko", email="mikko@example.com")
QUEUES = ("Support", "Billing", "Second line")


def planned(**request: object) -> tuple[object, ...]:
    q = plan(ViewRequest(**request), ME, QUEUES)  # type: ignore[arg-type]
    filters = (q.statuses, q.queue, q.assignee, q.unassigned_only)
    return (q.kind, q.value, q.group, q.newest_first, filters)


NONE = ((), None, None, False)


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({}, (K.STATUS, "todo", "todo", False, NONE)),
        ({"view": "all", "queue": "Billing"}, (K.QUEUE, "Billing", "todo", False, NONE)),
        ({"view": "mine"}, (K.ASSIGNEE, ME.id, "todo", False, NONE)),
        ({"view": "unassigned"}, (K.ASSIGNEE, "-", "todo", False, NONE)),
        (
            {"view": "unassigned", "queue": "Support"},
            (K.UNASSIGNED, "Support", "todo", False, NONE),
        ),
        ({"view": "at_risk"}, (K.FLAG, "at_risk", "todo", False, NONE)),
        ({"view": "breached"}, (K.FLAG, "breached", "todo", False, NONE)),
        ({"status": "pending"}, (K.STATUS, "pending", "pending", False, NONE)),
        ({"status": "closed"}, (K.STATUS, "closed", "closed", True, NONE)),
        ({"view": "mine", "status": "solved"}, (K.ASSIGNEE, ME.id, "solved", True, NONE)),
    ],
)
def test_every_common_view_is_a_partition_read_without_filters(
    request_: dict[str, object], expected: tuple[object, ...]
) -> None:
    assert planned(**request_) == expected


@pytest.mark.parametrize(
    ("request_", "kind", "filters"),
    [
        ({"status": "new"}, K.ASSIGNEE, (("new",), None, None, False)),
        ({"status": "new", "queue": "Billing"}, K.UNASSIGNED, (("new",), None, None, False)),
        ({"status": "new", "view": "mine"}, K.ASSIGNEE, (("new",), None, None, False)),
        ({"status": "open"}, K.STATUS, (("open",), None, None, False)),
        ({"view": "mine", "queue": "Billing"}, K.ASSIGNEE, ((), "Billing", None, False)),
        ({"view": "at_risk", "queue": "Billing"}, K.FLAG, ((), "Billing", None, False)),
        ({"requester": "A@x.example"}, K.REQUESTER, NONE),
        (
            {"requester": "a@x.example", "view": "mine", "status": "todo"},
            K.REQUESTER,
            (("new", "open"), None, ME.id, False),
        ),
        (
            {"requester": "a@x.example", "view": "unassigned", "status": "pending"},
            K.REQUESTER,
            (("pending",), None, None, True),
        ),
    ],
)
def test_the_filtered_combinations(
    request_: dict[str, object], kind: K, filters: tuple[object, ...]
) -> None:
    result = planned(**request_)
    assert result[0] == kind and result[4] == filters


def test_a_customers_tickets_are_newest_first() -> None:
    assert planned(requester="A@X.example")[1:4] == ("a@x.example", "", True)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"view": "everything"}, "view"),
        ({"queue": "Nope"}, "queue"),
        ({"status": "waiting"}, "status"),
        ({"view": "breached", "status": "pending"}, "status"),
        ({"requester": "not an address"}, "requester"),
        ({"requester": "a@x.example", "view": "at_risk"}, "view"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "x" * 5000}, "cursor"),
    ],
)
def test_bad_requests_name_their_field(request_: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        plan(ViewRequest(**request_), ME, QUEUES)  # type: ignore[arg-type]
    assert bad.value.field == field
