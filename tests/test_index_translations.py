"""Index-time translation (qa.index.translations, qa.retrieval views, qa.answer.passages): each sentence of a
bilingual collection in its other language, so a question meets every passage in its own language."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from test_translate import Translating

from qa.answer.prompts import SENTENCE_TRANSLATE_SYSTEM, translation_request
from qa.config import Config
from qa.errors import IndexCorruptError
from qa.index.load import load_index
from qa.index.translations import CACHE_FILE, TEXTS_FILE, clean_sentence_translation, read_cache
from qa.models.generator import Stream
from qa.pipeline import Pipeline
from qa.types import Hit, Message

# The tiny seeds' German sentences in English; the words of the question below stand only in the translation.
ENGLISH_OF = {
    "Die NATO wurde im Jahr 1949 in Washington gegründet.": "NATO was founded in Washington in 1949.",
    "Ihr Hauptquartier liegt in Brüssel.": "Its headquarters is located in Brussels.",
    "Der Generalsekretär leitet das Internationale Sekretariat.": "The Secretary General leads the International Staff.",
    "Er ist auch der Personalchef der Allianz.": "He also manages the staff of the alliance.",
}
QUESTION = "Where is the headquarters located?"


class DictionaryTranslator(Translating):
    """test_translate's fake (fixed translations), recording sentence and question requests apart."""

    name = "dictionary"

    def __init__(self, translations: Mapping[str, str]) -> None:
        super().__init__(translations)
        self.sentences: list[str] = []
        self.questions: list[str] = []

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        text = translation_request(messages)
        if text is not None:
            sentence = messages[0].content in SENTENCE_TRANSLATE_SYSTEM.values()
            (self.sentences if sentence else self.questions).append(text)
        yield from super().stream(messages, max_tokens=max_tokens, stop=stop)


def _pipeline(config: Config, **settings: object) -> tuple[Pipeline, DictionaryTranslator]:
    generator = DictionaryTranslator(ENGLISH_OF)
    settings = {"translate_index": True, **settings}
    pipeline = Pipeline(replace(config, top_k=1, passages_in_prompt=1, **settings), generator=generator)
    pipeline.ensure_index()
    return pipeline, generator


def test_an_english_question_finds_the_german_passage_through_its_translation(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config)
    assert pipeline.index.translations is not None
    events = []
    for event in pipeline.answer_stream(QUESTION):
        events.append((type(event).__name__, list(generator.questions)))
        if type(event).__name__ == "Done":
            answer = event.answer  # type: ignore[attr-defined]
    assert events[0] == ("Retrieved", [])  # the passages were found before any translation of the question
    assert answer.hits[0].chunk.document_id == "de_nato.txt"
    # the prompt, the citation and the checks see the original sentence, never the translation
    assert "Brüssel" in answer.passages[0].text and "Brussels" not in answer.passages[0].text


def test_the_question_is_translated_for_the_checks_only_after_the_draft(fake_config: Config) -> None:
    generator = DictionaryTranslator({**ENGLISH_OF, QUESTION: "Wo liegt das Hauptquartier?"})
    # the hashing fake scores an English question against a German passage too low for the gate
    pipeline = Pipeline(replace(fake_config, top_k=1, passages_in_prompt=1, min_dense_score=0.0, translate_index=True),
                        generator=generator)
    pipeline.ensure_index()
    order = []
    for event in pipeline.answer_stream(QUESTION):
        order.append((type(event).__name__, len(generator.questions)))
    assert ("Token", 0) in order  # the first token came before the question was translated
    assert order[-1] == ("Done", 1)
    assert pipeline.answer(QUESTION).translations == ("Wo liegt das Hauptquartier?",)  # the checks' wording


def test_index_time_translation_is_off_by_default(fake_config: Config) -> None:
    generator = DictionaryTranslator(ENGLISH_OF)
    pipeline = Pipeline(fake_config, generator=generator)
    pipeline.ensure_index()
    assert not fake_config.translate_index and pipeline.index.translations is None and generator.sentences == []


def test_without_translations_the_same_question_misses_it(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, translate_index=False, translate_questions=False)
    assert pipeline.index.translations is None
    answer = pipeline.answer(QUESTION)
    assert generator.sentences == []
    assert all("Brüssel" not in passage.text for passage in answer.passages)


def test_the_build_translates_each_sentence_into_the_other_language_once(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config)
    index = pipeline.index
    assert index.translations is not None
    german = [row for row, span in enumerate(index.sentences) if span.document_id.startswith("de_")]
    english = [row for row, span in enumerate(index.sentences) if span.document_id.startswith("en_")]
    assert len(generator.sentences) == len(index.sentences)  # every sentence asked once, German and English
    by_text = {index.documents[s.document_id].text[s.start:s.end]: row for row, s in enumerate(index.sentences)}
    assert index.translations.sentence_texts[by_text["Ihr Hauptquartier liegt in Brüssel."]] == (
        "Its headquarters is located in Brussels.")
    # a sentence the model did not translate (the fake returns it unchanged) has none
    assert all(not index.translations.sentence_texts[row] for row in english)
    assert sum(1 for row in german if index.translations.sentence_texts[row]) == len(ENGLISH_OF)


