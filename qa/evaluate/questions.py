"""The evaluation question set: the `Question` type and the JSON Lines loader with its validation.

`parse_question` checks one decoded line (required keys and their types,
optional "lang", "history", "answer" and "tags") and raises ValueError with a
readable reason; `load_questions` reads a whole file, reports every broken or
duplicate line with its number and keeps the rest. Leaves out: asking the
questions and scoring the answers (qa.evaluate.run, qa.evaluate.metrics).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.text.language import SUPPORTED, detect_language
from qa.types import Message


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
    group: str = ""  # questions sharing a group ask for the same fact in other words (paraphrases)


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
    if not isinstance(item.get("group", ""), str):
        raise ValueError("'group' must be a string")
    return Question(
        id=item["id"], question=item["question"], language=language or detect_language(item["question"]),
        answerable=item["answerable"], sources=tuple(item["sources"]),
        facts=tuple(tuple(fact) for fact in item["facts"]),
        history=tuple(Message(turn["role"], turn["content"]) for turn in history),
        reference=item.get("answer", ""), tags=tuple(item.get("tags", [])), group=item.get("group", ""),
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
