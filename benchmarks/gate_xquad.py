"""The refusal gate across languages: how multilingual-e5 scores a question against its gold paragraph and
against unrelated ones, within one language and across the two, on XQuAD.

The gate (qa.answer.gate.evidence_too_weak) refuses before the model runs when no retrieved passage is
similar enough to the question. A passage in another language than the question's scores lower for the
same relevance, so one threshold for both refuses answerable questions across languages. This prints, for
de->de, en->en, de->en and en->de, the similarity of a question to its gold paragraph and the best
similarity to a paragraph of another article (a stand-in for an unanswerable question), and the share of
each that passes a range of thresholds. `cross_lingual_gate_drop` is read from it: the drop across
languages that lets through about the same share of unrelated paragraphs as `min_dense_score` does within
one language.

Questions come from the XQuAD articles that neither unseen collection uses (benchmarks/unseen_collection.py,
seeds 12 and 2), so those stay unseen.

    python benchmarks/gate_xquad.py [--n 300] [--seed 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from unseen_collection import DEFAULT_XQUAD, collection_articles, load_parallel  # noqa: E402

from qa.config import load_config  # noqa: E402
from qa.models.embedders import build_embedder  # noqa: E402

UNSEEN_SEEDS = (12, 2)  # the unseen collections measured in the README
THRESHOLDS = (0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.80, 0.81)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--xquad", type=Path, default=DEFAULT_XQUAD)
    parser.add_argument("--n", type=int, default=300, help="questions (each asked in both languages)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    articles = load_parallel(args.xquad)
    used = set().union(*(collection_articles(articles, seed) for seed in UNSEEN_SEEDS))
    kept = [article for article in articles if article[0].slug not in used]
    paragraphs = [paragraph for article in kept for paragraph in article]
    article_of = np.array([k for k, article in enumerate(kept) for _ in article])
    questions = [(i, q) for i, paragraph in enumerate(paragraphs) for q in paragraph.questions]
    questions = random.Random(args.seed).sample(questions, min(args.n, len(questions)))
    gold = np.array([i for i, _ in questions])
    embedder = build_embedder(load_config())
    passages = {lang: embedder.embed_passages([p.text[lang] for p in paragraphs]) for lang in ("de", "en")}
    asked = {lang: embedder.embed_queries([q.question[lang] for _, q in questions]) for lang in ("de", "en")}
    print(f"{len(questions)} questions from {len(kept)} of {len(articles)} articles (those outside the unseen "
          "collections)")
    same_article = article_of[None, :] == article_of[gold][:, None]
    report: dict[str, dict[str, object]] = {}
    header = " ".join(f"{t:>5.2f}" for t in THRESHOLDS)
    print(f"{'direction':<7} {'scores':<9} {'median':>6}  share passing at: {header}")
    for question_language in ("de", "en"):
        for passage_language in ("de", "en"):
            scores = asked[question_language] @ passages[passage_language].T
            rows = {"gold": scores[np.arange(len(questions)), gold],
                    "unrelated": np.where(same_article, -1.0, scores).max(axis=1)}
            direction = f"{question_language}->{passage_language}"
            report[direction] = {}
            for name, values in rows.items():
                passing = [float(np.mean(values >= t)) for t in THRESHOLDS]
                report[direction][name] = {"median": float(np.median(values)),
                                           "passing": dict(zip(map(str, THRESHOLDS), passing))}
                print(f"{direction:<7} {name:<9} {np.median(values):>6.3f}  {'':>17} "
                      + " ".join(f"{p:>5.0%}" for p in passing))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
