"""Retrieval benchmark on XQuAD (German + English): recall@k and MRR per direction and retriever.

Indexes all 240 German and 240 English XQuAD paragraphs (one chunk each) with
the configured embedder, asks all 1,190 questions in each language and
prints recall@1/5/10 and MRR for de->de, en->en, en->de, de->en and both
languages against the mixed 480-paragraph pool, for dense-only, BM25-only
and hybrid retrieval, plus index build time and warm query latency.

    python benchmarks/retrieval_xquad.py [--json FILE] [--xquad DIR] [--embedder hashing]
        [--store faiss|milvus] [--milvus-uri FILE.db|http://host:19530]

`--store milvus` puts each pool into a Milvus collection (default: a Milvus Lite
file in a temporary folder) and searches it through the same Retriever; it adds
the row "milvus-rrf": Milvus's own hybrid_search with RRFRanker, which weights
dense and BM25 alike (qa.index.milvus.MilvusStore.hybrid_rrf), for comparison.
Paragraph and question vectors are kept in `--cache`, so both stores are asked
with the very same vectors.

A hit counts when the gold paragraph or its parallel in the other language is
retrieved (the two hold the same content).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import Config, load_config  # noqa: E402
from qa.index.build import in_memory_index  # noqa: E402
from qa.index.load import SearchIndex  # noqa: E402
from qa.index.store import StoreQuery  # noqa: E402
from qa.models.embedders import Embedder, build_embedder  # noqa: E402
from qa.retrieval import Retriever  # noqa: E402
from qa.text.tokens import tokenize  # noqa: E402
from qa.types import Chunk  # noqa: E402

DEFAULT_XQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "xquad"
DIRECTIONS = {  # name: (question language, pool languages)
    "de->de": ("de", ("de",)),
    "en->en": ("en", ("en",)),
    "en->de": ("en", ("de",)),
    "de->en": ("de", ("en",)),
    "de->mixed": ("de", ("de", "en")),
    "en->mixed": ("en", ("de", "en")),
}
MODES = ("hybrid", "dense", "bm25")


def load_xquad(folder: Path, language: str) -> tuple[list[Chunk], list[tuple[str, int]]]:
    """Paragraphs as chunks (id "<lang>:<n>") and questions as (text, paragraph number)."""
    data = json.loads((folder / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"]
    chunks: list[Chunk] = []
    questions: list[tuple[str, int]] = []
    for article in data:
        for paragraph in article["paragraphs"]:
            number = len(chunks)
            text = paragraph["context"]
            # one document per paragraph: paragraphs of an article are separate texts, not spans of one
            chunks.append(Chunk(f"{language}:{number}", f"xquad-{language}-{number}", text, 0, len(text), "", language))
            questions.extend((qa["question"], number) for qa in paragraph["qas"])
    return chunks, questions


def evaluate(ranks: list[int | None]) -> dict[str, float]:
    """recall@1/5/10 and MRR@10 from the 1-based rank of the first gold hit (None: not in top 10)."""
    total = len(ranks)
    return {
        "recall@1": sum(1 for r in ranks if r is not None and r <= 1) / total,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / total,
        "recall@10": sum(1 for r in ranks if r is not None and r <= 10) / total,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / total,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", type=Path, default=DEFAULT_XQUAD, help="folder with xquad.de.json and xquad.en.json")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--embedder", help="override the configured embedder (e.g. hashing for a quick dry run)")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions per language")
    parser.add_argument("--bm25-weight", type=float, help="override the BM25 weight of the hybrid fusion")
    parser.add_argument("--cache", type=Path, default=Path(".cache"),
                        help="folder to keep paragraph and question vectors between runs (build time is measured "
                             "without it)")
    parser.add_argument("--store", choices=("faiss", "milvus"), default="faiss", help="where the pools are searched")
    parser.add_argument("--milvus-uri", help="with --store milvus: a Milvus Lite file or server (default: a Lite file "
                                             "in a temporary folder)")
    args = parser.parse_args(argv)
    milvus_uri = args.milvus_uri or (str(Path(tempfile.mkdtemp(prefix="xquad-milvus-")) / "xquad.db")
                                     if args.store == "milvus" else None)
    config = load_config(overrides={"embedder": args.embedder, "top_k": 10, "bm25_weight": args.bm25_weight,
                                    "store": args.store, "milvus_uri": milvus_uri})
    embedder = build_embedder(config)
    paragraphs, questions = {}, {}
    for language in ("de", "en"):
        paragraphs[language], questions[language] = load_xquad(args.xquad, language)
        if args.limit:
            questions[language] = questions[language][: args.limit]

    started = time.perf_counter()
    cache_file = args.cache / f"xquad-vectors-{embedder.id.replace('/', '_')}.npz"
    if cache_file.is_file():
        cached = np.load(cache_file)
        vectors = {lang: cached[lang] for lang in ("de", "en")}
        print(f"paragraph vectors from {cache_file} (embedding time not measured in this run)")
    else:
        vectors = {lang: embedder.embed_passages([c.text for c in paragraphs[lang]]) for lang in ("de", "en")}
        args.cache.mkdir(parents=True, exist_ok=True)
        np.savez(cache_file, **vectors)
    pools = {}
    for _, pool_languages in DIRECTIONS.values():
        key = pool_languages
        if key not in pools:
            chunks = [c for lang in pool_languages for c in paragraphs[lang]]
            pools[key] = Retriever(_pool_index(chunks, np.vstack([vectors[lang] for lang in pool_languages]), config,
                                               "xquad_" + "_".join(pool_languages)), embedder, config)
    build_seconds = time.perf_counter() - started
    print(f"embedded and indexed {sum(len(p) for p in paragraphs.values())} paragraphs in {build_seconds:.1f} s "
          f"(store: {config.store}{', ' + str(config.milvus_uri) if config.store == 'milvus' else ''})")

    query_vectors = _query_vectors(embedder, questions, args.cache, args.limit)
    modes = (*MODES, "milvus-rrf") if config.store == "milvus" else MODES
    figures: dict[str, dict[str, dict[str, float]]] = {mode: {} for mode in modes}
    for name, (question_language, pool_languages) in DIRECTIONS.items():
        retriever = pools[pool_languages]
        for mode in modes:
            ranks: list[int | None] = []
            for (question, paragraph), vector in zip(questions[question_language], query_vectors[question_language]):
                gold = {f"{lang}:{paragraph}" for lang in pool_languages}
                ranked = _ranked_ids(retriever, mode, question, question_language, vector, config)
                ranks.append(next((rank for rank, chunk_id in enumerate(ranked, 1) if chunk_id in gold), None))
            figures[mode][name] = evaluate(ranks)

    mixed = pools[("de", "en")]
    sample = [q for lang in ("de", "en") for q, _ in questions[lang][:150]]
    mixed.search(sample[0])  # warm up
    latencies = []
    for question in sample:
        start = time.perf_counter()
        mixed.search(question, top_k=10)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    latency = {"p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}

    print(f"\nembedder: {embedder.id}; store: {config.store}; questions per language: {len(questions['de'])}")
    print(f"{'mode':10} {'direction':10} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6}")
    for mode in modes:
        for name in DIRECTIONS:
            f = figures[mode][name]
            print(f"{mode:10} {name:10} {f['recall@1']:6.3f} {f['recall@5']:6.3f} {f['recall@10']:6.3f} {f['mrr']:6.3f}")
    print(f"\nindex build (embedding 480 paragraphs): {build_seconds:.1f} s")
    print(f"query latency, hybrid, mixed pool, warm (incl. query embedding): p50 {latency['p50']:.1f} ms, "
          f"p95 {latency['p95']:.1f} ms")
    if args.json:
        result = {**figures, "build_seconds": build_seconds, "query_latency_ms": latency, "embedder": embedder.id,
                  "store": config.store, "questions_per_language": len(questions["de"])}
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


def _pool_index(chunks: list[Chunk], vectors: np.ndarray, config: Config, name: str) -> SearchIndex:
    """One pool's index on the configured store: FAISS + bm25s in memory, or Milvus collection `name`."""
    if config.store == "milvus":
        from qa.index.milvus import milvus_index

        return milvus_index(chunks, vectors, config, name)
    return in_memory_index(chunks, vectors, config=config)


