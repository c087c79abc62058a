"""Citation parsing and verification: markers are mapped to passages and checked, never trusted.

For every answer sentence the cited passages are tested for support
(qa.answer.support). A marker that points to no passage is removed and
counted; a sentence without a marker gets the passage that clearly supports
it; a passage that supports nothing is dropped from the sources and its
markers from the text. Leaves out: how support is scored (qa.answer.support),
the refusal decision (qa.answer.answerer, qa.answer.gate) and rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer.evidence import (
    ClaimSupport,
    PassageEvidence,
    PromptNames,
    QuestionFacts,
    claim_support,
    prompt_names,
    question_facts,
    translated_support,
)
from qa.answer.output import META_PREFIX, META_SENTENCE, SOURCE_LEAD_IN
from qa.answer.support import is_echo
from qa.text.markers import markers, strip_markers
from qa.text.sentences import split_answer_sentences, split_sentences
from qa.text.tokens import tokenize
from qa.types import Citation, Passage, SentenceCheck

# (claim without markers, numbers of the passages that support it, best support score)
_Verdict = tuple[str, list[int], float]


@dataclass(frozen=True)
class CheckedAnswer:
    """The answer text with verified markers, its citations and per-sentence verdicts."""

    text: str
    citations: tuple[Citation, ...]
    sentences: tuple[SentenceCheck, ...]
    invalid_markers: int
    support_score: float


def answer_claims(answer: str, question: str = "", language: str = "en") -> list[str]:
    """The sentences of `answer` that make claims, markers kept.

    Dropped: meta talk about the passages, fragments without words (and single words without a marker), and
    sentences that only repeat the question. A source named up front
    ("Passage [2]: ...") becomes the sentence's marker.
    """
    claims = []
    for sentence in map(_move_lead_in, split_answer_sentences(answer, language)):
        bare = strip_markers(sentence)
        words = len(re.findall(r"[^\W\d_]{2,}", bare)) + (1 if re.search(r"\d", bare) else 0)
        # a fragment without words or figures is no claim; a single word or figure is one when it cites a
        # source ("Wiesbaden [3].", "2012 [1].")
        if META_SENTENCE.search(sentence) or words < (1 if markers(sentence) else 2):
            continue
        sentence = META_PREFIX.sub("", sentence)
        if not is_echo(sentence, question, language):
            claims.append(sentence)
    return claims


def check_citations(
    answer: str,
    passages: Sequence[Passage],
    language: str,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    evidence: Sequence[PassageEvidence] | None = None,
    min_support: float = 0.35,
    question: str = "",
    facts: QuestionFacts | None = None,
    reread: Callable[[PassageEvidence, str, np.ndarray | None], PassageEvidence | None] | None = None,
) -> CheckedAnswer:
    """Verify the citations of a generated answer, each against the cited passage's own sentences.

    Args:
        answer: the generated text with [n] markers.
        passages: the numbered passages the model saw.
        language: the answer's language.
        embed: optional function embedding texts as query vectors (claims and the question), row per text.
        evidence: per passage (same order), its sentences with their vectors and the document's source
            line; built from the passage texts (without vectors) when None.
        min_support: a sentence is supported by a passage at or above this score.
        question: the (standalone) question; sentences that only repeat it are not claims, and
            support is judged on what a sentence adds to it (qa.answer.evidence).
        facts: the question, analysed (with its vector); analysed here when None.
        reread: optional function giving a passage's evidence translated into a language (sentence by sentence,
            with vectors; it may translate only the sentences closest to the claim's vector), or None; a claim no
            passage backs is then checked against the translation of each passage it cites in another language
            (qa.answer.evidence.translated_support).
    """
    sentences = answer_claims(answer, question, language)
    claims = [strip_markers(sentence) for sentence in sentences]
    evidence = evidence if evidence is not None else [passage_evidence(p) for p in passages]
    vectors = embed(claims) if embed is not None and claims else None
    if facts is None:
        question_vector = embed([question])[0] if embed is not None and question else None
        facts = question_facts(question, language, question_vector)
    names = prompt_names(evidence, facts)
    supports = [[claim_support(claim, language, evidence[j], facts, names, None if vectors is None else vectors[i])
                 for j in range(len(passages))] for i, claim in enumerate(claims)]
    if reread is not None:
        _reread_cited(sentences, claims, language, passages, evidence, facts, names, vectors, supports, min_support,
                      reread)
    scores = np.array([[support.score for support in row] for row in supports], dtype=np.float32).reshape(
        len(claims), len(passages))
    verdicts, invalid = _verdicts(sentences, passages, scores, min_support)
    windows = {(claim, j): " ".join(evidence[j].sentences[k] for k in support.window)
               for claim, row in zip(claims, supports) for j, support in enumerate(row) if support.window}
    return _checked_answer(verdicts, passages, language, invalid, windows)


def _reread_cited(sentences: Sequence[str], claims: Sequence[str], language: str, passages: Sequence[Passage],
                  evidence: Sequence[PassageEvidence], facts: QuestionFacts, names: PromptNames,
                  vectors: np.ndarray | None, supports: list[list[ClaimSupport]], min_support: float,
                  reread: Callable[[PassageEvidence, str, np.ndarray | None], PassageEvidence | None]) -> None:
    """For each claim that no passage backs: its support from every passage it cites in another language, read
    through that passage's translation into the claim's language (in place, where it is higher)."""
    column = {p.number: j for j, p in enumerate(passages)}
    for i, claim in enumerate(claims):
        if max((support.score for support in supports[i]), default=0.0) >= min_support:
            continue
        for j in {column[n] for n in markers(sentences[i]) if n in column}:
            if evidence[j].language == language:
                continue
            vector = None if vectors is None else vectors[i]
            translated = reread(evidence[j], language, vector)
            if translated is None:
                continue
            support = translated_support(claim, language, evidence[j], translated, facts, names, vector)
            if support.score > supports[i][j].score:
                supports[i][j] = support


def passage_evidence(passage: Passage) -> PassageEvidence:
    """A passage's sentences as evidence, without vectors (for callers that have no index at hand)."""
    sentences = tuple(s.text for s in split_sentences(passage.text, passage.chunk.language) if s.text != "…")
    return PassageEvidence(sentences or (passage.text,), None, passage.chunk.language, title=passage.title)


