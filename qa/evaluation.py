"""Batch evaluation (`qa eval`): a question set run through the chat path, scored and summarised.

`load_questions` parses a JSON Lines question set; broken lines are reported
with their number and skipped. `run_eval` asks every question through
`Pipeline.answer`, the very path of the chat, appends one result line per
question to `results.jsonl` as soon as it is done (so an interrupted run
resumes where it stopped), and writes `summary.json` and `report.html`.
Facts are matched after normalising case, Unicode, whitespace, thousands
separators and decimal commas; every metric is a small function on plain
values. Leaves out: rendering tables and the HTML report (qa.report) and
registering the command (qa.cli).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.citations import strip_markers
from qa.config import Config
from qa.errors import QAError
from qa.language import SUPPORTED, detect_language
from qa.types import Answer, Document, Message

if TYPE_CHECKING:
    from qa.pipeline import Pipeline

GROUPS = ("overall", "de", "en", "cross_lingual", "same_language")


@dataclass(frozen=True)
class Question:
    """One question of the set.

    `facts` lists the required facts, each as acceptable alternatives; an
    answerable question without facts counts as correct whenever it is answered.
    `language` is the "lang" of the line, or detected from the question.
    """

    id: str
    question: str
    language: str
    answerable: bool
    sources: tuple[str, ...] = ()
    facts: tuple[tuple[str, ...], ...] = ()
    history: tuple[Message, ...] = ()
    reference: str = ""
    tags: tuple[str, ...] = ()


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def parse_question(item: Any) -> Question:
    """Validate one decoded JSON line; raises ValueError with a readable reason."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    for key, kind in (("id", str), ("question", str), ("answerable", bool), ("sources", list), ("facts", list)):
        if key not in item:
            raise ValueError(f"missing key {key!r}")
        if not isinstance(item[key], kind):
            raise ValueError(f"key {key!r} must be {kind.__name__}, not {type(item[key]).__name__}")
    if not item["id"].strip() or not item["question"].strip():
        raise ValueError("empty 'id' or 'question'")
    if not _string_list(item["sources"]):
        raise ValueError("'sources' must be a list of document ids")
    if not all(_string_list(fact) and fact and all(a.strip() for a in fact) for fact in item["facts"]):
        raise ValueError("'facts' must be a list of non-empty lists of strings")
    language = item.get("lang")
    if language is not None and language not in SUPPORTED:
        raise ValueError(f"'lang' must be one of {', '.join(SUPPORTED)}")
    history = item.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(turn, dict) and turn.get("role") in ("user", "assistant") and isinstance(turn.get("content"), str)
        for turn in history
    ):
        raise ValueError("'history' must be a list of {\"role\": \"user\"|\"assistant\", \"content\": str}")
    if not isinstance(item.get("answer", ""), str) or not _string_list(item.get("tags", [])):
        raise ValueError("'answer' must be a string and 'tags' a list of strings")
    return Question(
        id=item["id"], question=item["question"], language=language or detect_language(item["question"]),
        answerable=item["answerable"], sources=tuple(item["sources"]),
        facts=tuple(tuple(fact) for fact in item["facts"]),
        history=tuple(Message(turn["role"], turn["content"]) for turn in history),
        reference=item.get("answer", ""), tags=tuple(item.get("tags", [])),
    )


