"""CLD3 (the cld3-py wheel, imported as gcld3) as the desk's LanguageModel: its top guess."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.mail.language import ModelGuess

# CLD3 reads this many bytes of the text; the word lists read the rest (bench/language.py).
MAX_BYTES = 1000
UNDETERMINED = "und"


class Cld3LanguageModel:
    """Loads the model on the first question, so that a Lambda that never asks pays nothing."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._max_bytes = max_bytes
        self._model: Any = None

    def identify(self, text: str) -> ModelGuess | None:
        if not any(c.isalpha() for c in text):
            return None  # CLD3 names a language even for "" (Japanese, 0.78, "reliable")
        found = self._loaded().FindLanguage(text=text)
        if found.language == UNDETERMINED:
            return None
        return ModelGuess(str(found.language), float(found.probability))

    def _loaded(self) -> Any:
        if self._model is None:
            import gcld3

            self._model = gcld3.NNetLanguageIdentifier(
                min_num_bytes=0, max_num_bytes=self._max_bytes
            )
        return self._model
