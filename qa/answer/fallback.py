"""The extractive answer: when the model's draft fails the checks but the evidence is strong, quote the evidence.

A quoted passage sentence, clearly labelled and cited, is faithful by
construction, and beats both a refusal and a wrong paraphrase. It is given
only when one sentence of the passages is very close to the question
(`min_quote_score`, a cosine similarity of multilingual-e5, calibrated on the
dev set: see README), talks about what the question asks (a focus word, or a
clear similarity), and holds an item of the kind the question asks for.
Leaves out: the checks that decide the draft failed (qa.answer.citations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer.evidence import (
    FOCUS_COSINE,
    PassageEvidence,
    PromptNames,
    QuestionFacts,
    answers_kind,
    name_stem,
    name_stems,
    passage_names,
)
from qa.answer.key_items import find_full_names
from qa.answer.prompts import QUOTE
from qa.answer.support import content_words_both
from qa.types import Citation, Passage, SentenceCheck


@dataclass(frozen=True)
class Quote:
    """An extractive answer: the text shown, its one citation and sentence check."""

    text: str
    citation: Citation
    check: SentenceCheck


def extractive_answer(facts: QuestionFacts, passages: Sequence[Passage], evidence: Sequence[PassageEvidence],
                      min_quote_score: float, common: frozenset[str] = frozenset()) -> Quote | None:
    """The best passage sentence to quote for the question, or None when no sentence is close enough."""
    if facts.vector is None:
        return None
    best: tuple[float, Passage, str] | None = None
    known = passage_names(evidence)
    prompt = PromptNames.of([" ".join(e.sentences) for e in evidence])
    # the people the question names (a name that stands in a full name in the passages: "Rutte" of "Mark
    # Rutte"; German nouns are capitalised too, so nothing else counts), the collection's topic aside: a
    # quote must name one of them
    people = {name_stem(part) for e in evidence for sentence in e.sentences
              for run in find_full_names(sentence, e.language) for part in run}
    asked_names = {stem for stem in (name_stem(name) for name in facts.items.names)
                   if stem in people and not prompt.topical(stem)}
    for passage, offered in zip(passages, evidence):
        asked = facts.in_language(offered.language)  # the question's translation, when the passage has one
        if offered.vectors is None or asked.vector is None:
            continue
        for position, sentence in enumerate(offered.sentences):
            if sentence.lstrip(" \"'„“”‚‘’»«([")[:1].islower():
                continue  # a fragment (after a formula the text lost, or a split list), no statement to quote
            similarity = float(offered.vectors[position] @ asked.vector)
            if similarity < min_quote_score or (best is not None and similarity <= best[0]):
                continue
            words = content_words_both(sentence, offered.language)
            if asked.counted and not asked.counted & words:
                # "how old": a quote that speaks of no age does not answer it; "Wie viele Arten …?" is not answered
                # by a sentence on the animals' size
                continue
            on_topic = not asked.focus or bool(asked.focus & words)
            if not (on_topic or similarity >= max(FOCUS_COSINE, min_quote_score)):
                continue
            if not answers_kind([sentence], offered.language, asked, known, common):
                continue
            if asked_names and not asked_names & name_stems(sentence):
                continue  # "Für wie lange soll Rutte …?" is not answered by a sentence about Stoltenberg
            best = (similarity, passage, sentence)
    if best is None:
        return None
    similarity, passage, sentence = best
    text = QUOTE[facts.language].format(sentence=" ".join(sentence.split()), number=passage.number)
    support = round(similarity, 3)
    return Quote(text, Citation(passage.number, passage, text, True, support, sentence),
                 SentenceCheck(text, (passage.number,), True, support))
