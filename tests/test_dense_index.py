"""The FAISS index type follows the collection's size (qa.index.build.make_dense_index).

Exact below `flat_index_max_vectors`, IVF above it; an IVF index keeps its
`nprobe` through a write and a read, finds what the exact index finds on
clustered vectors, and a whole built index on IVF still answers retrieval.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from qa.config import Config
from qa.index.build import build_index, make_dense_index
from qa.index.store import FaissStore
from qa.pipeline import Pipeline


def clustered_vectors(count: int, dimension: int = 32, centres: int = 50, seed: int = 0) -> np.ndarray:
    """Normalised vectors scattered around random centres, like embeddings of texts on a few topics."""
    rng = np.random.default_rng(seed)
    middle = rng.normal(size=(centres, dimension))
    vectors = middle[rng.integers(0, centres, count)] + 0.4 * rng.normal(size=(count, dimension))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_flat_up_to_the_threshold_ivf_above() -> None:
    vectors = clustered_vectors(3000)
    assert isinstance(make_dense_index(vectors, flat_max_vectors=3000, nprobe=8), faiss.IndexFlatIP)
    ivf = make_dense_index(vectors, flat_max_vectors=2999, nprobe=8)
    assert isinstance(ivf, faiss.IndexIVFFlat) and ivf.nlist == 54 and ivf.nprobe == 8 and ivf.ntotal == 3000


def test_ivf_finds_what_the_exact_index_finds_and_keeps_nprobe(tmp_path: Path) -> None:
    vectors = clustered_vectors(20000)
    queries = clustered_vectors(200, seed=1)
    exact = make_dense_index(vectors, flat_max_vectors=10**9, nprobe=8)
    approximate = make_dense_index(vectors, flat_max_vectors=1000, nprobe=8)
    _, truth = exact.search(queries, 10)
    _, found = approximate.search(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
    assert recall >= 0.9
    faiss.write_index(approximate, str(tmp_path / "dense.faiss"))
    assert faiss.read_index(str(tmp_path / "dense.faiss")).nprobe == 8
    again = make_dense_index(vectors, flat_max_vectors=1000, nprobe=8)
    assert np.array_equal(again.search(queries, 10)[1], found)  # a rebuild gives the same index


def test_a_built_index_on_ivf_answers_retrieval(fake_config: Config) -> None:
    config = fake_config.replace(flat_index_max_vectors=4)
    pipeline = Pipeline(config)
    report = build_index(config, pipeline.embedder)
    assert report.chunks > 4
    store = pipeline.index.store
    assert isinstance(store, FaissStore) and isinstance(store.dense, faiss.IndexIVFFlat)
    hits = pipeline.search("Wann wurde die NATO gegründet?", mode="dense")
    assert hits[0].chunk.document_id == "de_nato.txt"
