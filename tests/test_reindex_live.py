"""Re-indexing while answers run: in-flight answers finish on the old index, new ones use the new one.

On the fakes (hashing embedder, extractive generator, tiny seeds). The seeds change
between two versions that disagree on one fact (which countries backed Rutte), so every
answer shows which index it came from. Leaves out: the web chat's queue, which runs a
re-index and an answer one after the other anyway (both use concurrency_id "model").
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import TINY_DOCUMENTS, wait_until

from qa.answer.events import Done, Retrieved
from qa.config import Config
from qa.errors import IndexCorruptError
from qa.index.build import build_index
from qa.index.load import SearchIndex, load_index
from qa.models.embedders import HashingEmbedder
from qa.pipeline import Pipeline

QUESTION = "Which countries backed Rutte's candidacy?"
OLD_FACT = "Germany, the United States and Great Britain backed Rutte's candidacy for NATO Secretary General."
NEW_FACT = "Norway and Denmark backed Rutte's candidacy for NATO Secretary General."


def change_the_fact(seeds: Path) -> None:
    rutte = seeds / "en_rutte.txt"
    text = rutte.read_text(encoding="utf-8")
    assert OLD_FACT in text
    rutte.write_text(text.replace(OLD_FACT, NEW_FACT), encoding="utf-8")


def test_an_answer_in_flight_finishes_on_the_old_index_and_the_next_uses_the_new(fake_pipeline: Pipeline) -> None:
    old_folder = fake_pipeline.index.path
    in_flight = fake_pipeline.answer_stream(QUESTION)
    retrieved = next(in_flight)  # the passages are chosen: the answer is now in flight
    assert isinstance(retrieved, Retrieved)

    change_the_fact(fake_pipeline.config.seeds_dir)
    fake_pipeline.build()
    assert not old_folder.exists()  # the old build's files are gone from disk ...

    done = [event for event in in_flight if isinstance(event, Done)]
    answer = done[0].answer  # ... and the answer in flight still finished, on the old index
    assert "Germany" in answer.text and "Norway" not in answer.text
    assert any("Germany" in citation.passage.text for citation in answer.citations)

    after = fake_pipeline.answer(QUESTION)
    assert "Norway" in after.text and "Germany" not in after.text
    assert fake_pipeline.index.path != old_folder


class GatedEmbedder(HashingEmbedder):
    """The hashing fake, except that embedding passages waits for `release` once `gate` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.embedding = threading.Event()
        self.release = threading.Event()

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        if self.gate.is_set():
            self.embedding.set()
            assert self.release.wait(30), "the test never released the build"
        return super().embed_passages(texts)


def test_a_question_asked_during_a_rebuild_waits_for_the_new_index(fake_config: Config) -> None:
    embedder = GatedEmbedder()
    pipeline = Pipeline(fake_config, embedder=embedder)
    pipeline.ensure_index()
    change_the_fact(fake_config.seeds_dir)
    embedder.gate.set()
    builder = threading.Thread(target=pipeline.build)
    builder.start()
    asked: list[object] = []
    try:
        assert embedder.embedding.wait(30)  # the build is half done: new chunks, some not yet embedded
        asker = threading.Thread(target=lambda: asked.append(pipeline.answer(QUESTION)))
        asker.start()
        asker.join(0.5)
        assert asker.is_alive()  # it waits for the build instead of reading a half-built index
    finally:
        embedder.release.set()
        builder.join(30)
    asker.join(30)
    answer = asked[0]
    assert "Norway" in answer.text and "Germany" not in answer.text  # type: ignore[attr-defined]


def _consistent(index: SearchIndex) -> str | None:
    """Which seeds version a loaded index holds, or None when it mixes or breaks them."""
    texts = {index.documents[chunk.document_id].text for chunk in index.chunks}
    rutte = index.documents["en_rutte.txt"].text
    version = "old" if OLD_FACT in rutte else "new" if NEW_FACT in rutte else None
    rutte_chunks = " ".join(chunk.text for chunk in index.chunks if chunk.document_id == "en_rutte.txt")
    fits = (OLD_FACT if version == "old" else NEW_FACT) in rutte_chunks.replace("\n", " ")
    ok = (version is not None and fits and len(index.chunks) == len(index.vectors) == index.store.dense.ntotal
          and index.manifest["chunk_count"] == len(index.chunks) and set(index.documents) == set(TINY_DOCUMENTS)
          and all(index.chunks) and len(texts) == len(TINY_DOCUMENTS))
    return version if ok else None


LOADS = 400  # enough that the old is_file-then-read race failed within seconds


def test_loading_while_another_process_rebuilds_never_gives_a_torn_index(fake_config: Config, tmp_path: Path) -> None:
    """`qa index` in another process swaps builds in while the app loads the index: never a mix of two builds."""
    embedder = HashingEmbedder()
    old_seeds = fake_config.seeds_dir
    new_seeds = tmp_path / "seeds-new"
    new_seeds.mkdir()
    for path in old_seeds.iterdir():
        (new_seeds / path.name).write_bytes(path.read_bytes())
    change_the_fact(new_seeds)
    build_index(fake_config, embedder)
    stop = threading.Event()
    builds: list[int] = []

    def rebuild_again_and_again() -> None:
        while not stop.is_set():
            seeds = new_seeds if len(builds) % 2 == 0 else old_seeds
            build_index(fake_config.replace(seeds_dir=seeds), embedder)
            builds.append(1)

    builder = threading.Thread(target=rebuild_again_and_again)
    builder.start()
    seen: dict[str | None, int] = {}
    errors: list[str] = []
    try:
        wait_until(lambda: len(builds) >= 1, 30, "the first rebuild")
        for _ in range(LOADS):
            try:
                version = _consistent(load_index(fake_config, embedder))
            except IndexCorruptError as error:
                errors.append(error.message)
                continue
            seen[version] = seen.get(version, 0) + 1
    finally:
        stop.set()
        builder.join(60)
    assert len(builds) >= 2
    assert None not in seen, f"torn indexes: {seen[None]}"
    assert not errors, f"{len(errors)} of {LOADS} loads failed while a rebuild swapped the index in: {errors[0]}"


@pytest.mark.parametrize("version", ["old", "new"])
def test_the_consistency_check_knows_both_versions(fake_config: Config, version: str) -> None:
    if version == "new":
        change_the_fact(fake_config.seeds_dir)
    build_index(fake_config, HashingEmbedder())
    assert _consistent(load_index(fake_config, HashingEmbedder())) == version
