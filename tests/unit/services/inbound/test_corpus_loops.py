"""The shared corpus of real mail through the inbound flow: no robot is answered, every person
who opens a ticket is. Skips when ../shared/corpus is not beside the checkout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chalicelib.domain.mail.delivery import Outcome
from tests.unit.domain.mail.corpus import CORPUS
from tests.unit.services.inbound.conftest import Inbound

ROBOT_CATEGORIES = {"auto-reply", "bounce-dsn"}
# filed under its charset in the corpus, but it carries Auto-Submitted and X-Autoreply
ALSO_ROBOTS = {"chatwoot-fixtures/non_utf_encoded_mail.eml"}


def categories() -> dict[Path, str]:
    found: dict[Path, str] = {}
    for manifest in sorted(CORPUS.glob("*/MANIFEST.tsv")):
        with manifest.open(encoding="utf-8") as rows:
            for row in csv.DictReader(rows, delimiter="\t"):
                found[manifest.parent / row["file"]] = row["category"]
    return found


def test_corpus_robots_get_no_answer_and_people_get_one() -> None:
    mails = categories()
    if not mails:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    inbound = Inbound()
    answered: dict[str, bool] = {}
    for path in mails:
        inbound.clock.advance(hours=24)  # apart, so that no limit hides a wrong answer
        name = f"{path.parent.name}/{path.name}"
        result = inbound.deliver(path.read_bytes(), source="corpus@example.org")
        if _is_robot(name, mails) or result.outcome == Outcome.TICKET:
            answered[name] = result.acknowledged
    robots_answered = [n for n, a in answered.items() if a and _is_robot(n, mails)]
    people_unanswered = [n for n, a in answered.items() if not a and not _is_robot(n, mails)]
    assert robots_answered == [] and people_unanswered == []
    assert len(answered) > 40


def _is_robot(name: str, mails: dict[Path, str]) -> bool:
    return mails[CORPUS / name] in ROBOT_CATEGORIES or name in ALSO_ROBOTS
