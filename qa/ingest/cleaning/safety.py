"""Disarming document text that nobody proofread: hidden control characters and forged citation markers.

Two rules, both applied by `qa.ingest.cleaning.rules.clean_parts`, both
recorded as Removals so `qa ingest` names the file they touched:

- Hidden characters are removed: zero-width characters (U+200B–U+200D,
  U+2060, U+FEFF), soft hyphens, right-to-left and other bidirectional
  controls (U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C), every other
  Unicode format character (category Cf) and C0/C1 control characters other
  than line breaks and tabs. They can hide an instruction to the model from a
  human reader or reorder what the reader sees; a document loses no visible
  text by their removal.
- A citation marker inside a document ("[7]", "[1][2]", "[1, 3]"; exactly the
  pattern of qa.text.markers) has its brackets turned into parentheses:
  "[7]" becomes "(7)". The text keeps its length, its offsets and its meaning
  for a reader (a footnote or list number stays visible), but neither the
  citation parser nor the chat's link rendering can ever read it as a marker,
  so a passage that the model copies cannot forge a citation. Dropping the
  marker would lose information and could glue numbers to words; leaving it
  would let a document cite passages it does not know.

Left out on purpose: detecting instructions to the model in prose ("ignore
the rules above …"). They stay as ordinary text; the prompt and the citation
checks (qa.answer) decide what an answer may say, and a passage is only ever
quoted as evidence. Forged source lines ("Quelle: tagesschau") are dropped by
the web rules (qa.ingest.cleaning.web) where they look like a credit, and can
never change a document's title or publisher, which come from sources.toml.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from qa.text.markers import MARKER
from qa.types import Removal

__all__ = ["neutralise_markers", "remove_hidden_characters"]

_KEPT_CONTROLS = frozenset("\n\t\r")


def _hidden(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and char not in _KEPT_CONTROLS)


def remove_hidden_characters(text: str, removals: list[Removal] | None = None) -> str:
    """`text` without zero-width, bidirectional, format and control characters (line breaks and tabs stay).

    Args:
        text: raw document text.
        removals: when given, one Removal per kind of character removed ("U+200B ×3") is appended.
    """
    hidden = Counter(char for char in text if _hidden(char))
    if not hidden:
        return text
    if removals is not None:
        removals.extend(
            Removal("hidden character", f"U+{ord(char):04X} {unicodedata.name(char, 'control')} ×{count}")
            for char, count in sorted(hidden.items())
        )
    return "".join(char for char in text if char not in hidden)


def neutralise_markers(text: str, removals: list[Removal] | None = None) -> str:
    """`text` with every citation marker "[n]" rewritten to "(n)" (same length, same offsets).

    Args:
        text: cleaned document text (a heading, paragraph or footnote).
        removals: when given, one Removal ("forged citation marker", "[7]") per marker is appended.
    """
    def rewrite(match: re.Match[str]) -> str:
        if removals is not None:
            removals.append(Removal("forged citation marker", match.group(0)))
        return f"({match.group(1)})"

    return MARKER.sub(rewrite, text)
