"""Index-time questions (qa.index.questions, "doc2query"; qa.retrieval): the model writes the questions each chunk
answers, in each language of the collection, and a question meets a chunk through them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest

from qa.answer.prompts import QUESTIONS_SYSTEM
from qa.config import Config
from qa.index.load import index_status
from qa.index.questions import CACHE_FILE, TEXTS_FILE, parse_questions
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Stream, Usage
from qa.pipeline import Pipeline
from qa.types import Message

HEADQUARTERS = "Ihr Hauptquartier liegt in Brüssel."
# Per words of a chunk and language, the questions the fake model writes for it.
WRITTEN = {
    ("Hauptquartier", "en"): "1. Where is the head office of the alliance?\n2. In which city does it sit?",
    ("Hauptquartier", "de"): "Wo liegt das Hauptquartier der NATO?\nWann wurde die NATO gegründet?",
}
QUESTION = "Where is the head office of the alliance?"


class Asking:
    """The extractive fake, plus fixed questions for question-writing requests (recorded)."""

    name = "asking"

    def __init__(self, written: Mapping[tuple[str, str], str], fail_after: int | None = None) -> None:
        self.written = written
        self.inner = ExtractiveGenerator()
        self.requests: list[tuple[str, str]] = []
        self.fail_after = fail_after

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        targets = [language for language, system in QUESTIONS_SYSTEM.items() if messages[0].content == system]
        if not targets:
            yield from self.inner.stream(messages, max_tokens=max_tokens, stop=stop)
            return
        if self.fail_after is not None and len(self.requests) >= self.fail_after:
            raise KeyboardInterrupt  # the build is interrupted
        text = messages[-1].content.removeprefix("<q>").removesuffix("</q>")
        self.requests.append((text, targets[0]))
        yield next((out for (words, target), out in self.written.items() if words in text and target == targets[0]),
                   "Keine Frage." if targets[0] == "de" else "No question.")
        yield Usage(0, 1, 0.0, 0.0)


def _pipeline(config: Config, generator: Asking | None = None, **settings: object) -> tuple[Pipeline, Asking]:
    generator = generator or Asking(WRITTEN)
    settings = {"index_questions": True, "translate_questions": False, **settings}
    pipeline = Pipeline(replace(config, **settings), generator=generator)  # type: ignore[arg-type]
    pipeline.ensure_index()
    return pipeline, generator


def test_only_questions_in_the_asked_language_are_kept() -> None:
    output = ("1. Wann wurde die NATO gegründet?\n2) Wo?\n- Who founded NATO in 1949?\nDie NATO wurde 1949 gegründet.\n"
              "Wer leitet das Sekretariat?\nWann wurde die NATO gegründet?\nWo liegt Brüssel genau?\nWas ist die NATO?")
    assert parse_questions(output, "de", "Die NATO wurde 1949 gegründet.") == [
        "Wann wurde die NATO gegründet?", "Wer leitet das Sekretariat?", "Wo liegt Brüssel genau?"]
    # a line the chunk itself says is no question written for it
    assert parse_questions("Wer leitet das Sekretariat?", "de", "Wer leitet das Sekretariat? Er.") == []


def test_the_build_asks_for_each_chunk_in_each_language_once(fake_config: Config) -> None:
    pipeline, generator = _pipeline(fake_config)
    index = pipeline.index
    assert index.questions is not None
    assert sorted(generator.requests) == sorted((chunk.text, language) for chunk in index.chunks
                                                 for language in ("de", "en"))
    owners = {p for p, chunk in enumerate(index.chunks) if "Hauptquartier" in chunk.text}  # chunks overlap
    assert {text for text, o in zip(index.questions.texts, index.questions.owners) if o == min(owners)} == {
        "Where is the head office of the alliance?", "In which city does it sit?",
        "Wo liegt das Hauptquartier der NATO?", "Wann wurde die NATO gegründet?"}
    assert set(index.questions.owners) == owners  # "No question." is none
    assert index.questions.vectors.shape == (4 * len(owners), pipeline.embedder.dimension)
    records = [json.loads(line) for line in (index.path / TEXTS_FILE).read_text("utf-8").splitlines()]
    assert {record["chunk"] for record in records} == owners


def test_an_english_question_meets_the_german_chunk_through_its_written_question(fake_config: Config) -> None:
    pipeline, _ = _pipeline(fake_config)
    assert HEADQUARTERS in pipeline.retriever.search(QUESTION, top_k=1)[0].chunk.text
    without, _ = _pipeline(fake_config, question_weight=0.0)
    assert all(HEADQUARTERS not in hit.chunk.text for hit in without.retriever.search(QUESTION, top_k=1))


def test_questions_are_off_by_default_and_switching_them_on_makes_the_index_stale(fake_config: Config) -> None:
    generator = Asking(WRITTEN)
    pipeline = Pipeline(fake_config, generator=generator)  # type: ignore[arg-type]
    pipeline.ensure_index()
    assert not fake_config.index_questions and pipeline.index.questions is None and generator.requests == []
    status = index_status(replace(fake_config, index_questions=True), pipeline.embedder)
    assert status.stale and any(reason.startswith("questions changed") for reason in status.reasons)


def test_a_rebuild_asks_only_for_new_chunks_and_an_interrupted_build_keeps_its_questions(fake_config: Config) -> None:
    interrupted = Asking(WRITTEN, fail_after=3)
    with pytest.raises(KeyboardInterrupt):
        _pipeline(fake_config, interrupted)
    assert len((fake_config.index_dir / CACHE_FILE).read_text("utf-8").splitlines()) == 3
    pipeline, generator = _pipeline(fake_config)
    asked = len(generator.requests)
    assert asked == 2 * len(pipeline.index.chunks) - 3  # the interrupted build's three are not asked again
    (fake_config.seeds_dir / "de_neu.txt").write_text("Das Bündnis hat zweiunddreißig Mitglieder.", encoding="utf-8")
    again, generator = _pipeline(fake_config)
    assert generator.requests == [("Das Bündnis hat zweiunddreißig Mitglieder.", "de"),
                                  ("Das Bündnis hat zweiunddreißig Mitglieder.", "en")]
    assert pipeline.index.questions is not None and again.index.questions is not None
    assert again.index.questions.texts == pipeline.index.questions.texts  # the new chunk got "Keine Frage." only


def test_an_index_built_before_questions_existed_is_not_stale(fake_config: Config) -> None:
    pipeline = Pipeline(fake_config)
    pipeline.ensure_index()
    manifest_path = pipeline.index.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest.pop("questions") == {"enabled": False}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert not index_status(fake_config, pipeline.embedder).stale


def test_an_index_built_with_questions_is_not_stale_afterwards(fake_config: Config) -> None:
    # the manifest's record of the questions written must not take the place of the setting it is compared by
    pipeline, generator = _pipeline(fake_config)
    status = index_status(replace(fake_config, index_questions=True, translate_questions=False), pipeline.embedder)
    assert not status.stale, status.reasons
    asked = len(generator.requests)
    again, generator = _pipeline(fake_config, generator)
    assert len(generator.requests) == asked and again.index.questions is not None
