"""Rendering of evaluation runs: the summary table and a self-contained HTML report.

`format_summary` prints the metrics per group as a text table; `write_report`
writes report.html with matplotlib plots embedded as base64 PNG and every
failing question with its evidence, every piece of text passed through
html.escape (documents and model output may contain markup). Leaves out:
computing the metrics (qa.evaluate.metrics), running the questions
(qa.evaluate.run) and comparing two runs (qa.evaluate.compare).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qa.evaluate.metrics import GROUPS
from qa.evaluate.records import ResultRecord

# (summary key, label, kind): a "rate" prints as a percentage, a "score" (0..1) with three decimals.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("n", "questions", "number"),
    ("answer_correct", "answer correct", "rate"),
    ("wrong_answered", "answered but wrong", "rate"),
    ("facts_found", "facts found", "rate"),
    ("facts_in_prompt", "gold facts in the prompt", "rate"),
    ("extractive", "quoted answers (of answered)", "rate"),
    ("redrafted", "second drafts (of answered)", "rate"),
    ("refusal_correct", "correct refusals (unanswerable)", "rate"),
    ("false_refusal", "false refusals (answerable)", "rate"),
    ("hit@1", "retrieval hit@1", "rate"),
    ("hit@5", "retrieval hit@5", "rate"),
    ("mrr", "retrieval MRR", "score"),
    ("citation_validity", "citation validity", "rate"),
    ("citation_precision", "citation precision", "rate"),
    ("citation_recall", "citation recall", "rate"),
    ("supported_sentences", "supported sentences", "rate"),
    ("language_ok", "answer in question language", "rate"),
    ("first_token_p50", "first token p50", "seconds"),
    ("first_token_p95", "first token p95", "seconds"),
    ("first_checked_p50", "first checked sentence p50", "seconds"),
    ("total_p50", "total time p50", "seconds"),
    ("total_p95", "total time p95", "seconds"),
    ("tokens_per_s", "tokens per second", "number"),
    ("prompt_tokens_p50", "prompt tokens p50", "number"),
)
_RATE_KEYS = [key for key, _, kind in METRICS if kind in ("rate", "score")]


def format_value(value: Any, kind: str) -> str:
    """A metric value for display; "–" when it is undefined (no question to count)."""
    if value is None:
        return "–"
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    if kind == "seconds":
        return f"{value:.2f} s"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def summary_rows(summary: Mapping[str, Any]) -> list[list[str]]:
    """The summary table as rows of strings: a header, then one row per metric."""
    rows = [["metric", *GROUPS]]
    for key, label, kind in METRICS:
        rows.append([label, *(format_value(summary.get(group, {}).get(key), kind) for group in GROUPS)])
    return rows


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Rows of strings as an aligned text table: the first column left-aligned, a rule under the header."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                       for column, (cell, width) in enumerate(zip(row, widths, strict=True))) for row in rows]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def format_summary(summary: Mapping[str, Any]) -> str:
    """The metrics of a run as a readable text table (groups as columns)."""
    model = summary.get("model", {})
    head = f"generator {model.get('generator_name', '?')}, embedder {model.get('embedder', '?')}"
    groups = summary.get("paraphrase_groups") or {}
    tail = ""
    if groups.get("n"):
        tail = (f"\nparaphrase groups: {groups['n']}, all phrasings correct "
                f"{format_value(groups.get('all_correct'), 'rate')}, "
                f"judged alike {format_value(groups.get('consistent'), 'rate')}")
    return f"{head}\n{text_table(summary_rows(summary))}{tail}"


# ---------------------------------------------------------------------------- HTML report

def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode("ascii")}">'


def _plots(summary: Mapping[str, Any], records: Sequence[ResultRecord]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    import matplotlib.pyplot as plt

    images = []
    figure, axes = plt.subplots(figsize=(11, 4))
    width = 0.27
    for offset, group in enumerate(("overall", "de", "en")):
        # An undefined metric (no question of that kind) is left out, not drawn as zero.
        values = [summary.get(group, {}).get(key) for key in _RATE_KEYS]
        values = [float("nan") if value is None else value for value in values]
        axes.bar([i + (offset - 1) * width for i in range(len(_RATE_KEYS))], values, width, label=group)
    axes.set_xticks(range(len(_RATE_KEYS)), _RATE_KEYS, rotation=35, ha="right")
    axes.set_ylim(0, 1)
    axes.set_title("Metrics by question language")
    axes.legend()
    images.append(_png(figure))
    plt.close(figure)
    timed = [r.timings for r in records if not r.error]
    figure, axes = plt.subplots(figsize=(8, 3.5))
    totals = [t["total_s"] for t in timed]
    first_tokens = [t["first_token_s"] for t in timed if t["first_token_s"] > 0]
    longest = max(totals, default=0.0)
    bins = [longest * i / 20 for i in range(21)] if longest > 0 else 20  # shared bins keep the bars comparable
    axes.hist(totals, bins=bins, alpha=0.6, label="total")
    axes.hist(first_tokens, bins=bins, alpha=0.6, label="first token")
    axes.set_xlabel("seconds")
    axes.set_ylabel("questions")
    axes.set_title("Latency")
    axes.legend()
    images.append(_png(figure))
    plt.close(figure)
    return images


def _table(rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows[1:])
    return f"<table><tr>{head}</tr>{body}</table>"


def confusion_rows(records: Sequence[ResultRecord]) -> list[list[Any]]:
    """Counts of answered / refused / failed against answerable / unanswerable."""
    def state(record: ResultRecord) -> str:
        return "error" if record.error else ("refused" if record.refused else "answered")

    rows: list[list[Any]] = [["", "answerable", "unanswerable"]]
    for name in ("answered", "refused", "error"):
        rows.append([name, *(sum(1 for r in records if state(r) == name and r.answerable == answerable)
                             for answerable in (True, False))])
    return rows


def failure_kinds(record: ResultRecord) -> list[str]:
    """Why a record counts as a failure (empty for a success)."""
    kinds = []
    if record.error:
        kinds.append("error")
    elif record.answerable and record.refused:
        kinds.append("false refusal")
    elif record.answerable and not record.correct:
        kinds.append("wrong answer")
    elif not record.answerable and not record.refused:
        kinds.append("unanswerable not refused")
    if not record.refused and not all(record.support_flags):
        kinds.append("unsupported sentences")
    return kinds


def _failure(record: ResultRecord, kinds: Sequence[str]) -> str:
    e = html.escape
    facts = "".join(f"<li>{'✔' if found else '✘'} {e(' | '.join(fact))}</li>"
                    for fact, found in zip(record.facts, record.fact_hits, strict=False))
    parts = [f"<h3>{e(record.id)}: {e(', '.join(kinds))}</h3>",
             f"<p><b>Question ({e(record.question_language)}):</b> {e(record.question)}</p>"]
    if record.standalone_question and record.standalone_question != record.question:
        parts.append(f"<p><b>Standalone question:</b> {e(record.standalone_question)}</p>")
    parts.append(f"<p><b>Gold facts:</b></p><ul>{facts or '<li>(none)</li>'}</ul>"
                 f"<p><b>Gold sources:</b> {e(', '.join(record.gold_sources) or '(none)')}</p>")
    if record.reference_answer:
        parts.append(f"<p><b>Reference:</b> {e(record.reference_answer)}</p>")
    parts.append(f"<p><b>Answer:</b> {e(record.answer)}</p>")
    for label, value in (("Refusal reason", record.refusal_reason), ("Error", record.error)):
        if value:
            parts.append(f"<p><b>{label}:</b> {e(value)}</p>")
    citations = [[c["n"], c["document_id"], c["sentence"], f"{c['support']:.2f}", c["text"]]
                 for c in record.citations]
    if citations:
        parts.append("<p><b>Cited passages</b></p>" + _table([["n", "document", "sentence", "support", "passage"],
                                                             *citations]))
    retrieved = [[h["rank"], h["document_id"], f"{h['score']:.4f}", h.get("text", "")] for h in record.retrieved]
    if retrieved:
        parts.append("<p><b>Retrieved passages</b></p>" + _table([["rank", "document", "score", "text"], *retrieved]))
    return "<section>" + "".join(parts) + "</section>"


_STYLE = ("body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}table{border-collapse:collapse;"
          "margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}"
          "section{border-top:2px solid #888;margin-top:1.5em}")


def render_report(summary: Mapping[str, Any], records: Sequence[ResultRecord]) -> str:
    """The whole HTML report as one self-contained string."""
    e = html.escape
    failures = [(record, kinds) for record in records if (kinds := failure_kinds(record))]
    model = summary.get("model", {})
    about = ", ".join(f"{key}: {value}" for key, value in model.items())
    body = [f"<h1>Evaluation report</h1><p>{e(str(summary.get('timestamp', '')))}; {e(about)}; questions: "
            f"{e(str(summary.get('questions_file')))}</p>",
            "<h2>Summary</h2>", _table(summary_rows(summary)),
            "<h2>Answered or refused</h2>", _table(confusion_rows(records)),
            "<h2>Plots</h2>", *_plots(summary, records)]
    body += [f"<p>Warning: {e(warning)}</p>" for warning in summary.get("warnings", [])]
    body.append(f"<h2>Failing questions ({len(failures)})</h2>")
    body += [_failure(record, kinds) for record, kinds in failures]
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Evaluation report</title>'
            f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>")


def write_report(out_dir: Path, summary: Mapping[str, Any], records: Sequence[ResultRecord]) -> Path:
    """Write out_dir/report.html and return its path."""
    path = Path(out_dir) / "report.html"
    path.write_text(render_report(summary, records), encoding="utf-8")
    return path