def _query_vectors(embedder: Embedder, questions: dict[str, list[tuple[str, int]]], cache: Path,
                   limit: int) -> dict[str, np.ndarray]:
    """The questions' vectors, kept in `cache` so that runs on both stores ask with the same vectors."""
    cache_file = cache / f"xquad-questions-{embedder.id.replace('/', '_')}-{limit or 'all'}.npz"
    if cache_file.is_file():
        cached = np.load(cache_file)
        return {lang: cached[lang] for lang in ("de", "en")}
    vectors = {lang: embedder.embed_queries([q for q, _ in questions[lang]]) for lang in ("de", "en")}
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(cache_file, **vectors)
    return vectors


def _ranked_ids(retriever: Retriever, mode: str, question: str, language: str, vector: np.ndarray,
                config: Config) -> list[str]:
    """The top 10 chunk ids for one question: the Retriever in `mode`, or Milvus's own RRF ("milvus-rrf") over
    the same `candidates` per route."""
    if mode != "milvus-rrf":
        hits = retriever.search(question, top_k=10, mode=mode, language=language, query_vector=vector)  # type: ignore[arg-type]
        return [hit.chunk.id for hit in hits]
    from qa.index.milvus import MilvusStore

    store = retriever.index.store
    assert isinstance(store, MilvusStore)
    fused = store.hybrid_rrf(StoreQuery(vector, tuple(tokenize(question, language)), config.candidates), config.rrf_k, 10)
    return [retriever.index.chunks[position].id for position, _ in fused]


if __name__ == "__main__":
    raise SystemExit(main())
