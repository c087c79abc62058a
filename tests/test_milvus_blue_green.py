"""Incremental Milvus builds, blue/green behind the alias (qa.index.milvus.build), on embedded Milvus Lite.

The client is wrapped to count the rows each build inserts and deletes: a build after one document changed
writes only that document's rows, the search sees the change, and a build that fails or is killed with
SIGKILL in the middle of its inserts leaves the collection the index serves as it was. Leaves out: the
rankings and the BM25 tokens (tests/test_milvus_store.py), the shared retrieval tests (tests/test_retrieval.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import stop_process
from pymilvus.exceptions import MilvusException
from test_milvus_store import lite_server as lite_server  # a fixture: `milvus-lite server` on a free loopback port

import qa.index.build
import qa.index.milvus.build
from qa.config import Config
from qa.errors import StoreUnavailableError
from qa.index.build import build_index
from qa.index.load import SearchIndex, index_status, load_index
from qa.index.milvus import MilvusStore, connect
from qa.index.milvus.build import create, held_ids, insert, token_text
from qa.index.store import StoreQuery
from qa.models.embedders import HashingEmbedder
from qa.text.tokens import tokenize

BLUE, GREEN = "qa_passages_blue", "qa_passages_green"
CHANGED = "de_wetter.txt"
OLD_SENTENCE = "Der Fußballverein gewann am Wochenende mit drei zu eins."
NEW_SENTENCE = "Der Ruderverein gewann am Sonntag die Regatta auf der Alster."
QUESTIONS = [("Wann wurde die NATO gegründet?", "de"), ("Who backed Rutte's candidacy?", "en"),
             ("Wie war das Wetter in Hamburg?", "de"), ("Wer gewann am Wochenende?", "de")]


@pytest.fixture
def lite(fake_config: Config, tmp_path: Path) -> Config:
    """The fake config on an embedded Milvus Lite file in tmp, alias qa_passages."""
    return fake_config.replace(store="milvus", milvus_uri=str(tmp_path / "m.db"), milvus_collection="qa_passages")


class CountingClient:
    """A MilvusClient that records the ids each insert and delete names, per collection; after `fail_after`
    insert calls the next one raises `failure` instead (a build dying in the middle of its inserts)."""

    def __init__(self, client: Any, fail_after: int | None = None, failure: BaseException | None = None) -> None:
        self.client = client
        self.fail_after = fail_after
        self.failure = failure
        self.inserts = 0
        self.inserted: dict[str, list[int]] = defaultdict(list)
        self.deleted: dict[str, list[int]] = defaultdict(list)
        self.alias_at_first_flush = ""  # where the alias pointed while the first collection was written

    def insert(self, name: str, rows: list[dict[str, Any]], **options: Any) -> Any:
        if self.fail_after is not None and self.inserts >= self.fail_after:
            assert self.failure is not None
            raise self.failure
        self.inserts += 1
        self.inserted[name] += [int(row["id"]) for row in rows]
        return self.client.insert(name, rows, **options)

    def flush(self, name: str, **options: Any) -> Any:
        if not self.alias_at_first_flush and "qa_passages" in self.client.list_aliases().get("aliases", []):
            self.alias_at_first_flush = self.client.describe_alias("qa_passages")["collection_name"]
        return self.client.flush(name, **options)

    def delete(self, name: str, ids: list[int], **options: Any) -> Any:
        self.deleted[name] += [int(key) for key in ids]
        return self.client.delete(name, ids=ids, **options)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.client, attribute)


def _count_writes(monkeypatch: pytest.MonkeyPatch, **failing: Any) -> list[CountingClient]:
    """Every client the next builds connect with, wrapped in a CountingClient (one per build)."""
    clients: list[CountingClient] = []

    def counting_connect(config: Config) -> CountingClient:
        clients.append(CountingClient(connect(config), **failing))
        return clients[-1]

    monkeypatch.setattr(qa.index.milvus.build, "connect", counting_connect)
    return clients


def _alias_target(config: Config) -> str:
    return str(connect(config).describe_alias(config.milvus_collection)["collection_name"])


def _store(index: SearchIndex) -> MilvusStore:
    assert isinstance(index.store, MilvusStore)
    return index.store


def _rankings(index: SearchIndex) -> list[tuple[list[str], list[str], list[tuple[str, int]]]]:
    """Dense, BM25 and sentence rankings of QUESTIONS, as chunk ids and sentence spans."""
    embedder = HashingEmbedder()
    found = []
    for question, language in QUESTIONS:
        rankings = index.store.search(StoreQuery(embedder.embed_queries([question])[0],
                                                 tuple(tokenize(question, language)), 10, 10))
        found.append(([index.chunks[p].id for p, _ in rankings.dense], [index.chunks[p].id for p, _ in rankings.bm25],
                      [(index.sentences[r].document_id, index.sentences[r].start) for r, _ in rankings.sentences]))
    return found


def _change_one_document(config: Config) -> None:
    path = config.seeds_dir / CHANGED
    path.write_text(path.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")


def _documents_of(ids: list[int], index: SearchIndex) -> set[str]:
    """The documents whose chunk or sentence rows `ids` are, in `index`."""
    store = _store(index)
    documents = {index.chunks[store.chunk_position[key]].document_id for key in ids if key in store.chunk_position}
    documents |= {index.sentences[store.sentence_row[key]].document_id for key in ids if key in store.sentence_row}
    assert all(key in store.chunk_position or key in store.sentence_row for key in ids)
    return documents


def test_a_build_after_one_document_changed_inserts_only_its_rows(lite: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = HashingEmbedder()
    clients = _count_writes(monkeypatch)
    build_index(lite, embedder)
    first = load_index(lite, embedder)
    rows = len(first.chunks), len(first.sentences)
    assert _alias_target(lite) == first.manifest["milvus"]["collection"] == BLUE
    for colour in (BLUE, GREEN):  # the first build fills both colours, so the next one is incremental
        assert (len(clients[0].inserted[colour]), len(clients[0].inserted[colour + "_sentences"])) == rows

    _change_one_document(lite)
    build_index(lite, embedder)
    second = load_index(lite, embedder)
    assert _alias_target(lite) == second.manifest["milvus"]["collection"] == GREEN
    written = clients[1]
    old_ids, new_ids = (set(_store(index).chunk_position) | set(_store(index).sentence_row) for index in (first, second))
    inserted = written.inserted[GREEN] + written.inserted[GREEN + "_sentences"]
    deleted = written.deleted[GREEN] + written.deleted[GREEN + "_sentences"]
    assert sorted(inserted) == sorted(new_ids - old_ids) and sorted(deleted) == sorted(old_ids - new_ids)
    assert _documents_of(inserted, second) == {CHANGED} and _documents_of(deleted, first) == {CHANGED}
    assert 0 < len(inserted) < len(new_ids) / 4  # of 2 chunks and 2 sentences of the changed document, 1 + 1
    assert not written.inserted[BLUE] and not written.deleted[BLUE]  # the live colour is never written
    assert second.manifest["milvus"]["chunks_inserted"] + second.manifest["milvus"]["sentences_inserted"] == len(inserted)

    store = _store(second)  # the search sees the change, in every ranking
    regatta = store.search(StoreQuery(embedder.embed_queries([NEW_SENTENCE])[0], tuple(tokenize("Regatta", "de")), 1, 1))
    assert "Regatta" in second.chunks[regatta.bm25[0][0]].text and "Regatta" in second.chunks[regatta.dense[0][0]].text
    assert second.sentences[regatta.sentences[0][0]].start == second.documents[CHANGED].text.index(NEW_SENTENCE)
    assert not store.search(StoreQuery(None, tuple(tokenize("Fußballverein", "de")), 10)).bm25  # deleted rows are gone
    assert _rankings(second) != _rankings(first)

    build_index(lite, embedder)  # no change: the other colour, one build behind, catches up with the same rows
    assert _alias_target(lite) == BLUE
    assert sorted(clients[2].inserted[BLUE] + clients[2].inserted[BLUE + "_sentences"]) == sorted(inserted)
    assert _rankings(load_index(lite, embedder)) == _rankings(second)
    build_index(lite, embedder)  # and now both hold this state: nothing is written
    assert _alias_target(lite) == GREEN
    assert not any(clients[3].inserted.values()) and not any(clients[3].deleted.values())
    names = {name for name in connect(lite).list_collections() if name.startswith("qa_passages")}
    assert names == {BLUE, GREEN, BLUE + "_sentences", GREEN + "_sentences"}


@pytest.mark.parametrize("failure", [KeyboardInterrupt(), MilvusException(message="server went away")],
                         ids=["ctrl-c", "server-error"])
def test_a_build_that_fails_midway_leaves_the_served_collection_intact(
        lite: Config, monkeypatch: pytest.MonkeyPatch, failure: BaseException) -> None:
    embedder = HashingEmbedder()
    build_index(lite, embedder)
    before = load_index(lite, embedder)
    served = held_ids(connect(lite), BLUE), held_ids(connect(lite), BLUE + "_sentences")
    _change_one_document(lite)
    (lite.seeds_dir / "en_new.txt").write_text("A brand new English document about the Hague summit. It has "
                                               "two sentences.", encoding="utf-8")
    monkeypatch.setattr(qa.index.milvus.build, "INSERT_BATCH", 1)
    with monkeypatch.context() as patch:
        clients = _count_writes(patch, fail_after=1, failure=failure)  # one row in, then the build dies
        with pytest.raises(type(failure) if isinstance(failure, KeyboardInterrupt) else StoreUnavailableError):
            build_index(lite, embedder)
    assert len(clients[0].inserted[GREEN]) == 1  # the idle colour was half written
    assert _alias_target(lite) == BLUE and (held_ids(connect(lite), BLUE), held_ids(connect(lite), BLUE + "_sentences")) == served
    after = load_index(lite, embedder)
    assert after.manifest["milvus"]["collection"] == BLUE and [c.id for c in after.chunks] == [c.id for c in before.chunks]
    assert _rankings(after) == _rankings(before) and index_status(lite, embedder).stale

    clients = _count_writes(monkeypatch)
    build_index(lite, embedder)  # the next build finishes the job; the row already in is not inserted again
    rebuilt = load_index(lite, embedder)
    assert _alias_target(lite) == GREEN and "en_new.txt" in rebuilt.documents
    inserted = clients[0].inserted[GREEN] + clients[0].inserted[GREEN + "_sentences"]
    assert _documents_of(inserted, rebuilt) == {CHANGED, "en_new.txt"}
    old_ids, new_ids = (set(_store(index).chunk_position) | set(_store(index).sentence_row) for index in (before, rebuilt))
    assert len(inserted) == len(new_ids - old_ids) - 1


def test_a_build_that_dies_after_moving_the_alias_is_repaired_by_the_next(lite: Config,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between the alias move and the index folder's swap: the folder still serves blue, the alias
    names green. The next build points the alias back at blue before it writes green."""
    embedder = HashingEmbedder()
    build_index(lite, embedder)
    before = _rankings(load_index(lite, embedder))
    _change_one_document(lite)

    def killed(index_dir: Path, build: Path) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(qa.index.build, "_swap_in", killed)
        with pytest.raises(KeyboardInterrupt):
            build_index(lite, embedder)
    assert _alias_target(lite) == GREEN and load_index(lite, embedder).manifest["milvus"]["collection"] == BLUE
    assert _rankings(load_index(lite, embedder)) == before
    clients = _count_writes(monkeypatch)
    build_index(lite, embedder)
    assert clients[0].alias_at_first_flush == BLUE  # the alias did not name green while green was written
    assert _alias_target(lite) == load_index(lite, embedder).manifest["milvus"]["collection"] == GREEN


