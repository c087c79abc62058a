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


def is_stopword(word: str) -> bool:
    """Whether `word` is a German or English stop word (bm25s's lists)."""
    return word.lower() in _stopwords()


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer("german" if language == "de" else "english")


@lru_cache(maxsize=2)
def _own_stopwords(language: str) -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_GERMAN

    return frozenset(word.lower() for word in (STOPWORDS_GERMAN if language == "de" else STOPWORDS_EN))


def stem_words(words: list[str], language: str) -> list[str]:
    """The Snowball stems of `words` for `language`, stop words kept (the German stemmer folds umlauts and ß)."""
    return [stem.replace("ß", "ss") for stem in _stemmer(language).stemWords(words)]


def tokenize(text: str, language: str, own_stopwords: bool = False) -> list[str]:
    """Return BM25 tokens of `text`: lowercased, stopwords removed, stemmed for `language`.

    With `own_stopwords` only `language`'s stopwords are removed: "war" is a German stopword but an
    English noun (the answer checks read an answer in its own language this way; the index does not).
    """
    normalised = unicodedata.normalize("NFKC", text).lower()
    stopwords = _own_stopwords(language) if own_stopwords else _stopwords()
    words = [
        word
        for word in _WORD.findall(normalised)
        if word not in stopwords and (len(word) > 1 or word.isdigit()) and word != "__"
    ]
    return [stem for stem in stem_words(words, language) if stem]
