"""Comparing two evaluation runs: the questions that got better or worse, and the metric deltas.

`qa eval --compare OLD NEW` prints this for two run folders. Leaves out:
running (qa.evaluate.run) and the table layout shared with the summary
(qa.evaluate.report).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.evaluate.records import ResultRecord, read_results
from qa.evaluate.report import METRICS, format_value, text_table


def outcome(record: ResultRecord) -> str:
    """A short verdict: correct / wrong / refused / answered / error."""
    if record.error:
        return "error"
    if record.answerable:
        return "refused" if record.refused else ("correct" if record.correct else "wrong")
    return "refused" if record.refused else "answered"


def _load_run(folder: Path) -> tuple[dict[str, Any], dict[str, ResultRecord]]:
    summary_path = Path(folder) / "summary.json"
    if not summary_path.is_file():
        raise QAError(f"{folder} holds no summary.json.", hint="Pass two folders written by `qa eval --out DIR`.")
    records = {record.id: record for record in read_results(Path(folder) / "results.jsonl")}
    return json.loads(summary_path.read_text(encoding="utf-8")), records


def compare(old_dir: Path, new_dir: Path) -> str:
    """Which questions got better or worse from run `old_dir` to run `new_dir`, and the metric deltas."""
    old_summary, old = _load_run(old_dir)
    new_summary, new = _load_run(new_dir)
    common = [qid for qid in new if qid in old]
    lines = [f"Comparing {old_dir} ({len(old)} questions) with {new_dir} ({len(new)} questions), "
             f"{len(common)} in both."]
    changes: dict[str, list[str]] = {"Better": [], "Worse": [], "Changed, still failing": []}
    for qid in common:
        before, after = old[qid], new[qid]
        if outcome(before) == outcome(after):
            continue
        kind = ("Better" if after.correct else "Worse") if before.correct != after.correct \
            else "Changed, still failing" if not after.correct else None
        if kind:
            changes[kind].append(f"  {qid}: {outcome(before)} → {outcome(after)}   {after.question[:80]}")
    for kind, entries in changes.items():
        lines += ["", f"{kind} ({len(entries)}):", *(entries or ["  (none)"])]
    changed_text = [qid for qid in common if old[qid].answer != new[qid].answer or old[qid].refused != new[qid].refused]
    lines += ["", f"Answers whose text changed: {len(changed_text)} of {len(common)}"
              + (f" ({', '.join(changed_text[:20])}{' …' if len(changed_text) > 20 else ''})" if changed_text else "")]
    rows = [["metric", "old", "new", "delta"]]
    for key, label, kind in METRICS:
        old_value, new_value = old_summary.get("overall", {}).get(key), new_summary.get("overall", {}).get(key)
        delta = "–" if old_value is None or new_value is None else (
            f"{100 * (new_value - old_value):+.1f} pp" if kind == "rate" else f"{new_value - old_value:+.2f}")
        rows.append([label, format_value(old_value, kind), format_value(new_value, kind), delta])
    return "\n".join([*lines, "", "Overall metrics", text_table(rows)])
