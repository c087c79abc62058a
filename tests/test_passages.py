"""Passage choice (qa.answer.passages): which sentences of the top hits the model sees."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import fake_config_in, write_seeds

from qa.answer.passages import OVERLAP_WEIGHT, REFERENCE_PENALTY, _score_sentences
from qa.pipeline import Pipeline
from qa.text.tokens import tokenize

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
    assert "Colomina" not in text and "Budgets" not in text and "train" not in text


def test_a_sentence_that_continues_a_close_one_comes_along(pipeline_for) -> None:  # type: ignore[no-untyped-def]
    # "This recommendation was followed … Colomina." opens with an anaphor: it continues the matching sentence
    text = prompt_text(pipeline_for(neighbour_score_drop=1.0, continuation_score_drop=0.02))
    assert "Colomina" in text and "Budgets" not in text
    assert "Colomina" not in prompt_text(pipeline_for(neighbour_score_drop=1.0, continuation_score_drop=1.0))


def test_the_sentence_after_a_close_one_comes_along_as_its_context(pipeline_for) -> None:  # type: ignore[no-untyped-def]
    text = prompt_text(pipeline_for(neighbour_score_drop=0.04))
    assert "special envoy" in text and "Colomina" in text
    # an unrelated sentence two steps away still stays out
    assert "train" not in text


# Three sentences of one chunk that the embedder cannot tell apart (their vectors are zero below), so
# only the shared words separate them.
FORCE_DOCUMENT = (
    "The force model of the alliance was adopted at the summit in Madrid. "
    "The force model of the alliance provides 800 soldiers in total. "
    "The force model of the alliance counts on the summit's troops."
)


def _scores(tmp_path: Path, question: str, document: str = FORCE_DOCUMENT) -> dict[str, float]:
    seeds = write_seeds(tmp_path / "seeds", {"en_force.txt": document}, sources="")
    config = replace(fake_config_in(tmp_path, seeds), chunk_words=80, chunk_max_words=120)
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    index = pipeline.index
    hit = pipeline.search(question, top_k=1)[0]
    rows = index.chunk_sentences(hit.chunk)
    vectors = np.zeros_like(index.sentence_vectors)
    scored = _score_sentences(index, vectors, [rows], [hit], set(tokenize(question, "en")), {},
                              np.zeros(vectors.shape[1]), 1.0, "en")
    texts = {row: index.documents[index.sentences[row].document_id].text[index.sentences[row].start:
                                                                          index.sentences[row].end]
             for row in rows}
    return {texts[row]: score for row, (score, _) in scored.items()}


def test_a_question_word_every_candidate_holds_counts_for_little(tmp_path: Path) -> None:
    scores = _scores(tmp_path, "Where was the force model of the alliance adopted?")
    adopted = next(text for text in scores if "adopted" in text)
    # "force", "model", "alliance" stand in all three sentences; "adopted" only in one
    assert scores[adopted] == max(scores.values())
    others = [score for text, score in scores.items() if text != adopted]
    assert all(score < 0.5 * OVERLAP_WEIGHT * 3 for score in others)
    assert scores[adopted] > OVERLAP_WEIGHT


def test_a_reference_entry_ranks_below_a_sentence_saying_the_same(tmp_path: Path) -> None:
    # the same words, once as a statement and once as a footnote citing a web page
    document = ("The force model was adopted at the summit in Madrid. "
                "The force model was adopted at the summit in Madrid (www.example.org/madrid). "
                "Budgets for infrastructure grew again in most member states.")
    scores = _scores(tmp_path, "Where was the force model adopted?", document)
    plain = next(text for text in scores if "www" not in text and "force" in text)
    reference = next(text for text in scores if "www" in text)
    assert scores[plain] - scores[reference] == pytest.approx(REFERENCE_PENALTY)
    assert REFERENCE_PENALTY > 0


def test_best_passage_last_lists_the_same_passages_in_reverse(tmp_path: Path) -> None:
    """`best_passage_last` puts the passage closest to the question next to it, numbered in reading order."""
    documents = {f"en_{n}.txt": text for n, text in enumerate([
        DOCUMENT,
        "The special envoy for the southern neighbourhood reports to the alliance's council twice a year.",
        "The southern neighbourhood of the alliance reaches from the Sahel to the Gulf.",
    ])}
    seeds = write_seeds(tmp_path / "seeds", documents, sources="")

    def passages(last: bool) -> list[tuple[int, str]]:
        config = replace(fake_config_in(tmp_path, seeds), sentence_score_margin=1.0, best_passage_last=last)
        pipeline = Pipeline(config)
        pipeline.ensure_index()
        return [(p.number, p.chunk.id) for p in pipeline.answer(QUESTION).passages]

    first, last = passages(False), passages(True)
    assert len(first) >= 2
    assert [number for number, _ in first] == [number for number, _ in last] == list(range(1, len(first) + 1))
    assert [chunk for _, chunk in last] == [chunk for _, chunk in reversed(first)]
