"""Answers shaped like the reports and board APIs' contract (issue 13), for the UI's own tests.

The page is tested against these until the real routes are in this branch; they are also what
the screenshots use, so the page can be seen full of figures on an otherwise empty desk.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

DAYS = [
    "2026-11-24",
    "2026-11-25",
    "2026-11-26",
    "2026-11-27",
    "2026-11-28",
    "2026-11-29",
    "2026-11-30",
]
CREATED = [5, 8, 3, 0, 6, 2, 7]
SOLVED = [4, 6, 5, 1, 3, 2, 6]
SUMMARY_CSV = "period,start,end,created,solved\r\nday,2026-11-24,2026-11-24,5,4\r\n"
AGENTS_CSV = "agent,name,replies,solved\r\nanna@example.com,Anna,12,9\r\n"


def _durations(median: float | None, count: int) -> dict[str, Any]:
    return {"count": count, "median": median, "p90": median and median * 3, "mean": median}


def _figures(created: int, solved: int, scale: float = 1.0) -> dict[str, Any]:
    answered = max(created - 1, 0)
    return {
        "created": created,
        "solved": solved,
        "reopened": created // 4,
        "closed": solved // 2,
        "replies_sent": solved + 2,
        "mails_received": created + 3,
        "first_response": {
            "calendar": _durations(5400 * scale if answered else None, answered),
            "business": _durations(2700 * scale if answered else None, answered),
        },
        "next_response": {"calendar": _durations(7200, 3), "business": _durations(3600, 3)},
        "reply_wait": {"calendar": _durations(9000, 4), "business": _durations(4000, 4)},
        "resolution": {
            "calendar": _durations(86400, solved),
            "business": _durations(30000, solved),
        },
        "sla": {
            "first_response": {
                "met": answered,
                "missed": 1,
                "late": 1,
                "compliance": answered / (answered + 1),
            },
            "next_response": {"met": 3, "missed": 0, "late": 0, "compliance": 1.0},
            "resolution": {
                "met": solved,
                "missed": 2,
                "late": 0,
                "compliance": solved / (solved + 2) if solved else 0,
            },
        },
        "promise": {"kept": 4, "broken": 1},
        "csat": {
            "answers": solved,
            "yes": solved - 1 if solved else 0,
            "no": 1 if solved else 0,
            "rate": (solved - 1) / solved if solved else None,
            "comments": 1,
        },
        "backlog_end": 10 + created - solved,
    }


def summary(queue: str = "", agent: str = "", priority: str = "") -> dict[str, Any]:
    series = [
        {"period": day, "start": day, "end": day, **_figures(c, s)}
        for day, c, s in zip(DAYS, CREATED, SOLVED, strict=True)
    ]
    busy = [[(d * 7 + h * 3) % 11 if 8 <= h <= 17 else 0 for h in range(24)] for d in range(7)]
    return {
        "from": DAYS[0],
        "to": DAYS[-1],
        "timezone": "Europe/Helsinki",
        "group": "day",
        "filters": {"queue": queue or None, "agent": agent or None, "priority": priority or None},
        "totals": _figures(sum(CREATED), sum(SOLVED)),
        "series": series,
        "previous": {"from": "2026-11-17", "to": "2026-11-23", "totals": _figures(25, 30, 1.4)},
        "traffic": {"in": busy, "out": [[n // 2 for n in row] for row in busy]},
        "languages": {"en": 20, "fi": 6, "fa": 4, "sv": 1},
        "addresses": {"support@example.com": 24, "billing@example.com": 7},
        "reads": {"queries": 9, "items": 130},
    }


def agents(names: tuple[str, str] = ("Anna Berg", "Local Admin")) -> dict[str, Any]:
    return {
        "from": DAYS[0],
        "to": DAYS[-1],
        "agents": [
            {
                "agent": "anna@example.com",
                "name": names[0],
                "replies": 12,
                "solved": 9,
                "first_response": {
                    "calendar": _durations(4000, 8),
                    "business": _durations(2000, 8),
                },
                "csat": {"answers": 5, "yes": 4, "no": 1, "rate": 0.8},
                "open_now": 6,
                "waiting_now": 2,
            },
            {
                "agent": "admin@example.com",
                "name": names[1],
                "replies": 4,
                "solved": 2,
                "first_response": {
                    "calendar": _durations(None, 0),
                    "business": _durations(None, 0),
                },
                "csat": {"answers": 0, "yes": 0, "no": 0, "rate": None},
                "open_now": 1,
                "waiting_now": 0,
            },
        ],
    }


def mail(date: str, direction: str, cursor: str) -> dict[str, Any]:
    mails = [
        {"at": f"{date}T{9 + i:02d}:1{i}:00Z", "direction": direction or ("in", "out")[i % 2],
         "ticket": 1001 + i, "queue": "Support", "agent": "anna@example.com" if i % 2 else None,
         "subject": f"Order {4711 + i} [#{1001 + i}]", "from": f"customer{i}@customer.example",
         "to": "support@example.com"}
        for i in range(3 if cursor else 4)
    ]  # fmt: skip
    return {"from": date, "to": date, "mails": mails, "next": None if cursor else "page-2"}


def board(queues: tuple[str, ...] = ("Support", "Billing")) -> dict[str, Any]:
    rows = [
        {"queue": name, "address": f"q{i}@example.com", "waiting": 7 - 3 * i, "unassigned": 3 - i,
         "at_risk": 2 - i, "breached": 1 - i, "pending": 4, "unsolved": 11 - 3 * i,
         "oldest_waiting_since": "2026-12-03T08:12:00Z", "oldest_wait_seconds": 22_000 - 20_000 * i,
         "oldest_ticket": 1001 + i}
        for i, name in enumerate(queues)
    ]  # fmt: skip
    return {
        "at": "2026-12-03T14:30:00Z",
        "queues": rows,
        "agents": [
            {"agent": "anna@example.com", "name": "Anna Berg", "open": 6, "waiting": 2},
            {"agent": "admin@example.com", "name": "Local Admin", "open": 1, "waiting": 0},
        ],
        "totals": {"waiting": 8, "unassigned": 5},
    }


def install(page: Any, asked: list[str] | None = None, **names: Any) -> None:
    """Answer the reports and board routes from this module; `asked` collects their URLs."""

    agent_names = names.get("agents", ("Anna Berg", "Local Admin"))
    queue_names = names.get("queues", ("Support", "Billing"))

    def answer(route: Any) -> None:
        url = urlparse(route.request.url)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if asked is not None:
            asked.append(url.path + "?" + url.query)
        if params.get("format") == "csv":
            body = AGENTS_CSV if url.path.endswith("/agents") else SUMMARY_CSV
            route.fulfill(status=200, content_type="text/csv; charset=utf-8", body=body)
            return
        get = params.get
        data = {
            "/api/reports/summary": lambda: summary(get("queue", ""), get("agent", "")),
            "/api/reports/agents": lambda: agents(agent_names),
            "/api/reports/mail": lambda: mail(
                get("date", DAYS[0]), get("direction", ""), get("cursor", "")
            ),
            "/api/board": lambda: board(queue_names),
        }[url.path]()
        route.fulfill(status=200, content_type="application/json", body=json.dumps(data))

    for path in (
        "**/api/reports/summary?*",
        "**/api/reports/agents?*",
        "**/api/reports/mail?*",
        "**/api/board",
    ):
        page.route(path, answer)
