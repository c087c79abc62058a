"""Word-level support helpers: content-word stems, echoes of the question, embedding similarity as a score.

Content words are the stemmed tokens of the BM25 tokenizer minus the stems of
question words and pronouns (function_words.toml). `is_echo` finds answer
sentences that only repeat the question; `semantic_support` turns a cosine
similarity into a support score. Leaves out: judging a claim against its
cited sentence (qa.answer.evidence) and which sentences are claims
(qa.answer.citations).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np

from qa.answer.data import load_table
from qa.answer.key_items import POSSESSIVE, key_items
from qa.text.markers import strip_markers
from qa.text.tokens import tokenize

# Cosine similarities of multilingual-e5 (claim vs. passage sentence) below LOW mean unrelated, above HIGH clearly
# related; measured on seed claims: supported 0.81-0.88, unsupported 0.82-0.86, so key items and words decide first.
_COSINE_LOW, _COSINE_HIGH = 0.80, 0.90
# Two capitalised words in a row, the second one looked at, not consumed: a first name and a surname.
_NAME_PAIR = re.compile(r"\b([A-ZÄÖÜ][\w'’-]+)\s+(?=([A-ZÄÖÜ][\w'’-]+))")
# A capitalised word with the word before it ("for Stoltenberg" gives it alone, "Mitchell Tower" does not).
_NAME_PAIR_IN_QUESTION = re.compile(r"([\w'’-]*)\s+(?=([A-ZÄÖÜ][\w'’-]+))")
# A claim's stem is of a question word's family (_stem_of_asked) when both have at least _STEM_FAMILY_LENGTH letters
# and one is the other with at most _STEM_FAMILY_SUFFIX more.
_STEM_FAMILY_LENGTH, _STEM_FAMILY_SUFFIX = 6, 2
_YES_NO = re.compile(r"\b(ja|nein|yes|no|doch|nicht|not|never|nie)\b", re.I)
_ALTERNATIVE = re.compile(r"\b(?:or|oder)\b", re.I)


@cache
def function_words() -> frozenset[str]:
    """Stems of question words and pronouns the BM25 stopword lists keep ("who", "him", "wer", ...)."""
    return frozenset(load_table("function_words.toml")["stems"])


@cache
def naming_words() -> frozenset[str]:
    """Stems (both languages) of the words that only say what something is called (function_words.toml)."""
    table = load_table("function_words.toml")
    return frozenset(stem for word in [*table["naming"], *table["naming_nouns"]] for language in ("de", "en")
                     for stem in tokenize(word, language, own_stopwords=True))


@cache
def naming_verbs() -> frozenset[str]:
    """The verbs among the naming words as written, lower case ("called", "heißt"; not the noun "name")."""
    return frozenset(word.lower() for word in load_table("function_words.toml")["naming"])


@cache
def _quantifiers() -> frozenset[str]:
    """Stems (both languages) of the quantifiers that may open an alternative (function_words.toml)."""
    return frozenset(stem for word in load_table("function_words.toml")["quantifiers"] for language in ("de", "en")
                     for stem in tokenize(word, language, own_stopwords=True))


@lru_cache(maxsize=2048)
def content_words(text: str, language: str) -> frozenset[str]:
    """Content-word stems of `text` (cached: a question and each passage are checked against every claim)."""
    return frozenset(tokenize(text, language)) - function_words()


def content_words_both(text: str, language: str) -> frozenset[str]:
    """Content-word stems of `text` in both languages (questions, answers and passages mix them)."""
    return content_words(text, language) | content_words(text, "de" if language == "en" else "en")


def is_echo(sentence: str, question: str, language: str) -> bool:
    """True when the sentence only repeats the question: no new content word, number or yes/no."""
    if not question:
        return False
    claim = strip_markers(sentence)
    # Both read with their own language's stopwords only: "the machine hoped to end war" adds "war", a
    # German stopword; the question is read in both languages, so its words in either are no news.
    asked = {word for reading in ("de", "en") for word in tokenize(question, reading, own_stopwords=True)}
    # the rest of a name the question names is no news: "Jens Stoltenberg argued for Stoltenberg to stay"
    # answers "Which minister argued for Stoltenberg to stay?" with nothing
    # (only for a name the question gives alone: "Magdalen Tower" is not "Mitchell Tower" with a first name)
    alone = {POSSESSIVE.sub("", word) for before, word in _NAME_PAIR_IN_QUESTION.findall(question)
             if not before[:1].isupper()}
    for first, last in _NAME_PAIR.findall(claim):
        if POSSESSIVE.sub("", last) in alone and set(tokenize(last, language, own_stopwords=True)) & asked:
            asked |= set(tokenize(first, language, own_stopwords=True))
    items = key_items(claim, language)
    # a name (key_items') is news however like a question word it is ("Martina" for "Martin")
    named = {word for name in items.names for word in tokenize(name, language, own_stopwords=True)}
    adds_words = {word for word in set(tokenize(claim, language, own_stopwords=True)) - function_words() - naming_words()
                  - asked if word in named or not _stem_of_asked(word, asked)}
    adds_numbers = items.number_values() - key_items(question, language).number_values()
    # "yes", "no", "not" are news only when the question does not say them itself: "because he was not seeking
    # another term" answers "Why did he stay, although he was not seeking another term?" with nothing
    adds_negation = {word.lower() for word in _YES_NO.findall(claim)} - {word.lower() for word in _YES_NO.findall(question)}
    return not (adds_words or adds_numbers or adds_negation or _chooses(claim, question, language))


def _stem_of_asked(word: str, asked: set[str]) -> bool:
    """`word` and a question word's stem are of one family the stemmer cut apart ("multipl" of "multiplication",
    "multipli" of "multiplied"): one is the other with at most _STEM_FAMILY_SUFFIX more letters ("Vegetationsränder"
    is more than "Vegetation"), and both are long enough to be no other word ("warm" is not "war")."""
    return any(min(len(word), len(other)) >= _STEM_FAMILY_LENGTH and abs(len(word) - len(other)) <= _STEM_FAMILY_SUFFIX
               and (word.startswith(other) or other.startswith(word)) for other in asked)


def _chooses(claim: str, question: str, language: str) -> bool:
    """The claim repeats one alternative of an "A or B?" question and not the other: a choice, not an echo ("The
    tapes were restored without destroying historical legitimacy" answers "Were the tapes restored without destroying
    historical legitimacy or did some aspects of the tapes lose legitimacy?")."""
    parts = _ALTERNATIVE.split(question, maxsplit=1)
    if len(parts) < 2:
        return False
    # the alternatives meet at the "or": the last content word before it ("Sommer" of "im Sommer oder im Winter"),
    # the first after it ("Winter")
    skip = function_words() | _quantifiers()
    before, after = ([word for word in tokenize(part, language) if word not in skip] for part in parts)
    if not before or not after:
        return False
    claimed = set(tokenize(claim, language))
    return (before[-1] in claimed) != (after[0] in claimed)


def semantic_support(cosine: float) -> float:
    """An embedding similarity as a support score: 0 below the unrelated cut-off, 1 above the related one."""
    return float(np.clip((cosine - _COSINE_LOW) / (_COSINE_HIGH - _COSINE_LOW), 0.0, 1.0))
