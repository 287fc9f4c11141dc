"""Figure 2: read amplification (ScannedCount / Count) of every list view, 10,000 tickets seeded."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from bench import seed
from bench.desk import ENV, Desk, running_desk
from bench.observe import SEEN
from bench.table import FigureResult, Row, Verdict, judged

FIGURE = 2
LIMIT = 1.2
PAGE = 50
GROUPS = ("", "pending", "solved", "closed")  # "": the default, todo (new and open)
WITHIN_TODO = ("new", "open")
FLAGS = ("at_risk", "breached")
ME = seed.AGENTS["Support"][0]
MINE_OWN, MINE_OTHER = "mine + own queue [filter]", "mine + other queue [filter]"
FLAGGED_QUEUE = "at_risk/breached + queue [filter]"
REQUESTER_FILTERS = "requester + view/queue/status [filter]"
NEW, OPEN = "status=new [filter]", "status=open [filter]"
# The filters services/desk/views.py documents, with its reasons (its docstring table).
WHY = {
    MINE_OWN: "queue filtered in my tickets (GSI2): 'an agent works few queues'",
    MINE_OTHER: "queue filtered in my tickets (GSI2): 'an agent works few queues', so a queue "
    "I rarely work is mostly filtered out",
    FLAGGED_QUEUE: "queue filtered in the flagged tickets (GSI6): 'flagged tickets are few'",
    REQUESTER_FILTERS: "view, queue, status filtered in the customer's tickets (GSI4): 'a "
    "customer has a handful of tickets', so the Query reads them all, one small page",
    NEW: "'the one filter that may drop many items, and only when asked for': new is read from "
    "the unassigned todo tickets; in view=mine it reads my todo tickets and returns none "
    "(a new ticket is never assigned)",
    OPEN: "'the one filter that may drop many items, and only when asked for': new and open "
    "share the todo group, sorted by due time",
}


@dataclass(frozen=True)
class Combo:
    kind: str  # the line of views.py's table it belongs to
    query: dict[str, str]

    @property
    def text(self) -> str:
        return urlencode(self.query, safe="@")


@dataclass(frozen=True)
class Measured:
    combo: Combo
    returned: int
    read: int
    calls: str

    @property
    def ratio(self) -> float:
        """Items read per item returned; a page that read nothing amplified nothing."""
        return self.read / max(self.returned, 1) if self.read else 1.0


def combos(queues: tuple[str, ...], requester: str) -> Iterator[Combo]:
    """Every view × queue × status the API serves, grouped as views.py's table groups them."""
    own = queues[0]  # the agent measured works the first queue
    for status in GROUPS:
        s = {"status": status} if status else {}
        yield Combo("all (GSI3)", {"view": "all"} | s)
        yield from (Combo("all + queue (GSI1)", {"view": "all", "queue": q} | s) for q in queues)
        yield Combo("mine (GSI2)", {"view": "mine"} | s)
        for q in queues:
            yield Combo(MINE_OWN if q == own else MINE_OTHER, {"view": "mine", "queue": q} | s)
        yield Combo("unassigned (GSI2 '-')", {"view": "unassigned"} | s)
        for q in queues:
            yield Combo("unassigned + queue (GSI5)", {"view": "unassigned", "queue": q} | s)
        yield Combo(
            "requester (GSI4)" if not s else REQUESTER_FILTERS, {"requester": requester} | s
        )
    for flag in FLAGS:
        yield Combo("at_risk/breached (GSI6)", {"view": flag})
        yield from (Combo(FLAGGED_QUEUE, {"view": flag, "queue": q}) for q in queues)
    for view in ("mine", "unassigned"):
        yield Combo(REQUESTER_FILTERS, {"view": view, "requester": requester})
    yield Combo(REQUESTER_FILTERS, {"queue": own, "requester": requester})
    for status, kind in zip(WITHIN_TODO, (NEW, OPEN), strict=True):
        for view in ("all", "mine", "unassigned", *FLAGS):
            yield Combo(kind, {"view": view, "status": status})
            yield from (Combo(kind, {"view": view, "queue": q, "status": status}) for q in queues)


def measure(desk: Desk, token: str, combo: Combo) -> Measured:
    desk.request("GET", "/api/me", token)  # auth cached: the page's calls alone are counted
    desk.log.clear()
    response = desk.request("GET", f"/api/tickets?{combo.text}&limit={PAGE}", token)
    if response.status_code != 200:
        raise RuntimeError(f"{combo.text}: HTTP {response.status_code} {response.body!r}")
    returned, read = desk.log.queries[0] if desk.log.queries else (0, 0)
    if returned != len(response.json_body["tickets"]):
        raise RuntimeError(f"{combo.text}: the page has not the Query's Count of tickets")
    return Measured(combo, returned, read, ", ".join(desk.log.operations()))


def run(smoke: bool = False) -> FigureResult:
    count, days = (20, 3.0) if smoke else (10_000, seed.DAYS)
    with running_desk() as desk:
        db = desk.aws["dynamodb"]
        tickets = seed.seed(db, ENV["TABLE_NAME"], count, desk.clock.now(), days)
        token = desk.agent(ME, "Lena Lind", ["Support"])
        queues = tuple(seed.AGENTS)
        scans_before = SEEN["Scan"]
        measured = [measure(desk, token, c) for c in combos(queues, seed.heavy_requester())]
        scans = SEEN["Scan"] - scans_before
    result = FigureResult(details=details(measured, len(tickets)))
    for kind in dict.fromkeys(m.combo.kind for m in measured):
        result.add(summary(kind, [m for m in measured if m.combo.kind == kind]))
    one_query = all(m.calls in ("Query", "") for m in measured)  # "" : answered without a read
    result.add(
        judged(
            FIGURE,
            "Scan calls while serving every view above",
            scans,
            0,
            f"{scans} (each view at most one Query: {'yes' if one_query else 'NO'})",
        )
    )
    return result


def summary(kind: str, group: list[Measured]) -> Row:
    worst = max(group, key=lambda m: m.ratio)
    median = statistics.median(m.ratio for m in group)
    text = (
        f"worst {worst.ratio:.2f} ({worst.combo.text}: {worst.read} read for {worst.returned}), "
        f"median {median:.2f}, {len(group)} combinations"
    )
    return judged(FIGURE, kind, round(worst.ratio, 2), LIMIT, text)


def details(measured: list[Measured], tickets: int) -> list[str]:
    lines = [
        f"Read amplification per combination ({tickets} tickets, page of {PAGE}, agent {ME}):",
        "",
        "| views.py line | query | returned | read | ratio | PASS/MISS |",
        "|---|---|---|---|---|---|",
    ]
    for m in measured:
        verdict = Verdict.PASS if m.ratio <= LIMIT else Verdict.MISS
        lines.append(
            f"| {m.combo.kind} | {m.combo.text} | {m.returned} | {m.read} | {m.ratio:.2f} "
            f"| {verdict} |"
        )
    lines += ["", "Why the filtered combinations read more (services/desk/views.py):"]
    lines += [f"- {kind}: {why}" for kind, why in WHY.items()]
    return lines
