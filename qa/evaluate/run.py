"""Batch evaluation (`qa eval`): a question set run through the chat path, scored and summarised.

`run_eval` asks every question through `Pipeline.answer`, the very path of the
chat, appends one result line per question to `results.jsonl` as soon as it is
done (so an interrupted run resumes where it stopped), and writes
`summary.json` and `report.html`. Leaves out: loading and validating the
question set (qa.evaluate.questions), the record and its file I/O
(qa.evaluate.records), fact matching and the metrics (qa.evaluate.metrics),
rendering tables and the HTML report (qa.evaluate.report) and the command
line (qa.evaluate.command).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.config import Config
from qa.errors import QAError
from qa.evaluate.metrics import group_metrics, score_record, tokens_per_second
from qa.evaluate.questions import Question
from qa.evaluate.records import ResultRecord, read_results, result_line, write_results
from qa.evaluate.report import write_report
from qa.text.language import detect_language
from qa.text.markers import strip_markers
from qa.types import Answer, Document

if TYPE_CHECKING:
    from qa.pipeline import Pipeline


def result_record(question: Question, answer: Answer, documents: Mapping[str, Document]) -> ResultRecord:
    """The result for one answered (or refused) question, judged against `question`."""
    text = "" if answer.refused else strip_markers(answer.text)
    return score_record(ResultRecord(
        language=answer.language, answer=answer.text, refused=answer.refused,
        refusal_reason=answer.refusal_reason, standalone_question=answer.standalone_question,
        citations=[{"n": c.number, "document_id": c.passage.chunk.document_id, "chunk_id": c.passage.chunk.id,
                    "title": c.passage.title, "text": c.passage.text, "sentence": c.sentence,
                    "supported": c.supported, "support": c.support} for c in answer.citations],
        retrieved=[{"rank": h.rank, "document_id": h.chunk.document_id, "chunk_id": h.chunk.id,
                    "score": round(h.score, 5), "dense_score": h.dense_score, "text": h.chunk.text}
                   for h in answer.hits],
        timings={name: round(seconds, 4) for name, seconds in asdict(answer.timings).items()},
        support_flags=[s.supported for s in answer.sentences],
        support_score=answer.support_score, invalid_citations=answer.invalid_citations,
        prompt_tokens=answer.prompt_tokens, completion_tokens=answer.completion_tokens,
        tokens_per_s=tokens_per_second(answer.completion_tokens, answer.timings.generation_s),
        answer_language_ok=None if answer.refused else detect_language(text, default="") == question.language,
        draft=answer.draft, extractive=answer.extractive, prompt_passages=[p.text for p in answer.passages],
        translations=list(answer.translations), answered_in=answer.answered_in, untranslated=answer.untranslated,
        redrafted=answer.redrafted,
    ), question, documents)


def error_record(question: Question, error: QAError, documents: Mapping[str, Document]) -> ResultRecord:
    """The result for a question whose answer raised; it counts as wrong."""
    return score_record(ResultRecord(
        error=str(error), language=question.language, standalone_question=question.question,
        timings={"retrieval_s": 0.0, "first_token_s": 0.0, "generation_s": 0.0, "total_s": 0.0},
    ), question, documents)


def _answer_one(pipeline: Pipeline, question: Question, documents: Mapping[str, Document]) -> ResultRecord:
    """The scored result of one question (an error record when answering raised)."""
    try:
        answer = pipeline.answer(question.question, history=question.history)
        return result_record(question, answer, documents)
    except QAError as error:
        return error_record(question, error, documents)


def _answer_all(pipeline: Pipeline, questions: Sequence[Question], documents: Mapping[str, Document],
                workers: int) -> Iterator[tuple[Question, ResultRecord]]:
    """Yield (question, result) as each is done: in order with one worker, as they finish with several.

    Each question is answered on its own (its history comes from the question
    file), so the answers do not depend on the order or on which questions run
    at the same time; with N model servers N answers are generated at once.
    """
    if workers <= 1:
        for question in questions:
            yield question, _answer_one(pipeline, question, documents)
        return
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qa-eval")
    try:
        futures = {executor.submit(_answer_one, pipeline, question, documents): question for question in questions}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def run_eval(pipeline: Pipeline, questions: Sequence[Question], out_dir: Path, resume: bool = True,
             progress: bool = True, question_file: Path | None = None, workers: int = 1) -> dict[str, Any]:
    """Answer every question through `pipeline.answer`, score it and write the run to `out_dir`.

    Args:
        pipeline: the pipeline with a built index (see `Pipeline.ensure_index`).
        questions: the question set (see `load_questions`).
        out_dir: gets results.jsonl, summary.json and report.html.
        resume: keep results already in out_dir/results.jsonl for the same id and question
            text (failed ones are asked again); False starts afresh.
        progress: show a tqdm bar with a running tally on stderr.
        question_file: recorded with its sha256 in the summary.
        workers: questions answered at once (useful with several model servers); the written
            results are the same as a serial run's, apart from timings, and in the same order.
    Returns:
        The summary (also written to summary.json).
    """
    from tqdm import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "results.jsonl"
    documents = pipeline.index.documents
    wanted = {question.id: question for question in questions}
    done: dict[str, ResultRecord] = {}
    kept: list[ResultRecord] = []
    for record in read_results(results_path) if resume else []:
        question = wanted.get(record.id)
        if question is None:
            kept.append(record)  # from a larger run (e.g. without --limit): keep it for later
        elif record.question == question.question and not record.error:
            done[record.id] = score_record(record, question, documents)
            kept.append(done[record.id])
    write_results(results_path, kept)  # drops a cut-off last line and results that are asked again
    resumed = len(done)
    todo = [question for question in questions if question.id not in done]
    with open(results_path, "a", encoding="utf-8") as out, \
            tqdm(total=len(questions), initial=resumed, desc="Evaluating", unit="question", file=sys.stderr,
                 disable=not progress) as bar:
        for question, record in _answer_all(pipeline, todo, documents, workers):
            out.write(result_line(record))
            out.flush()
            done[question.id] = record
            bar.update(1)
            finished = list(done.values())
            bar.set_postfix(correct=sum(r.correct for r in finished), refused=sum(r.refused for r in finished),
                            errors=sum(1 for r in finished if r.error))
    # Parallel answers arrive in any order: the file is rewritten in the order of the question set.
    write_results(results_path, kept + [done[question.id] for question in todo])
    records = [done[question.id] for question in questions]
    summary = build_summary(pipeline, records, question_file, resumed)
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    write_report(out_dir, summary, records)
    return summary


def build_summary(pipeline: Pipeline, records: Sequence[ResultRecord], question_file: Path | None = None,
                  resumed: int = 0) -> dict[str, Any]:
    """Metrics per group plus what is needed to reproduce the run (config, models, question file)."""
    config: Config = pipeline.config
    try:
        generator_name = pipeline.generator.name
    except QAError:  # the model is missing: every answer failed already, the summary still gets written
        generator_name = config.generator
    documents = pipeline.index.documents
    missing = sorted({s for r in records for s in r.gold_sources if s not in documents})
    return {
        **group_metrics(records),
        "counts": {"questions": len(records), "resumed": resumed,
                   "answered": sum(not r.refused and not r.error for r in records),
                   "refused": sum(bool(r.refused) for r in records),
                   "errors": sum(1 for r in records if r.error)},
        "config": {key: str(value) for key, value in asdict(config).items()},
        "model": {"generator": config.generator, "generator_name": generator_name,
                  "model_path": config.model_path or ("(packaged default)" if config.generator == "llama" else ""),
                  "embedder": pipeline.embedder.id},
        "questions_file": str(question_file) if question_file else None,
        "questions_sha256": hashlib.sha256(Path(question_file).read_bytes()).hexdigest() if question_file else None,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "warnings": [f"gold source {source} is not in the index" for source in missing],
    }
