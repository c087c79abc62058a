"""Language detection for questions and documents (German or English).

Uses lingua, restricted to German and English, so short questions are told
apart reliably. Other languages are out of scope: everything is reported as
"de" or "en". The detector is built lazily once per process.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

SUPPORTED = ("de", "en")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The German and the English question openers, and the German markers, of question_starts.toml."""
    table = tomllib.loads(resources.files(__package__).joinpath("question_starts.toml").read_text(encoding="utf-8"))

    def words(key: str) -> str:
        return "|".join(map(re.escape, table[key]))

    return (re.compile(rf"^\W*(?:{words('de')})\b", re.I), re.compile(rf"^\W*(?:{words('en')})\b", re.I),
            re.compile(rf"[äöüßÄÖÜ]|\b(?:{words('german_markers')})\b", re.I))


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.GERMAN, Language.ENGLISH).build()


def detect_language(text: str, default: str = "en") -> str:
    """Return "de" or "en" for `text`; `default` when the text has no letters.

    Args:
        text: any text, a short question or a whole document.
        default: the answer for text without letters.
    """
    sample = text[:2000]
    if not re.search(r"[^\W\d_]", sample):
        return default
    german_start, english_start, german_markers = _patterns()
    # Questions often mix in names of the other language: a question word or auxiliary at the start decides.
    if german_start.search(sample):
        return "de"
    if english_start.search(sample):
        return "en"
    from lingua import Language

    language = _detector().detect_language_of(sample)
    if language is None:
        return "de" if german_markers.search(sample) else default
    return "de" if language == Language.GERMAN else "en"
