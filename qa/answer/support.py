"""Support scoring: how well a passage backs one answer sentence, by words, numbers, places and embeddings.

The score is the share of the sentence's new content words (stemmed) found in
the passage, capped when a number or a country of the sentence is missing from
the passage, and raised by a clear embedding similarity. Number words and
function-word stems are data (number_words.toml, function_words.toml). Leaves
out: which sentences are claims and what happens to their markers
(qa.answer.citations).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np

from qa.answer.data import load_table
from qa.answer.gate import countries
from qa.text.markers import strip_markers
from qa.text.tokens import tokenize

_NUMBER = re.compile(r"\d+(?:(?:[.,] ?| )\d{3}(?!\d))*(?:[.,]\d+)?")  # "800 000", "800,000", "800, 000"
# Cosine similarities of multilingual-e5 (claim vs. passage sentence) below LOW mean unrelated, above HIGH clearly
# related; measured on seed claims: supported 0.81-0.88, unsupported 0.82-0.86, so numbers and words decide first.
_COSINE_LOW, _COSINE_HIGH = 0.80, 0.90
# Magnitude words as exponents, so "20 million" does not pass for "20 Milliarden".
_MAGNITUDES = [(re.compile(r"\b(tausend|thousand)", re.I), "e3"),
               (re.compile(r"\b(million|mio\b)", re.I), "e6"),
               (re.compile(r"\b(milliarde|billion|mrd\b|bn\b)", re.I), "e9")]
_YES_NO = re.compile(r"\b(ja|nein|yes|no|doch|nicht|not|never|nie)\b", re.I)


@cache
def number_words() -> dict[str, str]:
    """Number words up to twenty, German and English, to their digits ("zehn" and "ten" -> "10")."""
    return {word: str(value) for value, words in enumerate(load_table("number_words.toml")["by_value"])
            for word in words}


@cache
def _number_word_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(sorted(number_words(), key=len, reverse=True)) + r")\b", re.I)


@cache
def function_words() -> frozenset[str]:
    """Stems of question words and pronouns the BM25 stopword lists keep ("who", "him", "wer", ...)."""
    return frozenset(load_table("function_words.toml")["stems"])


def numbers(text: str) -> set[str]:
    """Numbers in `text`, digits only, with number words up to twenty ("zehn", "ten") as digits
    and magnitude words ("Millionen", "billion") as exponents ("e6", "e9")."""
    found = {re.sub(r"[ .,]", "", n) for n in _NUMBER.findall(text)}
    found |= {exponent for pattern, exponent in _MAGNITUDES if pattern.search(text)}
    return found | {number_words()[word.lower()] for word in _number_word_pattern().findall(text)}


def lacks_number_or_place(claim: str, passage: str) -> bool:
    """True when the claim has a number or names a country that the passage lacks."""
    return bool(numbers(claim) - numbers(passage) or countries(claim) - countries(passage))


@lru_cache(maxsize=512)
def content_words(text: str, language: str) -> frozenset[str]:
    """Content-word stems of `text` (cached: a question and each passage are checked against every claim)."""
    return frozenset(tokenize(text, language)) - function_words()


def _question_words(question: str, language: str) -> frozenset[str]:
    """The question's content-word stems in both languages (questions and answers mix them)."""
    return content_words(question, language) | content_words(question, "de" if language == "en" else "en")


def lexical_support(sentence: str, passage: str, sentence_language: str, passage_language: str,
                    question: str = "") -> float:
    """Share of the sentence's new content words found in the passage (0..1).

    New means not already in the question: an answer that restates the question
    ("The postal address of NATO headquarters is [3].") must not pass on the
    question's words, which retrieval made sure the passage shares. A number or
    a country in the sentence that the passage lacks caps the score at 0.2:
    wrong figures and wrong places are the most harmful unsupported claims.
    """
    claim = strip_markers(sentence)
    words = content_words(claim, sentence_language)
    words = (words - _question_words(question, sentence_language)) or words
    if not words:
        return 0.0
    source = content_words(passage, passage_language) | content_words(passage, sentence_language)
    score = len(words & source) / len(words)
    if lacks_number_or_place(claim, passage):
        score = min(score, 0.2)
    return score


def is_echo(sentence: str, question: str, language: str) -> bool:
    """True when the sentence only repeats the question: no new content word, number or yes/no."""
    if not question:
        return False
    claim = strip_markers(sentence)
    adds_words = content_words(claim, language) - _question_words(question, language)
    return not (adds_words or numbers(claim) - numbers(question) or _YES_NO.search(claim))


def semantic_support(cosine: float) -> float:
    """An embedding similarity as a support score: 0 below the unrelated cut-off, 1 above the related one."""
    return float(np.clip((cosine - _COSINE_LOW) / (_COSINE_HIGH - _COSINE_LOW), 0.0, 1.0))
