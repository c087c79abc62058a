"""Translate-test (qa.answer.translate, qa.retrieval): the question in the collection's other language finds its passages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest

from qa.answer.prompts import translation_request
from qa.answer.translate import clean_translation, target_languages
from qa.config import Config
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Stream, Usage
from qa.pipeline import Pipeline
from qa.types import Message

QUESTION = "In which year was the alliance founded in Washington?"


@pytest.mark.parametrize(("output", "expected"), [
    ("In welchem Jahr wurde das Bündnis in Washington gegründet?", "In welchem Jahr wurde das Bündnis in Washington gegründet?"),
    ("<q>In welchem Jahr wurde das Bündnis in Washington gegründet?</q>\nHinweis: frei übersetzt.",
     "In welchem Jahr wurde das Bündnis in Washington gegründet?"),
    ("1949", None),  # an answer, not a translation
    ("Das Bündnis wurde 1949 in Washington gegründet.", None),  # answered in the target language
    (QUESTION, None),  # not translated
    ("In which year was the alliance founded?", None),  # wrong language
    ("Wann?", None),  # far too short
    ("In welchem Jahr wurde das Bündnis gegründet, " * 6 + "?", None),  # far too long
    ("", None),
    ("Wann wurde die neue Brücke eröffnet, und wer hat sie gebaut?", None),  # the worked example, repeated
])
def test_only_a_plausible_translation_is_used(output: str, expected: str | None) -> None:
    assert clean_translation(QUESTION, output, "de") == expected


def test_the_worked_example_is_a_translation_only_of_itself() -> None:
    example = "When did the new bridge open, and who built it?"
    assert clean_translation(example, "Wann wurde die neue Brücke eröffnet, und wer hat sie gebaut?", "de") is not None
    assert clean_translation("Welche Universität gewann den Preis?", "<q>When did the new bridge open and who built it?</q>",
                             "en") is None  # without its comma too
    assert clean_translation("Welche Universität gewann den Preis?", "Which university won the prize?", "en") is not None
    # a passage sentence's translation repeating its own worked example is dropped too
    from qa.answer.translate import translated_sentence
    assert translated_sentence("Der Rat tagte am Montag in Wien.",
                               "The new bridge opened on 3 May 2021; it was built by a company from Linz.", "en") is None


def test_translation_targets_are_the_collections_other_languages() -> None:
    assert target_languages("en", {"de", "en"}) == ["de"]
    assert target_languages("de", {"de"}) == []
    assert target_languages("de", {"de", "en", "fr"}) == ["en"]  # the model translates into de/en only


class Translating:
    """The extractive fake, plus fixed translations for translation requests."""

    name = "translating"

    def __init__(self, translations: Mapping[str, str]) -> None:
        self.translations = translations
        self.inner = ExtractiveGenerator()
        self.translated: list[str] = []

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        question = translation_request(messages)
        if question is None:
            yield from self.inner.stream(messages, max_tokens=max_tokens, stop=stop)
            return
        self.translated.append(question)
        yield self.translations.get(question, question)
        yield Usage(0, 1, 0.0, 0.0)


# An English question whose words the German passage does not share: only its translation can find it.
ENGLISH = "Where is the headquarters located?"
GERMAN = "Wo liegt das Hauptquartier?"


def _pipeline(config: Config, translations: Mapping[str, str], **settings: object) -> tuple[Pipeline, Translating]:
    generator = Translating(translations)
    settings = {"translate_index": False, **settings}  # translate-test serves an index without translations
    pipeline = Pipeline(replace(config, top_k=1, passages_in_prompt=1, **settings), generator=generator)
    pipeline.ensure_index()
    return pipeline, generator


def test_a_translated_question_finds_the_passage_in_the_other_language(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, {ENGLISH: GERMAN})
    answer = pipeline.answer(ENGLISH)
    assert generator.translated == [ENGLISH]
    assert answer.translations == (GERMAN,)
    assert answer.hits[0].chunk.document_id == "de_nato.txt"
    assert "Brüssel" in answer.passages[0].text


def test_without_translation_the_same_question_misses_it(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, {ENGLISH: GERMAN}, translate_questions=False)
    answer = pipeline.answer(ENGLISH)
    assert generator.translated == []
    assert answer.translations == ()
    assert all("Brüssel" not in passage.text for passage in answer.passages)


def test_a_garbled_translation_is_dropped_and_the_question_searched_alone(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, {ENGLISH: "Brüssel."})  # an answer, not a translation
    answer = pipeline.answer(ENGLISH)
    assert generator.translated == [ENGLISH]
    assert answer.translations == ()


def test_a_one_language_collection_is_not_translated_for(fake_config: Config, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import TINY_DOCUMENTS, TINY_SOURCES, write_seeds

    german_only = {name: text for name, text in TINY_DOCUMENTS.items() if name.startswith("de_")}
    seeds = write_seeds(tmp_path / "german-seeds", german_only, TINY_SOURCES.split('["en_rutte.txt"]')[0])
    config = replace(fake_config, seeds_dir=seeds, index_dir=tmp_path / "german-index")
    pipeline, generator = _pipeline(config, {GERMAN: ENGLISH})
    pipeline.answer(GERMAN)
    assert generator.translated == []


@pytest.mark.parametrize("target", ["de", "en"])
def test_translation_prompt_shows_a_worked_example_into_the_target_language(target: str) -> None:
    from qa.answer.prompts import translate_messages
    from qa.text.language import detect_language

    messages = translate_messages(QUESTION, target)
    examples = [m for m in messages[1:-1] if m.role == "assistant"]
    asked = [m for m in messages[1:-1] if m.role == "user"]
    assert len(examples) == len(asked) >= 1  # a worked example keeps the model from answering instead
    assert all(detect_language(m.content) == target for m in examples)
    assert all(detect_language(m.content.removeprefix("<q>").removesuffix("</q>")) != target for m in asked)
    assert messages[-1] == Message("user", f"<q>{QUESTION}</q>")
    assert translation_request(messages) == QUESTION


class Borrowing:
    """Answers a translation request by the worked example it shows: with the bridge example the translation
    carries the bridge in (`borrowed`), with any other example it is `clean`."""

    name = "borrowing"

    def __init__(self, borrowed: str, clean: str) -> None:
        self.borrowed, self.clean = borrowed, clean
        self.examples: list[str] = []

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        example = messages[2].content
        self.examples.append(example)
        yield self.borrowed if ("Brücke" in example or "bridge" in example) else self.clean
        yield Usage(0, 1, 0.0, 0.0)


@pytest.mark.parametrize(("question", "borrowed", "clean"), [
    ("When were the first undersea cables laid?", "Wann wurden die ersten Unterseebrücken verlegt?",
     "Wann wurden die ersten Unterseekabel verlegt?"),
    ("Wie viele Schmalspurbahnen befanden sich früher in Staatsbesitz?",
     "How many narrow bridges were there in state ownership before?",
     "How many narrow-gauge railways were formerly state-owned?"),
    ("How many voters would need to back it in the referendum?",
     "Wie viele Wähler müssten im Referendum zustimmen, um die neue Brücke zu eröffnen?",
     "Wie viele Wähler müssten im Referendum zustimmen?"),
])
def test_a_translation_that_borrows_the_examples_subject_is_asked_again(question: str, borrowed: str,
                                                                        clean: str) -> None:
    from qa.answer.translate import translate_question

    target = "en" if question.startswith("Wie") else "de"
    generator = Borrowing(borrowed, clean)
    assert translate_question(generator, question, target) == clean
    assert len(generator.examples) == 2 and generator.examples[0] != generator.examples[1]


def test_a_question_on_a_bridge_keeps_its_bridge_and_a_second_borrowing_gives_no_translation() -> None:
    from qa.answer.translate import translate_question

    generator = Borrowing("Wann wurde die Glienicker Brücke gesperrt?", "unused")
    assert translate_question(generator, "When was the Glienicke Bridge closed?", "de") == \
        "Wann wurde die Glienicker Brücke gesperrt?"
    assert len(generator.examples) == 1  # asked once: the question names the bridge itself
    # every example's subject borrowed: no translation (the question is searched as asked)
    generator = Borrowing("Wann wurden die ersten Unterseebrücken verlegt?",
                          "Wann wurden die ersten Museumskabel verlegt?")
    assert translate_question(generator, "When were the first undersea cables laid?", "de") is None
