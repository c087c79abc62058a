"""Where an index's vectors and BM25 tokens are searched: the Store protocol and the embedded FAISS + bm25s store.

A store answers one StoreQuery with the rankings the retriever fuses (qa.retrieval): chunks by dense
similarity, chunks by BM25 over the question's stemmed tokens, and single sentences by dense similarity.
Positions are those of SearchIndex.chunks and SearchIndex.sentences, so every store hands the retriever
the same kind of answer and the weighted fusion is written once, for all stores. Two stores: "faiss"
(here: the index folder's dense.faiss and bm25/, the default) and "milvus" (qa.index.milvus: a Milvus
Lite file or a Milvus server). Leaves out: fusion and its weights (qa.retrieval), choosing the FAISS
index type and building (qa.index.build), the records of chunks and sentences (qa.index.format).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

STORES = ("faiss", "milvus")

Ranking = tuple[tuple[int, float], ...]  # (position, score), best first


@dataclass(frozen=True, eq=False)
class StoreQuery:
    """One wording of a question for a store.

    `vector` feeds the dense chunk and sentence rankings (None: neither), `tokens` the BM25 ranking
    (empty: none; exactly qa.text.tokens.tokenize's output); `chunks` is how many chunks each chunk
    ranking returns and `sentences` how many sentences the sentence ranking returns (0: none).
    """

    vector: np.ndarray | None
    tokens: tuple[str, ...]
    chunks: int
    sentences: int = 0


@dataclass(frozen=True)
class Rankings:
    """A store's answer: chunk positions by inner product and by BM25 (positive scores only), and
    sentence rows by inner product, each best first."""

    dense: Ranking = ()
    bm25: Ranking = ()
    sentences: Ranking = ()


class Store(Protocol):
    """Searches the vectors and BM25 tokens of one built index."""

    def search(self, query: StoreQuery) -> Rankings:
        """The rankings `query` asks for."""
        ...


class FaissStore:
    """The embedded store: a FAISS inner-product index over the chunk vectors, a bm25s index over their
    tokens, and an exact NumPy product over the sentence vectors."""

    def __init__(self, dense: Any, bm25: Any, sentence_vectors: np.ndarray | None = None) -> None:
        self.dense = dense
        self.bm25 = bm25
        self.sentence_vectors = sentence_vectors

    def search(self, query: StoreQuery) -> Rankings:
        dense: Ranking = ()
        sentences: Ranking = ()
        if query.vector is not None:
            vector = np.asarray(query.vector, dtype=np.float32)
            dense = self._dense(vector, query.chunks)
            sentences = self._sentences(vector, query.sentences)
        return Rankings(dense, self._bm25(list(query.tokens), query.chunks), sentences)

    def _dense(self, vector: np.ndarray, k: int) -> Ranking:
        k = min(k, int(self.dense.ntotal))
        if k <= 0:
            return ()
        scores, ids = self.dense.search(vector.reshape(1, -1), k)
        return tuple((int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0)

    def _bm25(self, tokens: list[str], k: int) -> Ranking:
        k = min(k, int(self.dense.ntotal))  # one BM25 document per chunk, as many as dense vectors
        if k <= 0 or not tokens:
            return ()
        ids, scores = self.bm25.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return tuple((int(i), float(s)) for i, s in zip(ids[0], scores[0]) if s > 0)

    def _sentences(self, vector: np.ndarray, k: int) -> Ranking:
        vectors = self.sentence_vectors
        if k <= 0 or vectors is None or not len(vectors):
            return ()
        similarities = vectors @ vector
        return tuple((int(row), float(similarities[row])) for row in np.argsort(-similarities)[:k])
