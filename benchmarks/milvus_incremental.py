"""How an incremental Milvus build compares with a full one: rows written, and BM25 and hybrid rankings against FAISS.

Copies `seeds/` to a temporary folder, builds it with FAISS and with Milvus Lite (hashing embedder unless
`--embedder`), then appends one sentence to one document and builds both again (Milvus incrementally: only
that document's rows go into the idle collection), then builds once more without a change (the other
collection catches up). After each build it prints the rows Milvus inserted and deleted and, for the 8
questions of tests/test_milvus_store.py, how many BM25 top-1 hits and top-10 sets and hybrid top-5 lists
equal FAISS's. Milvus Lite keeps BM25 statistics per segment, so the incremental rows score against their
own segment's statistics (README, Limits).

    python benchmarks/milvus_incremental.py [--embedder hashing]

Leaves out: timing (the seeds are small), a Milvus server.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from qa.config import Config, load_config
from qa.index.store import StoreQuery
from qa.pipeline import Pipeline
from qa.text.tokens import tokenize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_milvus_store import QUESTIONS  # noqa: E402  (the questions the store tests compare)

ADDED = "\n\nNATO-Generalsekretär Rutte besuchte Washington und sprach über Verteidigungsausgaben.\n"


def compare(label: str, faiss_config: Config, milvus_config: Config) -> dict[str, object]:
    """Build FAISS if stale and Milvus always, and compare their rankings of QUESTIONS."""
    faiss_pipeline, milvus_pipeline = Pipeline(faiss_config), Pipeline(milvus_config)
    faiss_pipeline.ensure_index()
    milvus_pipeline.build()
    written = milvus_pipeline.index.manifest["milvus"]
    top1 = top10 = hybrid = 0
    for question, language in QUESTIONS:
        query = StoreQuery(None, tuple(tokenize(question, language)), 10)
        found = [[p.index.chunks[position].id for position, _ in p.index.store.search(query).bm25]
                 for p in (faiss_pipeline, milvus_pipeline)]
        top1 += found[0][:1] == found[1][:1]
        top10 += set(found[0]) == set(found[1])
        hits = [[hit.chunk.id for hit in p.retriever.search(question, top_k=5, language=language)]
                for p in (faiss_pipeline, milvus_pipeline)]
        hybrid += hits[0] == hits[1]
    result = {"build": label, "collection": written["collection"], "inserted": written["chunks_inserted"] +
              written["sentences_inserted"], "deleted": written["chunks_deleted"] + written["sentences_deleted"],
              "rows": written["chunks"] + written["sentences"], "bm25_top1_equal": top1, "bm25_top10_equal": top10,
              "hybrid_top5_equal": hybrid, "questions": len(QUESTIONS)}
    print(f"{label}: {result['collection']} inserted {result['inserted']} and deleted {result['deleted']} of "
          f"{result['rows']} rows; equal to FAISS: BM25 top 1 {top1}/{len(QUESTIONS)}, BM25 top-10 set "
          f"{top10}/{len(QUESTIONS)}, hybrid top 5 {hybrid}/{len(QUESTIONS)}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="hashing")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="milvus-incremental-"))
    try:
        seeds = folder / "seeds"
        shutil.copytree(ROOT / "seeds", seeds)
        faiss_config = load_config(folder, overrides={"seeds_dir": seeds, "index_dir": folder / "faiss",
                                                      "cache_dir": folder / "cache", "embedder": args.embedder},
                                   environ={})
        milvus_config = faiss_config.replace(index_dir=folder / "milvus", store="milvus",
                                             milvus_uri=str(folder / "milvus.db"))
        compare("full build", faiss_config, milvus_config)
        document = sorted(seeds.glob("*.txt"))[0]
        document.write_text(document.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
        compare(f"{document.name} changed", faiss_config, milvus_config)
        compare("no change", faiss_config, milvus_config)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
