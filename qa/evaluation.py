"""Batch evaluation (`qa eval`): a question set run through the chat path, scored and summarised.

`run_eval` asks every question through `Pipeline.answer`, the very path of the
chat, appends one result line per question to `results.jsonl` as soon as it is
done (so an interrupted run resumes where it stopped), and writes
`summary.json` and `report.html`. Leaves out: loading and validating the
question set (qa.questions), fact matching and the metrics (qa.metrics),
rendering tables and the HTML report (qa.report) and registering the command
(qa.cli). The names of qa.questions and qa.metrics are re-exported here, so
`from qa.evaluation import ...` keeps working for them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.citations import strip_markers
from qa.config import Config
from qa.errors import QAError
from qa.language import detect_language
from qa.metrics import (
    GROUPS,
    citation_validity,
    cited_passage_relevant,
    compute_metrics,
    fact_hits,
    first_gold_rank,
    group_metrics,
    hit_at,
    is_cross_lingual,
    mean_reciprocal_rank,
    normalise,
    percentile,
    score_record,
    share,
    tokens_per_second,
)
from qa.questions import Question, load_questions, parse_question
from qa.types import Answer, Document

if TYPE_CHECKING:
    from qa.pipeline import Pipeline

__all__ = [
    # defined here
    "add_eval_arguments", "build_summary", "error_record", "read_results", "result_record", "run_eval",
    "run_eval_command",
    # re-exported from qa.questions and qa.metrics (earlier users import them from here)
    "GROUPS", "Question", "citation_validity", "cited_passage_relevant", "compute_metrics", "fact_hits",
    "first_gold_rank", "group_metrics", "hit_at", "is_cross_lingual", "load_questions", "mean_reciprocal_rank",
    "normalise", "parse_question", "percentile", "score_record", "share", "tokens_per_second",
]


# ---------------------------------------------------------------------------- running

def result_record(question: Question, answer: Answer, documents: Mapping[str, Document]) -> dict[str, Any]:
    """The results.jsonl line for one answered (or refused) question."""
    text = "" if answer.refused else strip_markers(answer.text)
    timings = {name: round(seconds, 4) for name, seconds in asdict(answer.timings).items()}
    return score_record({
        "language": answer.language, "answer": answer.text, "refused": answer.refused,
        "refusal_reason": answer.refusal_reason, "standalone_question": answer.standalone_question,
        "citations": [{"n": c.number, "document_id": c.passage.chunk.document_id, "chunk_id": c.passage.chunk.id,
                       "title": c.passage.title, "text": c.passage.text, "sentence": c.sentence,
                       "supported": c.supported, "support": c.support} for c in answer.citations],
        "retrieved": [{"rank": h.rank, "document_id": h.chunk.document_id, "chunk_id": h.chunk.id,
                       "score": round(h.score, 5), "dense_score": h.dense_score, "text": h.chunk.text}
                      for h in answer.hits],
        "timings": timings, "support_flags": [s.supported for s in answer.sentences],
        "support_score": answer.support_score, "invalid_citations": answer.invalid_citations,
        "prompt_tokens": answer.prompt_tokens, "completion_tokens": answer.completion_tokens,
        "tokens_per_s": tokens_per_second(answer.completion_tokens, answer.timings.generation_s),
        "answer_language_ok": None if answer.refused else detect_language(text, default="") == question.language,
    }, question, documents)


def error_record(question: Question, error: QAError, documents: Mapping[str, Document]) -> dict[str, Any]:
    """The results.jsonl line for a question whose answer raised; it counts as wrong."""
    return score_record({
        "error": str(error), "language": question.language,
        "answer": "", "refused": False, "refusal_reason": "", "standalone_question": question.question,
        "citations": [], "retrieved": [],
        "timings": {"retrieval_s": 0.0, "first_token_s": 0.0, "generation_s": 0.0, "total_s": 0.0},
        "support_flags": [], "support_score": 0.0, "invalid_citations": 0, "prompt_tokens": 0,
        "completion_tokens": 0, "tokens_per_s": None, "answer_language_ok": None}, question, documents)


def read_results(path: Path) -> list[dict[str, Any]]:
    """The records of a results.jsonl; a line cut short by an interrupted run is skipped."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # its question has no result and is asked again
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            records.append(record)
    return records


