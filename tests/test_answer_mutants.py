"""Answer checks that mutation testing (`make mutants`) showed no test would miss if they broke.

Each test states a behaviour of the checks in qa/answer (a citation vouches only for
its own sentence; a "when" question wants a year or a date; German abbreviations do
not cut a passage's sentences) with hand-checkable German and English passages; the
mutants they were written against are named in each docstring. Leaves out: what the
other test files already pin.
"""

from __future__ import annotations

import numpy as np
import pytest

from qa.answer.citations import check_citations
from qa.answer.evidence import PassageEvidence, PromptNames, answers_kind, claim_support, question_facts
from qa.answer.gate import missing_places
from qa.types import Chunk, Passage


def passage(text: str, language: str, number: int = 1) -> Passage:
    chunk = Chunk(f"c{number}", "d.txt", text, 0, len(text), "", language)
    return Passage(number, chunk, text, 0, len(text), "Titel", "")


def verdict(claim: str, passage_text: str, passage_language: str, answer_language: str, question: str) -> bool:
    """Whether the one claim (with its marker [1]) is found supported by the one passage."""
    checked = check_citations(claim, [passage(passage_text, passage_language)], answer_language, question=question)
    assert len(checked.sentences) == 1
    return checked.sentences[0].supported


# ---------------------------------------------------------------- a citation vouches only for its own sentence

@pytest.mark.parametrize(("claim", "text", "language", "question"), [
    ("Mark Rutte leitet das Internationale Sekretariat [1].",
     "Der Generalsekretär leitet das Internationale Sekretariat. Mark Rutte war Ministerpräsident der Niederlande.",
     "de", "Wer leitet das Internationale Sekretariat?"),
    ("Mark Rutte heads the International Secretariat [1].",
     "The Secretary General heads the International Secretariat. Mark Rutte was Prime Minister of the Netherlands.",
     "en", "Who heads the International Secretariat?"),
])
def test_a_name_from_another_sentence_of_the_cited_passage_is_not_backed(claim: str, text: str, language: str,
                                                                         question: str) -> None:
    """The passage names Rutte and says who heads the Secretariat, but never in one sentence.

    Mutants: qa.answer.citations.passage_evidence judging the whole passage as one sentence.
    """
    assert not verdict(claim, text, language, language, question)
    right = claim.replace("Mark Rutte", "Der Generalsekretär" if language == "de" else "The Secretary General")
    assert verdict(right, text, language, language, question)


@pytest.mark.xfail(strict=True, reason="trustworthy answers: for a 'when' question any year in the cited passage "
                                       "counts as on topic, even one from a sentence about something else")
def test_a_year_from_another_sentence_of_the_cited_passage_is_not_the_answer() -> None:
    text = "In 2023 the International Secretariat employed 1,352 people. NATO was founded in 1949."
    assert verdict("NATO was founded in 1949 [1].", text, "en", "en", "When was NATO founded?")
    assert not verdict("NATO was founded in 2023 [1].", text, "en", "en", "When was NATO founded?")


def test_german_abbreviations_do_not_cut_the_cited_sentence_in_two() -> None:
    """"z. B." and "1. Oktober" end no sentence, so the date stays whole in the sentence that backs the claim.

    Mutants: qa.answer.citations.passage_evidence splitting the passage without its language.
    """
    text = "Rutte war z. B. Ministerpräsident. Am 1. Oktober 2024 übernahm er das Amt des Generalsekretärs."
    assert verdict("Rutte took office on 1 October 2024 [1].", text, "de", "en", "When did Rutte take office?")


# ---------------------------------------------------------------- a "when" question wants a year or a date

@pytest.mark.parametrize(("claim", "answers"), [
    ("It was built in 1949.", True),
    ("It was built in 1000.", True),  # the first year that counts
    ("The plan runs until 2100.", True),  # the last one
    ("The plan runs until 2101.", False),
    ("It was built 999 steps from the river.", False),
    ("It has 12 towers.", False),  # a whole number is not a year
    ("It was built in 1949.5.", False),  # a year is a whole number
    ("It was built on 1 October 1949.", True),  # a full date
])
def test_a_when_question_is_answered_only_by_a_year_or_a_date(claim: str, answers: bool) -> None:
    """Mutants: qa.answer.evidence._is_year (its range 1000-2100, whole numbers only, and the two joined by 'and')."""
    facts = question_facts("When was the castle built?", "en", None)
    assert facts.kind == "date"
    assert answers_kind([claim], "en", facts) is answers


# ---------------------------------------------------------------- the country backstop reads every cited passage

@pytest.mark.parametrize(("question", "evidence", "missing"), [
    ("Wie viele Soldaten stellen Deutschland und Frankreich?",
     ["Deutschland stellt 35.000 Soldaten.", "Frankreich stellt 20.000 Soldaten."], set()),
    ("When did Finland join NATO?", ["Finnland trat 2023 bei.", "Die NATO wurde 1949 gegründet."], set()),
    ("When did Finland and Sweden join NATO?", ["Finland joined in 2023.", "NATO was founded in 1949."], {"SE"}),
])
def test_a_country_counts_as_found_in_any_of_the_cited_passages(question: str, evidence: list[str],
                                                                 missing: set[str]) -> None:
    """Mutants: qa.answer.gate.missing_places keeping only the last passage's countries."""
    assert missing_places(question, evidence) == missing


# ---------------------------------------------------------------- across languages, key items back a claim

def test_across_languages_the_right_name_earns_the_key_item_backing_and_a_wrong_one_does_not() -> None:
    """A German sentence backs an English claim whose date and name all stand in it, more than one naming
    someone else (at the same embedding similarity, 0.85: the vectors are set by hand).

    Mutants: qa.answer.evidence._all_present.
    """
    sentence = "Am 1. Oktober 2024 übernahm Mark Rutte das Amt des Generalsekretärs."
    evidence = PassageEvidence((sentence,), np.array([[1.0, 0.0]], dtype=np.float32), "de")
    claim_vector = np.array([0.85, (1 - 0.85**2) ** 0.5], dtype=np.float32)
    facts = question_facts("When did the new Secretary General take office?", "en", None)
    names = PromptNames.of([sentence])

    def support(claim: str) -> float:
        return claim_support(claim, "en", evidence, facts, names, claim_vector).score

    # long claims, so that shared words (names, figures) alone back neither as much as the key items do
    right = "Mark Rutte formally took over the leadership of the alliance on 1 October 2024."
    wrong = "Jens Stoltenberg formally took over the leadership of the alliance on 1 October 2024."
    assert support(right) > support(wrong)
