"""The benchmark table: one row per figure measured, its target, the measurement and a verdict."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Verdict(StrEnum):
    PASS = "PASS"  # noqa: S105 (a verdict, not a password)
    MISS = "MISS"
    REPORT = "report"  # a figure without a target: printed for the reader
    NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Row:
    figure: int
    name: str
    target: str
    measured: str
    verdict: Verdict
    value: float | None = None  # the number the verdict judged (None: not measured)


@dataclass
class FigureResult:
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # lines printed after the table

    def add(self, row: Row) -> None:
        self.rows.append(row)


def judged(
    figure: int, name: str, value: float, limit: float, measured: str, unit: str = ""
) -> Row:
    """A row whose target is `value <= limit`."""
    verdict = Verdict.PASS if value <= limit else Verdict.MISS
    return Row(figure, name, f"≤ {limit:g}{unit}", measured, verdict, value)


def reported(figure: int, name: str, value: float, measured: str) -> Row:
    return Row(figure, name, "report", measured, Verdict.REPORT, value)


def not_measured(figure: int, name: str, target: str, why: str) -> Row:
    return Row(figure, name, target, f"not measured ({why})", Verdict.NOT_MEASURED)


FIGURE_NAMES = {
    1: "AWS calls",
    2: "read amplification",
    3: "cold start",
    4: "package",
    5: "throughput, memory",
    6: "cost",
    7: "language",
    8: "reports",
}


def render(rows: Sequence[Row]) -> str:
    """A Markdown table, padded so that it also reads well in a terminal."""
    header = ("figure", "operation", "target", "measured", "PASS/MISS")
    cells = [header] + [
        (f"{r.figure} {FIGURE_NAMES[r.figure]}", r.name, r.target, r.measured, r.verdict.value)
        for r in sorted(rows, key=lambda r: r.figure)
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [_line(c, widths) for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _line(cells: Iterable[str], widths: Sequence[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def write_json(path: Path, rows: Sequence[Row], meta: dict[str, object]) -> None:
    body = {"meta": meta, "rows": [asdict(r) for r in rows]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
