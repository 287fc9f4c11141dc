"""`python -m bench [--smoke] [--only FIGURE] [--json PATH]`: run the benchmarks, print a table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench import amplification, calls, coldstart, cost, language, package, reports, throughput
from bench.observe import SEEN
from bench.table import FigureResult, Row, Verdict, judged, render, write_json

# In the order they run: the package is built before cold start imports it.
FIGURES: dict[str, tuple[int, Callable[[bool], FigureResult]]] = {
    "calls": (1, calls.run),
    "amplification": (2, amplification.run),
    "package": (4, package.run),
    "coldstart": (3, coldstart.run),
    "throughput": (5, throughput.run),
    "cost": (6, cost.run),
    "language": (7, language.run),
    "reports": (8, reports.run),
}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the bench runs")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(FIGURES),
        metavar="FIGURE",
        help=f"run only this figure (repeatable): {', '.join(FIGURES)}",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    return parser.parse_args(argv)


def run_figure(name: str, smoke: bool) -> FigureResult:
    number, run = FIGURES[name]
    started = time.perf_counter()
    try:
        result = run(smoke)
    except Exception as e:  # one figure failing still leaves the others' rows
        traceback.print_exc()
        row = Row(
            number, f"{name}: the figure failed", "runs", f"{type(e).__name__}: {e}", Verdict.MISS
        )
        result = FigureResult([row])
    print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return result


def no_scan_row() -> Row:
    total = sum(SEEN.values())
    return judged(
        2,
        "Scan calls by any operation of this run",
        SEEN["Scan"],
        0,
        f"{SEEN['Scan']} of {total} AWS calls",
    )


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    names = [n for n in FIGURES if not args.only or n in args.only]
    began, started = datetime.now(UTC), time.perf_counter()
    print(f"bench: {', '.join(names)}{' (smoke)' if args.smoke else ''}", file=sys.stderr)
    results = [run_figure(name, args.smoke) for name in names]
    rows = [row for r in results for row in r.rows]
    if SEEN:
        rows.append(no_scan_row())
    seconds = time.perf_counter() - started
    print(
        f"Benchmarks of {began:%Y-%m-%d %H:%M} UTC on {machine()}"
        f"{' (smoke: tiny sizes)' if args.smoke else ''}\n"
    )
    print(render(rows))
    for result in results:
        if result.details:
            print("\n" + "\n".join(result.details))
    print(f"\nRan in {seconds:.0f} s.")
    if args.json:
        meta = {
            "date": began.isoformat(),
            "machine": machine(),
            "smoke": args.smoke,
            "seconds": seconds,
            "figures": names,
        }
        write_json(args.json, rows, meta)
    failed = any(r.name.endswith("the figure failed") for r in rows)
    return 1 if failed else 0


raise SystemExit(main(sys.argv[1:]))
