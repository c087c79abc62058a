"""The mutable block that the cleaning rules pass around, and the helpers they share.

Used only by the cleaning rules (rules, pdf and web in this package). Leaves out
every cleaning rule itself, the public result type (qa.ingest.cleaning.rules.Part)
and the sentence-end test (qa.text.sentences.ENDS_SENTENCE).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.types import BlockKind


@dataclass
class Item:
    """A block while it is being cleaned; mutable and private to the cleaning modules."""

    lines: list[str]
    text: str = ""
    kind: BlockKind = "paragraph"
    interrupted: bool = False  # something was dropped right before it
    teaser: bool = False
    number: int = 0  # footnote number
    anchor: Item | None = None  # for a footnote: the body item before it
    group: int = 0  # index of the section (heading run) the item falls under
    dropped: bool = False
    dated: bool = False  # carried a "Stand:" timestamp, i.e. is a web page's title line


def text_key(text: str) -> str:
    """The text with whitespace collapsed and case folded, for comparing blocks."""
    return " ".join(text.split()).casefold()


def compact(items: list[Item]) -> list[Item]:
    """Remove dropped items; the item after a dropped one counts as interrupted."""
    result: list[Item] = []
    pending = False
    for item in items:
        if item.dropped:
            pending = True
            continue
        item.interrupted = item.interrupted or pending
        result.append(item)
        pending = False
    return result
