"""Passage choice (qa.answer.passages): which sentences of the top hits the model sees."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import fake_config_in, write_seeds

from qa.pipeline import Pipeline

# The answer ("Javier Colomina") stands in the sentence after the one that matches the question,
# and shares no word with the question: only its neighbour makes it evidence.
DOCUMENT = (
    "The summit recommended a special envoy for the southern neighbourhood of the alliance. "
    "This recommendation was followed in July with the appointment of Javier Colomina. "
    "Budgets for infrastructure grew again in most member states last year. "
    "Several ministers travelled to the conference by train."
)
QUESTION = "Who became the special envoy for the southern neighbourhood of the alliance?"


@pytest.fixture
def pipeline_for(tmp_path: Path):  # type: ignore[no-untyped-def]
    seeds = write_seeds(tmp_path / "seeds", {"en_envoy.txt": DOCUMENT}, sources="")

    def build(**settings: object) -> Pipeline:
        config = replace(fake_config_in(tmp_path, seeds), chunk_words=80, chunk_max_words=120,
                         sentence_score_margin=0.3, **settings)
        pipeline = Pipeline(config)
        pipeline.ensure_index()
        return pipeline

    return build


def prompt_text(pipeline: Pipeline) -> str:
    return " ".join(passage.text for passage in pipeline.answer(QUESTION).passages)


def test_a_sentence_far_from_the_question_is_left_out(pipeline_for) -> None:  # type: ignore[no-untyped-def]
    text = prompt_text(pipeline_for(neighbour_score_drop=1.0))
    assert "special envoy" in text
    assert "Colomina" not in text


def test_the_sentence_after_a_close_one_comes_along_as_its_context(pipeline_for) -> None:  # type: ignore[no-untyped-def]
    text = prompt_text(pipeline_for(neighbour_score_drop=0.04))
    assert "special envoy" in text and "Colomina" in text
    # an unrelated sentence two steps away still stays out
    assert "train" not in text
