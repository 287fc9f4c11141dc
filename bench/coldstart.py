"""Figure 3: cold start: `import app` in a fresh interpreter against a bare `import boto3`."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench import probe
from bench.config import REPO, deployed_environment
from bench.package import cached_zip
from bench.table import FigureResult, Row, judged, not_measured, reported

FIGURE = 3
LIMIT = 1.5
TIMED_IMPORT = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "__import__(sys.argv[1])\n"
    "print(time.perf_counter() - start)\n"
)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A bare environment: no AWS credentials or endpoints of this shell leak in."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return keep | deployed_environment() | dict(extra or {})


def import_seconds(module: str, cwd: Path, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", TIMED_IMPORT, module],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(done.stdout.strip().splitlines()[-1])


def medians(runs: int, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Median seconds of `import app` and of `import boto3`, interleaved; one warm-up each."""
    app, boto3 = [], []
    for n in range(runs + 1):
        a, b = import_seconds("app", cwd, env), import_seconds("boto3", cwd, env)
        if n:  # the first pair warms the page cache (and writes .pyc where allowed)
            app.append(a)
            boto3.append(b)
    return statistics.median(app), statistics.median(boto3)


def ratio_text(app: float, boto3: float, runs: int) -> str:
    ms = f"app {app * 1000:.0f} ms / boto3 {boto3 * 1000:.0f} ms"
    return f"{app / boto3:.2f} ({ms}, median of {runs})"


def run(smoke: bool = False) -> FigureResult:
    runs = 3 if smoke else 20
    result = FigureResult()
    app, boto3 = medians(runs, REPO, clean_env())
    text = ratio_text(app, boto3, runs)
    result.add(
        judged(
            FIGURE,
            "import app ÷ import boto3 (source tree, .pyc cached)",
            round(app / boto3, 2),
            LIMIT,
            text,
        )
    )
    result.add(packaged(runs))
    first = probe.parse(_probe_first_call())
    one, two = first["first"]["seconds"] * 1000, first["second"]["seconds"] * 1000
    result.add(
        reported(
            FIGURE,
            "first inbound_email after import vs the second (moto)",
            round(one / two, 1),
            f"{one:.0f} ms vs {two:.0f} ms ({one / two:.1f}×)",
        )
    )
    return result


def packaged(runs: int) -> Row:
    """The same ratio as Lambda imports the package: /var/task is read-only, so no .pyc."""
    name = "import app ÷ import boto3 (from deployment.zip, no .pyc: as on Lambda)"
    archive = cached_zip()
    if archive is None:
        return not_measured(FIGURE, name, f"≤ {LIMIT:g}", "no deployment.zip built")
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as tmp:
        zipfile.ZipFile(archive).extractall(tmp)
        env = clean_env({"PYTHONDONTWRITEBYTECODE": "1"})
        app, boto3 = medians(runs, Path(tmp), env)
    text = ratio_text(app, boto3, runs)
    return judged(FIGURE, name, round(app / boto3, 2), LIMIT, text)


def _probe_first_call() -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HELPDESK_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bench.probe", "first-call"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return done.stdout