KILLED_BUILD = """
import json, sys, time
from pathlib import Path
import qa.index.milvus.build as milvus_build
from qa.config import load_config
from qa.index.build import build_index
from qa.index.milvus.client import connect
from qa.models.embedders import HashingEmbedder

folder, overrides = sys.argv[1], json.loads(sys.argv[2])
milvus_build.INSERT_BATCH = 1

class Slow:
    def __init__(self, client):
        self.client = client
    def insert(self, name, rows, **options):
        result = self.client.insert(name, rows, **options)
        print("inserted", name, flush=True)
        time.sleep(60)  # killed here
        return result
    def __getattr__(self, attribute):
        return getattr(self.client, attribute)

milvus_build.connect = lambda config: Slow(connect(config))
build_index(load_config(Path(folder), overrides=overrides, environ={}), HashingEmbedder())
"""


def test_a_build_killed_with_sigkill_midway_leaves_the_served_collection_intact(
        fake_config: Config, tmp_path: Path, lite_server: tuple[str, subprocess.Popen[bytes]]) -> None:
    """A real kill -9 of `qa index` between two inserts, against `milvus-lite server` on loopback (an embedded
    Lite file is open in one process only)."""
    lite = fake_config.replace(store="milvus", milvus_uri=lite_server[0], milvus_collection="qa_passages")
    embedder = HashingEmbedder()
    build_index(lite, embedder)
    before = _rankings(load_index(lite, embedder))
    _change_one_document(lite)
    overrides = {key: str(getattr(lite, key)) for key in ("seeds_dir", "index_dir", "cache_dir", "milvus_uri")}
    overrides |= {"store": "milvus", "embedder": "hashing", "chunk_words": lite.chunk_words,
                  "chunk_max_words": lite.chunk_max_words}
    child = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(tmp_path), json.dumps(overrides)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the first row is in (or the child died)
        assert line.startswith(f"inserted {GREEN}"), (line, child.stderr.read() if child.stderr else "")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=20)
    finally:
        stop_process(child)
    assert _alias_target(lite) == BLUE
    assert _rankings(load_index(lite, embedder)) == before and index_status(lite, embedder).stale
    build_index(lite, embedder)
    assert _alias_target(lite) == GREEN
    index = load_index(lite, embedder)
    assert NEW_SENTENCE in index.documents[CHANGED].text and _rankings(index) != before


