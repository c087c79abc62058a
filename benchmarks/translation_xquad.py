"""Translate-test quality on XQuAD: the product's question translation against XQuAD's human one.

XQuAD is parallel: question i of xquad.de.json is the translation of question i
of xquad.en.json. This takes a seeded sample of question pairs from the articles
that benchmarks/unseen_collection.py does *not* use (so the unseen collection
stays unseen), translates each question into the other language with the
product's translate-test (qa.answer.translate.translate_question, the packaged
model) and prints, per direction:

- `usable`: the share of translations the product keeps (a garbled one, in the
  wrong language or answering instead of translating, is dropped);
- `word recall`: the share of the human translation's content words (the
  product's stemming, qa.answer.support.content_words) that the model's
  translation holds. This is what translate-test is for: BM25 and the checks'
  focus words meet a passage's words only through it. A dropped translation
  counts 0;
- `cosine`: the embedder's similarity of the two as queries (dropped: 0).

    python benchmarks/translation_xquad.py [--n 40] [--seed 7] [--json FILE] [--show]

Figures from one run compare prompts or models; seconds are not reported.
Leaves out: what a translation does to retrieval (benchmarks/evidence_reach.py).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from unseen_collection import ARTICLES, UNANSWERABLE, collection_articles, load_parallel  # noqa: E402

from qa.answer.support import content_words  # noqa: E402
from qa.answer.translate import translate_question  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.models.embedders import build_embedder  # noqa: E402
from qa.models.generator import build_generator  # noqa: E402

DEFAULT_XQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "xquad"


def sample_pairs(xquad: Path, n: int, seed: int) -> list[dict[str, str]]:
    """`n` German/English question pairs from the articles the unseen collection leaves out."""
    articles = load_parallel(xquad)
    used = collection_articles(articles)
    if len(used) != ARTICLES + UNANSWERABLE:
        raise ValueError(f"expected {ARTICLES + UNANSWERABLE} articles in the unseen collection, found {len(used)}")
    pairs = [question.question for article in articles for paragraph in article if paragraph.slug not in used
             for question in paragraph.questions]
    if len(pairs) < n:
        raise ValueError(f"only {len(pairs)} question pairs outside the unseen collection; ask for fewer")
    return random.Random(seed).sample(pairs, n)


def word_recall(translation: str | None, reference: str, language: str) -> float:
    """The share of the reference's content words that the translation holds (0 without a translation)."""
    wanted = content_words(reference, language)
    if not wanted:
        return 1.0
    if not translation:
        return 0.0
    return len(wanted & content_words(translation, language)) / len(wanted)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--xquad", type=Path, default=DEFAULT_XQUAD)
    parser.add_argument("--n", type=int, default=40, help="question pairs (each is translated both ways)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures and every translation here")
    parser.add_argument("--show", action="store_true", help="print every translation")
    args = parser.parse_args(argv)

    config = load_config()
    generator = build_generator(config)
    embedder = build_embedder(config)
    pairs = sample_pairs(args.xquad, args.n, args.seed)
    rows: list[dict[str, object]] = []
    for pair in pairs:
        for source, target in (("en", "de"), ("de", "en")):
            translation = translate_question(generator, pair[source], target)
            rows.append({"direction": f"{source}->{target}", "question": pair[source], "reference": pair[target],
                         "translation": translation,
                         "word_recall": word_recall(translation, pair[target], target)})
            if args.show:
                print(f"{source}->{target} {pair[source]!r}\n   model: {translation!r}\n   human: {pair[target]!r}")
    texts = [str(row["translation"] or "") for row in rows] + [str(row["reference"]) for row in rows]
    vectors = embedder.embed_queries(texts)
    half = len(rows)
    for i, row in enumerate(rows):
        row["cosine"] = float(vectors[i] @ vectors[half + i]) if row["translation"] else 0.0
    summary: dict[str, dict[str, float]] = {}
    print(f"{'direction':<8} {'n':>4} {'usable':>7} {'word recall':>12} {'cosine':>7}")
    for direction in ("en->de", "de->en"):
        part = [row for row in rows if row["direction"] == direction]
        figures = {"n": len(part),
                   "usable": sum(1 for row in part if row["translation"]) / len(part),
                   "word_recall": statistics.mean(float(row["word_recall"]) for row in part),  # type: ignore[arg-type]
                   "cosine": statistics.mean(float(row["cosine"]) for row in part)}  # type: ignore[arg-type]
        summary[direction] = figures
        print(f"{direction:<8} {figures['n']:>4} {figures['usable']:>7.1%} {figures['word_recall']:>12.3f} "
              f"{figures['cosine']:>7.3f}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
