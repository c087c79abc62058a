"""A figure answers the question only where no other sentence says more of what is asked, with a figure of its own.

"The average household size was 3.07." shares two words with "What was the average family size?"; "… the
average family size was 3.62." shares all three and gives its own figure. The first sentence's figure answers
another question, so it backs no claim (qa.answer.evidence._outshone), is not the sentence a failed draft is
pointed at (located_quote) and is not quoted (extractive_answer). These tests use fixed vectors (binary
fractions, so cosines are exact) or none, and no model.
"""

from __future__ import annotations

import numpy as np

from qa.answer.evidence import PassageEvidence, PromptNames, claim_support, question_facts, with_best_focus
from qa.answer.fallback import extractive_answer, located_quote
from qa.types import Chunk, Passage

OUTSHONE = "another sentence of the passages says more of what the question asks, with its own figure"
FAMILY = "Wie groß war die durchschnittliche Familiengröße?"
HOUSEHOLD = "Die durchschnittliche Haushaltsgröße war 3,07."
FAMILIES = "Es gab 111.529 Familien; die durchschnittliche Familiengröße war 3,62."
QUESTION_VECTOR = np.array([1.0, 0.0, 0.0], dtype=np.float32)


def support(question: str, claim: str, sentences: list[str], language: str = "de",
            translations: tuple[tuple[str, str, np.ndarray | None], ...] = (), evidence_language: str | None = None,
            other_passages: tuple[str, ...] = ()):
    """claim_support of `claim` against one passage of `sentences` among `other_passages`, words alone deciding
    (no vectors)."""
    facts = question_facts(question, language, None, translations)
    evidence = PassageEvidence(tuple(sentences), None, evidence_language or language)
    names = with_best_focus(PromptNames.of([" ".join(sentences), *other_passages]), [evidence], facts)
    return claim_support(claim, language, evidence, facts, names, None)


def test_a_figure_from_a_sentence_that_says_less_of_what_is_asked_is_not_backed() -> None:
    """Unseen-12 xq-24: the household size was given for the family size; alone, its sentence would back it."""
    claim = "Die durchschnittliche Familiengröße war 3,07."
    assert support(FAMILY, claim, [HOUSEHOLD]).window == (0,)
    assert support(FAMILY, claim, [HOUSEHOLD, FAMILIES]).reason == OUTSHONE
    assert support(FAMILY, "Die durchschnittliche Familiengröße war 3,62.", [HOUSEHOLD, FAMILIES]).window == (1,)


def test_a_figure_of_the_other_sentence_in_its_window_lends_it_no_words() -> None:
    """A sentence read with its predecessor ("Es …") does not borrow the topic from a sentence that has a figure
    of its own: the pair would share every word, but the claim's figure stands only in the weaker sentence."""
    pair = [HOUSEHOLD, "Es gab 111.529 Familien; ihre durchschnittliche Familiengröße war 3,62."]
    assert support(FAMILY, "Die durchschnittliche Familiengröße war 3,07.", pair).reason == OUTSHONE


def test_a_sentence_with_the_claims_own_figure_outshines_nothing() -> None:
    """Test t056: the footnote with the press conference's date shares fewer of the question's words than the
    sentence citing it, which holds the same year: no other figure, no other answer."""
    question = "In welchem Jahr meldeten die Mitgliedstaaten schnell mobilisierbare Soldaten?"
    cited = "Die Mitgliedstaaten meldeten Soldaten im Juni 2024."
    citing = "Die Mitgliedstaaten meldeten 2024 schnell mobilisierbare Soldaten."
    assert support(question, "Die Staaten meldeten die Soldaten 2024.", [cited, citing]).reason != OUTSHONE
    other_year = citing.replace("2024", "2023")
    assert support(question, "Die Staaten meldeten die Soldaten 2024.", [cited, other_year]).reason == OUTSHONE


def test_the_asked_names_must_stand_in_the_sentence_that_outshines() -> None:
    """Unseen-16 xq-05: Holden's and Ford's announcements share more of "When will Toyota announce …" than the
    sentence with Toyota's closure year, but not Toyota: they answer for another company."""
    question = "When did Toyota announce the closure of its plant?"
    toyota = "Toyota announced in 2014 a closure in 2017."
    others = "Holden announced the closure of its plant in 2013."
    assert support(question, "Toyota announced the closure in 2017.", [toyota, others], "en").reason != OUTSHONE
    both = "Holden and Toyota announced the closure of their plants in 2013."
    assert support(question, "Toyota announced the closure in 2017.", [toyota, both], "en").reason == OUTSHONE


def test_a_window_that_shares_only_the_questions_names_is_not_weighed_by_words() -> None:
    """Dev q116: the sentence with the 800 000 soldiers shares only the model's name with the question (the soldiers
    are the collection's topic, the rest a paraphrase): its tie is its similarity, which words cannot weigh, and a
    footnote that shares the name and more does not outshine it."""
    question = "Wie viele Soldaten plant Jens Stoltenberg für die Ostflanke?"
    claim = "Jens Stoltenberg plant 800 000 Soldaten."
    planned = "Jens Stoltenberg plant 500 000 Soldaten für die Ostflanke."
    topic = ("Soldaten üben.", "Die Soldaten sind da.", "Soldaten kommen.")
    named = "Jens Stoltenberg nannte 800 000 Soldaten."
    assert support(question, claim, [named, planned], other_passages=topic).reason != OUTSHONE
    assert support(question, claim, ["Jens Stoltenberg plant 800 000 Soldaten.", planned],
                   other_passages=topic).reason == OUTSHONE


