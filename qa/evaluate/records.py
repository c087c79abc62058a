"""The result record of one evaluated question (one line of results.jsonl) and its file I/O.

`ResultRecord` lists every field once; its JSON form is the dataclass's
fields in order, with `error` only on a question whose answer raised.
`read_results` skips a line cut short by an interrupted run, so the run
resumes. Leaves out: filling a record from an Answer and judging it
(qa.evaluate.run, qa.evaluate.metrics).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ResultRecord:
    """One answered, refused or failed question with its gold data and verdict.

    `citations` and `retrieved` hold one JSON object per cited passage and per
    retrieved chunk (their keys are written in qa.evaluate.run). Fields
    keep the order of the JSON line.
    """

    error: str = ""  # set only when answering raised; such a record counts as wrong
    # what the pipeline did
    language: str = ""
    answer: str = ""
    refused: bool = False
    refusal_reason: str = ""
    standalone_question: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    support_flags: list[bool] = field(default_factory=list)
    support_score: float = 0.0
    invalid_citations: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_per_s: float | None = None
    answer_language_ok: bool | None = None
    draft: str = ""  # the model's own text before the checks
    extractive: bool = False  # the answer quotes the evidence (the draft failed the checks)
    prompt_passages: list[str] = field(default_factory=list)  # the passage texts the model saw
    translations: list[str] = field(default_factory=list)  # the question in the collection's other languages
    answered_in: str = ""  # the language the model drafted in, when not the question's (qa.answer.pivot)
    untranslated: int = 0  # checked sentences left in that language (their translation failed)
    redrafted: bool = False  # a second draft passed the checks after the first failed (Config.second_draft)
    # the question and its gold data (from the question file)
    id: str = ""
    question: str = ""
    question_language: str = ""
    answerable: bool = True
    gold_sources: list[str] = field(default_factory=list)
    facts: list[list[str]] = field(default_factory=list)
    reference_answer: str = ""
    cross_lingual: bool = False
    tags: list[str] = field(default_factory=list)
    group: str = ""  # questions of one paraphrase group ask for the same fact
    # the verdict
    fact_hits: list[bool] = field(default_factory=list)
    correct: bool = False
    facts_in_prompt: bool | None = None  # every gold fact stood in the passages the model saw

    def to_json(self) -> dict[str, Any]:
        """The record as a results.jsonl object (without `error` unless it is set)."""
        data = asdict(self)
        if not self.error:
            del data["error"]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResultRecord:
        """A record from a results.jsonl object; keys it does not know are ignored."""
        return cls(**{name: data[name] for name in _FIELD_NAMES if name in data})


_FIELD_NAMES = tuple(f.name for f in fields(ResultRecord))


def read_results(path: Path) -> list[ResultRecord]:
    """The records of a results.jsonl; a line cut short by an interrupted run is skipped."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue  # its question has no result and is asked again
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            records.append(ResultRecord.from_json(data))
    return records


def result_line(record: ResultRecord) -> str:
    """The results.jsonl line of `record`, newline included."""
    return json.dumps(record.to_json(), ensure_ascii=False) + "\n"


def write_results(path: Path, records: Iterable[ResultRecord]) -> None:
    """Replace `path` with exactly `records`, atomically."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(result_line(record) for record in records), encoding="utf-8")
    os.replace(temporary, path)
