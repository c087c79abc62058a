"""The extractive answer: when the model's draft fails the checks but the evidence is strong, quote the evidence.

A quoted passage sentence, clearly labelled and cited, is faithful by
construction, and beats both a refusal and a wrong paraphrase. It is given
only when one sentence of the passages is very close to the question
(`min_quote_score`, a cosine similarity of multilingual-e5, calibrated on the
dev set: see README; `figure_quote_score` for the sentence that leads the
prompt's figures of a "how much"/"when" question), talks about what the
question asks (a focus word, or a clear similarity), and holds an item of the
kind the question asks for.
Failing that (`located_quote`), the failed draft still points at the sentence
it answered from: the one that states the key items a draft sentence adds to
the question, on topic and of the asked kind, is quoted the same way.
Leaves out: the checks that decide the draft failed (qa.answer.citations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer.citations import answer_claims
from qa.answer.evidence import (
    FOCUS_COSINE,
    PassageEvidence,
    PromptNames,
    QuestionFacts,
    answers_kind,
    answers_some_kind,
    asks_nationality,
    figure_outshone,
    leads_figures,
    name_stem,
    name_stems,
    passage_names,
    prompt_names,
    quote_outshone,
    states_claim_items,
    talks_about_question,
)
from qa.answer.gate import missing_years, year_spans, years
from qa.answer.key_items import find_full_names
from qa.answer.prompts import QUOTE
from qa.answer.support import content_words_both, is_echo
from qa.text.markers import strip_markers
from qa.types import Citation, Passage, SentenceCheck


@dataclass(frozen=True)
class Quote:
    """An extractive answer: the text shown, its one citation and sentence check."""

    text: str
    citation: Citation
    check: SentenceCheck


def extractive_answer(facts: QuestionFacts, passages: Sequence[Passage], evidence: Sequence[PassageEvidence],
                      min_quote_score: float, common: frozenset[str] = frozenset(),
                      figure_quote_score: float | None = None) -> Quote | None:
    """The best passage sentence to quote for the question, or None when no sentence is close enough: at least
    `min_quote_score` similar to the question, or `figure_quote_score` for the one sentence that leads the
    prompt's figures for a "how much"/"when" question (see leads_figures)."""
    if facts.vector is None:
        return None
    best: tuple[float, Passage, str] | None = None
    known, asked_names, names = _prompt(facts, evidence)
    for passage, offered in zip(passages, evidence):
        asked = facts.in_language(offered.language)  # the question's translation, when the passage has one
        if offered.vectors is None or asked.vector is None:
            continue
        for position, sentence in enumerate(offered.sentences):
            similarity = float(offered.vectors[position] @ asked.vector)
            bar = min_quote_score
            if figure_quote_score is not None and figure_quote_score < bar and leads_figures(facts, offered, position,
                                                                                              names):
                bar = figure_quote_score
            if similarity < bar or (best is not None and similarity <= best[0]):
                continue
            words = content_words_both(sentence, offered.language)
            on_topic = not asked.focus or bool(asked.focus & words)
            if not (on_topic or similarity >= max(FOCUS_COSINE, min_quote_score)):
                continue
            if not _quotable(sentence, offered.language, asked, known, common, asked_names):
                continue
            if quote_outshone(facts, offered, position, names):
                continue  # another sentence says more of what is asked, with its own figure
            best = (similarity, passage, sentence)
    if best is None:
        return None
    similarity, passage, sentence = best
    return _quote(facts.language, passage, sentence, similarity)


