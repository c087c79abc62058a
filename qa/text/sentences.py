"""Sentence splitting: pysbd for documents and passages, a marker-aware regex for model answers.

`split_sentences` is the splitter of the project: pysbd knows German
abbreviations such as "z. B.", "Nr.", "Dr." and dates such as "1. Oktober",
and every sentence keeps its offsets. `split_answer_sentences` is a plain regex
over the model's answer that keeps the markers after a full stop with their
sentence; `ENDS_SENTENCE` tells the cleaning rules whether a line ends a
sentence. They differ in behaviour; making the answer checker use pysbd is a
behaviour change left for the answer-quality issue. Leaves out: what the
sentences are used for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qa.text.markers import MARKER_NUMBERS, SPACED_MARKER


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document: its text and offsets into the document text."""

    text: str
    start: int
    end: int

    @property
    def words(self) -> int:
        return len(self.text.split())


@lru_cache(maxsize=4)
def _segmenter(language: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=language if language in ("de", "en") else "en", clean=False)


def split_sentences(text: str, language: str, offset: int = 0) -> list[Sentence]:
    """Split `text` into sentences with offsets relative to `offset`.

    Offsets are recovered by searching each sentence from a moving cursor,
    because pysbd's own spans are unreliable for repeated sentences.
    """
    sentences: list[Sentence] = []
    cursor = 0
    for piece in _segmenter(language).segment(text):
        stripped = piece.strip()
        if not stripped:
            continue
        found = text.find(stripped, cursor)
        if found < 0:  # pysbd altered the text; fall back to the cursor position
            found = cursor
        end = found + len(stripped)
        sentences.append(Sentence(text[found:end], offset + found, offset + end))
        cursor = end
    return sentences


# A sentence end in a model answer, with the markers that follow the full stop ("... 1949. [1] Die ...").
_ANSWER_SENTENCE_END = re.compile(r"(?<=[.!?…])((?:\s*\[" + MARKER_NUMBERS + r"\])*)\s+(?=\S)")


def split_answer_sentences(text: str) -> list[str]:
    """Split a model answer into sentences, keeping markers after the full stop with their sentence.

    A regex, not pysbd: the citation checker has always split this way (see the module docstring).
    """
    parts = _ANSWER_SENTENCE_END.split(text.strip())
    sentences: list[str] = []
    for index in range(0, len(parts), 2):
        sentence = (parts[index] + (parts[index + 1] if index + 1 < len(parts) else "")).strip()
        if sentences and SPACED_MARKER.fullmatch(" " + sentence.replace("] [", "][")):
            sentences[-1] += sentence  # markers alone after the last full stop belong to that sentence
        elif sentence:
            sentences.append(sentence)
    return sentences


# A line that ends a sentence: final punctuation, then closing quotes or brackets.
ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'»«“”’)\]]*$")
