"""Retrieval on the tiny bilingual seeds, parametrised over the retrievers and the stores (FAISS + bm25s, and
Milvus Lite: qa.index.milvus), plus question validation and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import main
from qa.config import Config
from qa.errors import InvalidQuestionError
from qa.pipeline import Pipeline, validate_question
from qa.retrieval import is_near_duplicate
from qa.types import Chunk


@pytest.fixture(params=["faiss", "milvus"])
def pipeline(request: pytest.FixtureRequest, fake_config: Config, tmp_path: Path) -> Pipeline:
    milvus = {"store": "milvus", "milvus_uri": str(tmp_path / "m.db")} if request.param == "milvus" else {}
    pipeline = Pipeline(fake_config.replace(**milvus))
    pipeline.ensure_index()
    return pipeline


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
@pytest.mark.parametrize(
    ("question", "document_id", "phrase"),
    [
        ("Wann wurde die NATO gegründet?", "de_nato.txt", "1949"),
        ("Wie viele Beschäftigte arbeiteten im Internationalen Sekretariat?", "de_nato.txt", "1 352"),
        ("Which countries backed Rutte's candidacy?", "en_rutte.txt", "Great Britain"),
    ],
)
def test_each_retriever_finds_the_passage(pipeline: Pipeline, mode: str, question: str, document_id: str,
                                          phrase: str) -> None:
    hits = pipeline.search(question, top_k=3, mode=mode)  # type: ignore[arg-type]
    assert hits, "no hits"
    assert hits[0].chunk.document_id == document_id
    assert phrase in hits[0].chunk.text
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_hybrid_hits_carry_both_retrievers_scores(pipeline: Pipeline) -> None:
    hit = pipeline.search("Wann wurde die NATO gegründet?", top_k=1)[0]
    assert hit.dense_rank == 1 and hit.bm25_rank == 1
    assert hit.dense_score is not None and hit.bm25_score is not None and hit.bm25_score > 0


def test_near_duplicates_are_removed() -> None:
    a = Chunk("a", "d.txt", "Die NATO wurde 1949 gegründet und wuchs.", 0, 40, "", "de")
    inside = Chunk("b", "d.txt", "NATO wurde 1949 gegründet", 4, 29, "", "de")
    copy = Chunk("c", "e.txt", "Die NATO wurde 1949 gegründet und wuchs!", 0, 41, "", "de")
    other = Chunk("d", "e.txt", "Das Wetter war schön.", 50, 71, "", "de")
    assert is_near_duplicate(inside, [a], 0.9)
    assert is_near_duplicate(copy, [a], 0.9)
    assert not is_near_duplicate(other, [a], 0.9)


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x01"])
def test_empty_questions_are_rejected(question: str) -> None:
    with pytest.raises(InvalidQuestionError):
        validate_question(question, 100)


def test_overlong_question_is_rejected_with_the_limit() -> None:
    with pytest.raises(InvalidQuestionError) as error:
        validate_question("x" * 101, 100)
    assert "100" in error.value.message


@pytest.mark.parametrize("question", ["Was ist 🚀 + ∑?", "Wer ist Mark Rutte?\u200b", "‮NATO‬", "日本とNATO"])
def test_any_unicode_question_searches_without_crashing(pipeline: Pipeline, question: str) -> None:
    assert isinstance(pipeline.search(question), list)


def _cli(fake_config: Config, *args: str) -> list[str]:
    return ["--seeds", str(fake_config.seeds_dir), "--index", str(fake_config.index_dir), "--embedder", "hashing",
            "--generator", "extractive", *args]


def test_cli_search_json_builds_the_index_and_ranks(fake_config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_cli(fake_config, "search", "Wann wurde die NATO gegründet?", "--json")) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["hits"][0]["document_id"] == "de_nato.txt"
    assert output["hits"][0]["title"] == "Kleine NATO-Chronik"


def test_cli_search_text_and_exit_codes(fake_config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_cli(fake_config, "index")) == 0
    assert main(_cli(fake_config, "index", "--if-stale")) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(_cli(fake_config, "search", "Which countries backed Rutte?")) == 0
    assert "Rutte's candidacy" in capsys.readouterr().out
    assert main(_cli(fake_config, "search", "   ")) == 2
    assert "empty" in capsys.readouterr().err
    assert main(_cli(fake_config, "search", "x" * 5000)) == 2


def test_cli_search_without_index_and_without_rebuild_says_how_to_fix(
    fake_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_cli(fake_config, "search", "NATO?", "--no-rebuild")) == 3
    assert "qa index" in capsys.readouterr().err


def test_cli_check_reports_index_state(fake_config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    main(_cli(fake_config, "check", "--json"))
    report = json.loads(capsys.readouterr().out)
    assert report["index"]["exists"] is False and report["ok"] is False
    main(_cli(fake_config, "index"))
    capsys.readouterr()
    main(_cli(fake_config, "check", "--json"))
    report = json.loads(capsys.readouterr().out)
    assert report["index"]["exists"] is True and report["index"]["stale"] is False
    assert report["generation"]["ok"] is True and report["generation"]["error"] is None  # the fake loads nothing


def test_cli_ingest_report_names_documents(fake_config: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (fake_config.seeds_dir / "broken.txt").write_bytes(b"\xff\xfe\x00 not utf-8 \x80")
    assert main(_cli(fake_config, "ingest")) == 0
    out = capsys.readouterr().out
    assert "de_nato.txt" in out and "broken.txt" in out
