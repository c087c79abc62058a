"""Citation parsing and verification: markers are mapped to passages and checked, never trusted.

For every answer sentence the cited passages are tested for support: the
share of the sentence's content words (stemmed) and numbers found in the
passage, and the embedding similarity of sentence and passage. A marker that
points to no passage is removed and counted; a sentence without a marker gets
the passage that clearly supports it; a passage that supports nothing is
dropped from the sources and its markers from the text. Leaves out: the
refusal decision (qa.answering) and rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qa.lexical import tokenize
from qa.prompts import META_PREFIX, META_SENTENCE, SOURCE_LEAD_IN
from qa.types import Citation, Passage, SentenceCheck

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*)\s+(?=\S)")
_NUMBER = re.compile(r"\d+(?:(?:[.,] ?| )\d{3}(?!\d))*(?:[.,]\d+)?")  # "800 000", "800,000", "800, 000"
# Cosine similarities of multilingual-e5 (claim vs. passage sentence) below LOW mean unrelated, above HIGH clearly
# related; measured on seed claims: supported 0.81-0.88, unsupported 0.82-0.86, so numbers and words decide first.
_COSINE_LOW, _COSINE_HIGH = 0.80, 0.90


@dataclass(frozen=True)
class CheckedAnswer:
    """The answer text with verified markers, its citations and per-sentence verdicts."""

    text: str
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceCheck, ...]
    invalid_markers: int
    support_score: float


def split_sentences(text: str) -> list[str]:
    """Split an answer into sentences, keeping markers after the full stop with their sentence."""
    parts = _SENTENCE_END.split(text.strip())
    sentences: list[str] = []
    for index in range(0, len(parts), 2):
        sentence = (parts[index] + (parts[index + 1] if index + 1 < len(parts) else "")).strip()
        if sentences and MARKER.fullmatch(" " + sentence.replace("] [", "][")):
            sentences[-1] += sentence  # markers alone after the last full stop belong to that sentence
        elif sentence:
            sentences.append(sentence)
    return sentences


def markers(sentence: str) -> list[int]:
    """The passage numbers cited in `sentence`, in order, without repeats."""
    numbers: list[int] = []
    for group in MARKER.findall(sentence):
        for number in re.split(r"\s*[,;]\s*", group):
            if int(number) not in numbers:
                numbers.append(int(number))
    return numbers


def strip_markers(text: str) -> str:
    return " ".join(MARKER.sub("", text).split())


_NUMBER_WORDS = {
    word: str(value)
    for value, words in enumerate([
        ("null", "zero"), ("eins", "one"), ("zwei", "two"), ("drei", "three"), ("vier", "four"), ("fünf", "five"),
        ("sechs", "six"), ("sieben", "seven"), ("acht", "eight"), ("neun", "nine"), ("zehn", "ten"),
        ("elf", "eleven"), ("zwölf", "twelve"), ("dreizehn", "thirteen"), ("vierzehn", "fourteen"),
        ("fünfzehn", "fifteen"), ("sechzehn", "sixteen"), ("siebzehn", "seventeen"), ("achtzehn", "eighteen"),
        ("neunzehn", "nineteen"), ("zwanzig", "twenty"),
    ])
    for word in words
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)


# Countries in German and English (names, adjectives, capitals used as metonyms, heads of
# government): a claim that names a country its passage does not mention ("Germany's
# spending" backed by a passage on Dutch spending) is as harmful as a wrong number. Word
# beginnings, so inflected forms match; a leader's name counts as their country, so
# "France blocked ..." is backed by "Macron blocks ...".
_COUNTRIES = {
    country: re.compile(r"\b(" + pattern + r")", re.I)
    for country, pattern in {
        "de": r"deutsch|germany|german\b|germans\b|bundesrepublik|berlin|scholz|merz\b|pistorius|baerbock",
        "nl": r"niederl|netherlands|dutch|holland|den haag|the hague|schoof",
        "us": r"(?-i:US\b)|usa\b|us-|u\.s\.|vereinigte[nr]? staaten|united states|amerikan|american|washington|"
              r"biden|trump|blinken|rubio",
        "gb": r"großbritannien|grossbritannien|britain|british|britisch|united kingdom|vereinigte[sn]? königreich|"
              r"\buk\b|london|sunak|starmer",
        "fr": r"frankreich|france|französisch|french|paris|macron",
        "ru": r"russ|moskau|moscow|kreml|kremlin|putin",
        "ua": r"ukrain|kiew|kyiv|selenskyj|zelensky|sybiha",
        "cn": r"china|chines|peking|beijing|xi jinping",
        "tr": r"türk|turkey|turkish|ankara|erdo[gğ]an",
        "se": r"schwed|swed",
        "fi": r"finnland|finland|finnisch|finnish",
        "no": r"norweg|norway",
        "pl": r"polen|poland|polnisch|polish",
        "jp": r"japan|tokio|tokyo",
        "ca": r"kanad|canad",
    }.items()
}


def _countries(text: str) -> set[str]:
    return {country for country, pattern in _COUNTRIES.items() if pattern.search(text)}


def missing_places(question: str, evidence: Sequence[str]) -> set[str]:
    """Countries the question names that none of the evidence texts mentions (ISO-like codes).

    An answer about Finland's accession cannot rest on passages that never
    mention Finland, however well they support its sentences.
    """
    found: set[str] = set()
    for text in evidence:
        found |= _countries(text)
    return _countries(question) - found


# Magnitude words as exponents, so "20 million" does not pass for "20 Milliarden".
_MAGNITUDES = [(re.compile(r"\b(tausend|thousand)", re.I), "e3"),
               (re.compile(r"\b(million|mio\b)", re.I), "e6"),
               (re.compile(r"\b(milliarde|billion|mrd\b|bn\b)", re.I), "e9")]


def _numbers(text: str) -> set[str]:
    """Numbers in `text`, digits only, with number words up to twenty ("zehn", "ten") as digits
    and magnitude words ("Millionen", "billion") as exponents ("e6", "e9")."""
    found = {re.sub(r"[ .,]", "", n) for n in _NUMBER.findall(text)}
    found |= {exponent for pattern, exponent in _MAGNITUDES if pattern.search(text)}
    return found | {_NUMBER_WORDS[word.lower()] for word in _NUMBER_WORD.findall(text)}


_YES_NO = re.compile(r"\b(ja|nein|yes|no|doch|nicht|not|never|nie)\b", re.I)
# Question words and pronouns (stemmed) that the BM25 stopword lists keep: an answer that
# swaps "who" for "him" adds nothing.
_FUNCTION_WORDS = frozenset(
    "who whom whose what which when where whi how him her his hers she he it they them their there then "
    "also befor after wer wem wen wess welch wann wo warum wie weshalb ihm ihn ihr sein dort damal".split()
)


@lru_cache(maxsize=512)
def _words(text: str, language: str) -> frozenset[str]:
    """Content-word stems of `text` (cached: a question and each passage are checked against every claim)."""
    return frozenset(tokenize(text, language)) - _FUNCTION_WORDS


def _question_words(question: str, language: str) -> frozenset[str]:
    """The question's content-word stems in both languages (questions and answers mix them)."""
    return _words(question, language) | _words(question, "de" if language == "en" else "en")


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
    words = _words(claim, sentence_language)
    words = (words - _question_words(question, sentence_language)) or words
    if not words:
        return 0.0
    source = _words(passage, passage_language) | _words(passage, sentence_language)
    score = len(words & source) / len(words)
    if _numbers(claim) - _numbers(passage) or _countries(claim) - _countries(passage):
        score = min(score, 0.2)
    return score