def test_a_rebuild_translates_only_what_is_new(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config)
    first = len(generator.sentences)
    (fake_config.seeds_dir / "de_neu.txt").write_text("Das Bündnis hat zweiunddreißig Mitglieder.", encoding="utf-8")
    embedded: list[str] = []
    embed = pipeline.embedder.embed_passages
    pipeline.embedder.embed_passages = lambda texts: embedded.extend(texts) or embed(texts)  # type: ignore[method-assign]
    report = pipeline.build()
    assert report.translated_now == 1 and len(generator.sentences) == first + 1
    assert report.translated == len(ENGLISH_OF)
    assert set(embedded) == {"Das Bündnis hat zweiunddreißig Mitglieder."}  # as chunk and sentence; translations reused


def test_an_interrupted_build_keeps_what_it_translated(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config)
    cache = fake_config.index_dir / CACHE_FILE
    lines = cache.read_text("utf-8").splitlines()
    cache.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")  # cut off
    assert len(read_cache(cache)) == len(lines) - 1
    (fake_config.seeds_dir / "de_neu.txt").write_text("Das Bündnis hat zweiunddreißig Mitglieder.", encoding="utf-8")
    asked = len(generator.sentences)
    report = pipeline.build()
    assert report.translated_now == 2  # the new sentence and the one whose line was cut off
    assert len(generator.sentences) == asked + 2


def test_a_one_language_collection_gets_no_translations(fake_config: Config, tmp_path: Path) -> None:
    from tests.conftest import TINY_DOCUMENTS, TINY_SOURCES, write_seeds

    german_only = {name: text for name, text in TINY_DOCUMENTS.items() if name.startswith("de_")}
    seeds = write_seeds(tmp_path / "german-seeds", german_only, TINY_SOURCES.split('["en_rutte.txt"]')[0])
    generator = DictionaryTranslator(ENGLISH_OF)
    pipeline = Pipeline(replace(fake_config, seeds_dir=seeds, index_dir=tmp_path / "german-index", translate_index=True),
                        generator=generator)
    report = pipeline.build()
    assert generator.sentences == [] and pipeline.index.translations is None
    assert "one language" in report.translation_note


def test_past_the_sentence_limit_questions_are_translated_instead(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config, translate_index_max_sentences=3)
    assert pipeline.index.translations is None and generator.sentences == []
    pipeline.answer(QUESTION)
    assert generator.questions == [QUESTION]  # translate-test


def test_switching_translation_on_or_off_makes_the_index_stale(fake_config: Config) -> None:
    pipeline, _ = _pipeline(fake_config)
    assert not pipeline.status().stale
    off = Pipeline(replace(fake_config, translate_index=False), generator=DictionaryTranslator(ENGLISH_OF))
    status = off.status()
    assert status.stale and any("translation" in reason for reason in status.reasons)


def test_a_damaged_translation_file_is_reported(fake_config: Config) -> None:
    pipeline, _ = _pipeline(fake_config)
    path = pipeline.index.path / TEXTS_FILE
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    path.write_text("\n".join(json.dumps(r) for r in records[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        load_index(pipeline.config, pipeline.embedder)


@pytest.mark.parametrize(("output", "expected"), [
    ("Its headquarters is located in Brussels.", "Its headquarters is located in Brussels."),
    ("<q>Its headquarters is located in Brussels.</q>", "Its headquarters is located in Brussels."),
    ("", ""),
    ("Ihr Hauptquartier liegt in Brüssel.", ""),  # not translated
    ("Sein Sitz ist in Brüssel.", ""),  # the wrong language
    ("Brussels.", ""),  # far too short
    ("Its headquarters is located in Brussels, " * 8, ""),  # far too long
])
def test_only_a_plausible_sentence_translation_is_kept(output: str, expected: str) -> None:
    assert clean_sentence_translation("Ihr Hauptquartier liegt in Brüssel.", output, "en") == expected


def test_sentence_choice_compares_a_foreign_sentence_through_its_translation(fake_config: Config) -> None:
    from qa.answer.passages import choose_passages

    question = "Who manages the staff?"
    pipeline, _ = _pipeline(fake_config)
    chunk = next(c for c in pipeline.index.chunks if c.text.startswith("Ihr Hauptquartier") and "Personalchef" in c.text)
    hits = [Hit(chunk, 1.0, 1)]  # two decoy sentences before the answer
    vector = pipeline.embedder.embed_queries([question])[0]
    config = replace(pipeline.config, passage_words=7)  # room for one sentence
    passages = choose_passages(pipeline.index, config, hits, question, "en", vector)
    assert [passage.text for passage in passages] == ["Er ist auch der Personalchef der Allianz."]