def load_questions(path: Path) -> tuple[list[Question], list[str]]:
    """Read a JSON Lines question set.

    Returns the valid questions in file order and the problems found, e.g.
    "line 7: missing key 'question'"; blank lines are ignored.
    Raises:
        QAError: the file cannot be read.
    """
    try:
        raw_lines = Path(path).read_bytes().splitlines()
    except OSError as error:
        raise QAError(f"Cannot read the question file {path}: {error.strerror or error}.",
                      hint="Pass a JSON Lines file, e.g. eval/questions.jsonl.") from error
    questions: list[Question] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(raw_lines, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            if not line.strip():
                continue
            question = parse_question(json.loads(line))
        except UnicodeDecodeError:
            problems.append(f"line {number}: not valid UTF-8")
            continue
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: invalid JSON ({error.msg} at column {error.colno})")
            continue
        except ValueError as error:
            problems.append(f"line {number}: {error}")
            continue
        if question.id in first_line:
            problems.append(f"line {number}: duplicate id {question.id!r} (first on line {first_line[question.id]})")
            continue
        first_line[question.id] = number
        questions.append(question)
    return questions, problems


# ---------------------------------------------------------------------------- fact matching

_CHAR_MAP = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                           "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-", "\u00ad": None})
# 1-3 digits, then groups of exactly three after one repeated separator ("1 352", "1.352.000");
# not inside a longer number, so "2023 1 352" only joins "1 352".
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}([ .,])\d{3}(?:\1\d{3})*(?!\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def normalise(text: str) -> str:
    """Text for fact matching: NFKC, casefolded, quotes/dashes unified, whitespace collapsed,
    thousands separators dropped ("1.352" -> "1352") and decimal commas made points ("3,6" -> "3.6")."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_MAP)
    text = " ".join(text.split())
    text = _THOUSANDS.sub(lambda match: re.sub(r"[ .,]", "", match.group()), text)
    return _DECIMAL_COMMA.sub(".", text)


def _alternative_pattern(alternative: str) -> re.Pattern[str]:
    body = normalise(alternative)
    # Numbers match whole ("1949" not in "19490" or "1949.5"). Words may sit inside longer
    # words (German compounds: "Flugabwehr" in "Flugabwehrsysteme"), except short ones
    # such as "EU" or "USA", which would otherwise match almost anywhere.
    short = len(body) <= 3
    before = r"(?<!\d)(?<!\d[.,])" if body[:1].isdigit() else (r"(?<!\w)" if short and body[:1].isalnum() else "")
    after = r"(?!\d)(?![.,]\d)" if body[-1:].isdigit() else (r"(?!\w)" if short and body[-1:].isalnum() else "")
    return re.compile(before + re.escape(body) + after)


def fact_hits(text: str, facts: Sequence[Sequence[str]]) -> list[bool]:
    """Per fact, whether `text` (citation markers removed) contains one of its alternatives."""
    normalised = normalise(strip_markers(text))
    return [any(_alternative_pattern(a).search(normalised) for a in fact if a.strip()) for fact in facts]


# ---------------------------------------------------------------------------- metrics on plain values

def share(flags: Iterable[bool | None]) -> float | None:
    """Share of true values, ignoring None; None when there is nothing to count."""
    values = [bool(flag) for flag in flags if flag is not None]
    return sum(values) / len(values) if values else None


def first_gold_rank(retrieved_documents: Sequence[str], gold_sources: Collection[str]) -> int | None:
    """1-based rank of the first retrieved passage from a gold document, None when none was retrieved."""
    return next((rank for rank, doc in enumerate(retrieved_documents, 1) if doc in gold_sources), None)


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose first gold rank is at most `k`."""
    return share(rank is not None and rank <= k for rank in ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank (0 for a miss) over the questions."""
    return sum(1 / rank for rank in ranks if rank) / len(ranks) if ranks else None


def citation_validity(valid: Sequence[int], invalid: Sequence[int]) -> float | None:
    """Valid markers over all markers, summed over answers; None without any marker."""
    total = sum(valid) + sum(invalid)
    return sum(valid) / total if total else None


def cited_passage_relevant(document_id: str, text: str, gold_sources: Collection[str],
                           facts: Sequence[Sequence[str]]) -> bool:
    """A cited passage counts as relevant when it is from a gold document or holds a gold fact."""
    return document_id in gold_sources or any(fact_hits(text, facts))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), None for no values."""
    return float(np.percentile(values, q)) if len(values) else None


def tokens_per_second(completion_tokens: int, generation_s: float) -> float | None:
    """Generation speed, None when the generator reported no tokens or no time."""
    return completion_tokens / generation_s if completion_tokens > 0 and generation_s > 0 else None


def compute_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """All metrics of a set of result records (the lines of results.jsonl); None where undefined."""
    answerable = [r for r in records if r["answerable"]]
    answered = [r for r in records if not r["refused"] and not r.get("error")]
    answered_answerable = [r for r in answered if r["answerable"]]
    ranks = [first_gold_rank([h["document_id"] for h in r["retrieved"]], r["gold_sources"])
             for r in answerable if r["gold_sources"]]
    timed = [r["timings"] for r in records if not r.get("error")]
    first_tokens = [t["first_token_s"] for t in timed if t["first_token_s"] > 0]  # 0: refused before generation
    speeds = [r["tokens_per_s"] for r in records if r.get("tokens_per_s")]

    def unique_citations(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        return list({c["n"]: c for c in record["citations"]}.values())

    return {
        "n": len(records), "n_answerable": len(answerable), "n_unanswerable": len(records) - len(answerable),
        "n_answered": len(answered), "n_errors": sum(1 for r in records if r.get("error")),
        "answer_correct": share(r["correct"] for r in answerable),
        "facts_found": share(hit for r in answerable for hit in r["fact_hits"]),
        "hit@1": hit_at(ranks, 1), "hit@5": hit_at(ranks, 5), "mrr": mean_reciprocal_rank(ranks),
        "citation_validity": citation_validity([len(r["citations"]) for r in answered],
                                               [r["invalid_citations"] for r in answered]),
        "citation_precision": share(cited_passage_relevant(c["document_id"], c["text"], r["gold_sources"], r["facts"])
                                    for r in answered_answerable for c in unique_citations(r)),
        "citation_recall": share(any(c["document_id"] in r["gold_sources"] for c in r["citations"])
                                 for r in answered_answerable if r["gold_sources"]),
        "supported_sentences": share(flag for r in answered for flag in r["support_flags"]),
        "refusal_correct": share(r["refused"] for r in records if not r["answerable"]),
        "false_refusal": share(r["refused"] for r in answerable),
        "language_ok": share(r["answer_language_ok"] for r in answered),
        "first_token_p50": percentile(first_tokens, 50), "first_token_p95": percentile(first_tokens, 95),
        "total_p50": percentile([t["total_s"] for t in timed], 50),
        "total_p95": percentile([t["total_s"] for t in timed], 95),
        "tokens_per_s": sum(speeds) / len(speeds) if speeds else None,
    }


def group_metrics(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Metrics overall, per question language and, over answerable questions with known
    gold sources, for cross-lingual versus same-language questions."""
    with_sources = [r for r in records if r["answerable"] and r["gold_sources"]]
    return {
        "overall": compute_metrics(records),
        "de": compute_metrics([r for r in records if r["question_language"] == "de"]),
        "en": compute_metrics([r for r in records if r["question_language"] == "en"]),
        "cross_lingual": compute_metrics([r for r in with_sources if r["cross_lingual"]]),
        "same_language": compute_metrics([r for r in with_sources if not r["cross_lingual"]]),
    }


# ---------------------------------------------------------------------------- running

def is_cross_lingual(question_language: str, sources: Sequence[str], documents: Mapping[str, Document]) -> bool:
    """True when the question's language differs from the language of every known gold document."""
    languages = [documents[source].language for source in sources if source in documents]
    return bool(languages) and all(language != question_language for language in languages)


def _base_record(question: Question, documents: Mapping[str, Document]) -> dict[str, Any]:
    return {"id": question.id, "question": question.question, "question_language": question.language,
            "answerable": question.answerable, "gold_sources": list(question.sources),
            "facts": [list(fact) for fact in question.facts], "reference_answer": question.reference,
            "cross_lingual": is_cross_lingual(question.language, question.sources, documents),
            "tags": list(question.tags)}


def score_record(record: Mapping[str, Any], question: Question, documents: Mapping[str, Document]) -> dict[str, Any]:
    """`record` with its gold data and verdict taken from `question`, so that a resumed
    result is judged by the current question file (a fixed fact counts at once)."""
    failed = bool(record.get("error"))
    text = "" if record["refused"] or failed else strip_markers(record["answer"])
    hits = fact_hits(text, question.facts)
    # An error is always wrong; for an unanswerable question the correct outcome is a refusal.
    correct = not failed and ((not record["refused"] and all(hits)) if question.answerable else record["refused"])
    return {**record, **_base_record(question, documents), "fact_hits": hits, "correct": correct}


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
        generator_name = getattr(pipeline.generator, "name", config.generator)
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