def is_echo(sentence: str, question: str, language: str) -> bool:
    """True when the sentence only repeats the question: no new content word, number or yes/no."""
    if not question:
        return False
    claim = strip_markers(sentence)
    adds_words = _words(claim, language) - _question_words(question, language)
    return not (adds_words or _numbers(claim) - _numbers(question) or _YES_NO.search(claim))


def answer_claims(answer: str, question: str = "", language: str = "en") -> list[str]:
    """The sentences of `answer` that make claims, markers kept.

    Dropped: meta talk about the passages, fragments without words, and
    sentences that only repeat the question. A source named up front
    ("Passage [2]: ...") becomes the sentence's marker.
    """
    claims = []
    for sentence in map(_move_lead_in, split_sentences(answer)):
        if META_SENTENCE.search(sentence) or len(re.findall(r"[^\W\d_]{2,}", strip_markers(sentence))) < 2:
            continue
        sentence = META_PREFIX.sub("", sentence)
        if not is_echo(sentence, question, language):
            claims.append(sentence)
    return claims


def _semantic(cosine: float) -> float:
    return float(np.clip((cosine - _COSINE_LOW) / (_COSINE_HIGH - _COSINE_LOW), 0.0, 1.0))


def check_citations(
    answer: str,
    passages: Sequence[Passage],
    language: str,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    passage_vectors: Sequence[np.ndarray] | None = None,
    min_support: float = 0.35,
    question: str = "",
) -> CheckedAnswer:
    """Verify the citations of a generated answer.

    Args:
        answer: the generated text with [n] markers.
        passages: the numbered passages the model saw.
        language: the answer's language.
        embed: optional function embedding claims (marker-free texts) as query vectors, row per text.
        passage_vectors: optional embeddings per passage (same order): a matrix of the passage's
            sentences (or one row for the whole passage); a claim's similarity is its best row.
        min_support: a sentence is supported by a passage at or above this score.
        question: the (standalone) question; sentences that only repeat it are not claims, and
            support is judged on the words a sentence adds to it.
    """
    by_number = {p.number: p for p in passages}
    sentences = answer_claims(answer, question, language)
    invalid = 0
    scores = np.zeros((len(sentences), len(passages)), dtype=np.float32)
    claims = [strip_markers(sentence) for sentence in sentences]
    claim_vectors = embed(claims) if embed is not None and passage_vectors is not None and claims else None
    for i, claim in enumerate(claims):
        for j, passage in enumerate(passages):
            score = lexical_support(claim, passage.text, language, passage.chunk.language, question)
            if claim_vectors is not None and passage_vectors is not None:
                if not (_numbers(claim) - _numbers(passage.text) or _countries(claim) - _countries(passage.text)):
                    similarity = float(np.max(np.atleast_2d(passage_vectors[j]) @ claim_vectors[i]))
                    score = max(score, _semantic(similarity))
            scores[i, j] = score
    column = {p.number: j for j, p in enumerate(passages)}
    verdicts: list[tuple[str, list[int], float]] = []
    for i, sentence in enumerate(sentences):
        cited = markers(sentence)
        valid = [n for n in cited if n in by_number]
        invalid += len(cited) - len(valid)
        supported = [n for n in valid if scores[i, column[n]] >= min_support]
        if not supported and passages:
            # an uncited or miscited claim that another passage clearly backs gets that passage
            best = int(np.argmax(scores[i]))
            if scores[i, best] >= max(min_support, 0.5):
                supported = [passages[best].number]
        best_score = max((float(scores[i, column[n]]) for n in valid), default=0.0)
        if supported:
            best_score = max(float(scores[i, column[n]]) for n in supported)
        verdicts.append((strip_markers(sentence), supported, best_score))
    kept_numbers = {n for _, numbers, _ in verdicts for n in numbers}
    text_parts: list[str] = []
    citations: list[Citation] = []
    checks: list[SentenceCheck] = []
    for claim, numbers, score in verdicts:
        shown = [n for n in numbers if n in kept_numbers]
        text_parts.append(claim if not shown else _attach(claim, shown))
        checks.append(SentenceCheck(claim, tuple(shown), bool(numbers), round(score, 3)))
        citations.extend(Citation(n, by_number[n], claim, True, round(score, 3), _evidence(claim, by_number[n], language))
                         for n in shown)
    support_score = float(np.mean([c.supported for c in checks])) if checks else 0.0
    return CheckedAnswer(" ".join(text_parts), tuple(citations), tuple(checks), invalid, support_score)


def _move_lead_in(sentence: str) -> str:
    """ "Passage [2]: Die NATO ..." -> "Die NATO ... [2]": the source named up front is the sentence's citation."""
    match = SOURCE_LEAD_IN.match(sentence)
    if not match:
        return sentence
    rest = sentence[match.end():]
    return rest if markers(rest) else _attach(rest.rstrip(), [int(match.group(1))])


def _attach(claim: str, numbers: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in numbers)
    if claim and claim[-1] in ".!?…":
        return f"{claim[:-1]} {marks}{claim[-1]}"
    return f"{claim} {marks}"


def _evidence(claim: str, passage: Passage, language: str) -> str:
    """The passage sentence sharing most content words with the claim (for highlighting)."""
    from qa.chunking import split_sentences as split_passage

    candidates = split_passage(passage.text, passage.chunk.language)
    if not candidates:
        return passage.text
    claim_words = set(tokenize(claim, language))
    best = max(candidates, key=lambda s: len(claim_words & (set(tokenize(s.text, passage.chunk.language))
                                                            | set(tokenize(s.text, language)))))
    return best.text
