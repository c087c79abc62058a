"""A deterministic fake generator: answers with the passage sentence that best matches the question.

It reads the prompt the answer stage builds (numbered passages, a `Frage:` or
`Question:` line), so tests, the CLI and the app run without a model. It is a
stand-in for plumbing tests only: it copies true sentences, so it cannot show
how the product treats a wrong draft (use a scripted generator for that).

Leaves out: everything a real model does (paraphrase, translation, mistakes).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence

from qa.answer.prompts import REFUSAL, translation_request
from qa.models.generator import Stream, Usage
from qa.types import Message

_PASSAGE_START = re.compile(r"^\[(\d+)\]\s+(.*)$")
_QUESTION_START = re.compile(r"^\s*(Frage|Question):\s*(.*)$")
_SOURCE_LABEL = re.compile(r"^\([^)]*\)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")


class ExtractiveGenerator:
    """A deterministic fake: answers with the passage sentence that shares most words with the question.

    It reads the last user message: numbered passages (lines starting `[n] `,
    continued until the next `[m] ` or a blank line) and a line starting
    `Frage:` (German) or `Question:` (English). With no shared word of four or
    more letters it answers with `refusal[language]` (default: `qa.prompts.REFUSAL`).
    """

    name = "extractive"

    def __init__(self, refusal: Mapping[str, str] = REFUSAL, delay_s: float = 0.0) -> None:
        self.refusal = refusal
        self.delay_s = delay_s  # a pause before each piece, to stand in for a slow model in tests

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        """Yield the extracted answer word by word (see the class docstring)."""
        started = time.perf_counter()
        user_turns = [message.content for message in messages if message.role == "user"]
        untranslated = translation_request(messages)
        answer = untranslated if untranslated is not None else self.answer(user_turns[-1] if user_turns else "")
        for marker in stop:
            if marker and marker in answer:
                answer = answer[: answer.index(marker)]
        words = answer.split()[:max_tokens]
        first_piece_s = 0.0
        for position, word in enumerate(words):
            time.sleep(self.delay_s)
            if position == 0:
                first_piece_s = time.perf_counter() - started
            yield word if position == 0 else " " + word
        total_s = time.perf_counter() - started
        prompt_tokens = sum(len(message.content.split()) for message in messages)
        yield Usage(prompt_tokens, len(words), first_piece_s or total_s, total_s)

    def answer(self, message: str) -> str:
        """Return the whole answer to one user message holding passages and a question."""
        passages, question, language = _parse_message(message)
        question_words = set(_CONTENT_WORD.findall(question.lower()))
        best_score, best = 0, ""
        for number, text in passages:
            for sentence in _SENTENCE_END.split(text):
                score = len(question_words & set(_CONTENT_WORD.findall(sentence.lower())))
                if score > best_score:
                    best_score, best = score, f"{sentence.strip()} [{number}]"
        return best or self.refusal.get(language, REFUSAL[language])


def _parse_message(message: str) -> tuple[list[tuple[int, str]], str, str]:
    """Split a user message into numbered passages, the question and its language."""
    passages: list[tuple[int, list[str]]] = []
    question = ""
    open_passage = False
    for line in message.splitlines():
        question_match = _QUESTION_START.match(line)
        passage_match = _PASSAGE_START.match(line)
        if question_match:
            question, open_passage = question_match.group(2), False
        elif passage_match:
            passages.append((int(passage_match.group(1)), [passage_match.group(2)]))
            open_passage = True
        elif not line.strip():
            open_passage = False
        elif open_passage:
            passages[-1][1].append(line.strip())
    language = "de" if "Frage:" in message else "en"
    joined = [(number, _SOURCE_LABEL.sub("", " ".join(lines)).strip()) for number, lines in passages]
    return joined, question, language