def test_an_index_built_before_stable_row_ids_still_loads_and_ranks_alike(lite: Config) -> None:
    """An index of the one-collection-per-build layout (rows keyed by position, no id files) keeps working
    after the upgrade, until the next build moves it to blue/green."""
    embedder = HashingEmbedder()
    build_index(lite, embedder)
    index = load_index(lite, embedder)
    before = _rankings(index)
    legacy = "qa_passages_build_20260101_120000_1_1"
    client = connect(lite)
    for name, vectors, tokens in ((legacy, index.vectors, True), (legacy + "_sentences", index.sentence_vectors, False)):
        assert vectors is not None
        create(client, name, len(vectors), vectors.shape[1], tokens, lite)
        insert(client, name, ({"id": position, "embed_key": str(position), "vector": vector.tolist(),
                               **({"tokens": token_text(index.chunks[position])} if tokens else {})}
                              for position, vector in enumerate(vectors)))
        client.flush(name)
    folder = lite.index_dir / "current"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["milvus"] = {"collection": legacy, "chunks": len(index.chunks), "sentences": len(index.sentences)}
    for name in ("milvus_ids.npy", "milvus_sentence_ids.npy"):
        del manifest["files"][name]
        (folder / name).unlink()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    old = load_index(lite, embedder)
    assert _store(old).collection == legacy and _rankings(old) == before
    _change_one_document(lite)
    build_index(lite, embedder)  # the first blue/green build: the idle colour is not the legacy collection
    assert _alias_target(lite) == BLUE and _rankings(load_index(lite, embedder)) != before
