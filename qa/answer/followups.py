"""Follow-up questions: does a question need its history, and is the model's rewrite of it usable?

The words that refer back are data (followups.toml). Leaves out: asking the
model for the rewrite (qa.answer.answerer) and its prompt (qa.answer.prompts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from qa.answer.data import load_table
from qa.answer.output import is_refusal
from qa.types import Message

_LABEL = re.compile(r"^(frage|question|standalone question)\s*:\s*", re.I)


@cache
def refers_back_patterns() -> dict[str, re.Pattern[str]]:
    """Per language, the whole-word pattern of the words that refer back to the history."""
    return {language: re.compile(r"\b(" + "|".join(words) + r")\b", re.I)
            for language, words in load_table("followups.toml").items()}


def refers_back(question: str, history: Sequence[Message], language: str) -> bool:
    """True when a question with history needs the history to be understood (pronouns, "and", very short)."""
    if not any(m.role == "user" for m in history):
        return False
    words = question.split()
    return len(words) <= 3 or bool(refers_back_patterns()[language].search(question))


def standalone_question(rewrite: str, question: str, history: Sequence[Message], language: str) -> str:
    """The model's `rewrite` of a follow-up, cleaned up; both user turns when the rewrite is unusable."""
    candidate = " ".join(rewrite.strip().strip('"„“').split())
    candidate = _LABEL.sub("", candidate)
    if 3 <= len(candidate) <= 300 and not is_refusal(candidate, language) and "[" not in candidate:
        return candidate
    previous = next(m.content for m in reversed(history) if m.role == "user")
    return f"{previous} {question}"  # the model gave no usable rewrite: retrieve with both turns
