"""Citation markers such as "[1]" or "[1, 3]": the one pattern, reading the numbers, removing them.

Leaves out: checking what a marker points to (qa.answer.citations) and turning
markers into links (qa.ui.render).
"""

from __future__ import annotations

import re

# "[1]", "[1,2]", "[1; 3]": the numbers of the passages a sentence cites.
MARKER_NUMBERS = r"\d+(?:\s*[,;]\s*\d+)*"
MARKER_PATTERN = r"\[(" + MARKER_NUMBERS + r")\]"
MARKER = re.compile(MARKER_PATTERN)
# The same marker with the spaces before it, so removing it leaves no gap before the full stop.
SPACED_MARKER = re.compile(r"\s*" + MARKER_PATTERN)
_NUMBER_SEPARATOR = re.compile(r"\s*[,;]\s*")
# A run of markers with the commas or semicolons between them ("[3], [4], [5]"): removed as one, so no
# separator is left behind ("General,, [1]." from "General [3], [4], [5].").
_MARKER_RUN = re.compile(r"\s*" + MARKER_PATTERN + r"(?:\s*[,;]?\s*" + MARKER_PATTERN + r")*")


def marker_numbers(group: str) -> list[int]:
    """The numbers inside one marker's brackets ("1, 3" -> [1, 3])."""
    return [int(number) for number in _NUMBER_SEPARATOR.split(group)]


def markers(sentence: str) -> list[int]:
    """The passage numbers cited in `sentence`, in order, without repeats."""
    numbers: list[int] = []
    for group in SPACED_MARKER.findall(sentence):
        for number in marker_numbers(group):
            if number not in numbers:
                numbers.append(number)
    return numbers


def strip_markers(text: str) -> str:
    """`text` without citation markers, its whitespace collapsed to single spaces."""
    return " ".join(_MARKER_RUN.sub("", text).split())
