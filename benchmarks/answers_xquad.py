"""End-to-end answer benchmark on XQuAD (German + English): SQuAD exact match and token F1 of pipeline answers.

Every XQuAD paragraph of both languages becomes its own small .txt document in
a temporary seeds folder; the normal pipeline indexes them (the index is
cached in --index-dir, so re-runs are quick) and a fixed, seeded sample of
parallel question ids is asked in German and in English through
`qa.evaluate.run.run_eval`, i.e. the chat path (the run folder with
results.jsonl and report.html is resumable with --out).

Scores per language: SQuAD exact match and token F1 of the answer text
(citation markers stripped, a refusal scores as an empty answer) against all
gold spans, the share of answers that contain a gold span, the refusal rate,
and retrieval hit@1/hit@5 of the gold paragraph (same language) and of the
gold paragraph or its parallel in the other language. The answer prompt is
the configured one: with sentences (the default `answer_style`) exact match is near
zero by design and token F1 and "span contained" are the useful figures; with
`--answer-style short` the model gives only the passage's words that answer
(qa.answer.short, checked like every answer), which SQuAD's exact match and F1 measure.

    python benchmarks/answers_xquad.py [--n 100 | --full] [--answer-style short] [--json FILE] [--out DIR]
    python benchmarks/answers_xquad.py --embedder hashing --generator extractive --n 5   # dry run, seconds

Leaves out: retrieval-only figures over all questions (benchmarks/retrieval_xquad.py).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer.prompts import ANSWER_STYLES  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.evaluate.metrics import first_gold_rank, hit_at  # noqa: E402
from qa.evaluate.questions import Question  # noqa: E402
from qa.evaluate.run import run_eval  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.text.markers import strip_markers  # noqa: E402

DEFAULT_XQUAD = ROOT.parent / "shared" / "datasets" / "xquad"
LANGUAGES = ("de", "en")
ARTICLES = {
    "en": {"a", "an", "the"},
    # German articles in all their inflected forms (MLQA-style normalisation).
    "de": {"der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem", "einen"},
}


def document_id(language: str, paragraph: int) -> str:
    return f"xquad-{language}-{paragraph:03d}.txt"


def load_xquad(folder: Path, language: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Paragraphs as (title, text) and questions as {id, question, answers, paragraph} in file order."""
    data = json.loads((folder / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"]
    paragraphs: list[tuple[str, str]] = []
    questions: list[dict[str, Any]] = []
    for article in data:
        for paragraph in article["paragraphs"]:
            questions += [{"id": qa["id"], "question": qa["question"], "paragraph": len(paragraphs),
                           "answers": [answer["text"] for answer in qa["answers"]]} for qa in paragraph["qas"]]
            paragraphs.append((article["title"].replace("_", " "), paragraph["context"]))
    return paragraphs, questions


def write_seeds(folder: Path, paragraphs: dict[str, list[tuple[str, str]]]) -> None:
    """One document per paragraph, with title and language in sources.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    metadata = []
    for language, items in paragraphs.items():
        for number, (title, text) in enumerate(items):
            name = document_id(language, number)
            (folder / name).write_text(text + "\n", encoding="utf-8")
            # A JSON string is a valid TOML basic string.
            metadata.append(f'["{name}"]\ntitle = {json.dumps(title, ensure_ascii=False)}\nlanguage = "{language}"\n')
    (folder / "sources.toml").write_text("\n".join(metadata), encoding="utf-8")


def normalise_answer(text: str, language: str) -> str:
    """SQuAD normalisation: lowercase, drop punctuation and articles, collapse whitespace."""
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text.lower())
    return " ".join(word for word in text.split() if word not in ARTICLES[language])


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 of two normalised strings."""
    predicted, expected = prediction.split(), gold.split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not predicted or not expected:
        return float(predicted == expected)
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def score_answer(answer: str, golds: Sequence[str], language: str) -> dict[str, float]:
    """Exact match, token F1 (best over the gold spans) and whether a gold span is contained."""
    prediction = normalise_answer(answer, language)
    normalised = [normalise_answer(gold, language) for gold in golds]
    return {
        "exact_match": float(any(prediction == gold for gold in normalised)),
        "f1": max((token_f1(prediction, gold) for gold in normalised), default=0.0),
        "contained": float(any(gold and re.search(rf"(?<!\S){re.escape(gold)}(?!\S)", prediction)
                               for gold in normalised)),
    }


def sample_questions(questions: dict[str, list[dict[str, Any]]], n: int | None, seed: int) -> list[Question]:
    """The same seeded sample of question ids in every language (all when `n` is None)."""
    positions = list(range(len(questions["de"])))
    if n is not None and n < len(positions):
        positions = sorted(random.Random(seed).sample(positions, n))
    sample = []
    for language in LANGUAGES:
        other = "en" if language == "de" else "de"
        for position in positions:
            item = questions[language][position]
            sources = (document_id(language, item["paragraph"]), document_id(other, item["paragraph"]))
            sample.append(Question(id=f"{language}-{item['id']}", question=item["question"], language=language,
                                   answerable=True, sources=sources, facts=(tuple(item["answers"]),),
                                   tags=("xquad", language)))
    return sample


def figures(records: Sequence[dict[str, Any]]) -> dict[str, float | int | None]:
    """The benchmark's figures for one group of run records."""
    scores = [score_answer("" if r["refused"] else strip_markers(r["answer"]), r["facts"][0], r["question_language"])
              for r in records]
    same = [first_gold_rank([h["document_id"] for h in r["retrieved"]], r["gold_sources"][:1]) for r in records]
    either = [first_gold_rank([h["document_id"] for h in r["retrieved"]], r["gold_sources"]) for r in records]

    def mean(values: Sequence[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return {
        "n": len(records),
        "exact_match": mean([s["exact_match"] for s in scores]),
        "f1": mean([s["f1"] for s in scores]),
        "span_contained": mean([s["contained"] for s in scores]),
        "refused": mean([float(r["refused"]) for r in records]),
        "errors": sum(1 for r in records if r.get("error")),
        "hit@1": hit_at(same, 1), "hit@5": hit_at(same, 5),
        "hit@1_either_language": hit_at(either, 1), "hit@5_either_language": hit_at(either, 5),
    }


COLUMNS = (("exact_match", 6), ("f1", 6), ("span_contained", 6), ("refused", 8), ("hit@1", 6), ("hit@5", 6),
           ("hit@5_either_language", 9))


def _cell(value: float | None, width: int) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'–':>{width}}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", type=Path, default=DEFAULT_XQUAD, help="folder with xquad.de.json and xquad.en.json")
    parser.add_argument("--n", type=int, default=100, help="questions per language (default 100)")
    parser.add_argument("--full", action="store_true", help="ask all 1,190 questions per language")
    parser.add_argument("--seed", type=int, default=0, help="seed of the question sample")
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".cache" / "xquad-index",
                        help="where the XQuAD index is cached (one subfolder per embedder)")
    parser.add_argument("--out", type=Path, help="run folder (default runs/xquad-<timestamp>); reuse it to resume")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--embedder", help="override the configured embedder (hashing for a dry run)")
    parser.add_argument("--generator", help="override the configured generator (extractive for a dry run)")
    parser.add_argument("--min-dense-score", type=float,
                        help="override the evidence gate (the configured value is calibrated for e5)")
    parser.add_argument("--answer-style", choices=ANSWER_STYLES,
                        help="override the configured answer style (short: only the passage's words that answer)")
    args = parser.parse_args(argv)

    config = load_config(ROOT, overrides={"embedder": args.embedder, "generator": args.generator,
                                          "min_dense_score": args.min_dense_score,
                                          "answer_style": args.answer_style})
    paragraphs, questions = {}, {}
    for language in LANGUAGES:
        paragraphs[language], questions[language] = load_xquad(args.xquad, language)
    sample = sample_questions(questions, None if args.full else args.n, args.seed)
    out_dir = args.out or ROOT / "runs" / f"xquad-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    with tempfile.TemporaryDirectory(prefix="xquad-seeds-") as seeds:
        write_seeds(Path(seeds), paragraphs)
        config = config.replace(seeds_dir=seeds, index_dir=args.index_dir / config.embedder)
        pipeline = Pipeline(config)
        report = pipeline.ensure_index()
        if report is not None:
            print(f"indexed {report.documents} paragraphs ({report.chunks} chunks) in {report.seconds:.1f} s",
                  file=sys.stderr)
        summary = run_eval(pipeline, sample, out_dir)

    records = [json.loads(line) for line in (out_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    wanted = {question.id for question in sample}
    records = [record for record in records if record["id"] in wanted]
    result: dict[str, Any] = {language: figures([r for r in records if r["question_language"] == language])
                              for language in LANGUAGES}
    result["overall"] = figures(records)
    overall = summary["overall"]
    print(f"\nmodel: {summary['model']}; questions per language: {len(sample) // 2}; run: {out_dir}")
    print(f"answer style: {config.answer_style}"
          + ("; exact match is expected to be low" if config.answer_style == "sentences" else ""))
    print(f"{'group':8} {'n':>5} {'EM':>6} {'F1':>6} {'span':>6} {'refused':>8} {'hit@1':>6} {'hit@5':>6} "
          f"{'hit@5 any':>9}")  # "any": the gold paragraph or its parallel in the other language
    for group in (*LANGUAGES, "overall"):
        cells = [_cell(result[group].get(key), width) for key, width in COLUMNS]
        print(f"{group:8} {result[group]['n']:5d} " + " ".join(cells))
    latency = {key: overall[key] for key in ("first_token_p50", "first_token_p95", "total_p50", "total_p95")}
    print("latency (s): " + ", ".join(f"{k} {v:.2f}" for k, v in latency.items() if v is not None))
    if args.json:
        result.update(latency=latency, model=summary["model"], sample={"n": len(sample) // 2, "seed": args.seed,
                      "full": args.full}, run=str(out_dir), answer_style=config.answer_style)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