def test_across_languages_the_sentences_are_compared_in_their_own_language_through_the_translation() -> None:
    """A German question about English sentences: the translated question's words weigh them."""
    translation = (("What was the average family size?", "en", None),)
    sentences = ["The average household size was 3.07.", "The average family size was 3.62."]
    assert support(FAMILY, "Die durchschnittliche Familiengröße war 3,07.", sentences, translations=translation,
                   evidence_language="en").reason == OUTSHONE


def unit(similarity: float) -> list[float]:
    return [similarity, (1 - similarity**2) ** 0.5, 0.0]


def offered(sentences: dict[str, float]) -> PassageEvidence:
    return PassageEvidence(tuple(sentences), np.array([unit(s) for s in sentences.values()], dtype=np.float32), "de")


def passage(evidence: PassageEvidence, number: int) -> Passage:
    text = " ".join(evidence.sentences)
    chunk = Chunk(f"c{number}", "d.txt", text, 0, len(text), "", evidence.language)
    return Passage(number, chunk, text, 0, len(text), "Titel", "")


def test_the_quote_is_the_sentence_that_says_most_of_what_is_asked() -> None:
    """Unseen-22 xq-27: the plain quote took the closest sentence, whose year is that of another storm; the one
    that says what the question asks ("vier Tage … verdunkelte") is quoted instead, though less close."""
    question = "In welchem Jahr legte ein tropischer Sturm den Strom für vier Tage lahm?"
    beryl = "Im Jahr 2012 traf der tropische Sturm Beryl die Küste."
    fay = "Der tropische Sturm Fay legte 2008 den Strom für vier Tage lahm."
    evidence = [offered({beryl: 0.9375}), offered({fay: 0.875})]
    passages = [passage(e, n) for n, e in enumerate(evidence, start=1)]
    facts = question_facts(question, "de", QUESTION_VECTOR)
    quote = extractive_answer(facts, passages, evidence, min_quote_score=0.8)
    assert quote is not None and quote.citation.evidence == fay
    alone = extractive_answer(facts, passages[:1], evidence[:1], min_quote_score=0.8)
    assert alone is not None and alone.citation.evidence == beryl  # with nothing that says more, it stands


def test_a_failed_draft_does_not_point_at_a_sentence_that_says_less_of_what_is_asked() -> None:
    """Unseen-16 xq-25: the draft's figure stands in a sentence that another, with a figure of its own, outshines;
    the located quote no longer quotes it."""
    evidence = [offered({HOUSEHOLD: 0.5, FAMILIES: 0.5})]
    passages = [passage(evidence[0], 1)]
    facts = question_facts(FAMILY, "de", QUESTION_VECTOR)
    assert located_quote("Sie war 3,07 [1].", "de", facts, passages, evidence) is None
    alone = [offered({HOUSEHOLD: 0.5})]
    quote = located_quote("Sie war 3,07 [1].", "de", facts, [passage(alone[0], 1)], alone)
    assert quote is not None and quote.citation.evidence == HOUSEHOLD


def test_the_sentence_that_leads_the_prompts_figures_is_quoted_at_a_lower_bar() -> None:
    """Unseen-14 xq-08: "Wie viel niedriger war die Nordsee in der letzten Kaltzeit als heute?" drafted wrongly, and
    the one sentence with a figure that says what is asked ("… der Meeresspiegel um 120 m niedriger …") was below
    the plain quote's bar. Leading the prompt's figures, it is quoted at `figure_quote_score`; where another
    sentence with a figure shares as many of the question's words, neither leads, and the plain bar holds."""
    question = "Wie viel niedriger war der Meeresspiegel in der Kaltzeit?"
    lower = "In der Kaltzeit war der Meeresspiegel um 120 m niedriger."
    other = "Heute leben 30 Millionen Menschen an der Küste."
    evidence = [offered({lower: 0.875, other: 0.5})]
    passages = [passage(evidence[0], 1)]
    facts = question_facts(question, "de", QUESTION_VECTOR)
    assert extractive_answer(facts, passages, evidence, min_quote_score=0.885) is None
    quote = extractive_answer(facts, passages, evidence, min_quote_score=0.885, figure_quote_score=0.85)
    assert quote is not None and quote.citation.evidence == lower
    rival = "In der Kaltzeit war der Meeresspiegel an 40 Orten niedriger."
    tied = [offered({lower: 0.875, rival: 0.5})]
    assert extractive_answer(facts, [passage(tied[0], 1)], tied, min_quote_score=0.885, figure_quote_score=0.85) is None
    # a "what" question leads no figures: the plain bar holds
    what = question_facts("Was geschah in der Kaltzeit mit dem Meeresspiegel?", "de", QUESTION_VECTOR)
    assert extractive_answer(what, passages, evidence, min_quote_score=0.885, figure_quote_score=0.85) is None


def test_a_figure_the_question_names_is_no_rival() -> None:
    """Unseen-25 xq-34: "How long did the seven-year war last?" — the sentences on the "Seven Years' War" hold the
    question's own seven, which answers nothing; the sentence with the six years of fighting is not outshone."""
    question = "How long did the seven-year war last?"
    sentences = ["The fighting of the war lasted six years.", "The seven-year war lasted from the year 1756 to 1763."]
    assert support(question, "The war lasted six years.", sentences, "en").window == (0,)
    # a figure of its own (eight) still makes a rival of a sentence that says more of what is asked
    rival = ["The fighting of the war lasted six years.", "The seven-year war lasted eight years in Europe."]
    assert support(question, "The war lasted six years.", rival, "en").reason == OUTSHONE
