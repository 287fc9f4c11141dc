"""Reports as CSV: one row per period or agent, the JSON flattened, safe to open in a sheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from chalice.app import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SECONDS = frozenset({"median", "p90", "mean"})


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"first_response": {"calendar": {"median": 1}}} → {"first_response_calendar_median_s": 1}."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}_")
        elif isinstance(value, list):
            continue  # matrices stay in the JSON
        else:
            flat[f"{name}_s" if key in SECONDS else name] = value
    return flat


def safe(value: Any) -> str:
    """A text cell that a spreadsheet would run as a formula is quoted (numbers are left alone)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
        return f"'{text}" if text.startswith(FORMULA_STARTS) else text
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Iterable[str] = ()) -> str:
    """`columns` fixes the header (even for no rows); by default, each row's keys in order."""
    flat = [flatten(r) for r in rows]
    columns = list(columns)
    for r in flat:
        columns += [c for c in r if c not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in flat:
        writer.writerow([safe(r.get(c)) for c in columns])
    return out.getvalue()


def csv_response(
    rows: Iterable[Mapping[str, Any]],
    filename: str,
    *,
    columns: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        body=to_csv(rows, columns),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            **(headers or {}),
        },
    )
