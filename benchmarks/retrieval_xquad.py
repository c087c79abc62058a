"""Retrieval benchmark on XQuAD (German + English): recall@k and MRR per direction and retriever.

Indexes all 240 German and 240 English XQuAD paragraphs (one chunk each) with
the configured embedder, asks all 1,190 questions in each language and
prints recall@1/5/10 and MRR for de->de, en->en, en->de, de->en and both
languages against the mixed 480-paragraph pool, for dense-only, BM25-only
and hybrid retrieval, plus index build time and warm query latency.

    python benchmarks/retrieval_xquad.py [--json FILE] [--xquad DIR] [--embedder hashing]

A hit counts when the gold paragraph or its parallel in the other language is
retrieved (the two hold the same content).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import load_config  # noqa: E402
from qa.index.build import in_memory_index  # noqa: E402
from qa.models.embedders import build_embedder  # noqa: E402
from qa.retrieval import Retriever  # noqa: E402
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
                        help="folder to keep paragraph vectors between runs (build time is measured without it)")
    args = parser.parse_args(argv)
    config = load_config(overrides={"embedder": args.embedder, "top_k": 10, "bm25_weight": args.bm25_weight})
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
            pools[key] = Retriever(in_memory_index(chunks, np.vstack([vectors[lang] for lang in pool_languages])),
                                   embedder, config)
    build_seconds = time.perf_counter() - started
    print(f"embedded and indexed {sum(len(p) for p in paragraphs.values())} paragraphs in {build_seconds:.1f} s")

    query_vectors = {lang: embedder.embed_queries([q for q, _ in questions[lang]]) for lang in ("de", "en")}
    figures: dict[str, dict[str, dict[str, float]]] = {mode: {} for mode in MODES}
    for name, (question_language, pool_languages) in DIRECTIONS.items():
        retriever = pools[pool_languages]
        for mode in MODES:
            ranks: list[int | None] = []
            for (question, paragraph), vector in zip(questions[question_language], query_vectors[question_language]):
                hits = retriever.search(question, top_k=10, mode=mode, language=question_language, query_vector=vector)
                gold = {f"{lang}:{paragraph}" for lang in pool_languages}
                ranks.append(next((h.rank for h in hits if h.chunk.id in gold), None))
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

    print(f"\nembedder: {embedder.id}; questions per language: {len(questions['de'])}")
    print(f"{'mode':7} {'direction':10} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6}")
    for mode in MODES:
        for name in DIRECTIONS:
            f = figures[mode][name]
            print(f"{mode:7} {name:10} {f['recall@1']:6.3f} {f['recall@5']:6.3f} {f['recall@10']:6.3f} {f['mrr']:6.3f}")
    print(f"\nindex build (embedding 480 paragraphs): {build_seconds:.1f} s")
    print(f"query latency, hybrid, mixed pool, warm (incl. query embedding): p50 {latency['p50']:.1f} ms, "
          f"p95 {latency['p95']:.1f} ms")
    if args.json:
        result = {**figures, "build_seconds": build_seconds, "query_latency_ms": latency, "embedder": embedder.id}
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