def _verdicts(sentences: Sequence[str], passages: Sequence[Passage], scores: np.ndarray,
              min_support: float) -> tuple[list[_Verdict], int]:
    """Per sentence, the passages that support it and its best score; and the count of invalid markers."""
    by_number = {p.number: p for p in passages}
    column = {p.number: j for j, p in enumerate(passages)}
    invalid = 0
    verdicts: list[_Verdict] = []
    for i, sentence in enumerate(sentences):
        cited = markers(sentence)
        valid = [n for n in cited if n in by_number]
        invalid += len(cited) - len(valid)
        supported = [n for n in valid if scores[i, column[n]] >= min_support]
        if not supported and passages:
            # an uncited or miscited claim that another passage backs gets that passage: its sentence passed the
            # same checks (key items, topic) and reaches the same support as a cited one has to
            best = int(np.argmax(scores[i]))
            if scores[i, best] >= min_support:
                supported = [passages[best].number]
        best_score = max((float(scores[i, column[n]]) for n in valid), default=0.0)
        if supported:
            best_score = max(float(scores[i, column[n]]) for n in supported)
        verdicts.append((strip_markers(sentence), supported, best_score))
    return verdicts, invalid


def _checked_answer(verdicts: Sequence[_Verdict], passages: Sequence[Passage], language: str,
                    invalid: int, windows: dict[tuple[str, int], str]) -> CheckedAnswer:
    """The answer text with the kept markers re-attached, its citations and sentence checks."""
    by_number = {p.number: p for p in passages}
    kept_numbers = {n for _, numbers, _ in verdicts for n in numbers}
    text_parts: list[str] = []
    citations: list[Citation] = []
    checks: list[SentenceCheck] = []
    for claim, numbers, score in verdicts:
        shown = [n for n in numbers if n in kept_numbers]
        text_parts.append(claim if not shown else attach_markers(claim, shown))
        checks.append(SentenceCheck(claim, tuple(shown), bool(numbers), round(score, 3)))
        column = {p.number: j for j, p in enumerate(passages)}
        citations.extend(Citation(n, by_number[n], claim, True, round(score, 3),
                                  windows.get((claim, column[n])) or _evidence(claim, by_number[n], language))
                         for n in shown)
    support_score = float(np.mean([c.supported for c in checks])) if checks else 0.0
    return CheckedAnswer(" ".join(text_parts), tuple(citations), tuple(checks), invalid, support_score)


def _move_lead_in(sentence: str) -> str:
    """ "Passage [2]: Die NATO ..." -> "Die NATO ... [2]": the source named up front is the sentence's citation."""
    match = SOURCE_LEAD_IN.match(sentence)
    if not match:
        return sentence
    rest = sentence[match.end():]
    return rest if markers(rest) else attach_markers(rest.rstrip(), [int(match.group(1))])


def attach_markers(claim: str, numbers: list[int]) -> str:
    """`claim` with the markers of `numbers` before its final punctuation ("Er ist 57 [1].")."""
    marks = "".join(f"[{n}]" for n in numbers)
    if claim and claim[-1] in ".!?…":
        return f"{claim[:-1]} {marks}{claim[-1]}"
    return f"{claim} {marks}"


def _evidence(claim: str, passage: Passage, language: str) -> str:
    """The passage sentence sharing most content words with the claim (for highlighting)."""
    candidates = split_sentences(passage.text, passage.chunk.language)
    if not candidates:
        return passage.text
    claim_words = set(tokenize(claim, language))
    best = max(candidates, key=lambda s: len(claim_words & (set(tokenize(s.text, passage.chunk.language))
                                                            | set(tokenize(s.text, language)))))
    return best.text
