"""The figures a report shows, read off a tally of counts and duration histograms."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.reports.rollup import Pair, Tally

DURATIONS = {  # report name → metric of facts.py
    "first_response": "frt",
    "next_response": "nrt",
    "reply_wait": "wait",
    "resolution": "res",
}
SLA = {"first_response": "fr", "next_response": "nr", "resolution": "res"}
WEEKDAYS = 7
HOURS = 24


def durations(pair: Pair) -> dict[str, Any]:
    return {"calendar": pair.calendar.summary(), "business": pair.business.summary()}


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def sla(tally: Tally, code: str) -> dict[str, Any]:
    met, missed, late = (tally.count(f"sla_{code}_{o}") for o in ("met", "missed", "late"))
    return {
        "count": met + missed,
        "met": met,
        "missed": missed,
        "late": late,
        "compliance": ratio(met, met + missed),
    }


def csat(tally: Tally) -> dict[str, Any]:
    yes, no = tally.count("csat_yes"), tally.count("csat_no")
    return {
        "answers": yes + no,
        "yes": yes,
        "no": no,
        "rate": ratio(yes, yes + no),
        "comments": tally.count("csat_comments"),
    }


def totals(tally: Tally, backlog_end: int | None) -> dict[str, Any]:
    kept, broken = tally.count("promise_kept"), tally.count("promise_broken")
    return {
        "created": tally.count("created"),
        "solved": tally.count("solved"),
        "reopened": tally.count("reopened"),
        "closed": tally.count("closed"),
        "replies_sent": tally.count("out"),
        "mails_received": tally.count("in"),
        **{name: durations(tally.pair(metric)) for name, metric in DURATIONS.items()},
        "sla": {name: sla(tally, code) for name, code in SLA.items()},
        "promise": {"count": kept + broken, "kept": kept, "broken": broken},
        "csat": csat(tally),
        "backlog_end": backlog_end,
    }


def traffic(tally: Tally, direction: str) -> list[list[int]]:
    """Mails in (or replies out) by desk-local weekday (Monday first) × hour."""
    return [
        [tally.count(f"{direction}_d{d}_h{h:02d}") for h in range(HOURS)] for d in range(WEEKDAYS)
    ]


def named(tally: Tally, prefix: str) -> dict[str, int]:
    """`lang_fi` → {"fi": n}: the counts under one prefix, largest first, zeros left out."""
    found = {k[len(prefix) :]: n for k, n in tally.counts.items() if k.startswith(prefix) and n}
    return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
