"""Short answers (`answer_style = "short"`): the passage's own words that answer the question, and their source.

The model is asked for the words of one passage that answer the question, copied as they stand, and
the passage's number ("Johann Weber [2]"). The answer is accepted only when those words stand in one
sentence of the prompt (of the cited passage, or else of another one, which the citation then names),
as whole words, compared case-insensitively with quotes, dashes and whitespace folded, or, for a list,
item by item in the passage's order (the answer then shows the words as the passage writes them); when that sentence talks about
what the question asks (its focus words, as for a cited sentence); and when the words are an item of the
kind the question asks for (a person for "who", a date for "when"). The checks are the Answerer's
(qa.answer.answerer); this module reads and finds the span.
Leaves out: the prompt (qa.answer.prompts) and answers in sentences (qa.answer.citations).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from qa.answer.evidence import PassageEvidence
from qa.answer.output import META_PREFIX, list_joiners
from qa.text.markers import strip_markers
from qa.types import Citation, Passage, SentenceCheck

_MARKER = re.compile(r"\[(\d+)\]")
# Quotes the model may wrap the span in, and punctuation it may end it with (not part of the passage's words)
_WRAPPERS = "\"'„“”‚‘’«»‹›()[]"
_TRAILING = ".,;:!?"
_CLASSES = ("\"„“”«»‹›", "'‚‘’", "-–—‑")


@dataclass(frozen=True)
class ShortAnswer:
    """A checked short answer: the text shown ("Johann Weber [2]"), its citation and sentence check."""

    text: str
    citation: Citation
    check: SentenceCheck


def read_short_answer(draft: str) -> tuple[str, list[int]]:
    """The span and the cited passage numbers of the model's short answer: its first non-empty line, without
    markers, an "Answer:" lead-in, wrapping quotes or trailing punctuation. ("", []) when there is none."""
    line = next((line for line in draft.splitlines() if line.strip()), "")
    numbers = [int(n) for n in _MARKER.findall(line)]
    span = META_PREFIX.sub("", strip_markers(line)).strip()
    previous = None
    while span != previous:
        previous = span
        span = span.strip().strip(_WRAPPERS).strip()
        if span.endswith(tuple(_TRAILING)) and not re.search(r"\b\w\.$", span):
            span = span[:-1]  # "1788." -> "1788", but "William E." keeps the initial's full stop
    return span, numbers


def _pattern(span: str) -> re.Pattern[str] | None:
    """`span` as a pattern that ignores case and tells no quote from another quote, no dash from another
    dash, and no run of spaces from another; None for an empty span."""
    parts: list[str] = []
    for char in span.strip():
        if char.isspace():
            if parts and parts[-1] != r"\s+":
                parts.append(r"\s+")
            continue
        same = next((chars for chars in _CLASSES if char in chars), None)
        parts.append(f"[{re.escape(same)}]" if same else re.escape(char))
    if not parts:
        return None
    edge_before = r"(?<!\w)" if span.strip()[0].isalnum() else ""
    edge_after = r"(?!\w)" if span.strip()[-1].isalnum() else ""
    return re.compile(edge_before + "".join(parts) + edge_after, re.IGNORECASE)


@cache
def _list_separator() -> re.Pattern[str]:
    joiners = list_joiners()
    return re.compile(rf"\s*,\s*(?:(?:{joiners})\s+)?|\s+(?:{joiners})\s+", re.I)


def _list_window(span: str, sentence: str) -> str | None:
    """For a span that lists items ("cricket, football, boxing"), the stretch of `sentence` from its first item
    to its last when every item stands there in that order ("cricket, football and boxing"); else None."""
    parts = [part for part in _list_separator().split(span) if part.strip()]
    if len(parts) < 2:
        return None
    start, end = -1, 0
    for part in parts:
        pattern = _pattern(part)
        match = pattern.search(sentence, end) if pattern else None
        if match is None:
            return None
        start = match.start() if start < 0 else start
        end = match.end()
    window = sentence[start:end]
    return window if len(window) <= 2 * len(span) else None  # the items stand together, not far apart


def find_span(span: str, numbers: Sequence[int], passages: Sequence[Passage],
              evidence: Sequence[PassageEvidence]) -> tuple[int, int, str] | None:
    """Where `span` stands: (index of the passage, index of its sentence in `evidence`, the words as that
    sentence writes them), a cited passage first, then the others in order; None when no sentence holds it.
    Whole words only: "17" does not stand in "2017"."""
    pattern = _pattern(span)
    if pattern is None:
        return None
    cited = [i for n in dict.fromkeys(numbers) for i, p in enumerate(passages) if p.number == n]
    order = [*cited, *(i for i in range(len(passages)) if i not in cited)]
    for which in order:
        for position, sentence in enumerate(evidence[which].sentences):
            match = pattern.search(sentence)
            if match:
                return which, position, match.group(0)
    for which in order:
        for position, sentence in enumerate(evidence[which].sentences):
            window = _list_window(span, sentence)
            if window:
                return which, position, window
    return None


def short_answer(span: str, passage: Passage, sentence: str) -> ShortAnswer:
    """The shown short answer for `span`, found in `sentence` of `passage`."""
    text = f"{span} [{passage.number}]"
    return ShortAnswer(text, Citation(passage.number, passage, text, True, 1.0, sentence),
                       SentenceCheck(text, (passage.number,), True, 1.0))
