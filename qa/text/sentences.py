"""Sentence splitting: pysbd for documents and passages, a marker-aware regex for model answers.

`split_sentences` is the splitter of the project: pysbd knows German
abbreviations such as "z. B.", "Nr.", "Dr." and dates such as "1. Oktober",
and every sentence keeps its offsets. `split_answer_sentences` applies it to
the model's answer and keeps citation markers with their sentence.
`ENDS_SENTENCE` tells the cleaning rules whether a line ends a sentence (a
line test, not a splitter). pysbd's cost grows faster than the text (a
100 kB line takes seconds), so a long text is cut into windows of at most
`WINDOW_CHARS` characters at a sentence end (or a space) and each window is
segmented on its own: a 1 MB line costs linear time. Leaves out: what the
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


WINDOW_CHARS = 5000
# Where a window may end: after sentence-final punctuation and the spaces that follow it.
_WINDOW_END = re.compile(r"[.!?…][\"'»«“”’)\]]*\s+")


def _windows(text: str) -> list[tuple[int, int]]:
    """(start, end) pieces of `text`, each at most WINDOW_CHARS long, cut after a sentence end when there is one."""
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > WINDOW_CHARS:
        limit = start + WINDOW_CHARS
        ends = [match.end() for match in _WINDOW_END.finditer(text, start, limit)]
        end = ends[-1] if ends and ends[-1] > start else text.rfind(" ", start + 1, limit) + 1
        end = end if end > start else limit
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces


def split_sentences(text: str, language: str, offset: int = 0) -> list[Sentence]:
    """Split `text` into sentences with offsets relative to `offset`.

    Texts longer than WINDOW_CHARS are split window by window (see the module
    docstring). Offsets are recovered by searching each sentence from a moving
    cursor, because pysbd's own spans are unreliable for repeated sentences.
    """
    if len(text) <= WINDOW_CHARS:
        return _split_window(text, language, offset)
    return [sentence for start, end in _windows(text)
            for sentence in _split_window(text[start:end], language, offset + start)]


# Control characters, each replaced by a space of the same length before pysbd sees the text: pysbd's list
# rules raise ValueError on one before a digit ("\x1f0. "); ingest removes them, but a model's answer or
# a direct caller need not have.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Closing marks and the opening mark each closes. pysbd ends a sentence at its full stop and gives the closing
# quote or bracket after it to the next sentence, or makes it a sentence of its own: "»Wir bleiben.« Dann ging
# er." -> "»Wir bleiben.", "« Dann ging er."; 'He said "we stay." Then' -> 'He said "we stay.', '" Then'.
# A mark at a piece's start goes back to the sentence before it when that sentence leaves its opener open:
# "«" closes "»" (German) and "»" closes "«" (Swiss, French); a straight quote closes an odd count of them.
_CLOSES = {"«": "»", "»": "«", "“": "„", "”": "“", "’": "‘", ")": "(", "]": "["}
_STRAIGHT = ('"', "'")


def _closes_open_mark(mark: str, before: str) -> bool:
    """Does `mark`, at the start of a piece, close a quote or bracket that the text `before` it leaves open?"""
    if mark in _STRAIGHT:
        return before.count(mark) % 2 == 1
    opener = _CLOSES.get(mark)
    return opener is not None and before.count(opener) > before.count(mark)


def _split_window(text: str, language: str, offset: int) -> list[Sentence]:
    spans: list[list[int]] = []
    cursor = 0
    clean = _CONTROL.sub(" ", text) if _CONTROL.search(text) else text  # same length: offsets hold
    for piece in _segmenter(language).segment(clean):
        stripped = piece.strip()
        if not stripped:
            continue
        found = clean.find(stripped, cursor)
        if found < 0:  # pysbd altered the text; fall back to the cursor position
            found = cursor
        end = found + len(stripped)
        cursor = end
        if spans:  # closing marks that pysbd cut off the sentence before go back to it
            previous = spans[-1]
            while found < end and _closes_open_mark(clean[found], clean[previous[0]:previous[1]]):
                previous[1] = found + 1
                found += 1
                while found < end and clean[found].isspace():
                    found += 1
            if found >= end:
                continue
        spans.append([found, end])
    return [Sentence(text[start:end], offset + start, offset + end) for start, end in spans]


# Markers at the start of a pysbd segment ("[1] Das HQ ...") belong to the sentence before it.
_LEADING_MARKERS = re.compile(r"^((?:\s*\[" + MARKER_NUMBERS + r"\])+)\s*")


# A piece that opens with a lower-case letter (after quotes or brackets) continues the sentence before it.
_CONTINUES = re.compile(r"^[\s\"'»«“”‚‘’(]*[^\W\d_](?<=[a-zäöüß])")


def split_answer_sentences(text: str, language: str = "de") -> list[str]:
    """Split a model answer into sentences with pysbd, the splitter of the whole product.

    Markers written after the full stop ("... gegründet. [1] Das HQ ...") stay
    with their sentence; ordinal dates, initials and abbreviations ("am 6.
    Oktober", "William E. Simon", "z. B.") do not end a sentence.
    """
    sentences: list[str] = []
    for sentence in split_sentences(" ".join(text.split()), language):
        piece = sentence.text
        leading = _LEADING_MARKERS.match(piece)
        if leading and sentences:
            sentences[-1] += leading.group(1).strip()
            piece = piece[leading.end():]
        if not piece.strip():
            continue
        if sentences and SPACED_MARKER.fullmatch(" " + piece.replace("] [", "][")):
            sentences[-1] += piece  # markers alone after the last full stop belong to that sentence
        elif sentences and _CONTINUES.match(piece):
            # no sentence opens in lower case: a full stop the splitter took for an end ("Philip II. von Spanien")
            sentences[-1] += " " + piece.strip()
        else:
            sentences.append(piece.strip())
    return sentences


# A line that ends a sentence: final punctuation, then closing quotes or brackets.
ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'»«“”’)\]]*$")