def located_quote(draft: str, language: str, facts: QuestionFacts, passages: Sequence[Passage],
                  evidence: Sequence[PassageEvidence], common: frozenset[str] = frozenset()) -> Quote | None:
    """The passage sentence a failed draft answered from, quoted: one that itself states every key item (figure,
    date, country, name) a sentence of the draft adds to the question, talks about what the question asks and holds
    an item of the asked kind (the closest to the question where several do). The model points at the sentence;
    what is shown is the source's own words, so a right draft that the checks cannot back word for word (a
    paraphrase, a translation) still gives the answer, faithfully. Only for a question that asks for a kind of item
    (who, when, where, how many, what name, which nationality). None when no sentence qualifies."""
    if not (facts.kind or facts.also or asks_nationality(facts)):
        # a question for no kind of item ("Wie entwickelten die Hugenotten ihre Ansichten?") is answered by no item:
        # the draft's figures and names are its context, and they point at a sentence about that context
        return None
    known, asked_names, names = _prompt(facts, evidence)
    # only a draft sentence that gives what the question asks for points at the answer ("Sweden joined in September
    # 2024" gives no day for "on what date"; "Turkey cleared the way" no person for "who")
    claims = [claim for claim in answer_claims(draft, facts.text, language)
              if answers_some_kind([strip_markers(claim)], language, facts, known, common)]
    best: tuple[float, Passage, str] | None = None
    for which, (passage, offered) in enumerate(zip(passages, evidence)):
        if passage.chunk.is_footnote:
            continue  # a footnote cites a work ("NATO: Vilnius Summit Communique, 11. Juli 2023"): no statement
        asked = facts.in_language(offered.language)
        for position, sentence in enumerate(offered.sentences):
            if not any(states_claim_items(claim, language, facts, offered, position, names)
                       and not figure_outshone(claim, language, facts, offered, position, names) for claim in claims):
                continue
            if not (talks_about_question(evidence, which, position, facts, names)
                    and _quotable(sentence, offered.language, asked, known, common, asked_names)):
                continue
            similarity = (float(offered.vectors[position] @ asked.vector)
                          if offered.vectors is not None and asked.vector is not None else 0.0)
            if best is None or similarity > best[0]:
                best = (similarity, passage, sentence)
    if best is None:
        return None
    similarity, passage, sentence = best
    return _quote(facts.language, passage, sentence, similarity)


def _prompt(facts: QuestionFacts, evidence: Sequence[PassageEvidence]) -> tuple[frozenset[str], set[str], PromptNames]:
    """What both quotes weigh a sentence by: the prompt's names (passage_names), the people the question names
    (_asked_people) and the prompt's names with their best focus (with_best_focus)."""
    prompt = prompt_names(evidence, facts)
    return passage_names(evidence), _asked_people(facts, evidence, prompt), prompt


def _asked_people(facts: QuestionFacts, evidence: Sequence[PassageEvidence], prompt: PromptNames) -> set[str]:
    """The people the question names (a name that stands in a full name in the passages: "Rutte" of "Mark Rutte";
    German nouns are capitalised too, so nothing else counts), the collection's topic aside (`prompt`: where the
    prompt's names occur): a quote must name one of them."""
    people = {name_stem(part) for e in evidence for sentence in e.sentences
              for run in find_full_names(sentence, e.language) for part in run}
    return {stem for stem in (name_stem(name) for name in facts.items.names)
            if stem in people and not prompt.topical(stem)}


def _quotable(sentence: str, language: str, asked: QuestionFacts, known: frozenset[str], common: frozenset[str],
              asked_names: set[str]) -> bool:
    """A statement (no fragment) that can answer the question: it speaks of what "how many"/"how old" counts,
    holds an item of the asked kind and names a person the question names."""
    if sentence.lstrip(" \"'„“”‚‘’»«([")[:1].islower():
        return False  # a fragment (after a formula the text lost, or a split list), no statement to quote
    if is_echo(sentence, asked.text, language):
        return False  # it only repeats the question's words: "The Pleistocene (P) epoch." (a heading) answers nothing
    if asked.counted and not asked.counted & content_words_both(sentence, language):
        # "how old": a quote that speaks of no age does not answer it; "Wie viele Arten …?" is not answered
        # by a sentence on the animals' size
        return False
    if not answers_kind([sentence], language, asked, known, common):
        return False
    if not _names_asked_year(sentence, language, asked):
        return False  # "In den späten 1980ern spielten …" does not answer "Wer spielte … in den 70ern?"
    # "Für wie lange soll Rutte …?" is not answered by a sentence about Stoltenberg
    return not asked_names or bool(asked_names & name_stems(sentence))


def _names_asked_year(sentence: str, language: str, asked: QuestionFacts) -> bool:
    """Whether `sentence` names one of the years the question names, where it names any (a decade or century by a
    year in it, as the gate reads them: "In den frühen 1970ern" for "in den 70ern")."""
    named = years(asked.text, asked.language) | set(year_spans(asked.text))
    return not named or missing_years(asked.text, asked.language, [(sentence, language)]) != named


def _quote(language: str, passage: Passage, sentence: str, similarity: float) -> Quote:
    text = QUOTE[language].format(sentence=" ".join(sentence.split()), number=passage.number)
    support = round(similarity, 3)
    return Quote(text, Citation(passage.number, passage, text, True, support, sentence),
                 SentenceCheck(text, (passage.number,), True, support))
