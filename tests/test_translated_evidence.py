"""A claim across languages, checked once more against the model's translation of the passage it cites
(qa.answer.evidence.translated_support via check_citations' `reread`), on fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.answer.citations import check_citations
from qa.answer.evidence import PassageEvidence, question_facts
from qa.config import Config
from qa.types import Chunk, Passage

GERMAN = "Der Kanzler drohte zeitweise mit dem Austritt aus dem Bündnis."
ENGLISH = "The chancellor at times threatened to leave the alliance."
QUESTION = "What did the chancellor at times threaten regarding the alliance?"


def _passage(text: str) -> Passage:
    chunk = Chunk("c1", "d.txt", text, 0, len(text), "", "de")
    return Passage(1, chunk, text, 0, len(text), "Titel", "")


def _reread(translations: dict[str, str], asked: list[str]):  # type: ignore[no-untyped-def]
    def reread(evidence: PassageEvidence, language: str, claim: object) -> PassageEvidence | None:
        asked.append(language)
        sentences = tuple(translations.get(sentence, sentence) for sentence in evidence.sentences)
        return replace(evidence, sentences=sentences, language=language)
    return reread


def _check(claim: str, translations: dict[str, str] | None, asked: list[str] | None = None):  # type: ignore[no-untyped-def]
    facts = question_facts(QUESTION, "en", None)
    reread = None if translations is None else _reread(translations, asked if asked is not None else [])
    return check_citations(claim, [_passage(GERMAN)], "en", question=QUESTION, facts=facts, reread=reread)


def test_a_claim_the_german_words_cannot_back_is_backed_by_the_passages_translation() -> None:
    assert not _check(f"{ENGLISH[:-1]} [1].", None).citations  # no shared word across languages
    asked: list[str] = []
    checked = _check(f"{ENGLISH[:-1]} [1].", {GERMAN: ENGLISH}, asked)
    assert [c.number for c in checked.citations] == [1]
    assert asked == ["en"]
    assert checked.citations[0].evidence == GERMAN  # the highlight shows the passage's own sentence


def test_a_translation_cannot_bring_in_a_key_item_the_passage_does_not_state() -> None:
    claim = "The chancellor at times threatened in 2019 to leave the alliance [1]."
    checked = _check(claim, {GERMAN: "In 2019 the chancellor at times threatened to leave the alliance."})
    assert not checked.citations


def test_a_word_the_claim_keeps_from_the_passage_counts_where_the_passage_states_it() -> None:
    # The small model writes English answers with the German passage's nouns ("anaerobic Bakterien"): the
    # capitalised word is a key item, which the passage states in its own language, not its translation.
    claim = "The chancellor at times threatened to leave the Bündnis [1]."
    assert [c.number for c in _check(claim, {GERMAN: ENGLISH}).citations] == [1]
    # a capitalised word neither the passage nor its translation states is still no backed item
    assert not _check("The chancellor at times threatened to leave the Warschau Pakt [1].",
                      {GERMAN: ENGLISH}).citations


def test_a_backed_claim_asks_for_no_translation() -> None:
    asked: list[str] = []
    checked = check_citations("Der Kanzler drohte mit dem Austritt aus dem Bündnis [1].", [_passage(GERMAN)], "de",
                              question="Womit drohte der Kanzler?", reread=_reread({}, asked))
    assert checked.citations and asked == []


@pytest.mark.parametrize("enabled", [False, True])
def test_the_pipeline_rereads_only_when_switched_on(fake_config: Config, enabled: bool) -> None:
    from qa.pipeline import Pipeline
    from tests.test_translate import Translating

    generator = Translating({})
    config = replace(fake_config, translate_index=False, translate_evidence=enabled, min_dense_score=0.0)
    pipeline = Pipeline(config, generator=generator)
    pipeline.ensure_index()
    pipeline.answer("When was the alliance founded in Washington?")  # English: the fake copies a German sentence
    sentence_requests = [text for text in generator.translated if not text.endswith("?")]
    assert bool(sentence_requests) is enabled


def test_a_translated_name_of_several_words_is_the_passages_own() -> None:
    """Unseen-7 xq-09: "… after the Second World War [1]" cited "… nach dem Zweiten Weltkrieg": a run of capitalised
    words no passage writes reads as an invented person's name, but the passage's translation writes it too."""
    german = "Die Stadt litt nach dem Zweiten Weltkrieg unter der raschen Ausbreitung der Vororte."
    english = "The city suffered from the rapid spread of the suburbs after World War II."
    question = "After what major world event did the city suffer from the spread of the suburbs?"

    def check(claim: str, translations: dict[str, str] | None):  # type: ignore[no-untyped-def]
        reread = None if translations is None else _reread(translations, [])
        return check_citations(claim, [_passage(german)], "en", question=question,
                               facts=question_facts(question, "en", None), reread=reread)

    claim = "The city suffered from the spread of the suburbs after the Second World War [1]."
    assert not check(claim, None).citations
    assert [c.number for c in check(claim, {german: english}).citations] == [1]
    # a name the translation does not write either is still invented
    assert not check("The city suffered from the spread of the suburbs after the Great Northern War [1].",
                     {german: english}).citations
