"""Tokenising for the BM25 index: words, stopwords and Snowball stems for German and English.

German text is stemmed with the German Snowball stemmer (which also folds
umlauts and ß, so "Souveränität" and "Souveranitat" meet), English text with
the English one; both stopword lists are removed from both, because questions
and passages often mix the two languages. Leaves out: scoring (bm25s does it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_GERMAN

    return frozenset(word.lower() for word in (*STOPWORDS_EN, *STOPWORDS_GERMAN))


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer("german" if language == "de" else "english")


def tokenize(text: str, language: str) -> list[str]:
    """Return BM25 tokens of `text`: lowercased, stopwords removed, stemmed for `language`."""
    normalised = unicodedata.normalize("NFKC", text).lower()
    words = [
        word
        for word in _WORD.findall(normalised)
        if word not in _stopwords() and (len(word) > 1 or word.isdigit()) and word != "__"
    ]
    stems: list[str] = _stemmer(language).stemWords(words)
    return [stem.replace("ß", "ss") for stem in stems if stem]
