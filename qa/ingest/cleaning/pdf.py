"""Cleaning rules for PDF-shaped text: hard-wrapped lines, page furniture and footnotes.

- Detects hard-wrapped text (lines broken mid-sentence) and joins lines into
  paragraphs, re-joining words hyphenated at a line break but keeping the
  hyphen where it belongs to the word (before a capital, after an acronym,
  before "und"/"oder", a form spelled elsewhere in the document, inside URLs).
- Drops running page footers and bare page numbers, a dot-leader table of
  contents with the cover and imprint before the first heading it lists, an
  "Impressum" block and link-only lines.
- Takes interrupting footnotes out of the body, re-joins the paragraph they
  interrupted and strips the markers glued to the body text.

Leaves out: the order in which rules run and the final parts (qa.ingest.cleaning.rules), web
boilerplate (qa.ingest.cleaning.web), words split by a stray space inside a line,
tables and footnotes that continue on the next page.
"""

from __future__ import annotations

import re

from qa.ingest.cleaning.items import Item, compact, text_key
from qa.text.sentences import ENDS_SENTENCE
from qa.types import Removal

_URL_END = re.compile(r"(?:https?://|www\.)\S*[/._-]$")
_CONJUNCTION = re.compile(r"(?:und|oder|bzw\.|sowie|and|or)\b")
_LINK_LINE = re.compile(r"^(?:↗\s*\S+|(?:https?://|mailto:|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+)$")
_LINK_PROMPT = re.compile(r"\b(?:hier|here)\s*:$", re.I)
_NUMBERED_LINE = re.compile(r"^(\d{1,4}) (\D{10,60})$")
_DOT_LEADER = re.compile(r"(?:(?: ?\.){3,} *\d+|(?: ?\.){4,} *)$")
_TOC_TITLE = re.compile(r"^(?:Inhalt|Inhaltsverzeichnis|Contents|Table of contents)$", re.I)
_IMPRINT_TITLE = re.compile(r"^(?:Impressum|Imprint)$", re.I)
# A footnote marker glued to the body: "hirntot.2", "2022).1", "together.«19".
_MARKER = re.compile(r"(?<=\S)([.,;:!?»«\")”’]*[.»«\")”’])(\d{1,3})(?=\s|$)")


def join_lines(left: str, right: str, vocabulary: str = "") -> str:
    """Join two pieces of one paragraph that a line break separated, undoing hyphenation.

    Args:
        left, right: the text before and after the break, both stripped.
        vocabulary: the whole document in lower case; a hyphenated form spelled
            there ("out-of-area") keeps its hyphen.
    """
    if not left or not right:
        return left or right
    if _URL_END.search(left) and (not left.endswith(".") or right[0].islower()):
        return left + right
    if not (left.endswith("-") and len(left) > 1 and left[-2].isalnum()):
        return f"{left} {right}"
    stem = left.split()[-1].lstrip("([»«„“\"'")[:-1]
    if _CONJUNCTION.match(right):
        return f"{left} {right}"
    segment = stem.rsplit("-", 1)[-1]
    if right[0].isupper() or right[0].isdigit() or (len(segment) > 1 and segment.isupper()):
        return left + right
    head = re.findall(r"^\w*", right)[0]
    hyphenated, joined = f"{stem}-{head}".lower(), f"{stem}{head}".lower()
    if head and hyphenated in vocabulary and joined not in vocabulary:
        return left + right
    return left[:-1] + right


def is_wrapped(lines: list[str]) -> bool:
    """True for hard-wrapped text (PDF extraction): many lines of 30+ characters break mid-sentence."""
    pairs = soft = 0
    for left, right in zip(lines, lines[1:], strict=False):
        if left and right:
            pairs += 1
            soft += bool(len(left) >= 30 and re.search(r"[a-zäöüß,-]$", left) and re.match(r"[a-zäöüß]", right))
    return soft >= 1 and soft >= 0.2 * pairs


def drop_page_footers(items: list[Item], wrapped: bool, removals: list[Removal]) -> list[Item]:
    """Drop running footers (the same text after two or more page numbers) and, in PDF text, bare page numbers."""
    numbers: dict[str, set[str]] = {}
    for item in items:
        for match in filter(None, map(_NUMBERED_LINE.match, item.lines)):
            numbers.setdefault(match.group(2), set()).add(match.group(1))
    running = {text for text, seen in numbers.items() if len(seen) >= 2}
    result: list[Item] = []
    for item in items:
        current: list[str] = []
        for line in item.lines:
            numbered = _NUMBERED_LINE.match(line)
            page_number = wrapped and len(item.lines) == 1 and re.fullmatch(r"\d{1,3}", line)
            if (numbered and numbered.group(2) in running) or page_number:
                removals.append(Removal("page footer", line))
                result += [Item(current)] if current else []
                result.append(Item([line], dropped=True))
                current = []
            else:
                current.append(line)
        if current:
            result.append(Item(current))
    return compact(result)


