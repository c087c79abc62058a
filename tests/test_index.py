"""Fast tests of the index stage: build, load, status, incremental reuse, atomic swap, mismatch (no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.config import Config
from qa.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, NoDocumentsError
from qa.index.build import build_index
from qa.index.format import FORMAT_VERSION
from qa.index.load import index_status, load_index
from qa.models.embedders import HashingEmbedder


def test_index_builds_loads_and_reports_status(fake_config: Config) -> None:
    embedder = HashingEmbedder()
    assert index_status(fake_config, embedder).exists is False
    with pytest.raises(IndexMissingError):
        load_index(fake_config, embedder)
    report = build_index(fake_config, embedder)
    assert report.documents == 3 and report.embedded == report.chunks > 3
    index = load_index(fake_config, embedder)
    assert len(index.chunks) == report.chunks
    assert set(index.documents) == {"de_nato.txt", "en_rutte.txt", "de_wetter.txt"}
    manifest = json.loads((fake_config.index_dir / "current" / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION == 3 and manifest["embedder"]["id"] == embedder.id
    assert set(manifest["documents"]) == set(index.documents)
    assert index_status(fake_config, embedder).stale is False


def test_index_is_incremental(fake_config: Config) -> None:
    embedder = HashingEmbedder()
    first = build_index(fake_config, embedder)
    old_ids = {c.id for c in load_index(fake_config, embedder).chunks if c.document_id == "de_nato.txt"}
    seeds = fake_config.seeds_dir
    (seeds / "de_wetter.txt").unlink()
    (seeds / "en_new.txt").write_text("A brand new English document about the Hague summit.", encoding="utf-8")
    status = index_status(fake_config, embedder)
    assert status.stale and any("en_new.txt" in r for r in status.reasons)
    assert any("de_wetter.txt" in r for r in status.reasons)
    second = build_index(fake_config, embedder)
    index = load_index(fake_config, embedder)
    assert second.removed_documents == ("de_wetter.txt",)
    assert "de_wetter.txt" not in index.documents and "en_new.txt" in index.documents
    assert second.embedded == sum(1 for c in index.chunks if c.document_id == "en_new.txt")
    assert {c.id for c in index.chunks if c.document_id == "de_nato.txt"} == old_ids
    assert first.embedded > second.embedded
    assert len(list(fake_config.index_dir.glob("build-*"))) == 1


class _ExplodingEmbedder(HashingEmbedder):
    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt


def test_interrupted_build_leaves_the_previous_index_intact(fake_config: Config) -> None:
    build_index(fake_config, HashingEmbedder())
    before = load_index(fake_config, HashingEmbedder())
    (fake_config.seeds_dir / "en_rutte.txt").write_text("Changed text that must be embedded again.", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build_index(fake_config, _ExplodingEmbedder())
    after = load_index(fake_config, HashingEmbedder())
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks]
    assert len(list(fake_config.index_dir.glob("build-*"))) == 1


def test_interrupted_write_leaves_the_previous_index_intact(fake_config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    import qa.index.build

    build_index(fake_config, HashingEmbedder())
    before = [c.id for c in load_index(fake_config, HashingEmbedder()).chunks]
    (fake_config.seeds_dir / "en_rutte.txt").write_text("Changed text.", encoding="utf-8")

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(qa.index.build, "_swap_in", crash)
    with pytest.raises(OSError):
        build_index(fake_config, HashingEmbedder())
    assert [c.id for c in load_index(fake_config, HashingEmbedder()).chunks] == before
    assert len(list(fake_config.index_dir.glob("build-*"))) == 1


def test_index_with_another_embedder_is_refused(fake_config: Config) -> None:
    build_index(fake_config, HashingEmbedder())
    with pytest.raises(IndexMismatchError) as error:
        load_index(fake_config, HashingEmbedder(dimension=64))
    assert "qa index" in error.value.hint


def test_corrupted_index_file_is_detected(fake_config: Config) -> None:
    build_index(fake_config, HashingEmbedder())
    vectors = fake_config.index_dir / "current" / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-16])
    with pytest.raises(IndexCorruptError) as error:
        load_index(fake_config, HashingEmbedder())
    assert "qa index" in error.value.hint


def test_empty_seeds_folder_is_a_clear_error(fake_config: Config, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoDocumentsError):
        build_index(fake_config.replace(seeds_dir=empty), HashingEmbedder())
