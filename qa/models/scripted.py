"""A scripted generator: returns a given draft, so tests feed the real pipeline a specific answer and check its verdict.

The draft is chosen by the question the prompt ends with (a mapping), or is
the same for every prompt (a string). Follow-up rewrite prompts get the
question back unchanged, and so do translation requests (so no translation is used). It exists for tests that state the product's
behaviour on wrong, right and hostile drafts; the extractive fake only ever
copies true sentences, so it cannot test the checks.

Leaves out: anything a real model does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from qa.answer.prompts import translation_request
from qa.models.generator import Stream, Usage
from qa.types import Message

_QUESTION_LINE = re.compile(r"^\s*(?:Frage|Question):\s*(.*)$", re.M)


class ScriptedGenerator:
    """Streams a scripted draft word by word, then its Usage; records every prompt it was given."""

    name = "scripted"

    def __init__(self, drafts: str | Mapping[str, str]) -> None:
        self.drafts = drafts
        self.prompts: list[list[Message]] = []

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def draft_for(self, messages: Sequence[Message]) -> str:
        """The scripted draft for the question the last user message asks."""
        untranslated = translation_request(messages)
        if untranslated is not None:
            return untranslated  # no translation: the product searches with the question alone
        if isinstance(self.drafts, str):
            return self.drafts
        match = _QUESTION_LINE.search(messages[-1].content) if messages else None
        question = match.group(1).strip() if match else messages[-1].content.strip()
        return self.drafts.get(question, question)

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        self.prompts.append(list(messages))
        words = self.draft_for(messages).split(" ")
        for position, word in enumerate(words[:max_tokens]):
            yield word if position == 0 else " " + word
        yield Usage(sum(len(m.content.split()) for m in messages), len(words), 0.0, 0.0)