def drop_front_matter(items: list[Item], removals: list[Removal]) -> tuple[list[Item], set[str]]:
    """Drop a dot-leader table of contents and everything before the first heading it lists."""
    toc = {i for i, item in enumerate(items) if any(_DOT_LEADER.search(line) for line in item.lines)}
    if not toc:
        return items, set()
    titles = {text_key(_DOT_LEADER.sub("", " ".join(items[i].lines))) for i in toc}
    body = next((i for i in range(max(toc) + 1, len(items)) if text_key(" ".join(items[i].lines)) in titles), None)
    front = range(body) if body is not None else sorted(toc)
    seen: set[str] = set()
    in_imprint = False
    for i in front:
        text = "\n".join(items[i].lines)
        if i in toc or _TOC_TITLE.match(text):
            rule = "table of contents"
        elif _IMPRINT_TITLE.match(text):
            rule, in_imprint = "imprint", True
        elif all(_LINK_LINE.match(line) for line in items[i].lines):
            rule = "link lines"
        elif text_key(text) in seen:
            rule, in_imprint = "duplicate cover", False
        else:
            rule = "imprint" if in_imprint else "cover page"
        seen.add(text_key(text))
        removals.append(Removal(rule, text))
    dropped = set(front)
    kept = [item for i, item in enumerate(items) if i not in dropped]
    return kept, titles


def drop_imprint(items: list[Item], removals: list[Removal]) -> list[Item]:
    """Drop an "Impressum" block: the title and the short blocks after it (up to 400 characters each)."""
    start = next((i for i, item in enumerate(items) if _IMPRINT_TITLE.match(" ".join(item.lines))), None)
    if start is None:
        return items
    end = start + 1
    while end < len(items) and len(" ".join(items[end].lines)) <= 400:
        end += 1
    removals.extend(Removal("imprint", "\n".join(item.lines)) for item in items[start:end])
    return items[:start] + items[end:]


def drop_link_lines(items: list[Item], removals: list[Removal]) -> list[Item]:
    """Drop lines that are only a link, and a "... hier:" prompt right before one."""
    for item in items:
        kept: list[str] = []
        for line in item.lines:
            if _LINK_LINE.match(line):
                if kept and _LINK_PROMPT.search(kept[-1]):
                    removals.append(Removal("link lines", kept.pop()))
                removals.append(Removal("link lines", line))
            else:
                kept.append(line)
        item.lines = kept
        item.dropped = not kept
    return compact(items)


def _marker_numbers(items: list[Item]) -> set[int]:
    found = ((item.text, match) for item in items for match in _MARKER.finditer(item.text))
    return {int(match.group(2)) for text, match in found if _is_marker(text, match)}


def _is_marker(text: str, match: re.Match[str]) -> bool:
    """False for decimals such as "1.15"; the punctuation before a marker follows a word or a bracket."""
    before = text[match.start() - 1] if match.start() else " "
    return not (before.isdigit() and match.group(1) == ".")


def split_footnotes(items: list[Item], vocabulary: str) -> tuple[list[Item], list[Item]]:
    """Take footnotes out of the body and re-join the paragraphs that dropped blocks interrupted.

    A footnote is a block starting with the next footnote number ("1 Neu an ..."),
    where that number also occurs as a marker glued to the text. A paragraph
    that ends mid-sentence before a footnote, footer or other dropped block is
    joined with the next one when that starts in lower case ("Pers-" + "pektive").
    Returns the body items and the footnotes (each anchored to the body item before it).
    """
    markers = _marker_numbers(items)
    body: list[Item] = []
    footnotes: list[Item] = []
    starts = {int(match.group(1)) for item in items if (match := re.match(r"(\d{1,3}) ", item.text))}
    expected = min(markers & starts, default=0)
    after_footnote = False
    for item in items:
        match = re.match(r"(\d{1,3}) (?!\d{3}\b)(?=\S)", item.text)  # "7 000 Soldaten" is no footnote
        if match and int(match.group(1)) == expected and expected in markers:
            item.kind, item.number, item.anchor = "footnote", expected, body[-1] if body else None
            footnotes.append(item)
            expected, after_footnote = expected + 1, True
            continue
        previous = body[-1] if body else None
        interrupted, after_footnote = item.interrupted or after_footnote, False
        if (previous and previous.kind == "paragraph" and interrupted and not ENDS_SENTENCE.search(previous.text)
                and item.text[:1].islower()):
            previous.text = join_lines(previous.text, item.text, vocabulary)
        else:
            body.append(item)
    return body, footnotes


def strip_footnote_markers(body: list[Item], numbers: set[int], removals: list[Removal]) -> dict[int, int]:
    """Remove footnote markers glued to the body; return footnote number -> section group of its marker."""
    groups: dict[int, int] = {}
    for item in body:
        pieces: list[str] = []
        last = 0
        for match in _MARKER.finditer(item.text):
            number = int(match.group(2))
            if number in numbers and number not in groups and _is_marker(item.text, match):
                groups[number] = item.group
                context = item.text[max(0, match.start() - 25): match.end(1)].split(" ", 1)[-1]
                removals.append(Removal("footnote marker", f"{number} (after “…{context}”)"))
                pieces.append(item.text[last: match.start(2)])
                last = match.end(2)
        item.text = "".join(pieces) + item.text[last:]
    return groups
