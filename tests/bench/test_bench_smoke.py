"""The benchmarks at tiny sizes, so that they cannot rot: every figure measured, verdicts right.

The real run is `make bench` (not part of the tests: its numbers are reported, not asserted).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e  # it starts the local stack too
FIGURES = {1, 2, 3, 4, 5, 6, 7, 8}
SURVEY_ROWS = ("survey send", "survey answer")
REPORT_ROWS = ("summary, a year", "agents, a year")  # figure 8, before the reports API exists


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return {"stdout": done.stdout, **json.loads(out.read_text(encoding="utf-8"))}


def survey_built() -> bool:
    from app import app

    return "/survey/{token}" in app.routes


def reports_served() -> bool:
    from app import app

    return "/api/reports/summary" in app.routes


def test_every_figure_has_rows(smoke: dict[str, Any]) -> None:
    assert {row["figure"] for row in smoke["rows"]} == FIGURES
    assert smoke["meta"]["smoke"] is True


def test_every_row_has_a_measured_value(smoke: dict[str, Any]) -> None:
    for row in smoke["rows"]:
        if row["verdict"] == "not measured" and row["name"].startswith(REPORT_ROWS):
            assert not reports_served(), row
            continue
        if row["verdict"] == "not measured":
            assert row["name"].startswith(SURVEY_ROWS) and not survey_built(), row
            continue
        assert row["value"] is not None and row["measured"], row
        assert row["verdict"] in ("PASS", "MISS", "report"), row


def test_verdicts_follow_the_targets(smoke: dict[str, Any]) -> None:
    for row in smoke["rows"]:
        if row["target"].startswith("≤"):
            limit = float(row["target"].removeprefix("≤").split()[0])
            assert (row["verdict"] == "PASS") == (row["value"] <= limit), row


def test_each_operation_names_its_aws_calls(smoke: dict[str, Any]) -> None:
    calls = {r["name"]: r["measured"] for r in smoke["rows"] if r["figure"] == 1}
    new_ticket = calls["new ticket (parse, store, acknowledge, SLA schedules)"]
    assert "GetObject" in new_ticket and "SendEmail" in new_ticket
    assert calls["ticket detail"].endswith("Query")
    if survey_built():
        assert "survey answer" in calls


def test_lost_mail_and_scans_are_counted(smoke: dict[str, Any]) -> None:
    lost = [r for r in smoke["rows"] if r["name"].endswith("none lost")]
    scans = [r for r in smoke["rows"] if r["name"].startswith("Scan calls")]
    assert len(lost) == 2 and len(scans) == 2
    assert all(isinstance(r["value"], int | float) for r in lost + scans)


def test_the_table_is_printed(smoke: dict[str, Any]) -> None:
    out = smoke["stdout"]
    assert "| figure" in out and "PASS/MISS" in out and "Ran in" in out
    assert all(row["name"] in out for row in smoke["rows"])
