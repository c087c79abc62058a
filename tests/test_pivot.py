"""Answering in the sources' language and translating the checked answer (qa.answer.pivot), on the fakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from qa.answer.pivot import keeps_key_items, pivot_language
from qa.config import Config
from qa.errors import ConfigError
from qa.pipeline import Pipeline
from qa.types import Chunk, Passage
from tests.test_translate import ENGLISH, GERMAN, Translating

# The German passage's sentence that answers ENGLISH, and its English translation.
SENTENCE = "Ihr Hauptquartier liegt in Brüssel."
TRANSLATION = "Its headquarters is in Brussels."


def _passage(language: str, number: int = 1) -> Passage:
    chunk = Chunk(id=f"c{number}", document_id=f"d{number}", text="Text.", start=0, end=5, section="",
                  language=language)
    return Passage(number=number, chunk=chunk, text="Text.", start=0, end=5, title="T", section="")


def test_the_pivot_is_the_one_other_language_of_all_passages() -> None:
    assert pivot_language("en", [_passage("de", 1), _passage("de", 2)]) == "de"
    assert pivot_language("de", [_passage("en", 1)]) == "en"
    assert pivot_language("en", [_passage("de", 1), _passage("en", 2)]) is None  # mixed: answered as asked
    assert pivot_language("de", [_passage("de", 1)]) is None
    assert pivot_language("en", [_passage("fr", 1)]) is None  # the model writes German and English only
    assert pivot_language("en", []) is None


@pytest.mark.parametrize(("original", "source", "translation", "target", "kept"), [
    ("Im Sekretariat arbeiteten 2023 genau 1.352 Beschäftigte.", "de",
     "In 2023 exactly 1,352 people worked in the secretariat.", "en", True),
    ("Im Sekretariat arbeiteten 2023 genau 1.352 Beschäftigte.", "de",
     "In 2023 exactly 1,532 people worked in the secretariat.", "en", False),  # a figure changed
    ("Rutte trat sein Amt am 1. Oktober 2024 an.", "de", "Rutte took office on 1 October 2024.", "en", True),
    ("Rutte trat sein Amt am 1. Oktober 2024 an.", "de", "Rutte took office on 10 January 2024.", "en", False),
    ("Der Nachfolger ist Mark Rutte aus den Niederlanden.", "de",
     "The successor is Mark Rutte from the Netherlands.", "en", True),
    ("Der Nachfolger ist Mark Rutte aus den Niederlanden.", "de",
     "The successor is Rutte from the Netherlands.", "en", False),  # a person's name lost
    ("Der Nachfolger ist Mark Rutte aus den Niederlanden.", "de",
     "The successor is Mark Rutte from Germany.", "en", False),  # another country
    ("The Secretary General Mark Rutte visited Kyiv.", "en",
     "Der Generalsekretär Mark Rutte besuchte Kiew.", "de", True),  # "Secretary General" is no person's name
    ("Es waren zehn Jahre.", "de", "It was ten years.", "en", True),  # spelled-out numbers by value
])
def test_a_translation_must_keep_the_key_items(original: str, source: str, translation: str, target: str,
                                               kept: bool) -> None:
    common = frozenset({"secretary", "general"})
    assert keeps_key_items(original, source, translation, target, common) is kept


def _pipeline(config: Config, translations: Mapping[str, str], **settings: object) -> tuple[Pipeline, Translating]:
    generator = Translating(translations)
    # one passage; no retrieval gate (the hashing fake scores an English question low against a German passage)
    settings = {"translate_index": False, "top_k": 1, "passages_in_prompt": 1, "min_dense_score": 0.0, **settings}
    pipeline = Pipeline(replace(config, **settings), generator=generator)  # type: ignore[arg-type]
    pipeline.ensure_index()
    return pipeline, generator


def test_the_answer_is_drafted_in_the_passages_language_and_its_checked_sentence_translated(
        fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, {ENGLISH: GERMAN, SENTENCE: TRANSLATION}, pivot="translation")
    answer = pipeline.answer(ENGLISH)
    assert answer.passages[0].chunk.language == "de"
    assert answer.answered_in == "de"
    assert SENTENCE in answer.draft  # the fake copied the German sentence: drafted in German, checked there
    assert not answer.refused
    assert answer.text == "Its headquarters is in Brussels [1]."
    assert answer.untranslated == 0
    assert generator.translated == [ENGLISH, SENTENCE]  # the question (retrieval), then the checked sentence
    assert [check.sentence for check in answer.sentences] == [TRANSLATION]
    assert all(citation.sentence == TRANSLATION for citation in answer.citations)
    assert answer.citations[0].evidence == SENTENCE  # the highlight stays on the passage's own sentence


def test_a_translation_that_loses_a_key_item_leaves_the_checked_sentence_in_its_language(
        fake_config: Config) -> None:
    pipeline, _ = _pipeline(fake_config, {ENGLISH: GERMAN, SENTENCE: "Its headquarters is in Berlin, Germany."},
                            pivot="translation")
    answer = pipeline.answer(ENGLISH)
    assert not answer.refused
    assert answer.text == "Ihr Hauptquartier liegt in Brüssel [1]."
    assert answer.untranslated == 1


def test_without_pivot_the_model_answers_in_the_questions_language(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, {ENGLISH: GERMAN, SENTENCE: TRANSLATION})
    assert pipeline.config.pivot == "off"  # the default
    answer = pipeline.answer(ENGLISH)
    assert answer.answered_in == ""
    assert generator.translated == [ENGLISH]  # no answer sentence was translated


def test_a_refused_pivot_answer_is_refused_in_the_questions_language(fake_config: Config) -> None:
    from qa.answer.prompts import REFUSAL

    # "question": the model is asked the English question in a German prompt; the extractive fake finds no
    # shared word in the German passage and refuses in the prompt's language, German
    pipeline, generator = _pipeline(fake_config, {ENGLISH: GERMAN, SENTENCE: TRANSLATION}, pivot="question")
    answer = pipeline.answer(ENGLISH)
    assert answer.answered_in == "de"
    assert answer.draft == REFUSAL["de"]
    assert answer.refused and answer.text == REFUSAL["en"]
    assert generator.translated == [ENGLISH]  # nothing checked, so nothing translated


def test_an_unknown_pivot_mode_is_refused_with_the_choices(fake_config: Config) -> None:
    with pytest.raises(ConfigError, match="pivot"):
        _pipeline(fake_config, {}, pivot="sometimes")[0].answer(ENGLISH)


@pytest.mark.parametrize(("sentence", "output", "target", "expected"), [
    # judged by the words it does not copy: an English title does not make a German sentence English
    ("The first Doctor Who series was An Unearthly Child.", "<q>Die erste Doctor Who-Serie war An Unearthly Child.</q>",
     "de", "Die erste Doctor Who-Serie war An Unearthly Child."),
    ("Sky+ HD material is broadcast using MPEG-4.", "Sky+ HD material is broadcast using MPEG-4.", "de", None),  # copied
    ("Er ist hier.", "Er ist da.", "en", None),  # still German
    ("Rutte trat sein Amt am 1. Oktober 2024 an.", "", "en", None),
    ("Rutte trat sein Amt am 1. Oktober 2024 an.", "Rutte took office on 1 October 2024, as the new Secretary "
     "General of the alliance, after a long and careful selection process among all allies.", "en", None),  # too long
])
def test_a_translation_is_judged_by_the_words_it_does_not_copy(sentence: str, output: str, target: str,
                                                                 expected: str | None) -> None:
    from qa.answer.translate import translated_sentence

    assert translated_sentence(sentence, output, target) == expected


def test_a_draft_in_the_questions_own_language_is_checked_as_it_is_and_not_translated(fake_config: Config) -> None:
    from qa.models.scripted import ScriptedGenerator

    draft = "Deutschland, die Vereinigten Staaten und Großbritannien unterstützten Ruttes Kandidatur [1]."
    generator = ScriptedGenerator(draft)
    config = replace(fake_config, translate_index=False, translate_questions=False, top_k=1, passages_in_prompt=1,
                     min_dense_score=0.0, pivot="question")
    pipeline = Pipeline(config, generator=generator)
    pipeline.ensure_index()
    answer = pipeline.answer("Welche Länder unterstützten Ruttes Kandidatur als NATO Secretary General?")
    assert answer.passages[0].chunk.language == "en"  # so the model was asked to answer in English
    assert "always answer in English" in generator.prompts[0][0].content
    assert answer.answered_in == ""  # it wrote German anyway: checked in German, nothing to translate
    assert not answer.refused and answer.text == draft
    assert len(generator.prompts) == 1  # no translation was asked for
