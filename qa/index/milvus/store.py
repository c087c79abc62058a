"""Searching the Milvus store: the dense chunk and sentence rankings and BM25 over the chunk tokens.

A loaded index searches the colour its manifest names (qa.index.milvus.build), never the alias, so it
never mixes two builds. Rows are keyed by stable ids; the index folder keeps them in the order of its
chunks and sentences (`milvus_ids.npy`, `milvus_sentence_ids.npy`), and a hit maps back to its position
in SearchIndex.chunks or .sentences through them. A row this index does not know (added by a later build
to a colour that an old process still searches) is skipped. An index built before stable ids (no id
files) used the positions themselves.

The store returns the three rankings and qa.retrieval fuses them with its weights, as for FAISS.
Milvus's RRFRanker weights every route alike and returns neither per-route ranks nor the dense
similarity the refusal gate reads, so answers do not use it; `hybrid_rrf` runs it for comparison
(benchmarks/retrieval_xquad.py). Leaves out: building (qa.index.milvus.build), fusion (qa.retrieval).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Config
from qa.errors import IndexCorruptError
from qa.index.format import REBUILD_HINT
from qa.index.load import SearchIndex
from qa.index.milvus.build import SENTENCES, create, insert, row_count, token_text
from qa.index.milvus.client import RETRY_HINT, connect, milvus_uri, server_errors, shown_uri
from qa.index.store import Ranking, Rankings, StoreQuery
from qa.types import Chunk

CHUNK_IDS = "milvus_ids.npy"  # the build folder's row ids of its chunks, in their order
SENTENCE_IDS = "milvus_sentence_ids.npy"


class MilvusStore:
    """Searches one build's collections: dense chunk and sentence rankings, and BM25 over the chunk tokens."""

    def __init__(self, client: Any, collection: str, chunk_ids: np.ndarray, sentence_ids: np.ndarray, nprobe: int,
                 where: str, timeout_s: float) -> None:
        """`chunk_ids` and `sentence_ids`: the row ids of the index's chunks and sentences, in their order."""
        self.client = client
        self.collection = collection
        self.where = where  # the address, for messages
        self.timeout_s = timeout_s  # a question never waits longer for one search
        self.chunk_count = len(chunk_ids)
        self.sentence_count = len(sentence_ids)
        self.chunk_position = {int(key): position for position, key in enumerate(chunk_ids)}
        self.sentence_row = {int(key): row for row, key in enumerate(sentence_ids)}
        self.nprobe = nprobe

    def search(self, query: StoreQuery) -> Rankings:
        dense: Ranking = ()
        sentences: Ranking = ()
        bm25: Ranking = ()
        if query.vector is not None and query.chunks > 0 and self.chunk_count:
            dense = self._dense(self.collection, query.vector, min(query.chunks, self.chunk_count), self.chunk_position)
        if query.vector is not None and query.sentences > 0 and self.sentence_count:
            sentences = self._dense(self.collection + SENTENCES, query.vector, min(query.sentences, self.sentence_count),
                                    self.sentence_row)
        if query.tokens and query.chunks > 0 and self.chunk_count:
            with server_errors(f"BM25 search in {self.collection} at {self.where}", RETRY_HINT):
                found = self.client.search(self.collection, data=[" ".join(query.tokens)], anns_field="sparse",
                                           limit=min(query.chunks, self.chunk_count), output_fields=["id"],
                                           search_params={"metric_type": "BM25"}, timeout=self.timeout_s)
            # Milvus Lite 3.2.2 returns BM25 scores negated; a BM25 score is never negative.
            bm25 = _positions(((hit["id"], abs(float(hit["distance"]))) for hit in found[0] if hit["distance"]),
                              self.chunk_position)
        return Rankings(dense, bm25, sentences)

    def hybrid_rrf(self, query: StoreQuery, rrf_k: int, limit: int) -> Ranking:
        """Milvus's own fusion: hybrid_search of the dense and BM25 chunk rankings (`query.chunks` deep) with
        RRFRanker(rrf_k), each route weighted 1; the best `limit` (for comparison with qa.retrieval's fusion)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        depth = min(query.chunks, self.chunk_count)
        requests = [AnnSearchRequest([np.asarray(query.vector, dtype=np.float32).tolist()], "vector",
                                     self._dense_params(), depth)]
        if query.tokens:
            requests.append(AnnSearchRequest([" ".join(query.tokens)], "sparse", {"metric_type": "BM25"}, depth))
        with server_errors(f"hybrid_search in {self.collection} at {self.where}", RETRY_HINT):
            found = self.client.hybrid_search(self.collection, requests, RRFRanker(rrf_k), limit=min(limit, depth),
                                              output_fields=["id"], timeout=self.timeout_s)
        return _positions(((hit["id"], float(hit["distance"])) for hit in found[0]), self.chunk_position)

    def _dense(self, collection: str, vector: np.ndarray, limit: int, positions: dict[int, int]) -> Ranking:
        with server_errors(f"Dense search in {collection} at {self.where}", RETRY_HINT):
            found = self.client.search(collection, data=[np.asarray(vector, dtype=np.float32).tolist()],
                                       anns_field="vector", limit=limit, output_fields=["id"],
                                       search_params=self._dense_params(), timeout=self.timeout_s)
        return _positions(((hit["id"], float(hit["distance"])) for hit in found[0]), positions)

    def _dense_params(self) -> dict[str, Any]:
        return {"metric_type": "IP", "params": {"nprobe": self.nprobe}}


def _positions(hits: Any, positions: dict[int, int]) -> Ranking:
    """(row id, score) pairs as (position, score), leaving out rows this index does not know."""
    return tuple((positions[int(key)], score) for key, score in hits if int(key) in positions)


def row_ids(manifest: dict[str, Any], folder: Path, chunks: int, sentences: int) -> tuple[np.ndarray, np.ndarray]:
    """The row ids of an index's chunks and sentences: from its build folder, or the positions for an index
    built before stable ids."""
    if "row_ids" not in manifest.get("milvus", {}):
        return np.arange(chunks, dtype=np.int64), np.arange(sentences, dtype=np.int64)
    return np.load(folder / CHUNK_IDS), np.load(folder / SENTENCE_IDS)


def open_milvus_store(config: Config, manifest: dict[str, Any], folder: Path, chunks: int,
                      sentences: int) -> MilvusStore:
    """Connect to the collections the manifest names, load them and check that they hold `chunks` and
    `sentences` rows (IndexCorruptError if not)."""
    name = str(manifest.get("milvus", {}).get("collection", ""))
    chunk_ids, sentence_ids = row_ids(manifest, folder, chunks, sentences)
    if len(chunk_ids) != chunks or len(sentence_ids) != sentences:
        raise IndexCorruptError(f"The Milvus row ids in {folder} do not match the index.", hint=REBUILD_HINT)
    client = connect(config)
    where = shown_uri(milvus_uri(config))
    for collection, expected in ((name, chunks), (name + SENTENCES, sentences)):
        if expected == 0:
            continue
        with server_errors(f"Opening the Milvus collection {collection} at {where}", RETRY_HINT):
            exists = bool(name) and client.has_collection(collection)
            if exists:
                client.load_collection(collection)
                rows = row_count(client, collection)
        if not exists:
            raise IndexCorruptError(f"The Milvus collection {collection or '(none)'} of the index is missing at "
                                    f"{where}.", hint=REBUILD_HINT)
        if rows != expected:
            raise IndexCorruptError(f"The Milvus collection {collection} holds {rows} rows, the index {expected}.",
                                    hint=REBUILD_HINT)
    return MilvusStore(client, name, chunk_ids, sentence_ids, config.ivf_nprobe, where, config.milvus_timeout_s)


def milvus_index(chunks: Sequence[Chunk], vectors: np.ndarray, config: Config, name: str) -> SearchIndex:
    """A SearchIndex over given chunks and vectors whose store is collection `name` (replaced if it exists, rows
    keyed by position) at the configured address; no sentences, no index folder (benchmarks, tests)."""
    client = connect(config)
    vectors = np.asarray(vectors, dtype=np.float32)
    with server_errors(f"Replacing the Milvus collection {name}", RETRY_HINT):
        if client.has_collection(name):
            client.drop_collection(name)
        create(client, name, len(chunks), int(vectors.shape[1]), True, config)
        insert(client, name, ({"id": position, "embed_key": str(position), "vector": vector.tolist(),
                               "tokens": token_text(chunk)} for position, (chunk, vector) in enumerate(zip(chunks, vectors))))
        client.flush(name)
        client.load_collection(name)
    where = shown_uri(milvus_uri(config))
    positions = np.arange(len(chunks), dtype=np.int64)
    return SearchIndex(Path(where), {}, {}, list(chunks), vectors,
                       MilvusStore(client, name, positions, positions[:0], config.ivf_nprobe, where,
                                   config.milvus_timeout_s))
