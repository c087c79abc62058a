"""A million passages on one machine: the product's FAISS index at 1,000,000 vectors against exact search.

The collection holds the 480 real XQuAD paragraphs (German and English)
embedded by the configured embedder, plus synthetic 384-d vectors up to
`--vectors`. The queries are the real XQuAD questions (all 2,380 unless
`--queries`). The index is the one `qa.index.build.make_dense_index` makes for
that size (IVF above `flat_index_max_vectors`); the truth is exact inner
product over the same vectors. Reported: recall@10 against exact search and
single-query time p50/p95 for each `--nprobe` (with faiss's default threads
and with one), build time, memory (RSS growth
while building, and the index's own bytes), and how often the gold paragraph
is in the top 10 (exact and approximate).

Synthetic vectors are made to look like embeddings of a real collection, not
like uniform noise (on which no approximate index keeps its recall, and no
text collection looks like): each is a real paragraph vector plus Gaussian
noise with the covariance of the real vectors, scaled so a synthetic vector
keeps a cosine of about 0.85 to its paragraph (texts on the same topic), then
normalised. So the collection has 480 topics of about 2,000 passages each.

    python benchmarks/million_vectors.py [--vectors 1000000] [--queries 0] [--nprobe 8,16,32,64] [--json FILE]

Leaves out: BM25 and the sentence ranking (they are not FAISS), and embedding
a million real texts (about a day on two cores).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval_xquad import DEFAULT_XQUAD, load_xquad  # noqa: E402

from qa.config import load_config  # noqa: E402
from qa.index.build import make_dense_index  # noqa: E402
from qa.models.embedders import Embedder, build_embedder  # noqa: E402

TOPIC_COSINE = 0.85  # cosine of a synthetic vector to the real paragraph it is made from


def rss_bytes() -> int:
    """The process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def real_vectors(embedder: Embedder, folder: Path, cache: Path, queries: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Paragraph vectors, question vectors and each question's gold paragraph row (cached between runs)."""
    paragraphs, questions = [], []
    for language in ("de", "en"):
        chunks, asked = load_xquad(folder, language)
        questions += [(text, len(paragraphs) + number) for text, number in asked]
        paragraphs += [chunk.text for chunk in chunks]
    if queries:
        picked = np.random.default_rng(0).choice(len(questions), size=min(queries, len(questions)), replace=False)
        questions = [questions[i] for i in sorted(picked)]
    cache_file = cache / f"million-xquad-{embedder.id.replace('/', '_')}-{len(questions)}.npz"
    if cache_file.is_file():
        stored = np.load(cache_file)
        return stored["paragraphs"], stored["questions"], [gold for _, gold in questions]
    paragraph_vectors = embedder.embed_passages(paragraphs)
    question_vectors = embedder.embed_queries([text for text, _ in questions])
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(cache_file, paragraphs=paragraph_vectors, questions=question_vectors)
    return paragraph_vectors, question_vectors, [gold for _, gold in questions]


def synthetic_vectors(anchors: np.ndarray, spread_from: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """`count` normalised vectors around the `anchors`, with noise shaped like the covariance of `spread_from`."""
    rng = np.random.default_rng(seed)
    covariance = np.cov(spread_from, rowvar=False)
    values, axes = np.linalg.eigh(covariance)
    shape = (np.sqrt(np.clip(values, 0, None))[:, None] * axes.T).astype(np.float32)  # noise = z @ shape
    scale = np.sqrt((1 / TOPIC_COSINE**2 - 1) / max(float(np.trace(covariance)), 1e-12))
    out = np.empty((count, anchors.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        size = min(100_000, count - start)
        noise = rng.standard_normal((size, anchors.shape[1]), dtype=np.float32) @ shape
        rows = anchors[rng.integers(0, len(anchors), size)] + scale * noise
        out[start:start + size] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return out


def percentiles(milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))]}


def timed_searches(index: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, dict[str, float]]:
    """Search one query at a time (as a user's question is), returning the ids and the time per query."""
    index.search(queries[:5], k)  # warm up
    found, times = [], []
    for query in queries:
        started = time.perf_counter()
        _, ids = index.search(query[None, :], k)
        times.append((time.perf_counter() - started) * 1000)
        found.append(ids[0])
    return np.vstack(found), percentiles(times)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def gold_at_10(ids: np.ndarray, gold: list[int]) -> float:
    return float(np.mean([g in row for row, g in zip(ids, gold)]))


def main(argv: list[str] | None = None) -> int:
    import faiss

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=1_000_000, help="collection size, real paragraphs included")
    parser.add_argument("--queries", type=int, default=0, help="a seeded sample of N XQuAD questions (0: all 2,380)")
    parser.add_argument("--nprobe", default="8,16,32,64", help="IVF lists searched, comma-separated (the product "
                                                               "uses ivf_nprobe)")
    parser.add_argument("--xquad", type=Path, default=DEFAULT_XQUAD, help="folder with xquad.de.json and xquad.en.json")
    parser.add_argument("--embedder", help="override the configured embedder (hashing for a quick dry run)")
    parser.add_argument("--cache", type=Path, default=Path(".cache"), help="folder to keep the XQuAD vectors")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    config = load_config(overrides={"embedder": args.embedder})
    embedder = build_embedder(config)

    started = time.perf_counter()
    paragraphs, questions, gold = real_vectors(embedder, args.xquad, args.cache, args.queries)
    print(f"{len(paragraphs)} paragraphs, {len(questions)} questions embedded by {embedder.id} "
          f"in {time.perf_counter() - started:.0f} s (0 when cached)", flush=True)
    started = time.perf_counter()
    collection = np.vstack([paragraphs, synthetic_vectors(paragraphs, np.vstack([paragraphs, questions]),
                                                          args.vectors - len(paragraphs))])
    print(f"{len(collection):,} vectors of {collection.shape[1]} dimensions made in {time.perf_counter() - started:.0f} s",
          flush=True)

    memory_before = rss_bytes()
    started = time.perf_counter()
    index = make_dense_index(collection, config.flat_index_max_vectors, config.ivf_nprobe)
    build_s = time.perf_counter() - started
    memory_growth = rss_bytes() - memory_before
    index_bytes = len(faiss.serialize_index(index))
    kind = type(index).__name__
    print(f"built {kind} ({getattr(index, 'nlist', '-')} lists) in {build_s:.1f} s; RSS grew by "
          f"{memory_growth / 2**30:.2f} GiB, index {index_bytes / 2**30:.2f} GiB", flush=True)

    started = time.perf_counter()
    _, truth = faiss.knn(questions, collection, 10, metric=faiss.METRIC_INNER_PRODUCT)
    exact_batch_ms = (time.perf_counter() - started) * 1000 / len(questions)
    _, exact_single_ms = timed_searches(_ExactOne(collection), questions[:100], 10)
    print(f"exact search: {exact_batch_ms:.1f} ms a query in one batch; one at a time p50 {exact_single_ms['p50']:.1f} ms,"
          f" p95 {exact_single_ms['p95']:.1f} ms", flush=True)
    rows = []
    nprobes = [int(n) for n in args.nprobe.split(",")] if hasattr(index, "nprobe") else [0]
    # Searching one query with two OpenMP threads on a busy two-core machine costs more than it gains, so both
    # settings are timed (faiss's default is one thread per core).
    for threads in dict.fromkeys([faiss.omp_get_max_threads(), 1]):
        faiss.omp_set_num_threads(threads)
        for nprobe in nprobes:
            if nprobe:
                index.nprobe = nprobe
            found, latency = timed_searches(index, questions, 10)
            rows.append({"threads": threads, "nprobe": nprobe, "recall@10": recall(found, truth),
                         "gold@10": gold_at_10(found, gold), "query_ms": latency,
                         "product_setting": nprobe == config.ivf_nprobe})
    print(f"\n{len(collection):,} vectors, {len(questions)} XQuAD questions; exact gold@10 {gold_at_10(truth, gold):.3f}")
    print(f"{'threads':>7} {'nprobe':>6} {'recall@10':>9} {'gold@10':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for row in rows:
        mark = "  <- ivf_nprobe" if row["product_setting"] else ""
        print(f"{row['threads']:7} {row['nprobe']:6} {row['recall@10']:9.3f} {row['gold@10']:7.3f} "
              f"{row['query_ms']['p50']:7.2f} {row['query_ms']['p95']:7.2f}{mark}")
    if args.json:
        args.json.write_text(json.dumps({
            "vectors": len(collection), "queries": len(questions), "embedder": embedder.id, "index": kind,
            "lists": getattr(index, "nlist", None), "build_s": build_s, "rss_growth_bytes": memory_growth,
            "index_bytes": index_bytes, "exact_gold@10": gold_at_10(truth, gold),
            "exact_batch_ms_per_query": exact_batch_ms, "exact_single_query_ms": exact_single_ms,
            "rows": rows}, indent=2), encoding="utf-8")
    return 0


class _ExactOne:
    """Exact search over the collection without copying it (faiss.knn), for the one-at-a-time timing."""

    def __init__(self, collection: np.ndarray) -> None:
        self.collection = collection

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        import faiss

        return faiss.knn(queries, self.collection, k, metric=faiss.METRIC_INNER_PRODUCT)


if __name__ == "__main__":
    raise SystemExit(main())