def _write_lines(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    os.replace(temporary, path)


def run_eval(pipeline: Pipeline, questions: Sequence[Question], out_dir: Path, resume: bool = True,
             progress: bool = True, question_file: Path | None = None) -> dict[str, Any]:
    """Answer every question through `pipeline.answer`, score it and write the run to `out_dir`.

    Args:
        pipeline: the pipeline with a built index (see `Pipeline.ensure_index`).
        questions: the question set (see `load_questions`).
        out_dir: gets results.jsonl, summary.json and report.html.
        resume: keep results already in out_dir/results.jsonl for the same id and question
            text (failed ones are asked again); False starts afresh.
        progress: show a tqdm bar with a running tally on stderr.
        question_file: recorded with its sha256 in the summary.
    Returns:
        The summary (also written to summary.json).
    """
    from tqdm import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.jsonl"
    documents = pipeline.index.documents
    wanted = {question.id: question for question in questions}
    done: dict[str, dict[str, Any]] = {}
    kept: list[dict[str, Any]] = []
    for record in read_results(results_path) if resume else []:
        question = wanted.get(record["id"])
        if question is None:
            kept.append(record)  # from a larger run (e.g. without --limit): keep it for later
        elif record.get("question") == question.question and not record.get("error"):
            done[record["id"]] = score_record(record, question, documents)
            kept.append(done[record["id"]])
    _write_lines(results_path, kept)  # drops a cut-off last line and results that are asked again
    resumed = len(done)
    todo = [question for question in questions if question.id not in done]
    with open(results_path, "a", encoding="utf-8") as out, \
            tqdm(total=len(questions), initial=resumed, desc="Evaluating", unit="question", file=sys.stderr,
                 disable=not progress) as bar:
        for question in todo:
            try:
                answer = pipeline.answer(question.question, history=question.history)
                record = result_record(question, answer, documents)
            except QAError as error:
                record = error_record(question, error, documents)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            done[question.id] = record
            bar.update(1)
            finished = list(done.values())
            bar.set_postfix(correct=sum(r["correct"] for r in finished), refused=sum(r["refused"] for r in finished),
                            errors=sum(1 for r in finished if r.get("error")))
    records = [done[question.id] for question in questions]
    summary = build_summary(pipeline, records, question_file, resumed)
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    from qa.report import write_report  # qa.report imports this module; importing it here avoids a cycle

    write_report(out_dir, summary, records)
    return summary


def build_summary(pipeline: Pipeline, records: Sequence[Mapping[str, Any]], question_file: Path | None = None,
                  resumed: int = 0) -> dict[str, Any]:
    """Metrics per group plus what is needed to reproduce the run (config, models, question file)."""
    config: Config = pipeline.config
    try:
        generator_name = pipeline.generator.name
    except QAError:  # the model is missing: every answer failed already, the summary still gets written
        generator_name = config.generator
    documents = pipeline.index.documents
    missing = sorted({s for r in records for s in r["gold_sources"] if s not in documents})
    return {
        **group_metrics(records),
        "counts": {"questions": len(records), "resumed": resumed,
                   "answered": sum(not r["refused"] and not r.get("error") for r in records),
                   "refused": sum(bool(r["refused"]) for r in records),
                   "errors": sum(1 for r in records if r.get("error"))},
        "config": {key: str(value) for key, value in asdict(config).items()},
        "model": {"generator": config.generator, "generator_name": generator_name,
                  "model_path": config.model_path or ("(packaged default)" if config.generator == "llama" else ""),
                  "embedder": pipeline.embedder.id},
        "questions_file": str(question_file) if question_file else None,
        "questions_sha256": hashlib.sha256(Path(question_file).read_bytes()).hexdigest() if question_file else None,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "warnings": [f"gold source {source} is not in the index" for source in missing],
    }


# ---------------------------------------------------------------------------- command line

def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags of `qa eval` to `parser`."""
    parser.add_argument("questions", nargs="?", type=Path, help="question set, JSON Lines (e.g. eval/questions.jsonl)")
    parser.add_argument("--out", type=Path, help="output folder (default runs/<timestamp>); a run there is resumed")
    parser.add_argument("--no-resume", action="store_true", help="ignore earlier results in --out and start afresh")
    parser.add_argument("--limit", type=int, help="ask only the first N valid questions")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"),
                        help="compare two run folders instead of running")


def run_eval_command(args: argparse.Namespace, config: Config) -> int:
    """`qa eval`: run the question set (or compare two runs) and print the summary table."""
    from qa.pipeline import Pipeline
    from qa.report import compare, format_summary

    if args.compare:
        print(compare(*args.compare))
        return 0
    if args.questions is None:
        print("error: give a question file, e.g. `qa eval eval/questions.jsonl`, or --compare OLD NEW",
              file=sys.stderr)
        return 2
    questions, problems = load_questions(args.questions)
    for problem in problems:
        print(f"warning: {args.questions}: {problem} (skipped)", file=sys.stderr)
    if not questions:
        print(f"error: {args.questions} holds no valid question", file=sys.stderr)
        return 2
    questions = questions[: args.limit] if args.limit else questions
    out_dir = args.out or Path("runs") / datetime.now().strftime("%Y%m%d-%H%M%S")
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    try:
        summary = run_eval(pipeline, questions, out_dir, resume=not args.no_resume, question_file=args.questions)
    except KeyboardInterrupt:
        print(f"interrupted; continue with: qa eval {args.questions} --out {out_dir}", file=sys.stderr)
        return 130
    print(format_summary(summary))
    for warning in summary["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"\nWrote {out_dir / 'results.jsonl'}, {out_dir / 'summary.json'} and {out_dir / 'report.html'}")
    return 0
