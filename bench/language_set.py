"""The labelled texts of the language figure: seed articles, real mails, hand-written lines.

The seeds and the corpus are read from ../shared beside the repository and left out when absent.
A text in a language the desk does not answer in is labelled English (the right answer), and
keeps its own language as `group` so that the figure can say what it was taken for.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from bench.config import REPO
from bench.language_lines import LINES, NOT_OURS, UNSURE, composed
from chalicelib.adapters.mime.parser import parse_email
from chalicelib.domain.mail.language import FALLBACK, SUPPORTED
from chalicelib.domain.mail.quotes import split_reply
from chalicelib.services.inbound.messages import readable_text

SHARED = REPO.parent / "shared"
SEED_LANGUAGES = {"000": "fi", "001": "sv", "002": "pl", "003": "fa", "004": "da"}
MIN_LINE_CHARS = 12
# Seed lines that are not in the article's language: English headings, a photo credit.
SEED_LINES_ELSEWHERE = ("What Is Customer Email Management?", "Thulium presentation", "valokuva ")
BUCKETS = ((0, 40, "<40"), (40, 200, "40-200"), (200, 10**9, ">200"))


@dataclass(frozen=True)
class Item:
    text: str
    group: str  # the text's own language: en, fi, ..., nb, nn, de, nl, ru, unsure
    source: str  # lines, composed, seeds, corpus

    @property
    def expected(self) -> str:
        return self.group if self.group in SUPPORTED else FALLBACK

    @property
    def bucket(self) -> str:
        return next(name for low, high, name in BUCKETS if low <= len(self.text) < high)


def hand_written() -> list[Item]:
    items = [Item(line, lang, "lines") for lang, lines in LINES.items() for line in lines]
    items += [
        Item(text, lang, "composed") for lang, lines in LINES.items() for text in composed(lines)
    ]
    items += [Item(line, lang, "lines") for lang, lines in NOT_OURS.items() for line in lines]
    items += [
        Item(text, lang, "composed") for lang, lines in NOT_OURS.items() for text in composed(lines)
    ]
    return items + [Item(line, "unsure", "lines") for line in UNSURE]


def seeds() -> list[Item]:
    items = []
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        lang = SEED_LANGUAGES.get(path.name[:3])
        if lang is None:
            continue
        text = path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines()]
        kept = [
            line for line in lines if _is_text(line) and not line.startswith(SEED_LINES_ELSEWHERE)
        ]
        items += [Item(line, lang, "seeds") for line in dict.fromkeys(kept)]
        items.append(Item(text, lang, "seeds"))
    return items


def corpus() -> list[Item]:
    """Each labelled mail's new text, as the desk reads it (quoted history cut off)."""
    items = []
    for manifest in sorted((SHARED / "corpus").glob("*/MANIFEST.tsv")):
        with manifest.open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                lang = (row.get("language") or "").strip()
                path = manifest.parent / row["file"]
                if lang and path.is_file():
                    mail = parse_email(path.read_bytes())
                    text = split_reply(readable_text(mail))[0] or mail.subject
                    if _is_text(text):
                        items.append(Item(text, lang, "corpus"))
    return items


def labelled() -> list[Item]:
    return hand_written() + seeds() + corpus()


def _is_text(line: str) -> bool:
    return len(line) >= MIN_LINE_CHARS and sum(c.isalpha() for c in line) >= 3


def shared_found() -> bool:
    return Path(SHARED / "seeds").is_dir() and Path(SHARED / "corpus").is_dir()
