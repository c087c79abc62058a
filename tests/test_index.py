"""Fast tests of the index stage: build, load, status, incremental reuse, atomic swap, mismatch (no models)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import wait_until

from qa.config import Config
from qa.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, IndexWriteError, NoDocumentsError
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
    assert manifest["format_version"] == FORMAT_VERSION == 4 and manifest["embedder"]["id"] == embedder.id
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
    with pytest.raises(IndexWriteError) as error:
        build_index(fake_config, HashingEmbedder())
    assert "previous index is still in use" in error.value.message
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


_SLOW_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from qa.config import load_config
    from qa.index.build import build_index
    from qa.models.embedders import HashingEmbedder

    class SlowEmbedder(HashingEmbedder):
        def embed_passages(self, texts):
            with open(sys.argv[2], "a") as calls:  # tells the test how far embedding has got
                print("batch", file=calls)
            time.sleep(0.2)  # a slow embedder, so the build is still running when the test kills it
            return super().embed_passages(texts)

    config = load_config(Path(sys.argv[1]), overrides={"embed_batch_size": 1}, environ={})
    build_index(config, SlowEmbedder())
""")


def test_kill_9_in_the_middle_of_a_build_leaves_the_old_index_serving(fake_config: Config, tmp_path: Path) -> None:
    build_index(fake_config, HashingEmbedder())
    before = [c.id for c in load_index(fake_config, HashingEmbedder()).chunks]
    (fake_config.seeds_dir / "en_new.txt").write_text(" ".join(f"Sentence {n} about the Hague summit." for n in range(60)),
                                                      encoding="utf-8")
    (tmp_path / "qa.toml").write_text(
        f'seeds_dir = "{fake_config.seeds_dir}"\nindex_dir = "{fake_config.index_dir}"\nembedder = "hashing"\n'
        f"chunk_words = {fake_config.chunk_words}\nchunk_max_words = {fake_config.chunk_max_words}\n", encoding="utf-8")
    batches = tmp_path / "embedded-batches"
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, str(tmp_path), str(batches)], cwd=root,
                               env={**os.environ, "PYTHONPATH": str(root)})
    try:  # kill it once two batches are embedded: in the middle of the build, with more to come
        wait_until(lambda: process.poll() is not None or (batches.exists() and len(batches.read_text().split()) >= 2),
                   60, "two embedded batches")
        assert process.poll() is None
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert [c.id for c in load_index(fake_config, HashingEmbedder()).chunks] == before  # the old index serves
    assert index_status(fake_config, HashingEmbedder()).stale  # and says it is out of date
    report = build_index(fake_config, HashingEmbedder())
    assert "en_new.txt" in load_index(fake_config, HashingEmbedder()).documents and report.documents == 4
    assert len(list(fake_config.index_dir.glob("build-*"))) == 1


def test_a_full_disk_keeps_the_old_index_and_says_how_to_fix_it(fake_config: Config,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    import qa.index.build

    build_index(fake_config, HashingEmbedder())
    before = [c.id for c in load_index(fake_config, HashingEmbedder()).chunks]
    (fake_config.seeds_dir / "en_rutte.txt").write_text("Changed text that needs a new build.", encoding="utf-8")
    real_save = np.save
    calls = []

    def full_disk(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0])
        if len(calls) == 2:  # the first vectors file is written, the second finds the disk full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(qa.index.build.np, "save", full_disk)
    with pytest.raises(IndexWriteError) as error:
        build_index(fake_config, HashingEmbedder())
    monkeypatch.undo()
    assert "No space left on device" in error.value.message and "previous index is still in use" in error.value.message
    assert "Free disk space" in error.value.hint and "qa index" in error.value.hint
    assert [c.id for c in load_index(fake_config, HashingEmbedder()).chunks] == before
    assert len(list(fake_config.index_dir.glob("build-*"))) == 1  # the half-written build was removed


def test_truncated_vectors_are_refused_and_ensure_index_rebuilds(fake_config: Config) -> None:
    from qa.pipeline import Pipeline

    build_index(fake_config, HashingEmbedder())
    vectors = fake_config.index_dir / "current" / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[: len(vectors.read_bytes()) // 2])
    with pytest.raises(IndexCorruptError) as error:
        load_index(fake_config, HashingEmbedder())
    assert "vectors.npy" in error.value.message and "qa index" in error.value.hint
    pipeline = Pipeline(fake_config)
    report = pipeline.ensure_index()
    assert report is not None and report.documents == 3
    assert len(pipeline.index.chunks) == report.chunks
    with pytest.raises(IndexCorruptError):
        vectors = fake_config.index_dir / "current" / "vectors.npy"
        vectors.write_bytes(vectors.read_bytes()[:-16])
        Pipeline(fake_config).ensure_index(rebuild=False)  # without rebuild the damage is reported, not hidden
