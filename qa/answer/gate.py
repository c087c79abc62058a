"""The refusal gate: evidence too weak to answer, and places and years the question names that the evidence lacks.

A retrieval score below a calibrated threshold refuses before the model runs, unless
an acronym of the question stands in some of the top hits (an exact identifier the
embedding model does not know);
an answer whose cited passages never mention a country the question asks about
is refused too (the country backstop); countries are recognised with CLDR's
names (qa.answer.key_items), and a leader's name is no evidence of a country.
Likewise a year the question names must stand in the cited passages or the cited
document's date. Leaves out: refusals the model states itself
(qa.answer.output) and answers without a supported sentence (qa.answer.answerer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from qa.answer.key_items import (
    find_countries,
    fold,
    key_items,
    ordinal_words,
    same_language_names,
    time_unit_names,
)
from qa.text.tokens import is_stopword
from qa.types import Hit

_YEAR = re.compile(r"(?<![\d.,])(1\d{3}|20\d{2})(?![\d]|[.,]\d)")


def evidence_too_weak(hits: Sequence[Hit], min_dense_score: float, language: str = "",
                      cross_lingual_drop: float = 0.0) -> bool:
    """The calibrated gate: no hit, or no hit at its threshold: `min_dense_score` for a passage in the
    question's `language`, that less `cross_lingual_drop` for one in another language (multilingual
    embeddings score a passage in another language lower for the same relevance)."""
    def threshold(hit: Hit) -> float:
        return min_dense_score - (cross_lingual_drop if language and hit.chunk.language != language else 0.0)

    margins = [hit.dense_score - threshold(hit) for hit in hits if hit.dense_score is not None]
    return not margins or max(margins) < 0


# An acronym: a whole word of at least three capitals (digits and hyphens may follow: "NSATU", "VJTF", "F-35A"
# does not count, "COVID-19" does).
_ACRONYM = re.compile(r"(?<![\w-])[A-ZÄÖÜ]{3,}(?:[-0-9]+[A-ZÄÖÜ0-9]*)?(?![\w-])")
# A term in at least this share of the top hits is the collection's topic ("NATO"), not evidence.
TOPICAL_SHARE = 0.8


def acronym_found(question: str, hits: Sequence[Hit]) -> str | None:
    """An acronym of the question that stands in some top hit but not in most of them ("Where is the NSATU
    command based?"): an exact, rare identifier found is evidence even where the dense similarity stays under
    the gate's threshold (multilingual-e5 does not know the acronym). None when there is none."""
    texts = [hit.chunk.text for hit in hits]
    for term in sorted(set(_ACRONYM.findall(question))):
        pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")
        found = sum(bool(pattern.search(text)) for text in texts)
        if found and found < TOPICAL_SHARE * len(texts):
            return term
    return None


def missing_places(question: str, evidence: Sequence[str], documents: Sequence[str] = ()) -> set[str]:
    """Countries the question names that the evidence does not mention (ISO-like codes).

    An answer about Finland's accession cannot rest on passages that never
    mention Finland, however well they support its sentences. A country the
    question names only by adjective ("Which German city …?") qualifies what
    is asked; the cited documents as a whole (`documents`) must mention it.
    """
    found: set[str] = set()
    for text in evidence:
        found |= find_countries(text)
    asked = find_countries(question)
    nouns = find_countries(question, nouns_only=True)
    qualifiers = asked - nouns - found
    for text in documents if qualifiers else ():
        qualifiers -= find_countries(text)
    if qualifiers:
        # the people named by the adjective's stem mention the country too: "die mongolische Invasion" is what
        # "Die Mongolen zerstörten …" tells, though CLDR has no word for the Mongols
        words = {fold(word) for text in (*evidence, *documents) for word in _WORD.findall(text) if word[:1].isupper()}
        qualifiers = {code for code in qualifiers
                      if not any(any(word.startswith(stem) for word in words) for stem in _adjective_stems(question, code))}
    if qualifiers:
        # so does the language the adjective names, by its name in either language and in lower case: "What is the
        # Dutch word for …?" is answered by "(niederländisch: Amazoneregenwoud)"
        words = {fold(word) for text in (*evidence, *documents) for word in _WORD.findall(text)}
        qualifiers = {code for code in qualifiers
                      if not any(same_language_names(word) & words for word in _WORD.findall(question)
                                 if find_countries(word) == {code})}
    return (nouns - found) | qualifiers


ADJECTIVE_STEM = 6  # letters an adjective and the name of its people share: "mongol|ische", "Mongol|en"


def _adjective_stems(question: str, code: str) -> set[str]:
    """The first ADJECTIVE_STEM letters (folded) of each word by which `question` names country `code` as an adjective."""
    return {fold(word)[:ADJECTIVE_STEM] for word in _WORD.findall(question)
            if len(word) > ADJECTIVE_STEM and find_countries(word) == {code} and not find_countries(word, nouns_only=True)}


_WORD = re.compile(r"[^\W\d_]+")


def publisher_word(publisher: str) -> str:
    """The word a question names a publisher by: its first word of three or more letters that is no stop word,
    folded ("Stern, via 24 Hours World" → "stern", "IT BOLTWISE" → "boltwise", "Friedrich-Ebert-Stiftung e.V." →
    "friedrich", "Die Zeit" → "zeit")."""
    return next((word.casefold() for word in _WORD.findall(publisher) if len(word) >= 3 and not is_stopword(word)),
                "")


def publishers_by_word(publishers: Mapping[str, str]) -> dict[str, tuple[str, frozenset[str]]]:
    """For each publisher's naming word (publisher_word): the publisher and its documents, from every document id
    of the collection with its publisher (sources.toml). A word that names every document's publisher (all
    "Wikipedia") names none in particular and is left out."""
    documents: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for document, publisher in sorted(publishers.items()):
        word = publisher_word(publisher)
        if word:
            documents.setdefault(word, set()).add(document)
            names.setdefault(word, publisher)
    return {word: (names[word], frozenset(ids)) for word, ids in documents.items() if len(ids) < len(publishers)}


def missing_source(question: str, by_word: Mapping[str, tuple[str, frozenset[str]]], cited: Sequence[str],
                   evidence: Sequence[str]) -> str | None:
    """The publisher the question names ("laut dem Stern-Bericht", "according to the tagesschau article") when
    none of the cited documents is from it and the cited texts do not mention it; else None.

    Args:
        question: the standalone question.
        by_word: the collection's publishers by their naming word (publishers_by_word).
        cited: the ids of the cited passages' documents.
        evidence: the cited texts (passages and the chunks around them).

    One word of the question names a publisher when it is that publisher's naming word, alone or as part of a
    hyphenated compound ("Stern-Bericht").
    """
    asked = {part.casefold() for part in _WORD.findall(question)} & by_word.keys()
    if not asked:
        return None
    mentioned = {part.casefold() for text in evidence for part in _WORD.findall(text)}
    for word in sorted(asked):
        publisher, documents = by_word[word]
        if not documents & set(cited) and word not in mentioned:
            return publisher
    return None


def years(text: str, language: str) -> set[int]:
    """The years `text` names: those of its dates and its plain four-digit figures from 1000 to 2099
    ("1.500" or "1,500" is a count, not a year)."""
    found = {date[0] for date in key_items(text, language).dates if date[0] is not None}
    return found | plain_years(text)


def plain_years(text: str) -> set[int]:
    """The figures of `text` written as years: four plain digits from 1000 to 2099, no separator."""
    return {int(year) for year in _YEAR.findall(text)}


def missing_years(question: str, language: str, evidence: Sequence[tuple[str, str]]) -> set[int]:
    """Years the question names that none of the cited texts (text, its language) names.

    "Where will the summit in 2026 take place?" cannot rest on passages about the summit of 2023,
    however well they back the place they name. The evidence is the cited chunks with their
    neighbours and each cited document's source line (its date). A decade or a century the question
    names ("by the 1700s", "in den 70ern") is named by any year in it, and a century by its ordinal ("18. Jahrhundert").
    """
    spans = year_spans(question)
    asked = years(question, language) | set(spans)
    for text, text_language in evidence if asked else ():
        named = years(text, text_language)
        asked -= named
        for year, span in spans.items():
            if any(other in span for other in named) or (
                    len(span) == 100 and year // 100 + 1 in centuries(text, text_language)):
                asked.discard(year)
    return asked


# A year written as a decade or a century: "1970s", "1970's", "1970er", "1970ern" (1970-1979); "1700s", "1700er"
# (1700-1799).
_YEAR_SPAN = re.compile(r"(?<![\d.,])(1\d{3}|20\d{2})(?:s|['’]s|ern|er)(?!\w)")
# A decade in two digits: "the 80s", "the '90s", "in den 70ern", "70er Jahre" (of the 1900s or the 2000s).
_SHORT_DECADE = re.compile(r"(?<![\w.,])['’]?([1-9]0)(?:s|['’]s|ern|er)(?!\w)")


def year_spans(text: str) -> dict[int, frozenset[int]]:
    """The years `text` writes as a decade or, ending in 00, a century, with the years they span; a decade in two
    digits ("in den 70ern") spans its years in both the 1900s and the 2000s, keyed by the first."""
    spans = {int(year): frozenset(range(int(year), int(year) + (100 if year.endswith("00") else 10)))
             for year in _YEAR_SPAN.findall(text)}
    for decade in map(int, _SHORT_DECADE.findall(text)):
        spans[1900 + decade] = frozenset(range(1900 + decade, 1910 + decade)) | frozenset(
            range(2000 + decade, 2010 + decade))
    return spans


def centuries(text: str, language: str) -> set[int]:
    """The centuries `text` names by ordinal: "18. Jahrhundert", "18th century", "des achtzehnten Jahrhunderts",
    "eighteenth century" -> 18 (CLDR's name of the unit, num2words' ordinals)."""
    unit = re.escape(time_unit_names(language if language in ("de", "en") else "en", ("century",))[0])
    folded = fold(text)
    found = {int(number) for number in re.findall(rf"(?<![\d.,])(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+{unit}", folded)}
    return found | {ordinal_words()[word] for word in re.findall(rf"([^\W\d_]+)\s+{unit}", folded)
                    if word in ordinal_words()}
