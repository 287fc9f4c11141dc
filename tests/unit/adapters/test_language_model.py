"""CLD3 behind the word lists, for real: short Danish mails, Norwegian and German kept apart."""

from __future__ import annotations

import pytest

from bench.language_lines import DANISH_SHORT_MAILS, NOT_OURS, UNSURE
from chalicelib.adapters.language_model import Cld3LanguageModel
from chalicelib.domain.mail.language import detect_language

MODEL = Cld3LanguageModel()
# CLD3 reads this one as Czech; the word lists cannot place it: it stays English.
UNPLACED = "Tak for hjælpen! Mvh Jens"


@pytest.mark.parametrize("line", [line for line in DANISH_SHORT_MAILS if line != UNPLACED])
def test_short_danish_mails_are_answered_in_danish(line: str) -> None:
    assert detect_language(line, MODEL.identify) == "da"


def test_eleven_of_the_twelve_short_danish_mails_are_danish_and_the_last_is_english() -> None:
    answers = [detect_language(line, MODEL.identify) for line in DANISH_SHORT_MAILS]
    assert answers.count("da") == 11
    assert detect_language(UNPLACED, MODEL.identify) == "en"


@pytest.mark.parametrize(
    ("language", "line"), [(lang, line) for lang, lines in NOT_OURS.items() for line in lines]
)
def test_norwegian_and_german_are_never_taken_for_danish_or_swedish(
    language: str, line: str
) -> None:
    assert detect_language(line, MODEL.identify) == "en", language


@pytest.mark.parametrize("line", UNSURE)
def test_lines_nobody_can_place_stay_english(line: str) -> None:
    assert detect_language(line, MODEL.identify) == "en"


def test_the_model_names_its_top_guess_with_a_probability() -> None:
    guess = MODEL.identify(DANISH_SHORT_MAILS[0])
    assert guess is not None and guess.language == "da" and 0.5 < guess.probability <= 1


@pytest.mark.parametrize("text", ["", "   \n", "12345 67", "!!! ??? ..."])
def test_the_model_has_no_guess_for_text_without_letters(text: str) -> None:
    assert MODEL.identify(text) is None
