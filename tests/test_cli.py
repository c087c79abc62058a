"""Fast tests of the command line's shape (qa.cli): every command registered, the flags of each, JSON output.

Leaves out: what the commands compute (the pipeline's own tests) and the
answer printing covered by tests/test_foundation.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import COMMANDS, build_parser, main
from qa.config import Config

SUBCOMMANDS = ("index", "ingest", "search", "ask", "chat", "eval", "check")


def test_every_subcommand_has_a_handler() -> None:
    assert set(COMMANDS) == set(SUBCOMMANDS)


@pytest.mark.parametrize(("argv", "expected"), [
    (["index", "--if-stale"], {"if_stale": True, "store": None, "milvus_uri": None}),
    (["index", "--store", "milvus", "--milvus-uri", "index/milvus.db"], {"store": "milvus", "milvus_uri": "index/milvus.db"}),
    (["--store", "milvus", "--milvus-uri", "http://127.0.0.1:19530", "search", "q"],
     {"store": "milvus", "milvus_uri": "http://127.0.0.1:19530"}),
    (["ingest", "--verbose"], {"verbose": True}),
    (["search", "q", "-k", "3", "--mode", "bm25", "--json", "--no-rebuild"],
     {"question": "q", "k": 3, "mode": "bm25", "json": True, "no_rebuild": True}),
    (["ask", "q", "--language", "de", "--history", "h.json", "-k", "2", "--json"],
     {"question": "q", "language": "de", "history": "h.json", "k": 2, "json": True}),
    (["chat", "--language", "en"], {"language": "en", "history": None, "json": False}),
    (["check", "--json", "--model-only"], {"json": True, "model_only": True}),
    (["--seeds", "s", "--index", "i", "--embedder", "hashing", "--generator", "extractive", "--model-path", "m.gguf",
      "--openai-base-url", "http://x/v1", "--openai-model", "n", "--embedder-model", "e", "ingest"],
     {"seeds_dir": "s", "index_dir": "i", "embedder": "hashing", "generator": "extractive", "model_path": "m.gguf",
      "openai_base_url": "http://x/v1", "openai_model": "n", "embedder_model": "e"}),
])
def test_flags_parse_as_documented(argv: list[str], expected: dict[str, object]) -> None:
    args = vars(build_parser().parse_args(argv))
    assert {key: args[key] for key in expected} == expected


def test_search_json_lists_ranked_hits(fake_config: Config, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QA_CACHE_DIR", str(fake_config.cache_dir))
    flags = ["--seeds", str(fake_config.seeds_dir), "--index", str(fake_config.index_dir), "--embedder", "hashing"]
    assert main([*flags, "search", "Wann wurde die NATO gegründet?", "-k", "2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [hit["rank"] for hit in printed["hits"]] == [1, 2]
    assert printed["hits"][0]["document_id"] and printed["hits"][0]["text"]


def test_a_bad_history_file_is_an_error_with_a_hint(fake_config: Config, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QA_CACHE_DIR", str(fake_config.cache_dir))
    (tmp_path / "history.json").write_text("not json", encoding="utf-8")
    flags = ["--seeds", str(fake_config.seeds_dir), "--index", str(fake_config.index_dir), "--embedder", "hashing",
             "--generator", "extractive"]
    code = main([*flags, "ask", "Wann?", "--history", str(tmp_path / "history.json")])
    assert code == 1  # QAError's exit code
    assert "history file" in capsys.readouterr().err
