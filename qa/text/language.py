"""Language detection for questions and documents (German or English).

Uses lingua, restricted to German and English, so short questions are told
apart reliably. Other languages are out of scope: everything is reported as
"de" or "en". The detector is built lazily once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

SUPPORTED = ("de", "en")
_GERMAN_MARKERS = re.compile(r"[äöüßÄÖÜ]|\b(der|die|das|und|ist|wer|wie|was|wann|welche[rsnm]?|warum|nicht)\b", re.I)
# Questions often mix in English names ("Was ist der Hub for the South?"): a
# German question word or article at the start decides before the detector.
_GERMAN_START = re.compile(
    r"^\W*(was|wer|wie|wann|wo|woher|wohin|warum|weshalb|wieso|welche[rsnm]?|wem|wen|wessen|"
    r"gibt|nenne|erkläre|beschreibe|und|ist|sind|hat|haben|kann|können|wurde|wurden)\b",
    re.I,
)


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
    if _GERMAN_START.search(sample):
        return "de"
    from lingua import Language

    language = _detector().detect_language_of(sample)
    if language is None:
        return "de" if _GERMAN_MARKERS.search(sample) else default
    return "de" if language == Language.GERMAN else "en"
