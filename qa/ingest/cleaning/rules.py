"""Cleaning rules: raw seed text in, headings, paragraphs and footnotes out.

Every rule is chosen by the shape of the text, never by document id, so a new
PDF extraction or web page benefits too. In order:

- Hidden characters (zero-width, bidirectional and other format or control
  characters) are removed and soft hyphens vanish (qa.ingest.cleaning.safety).
- Whitespace: non-breaking and other odd spaces become plain spaces, runs of
  spaces collapse, lines are stripped.
- PDF text (many lines broken mid-sentence) has its lines joined into
  paragraphs. A word hyphenated at a line break is re-joined ("Sou-/veränität"),
  but the hyphen stays where it belongs to the word: before a capital
  ("NATO-/Staaten"), after an acronym ("NATO-/geführt"), before "und"/"oder"
  ("ost-/und"), when the document spells the hyphenated form elsewhere
  ("out-of-/area") and inside URLs.
- Dropped: running page footers ("4 Friedrich-Ebert-Stiftung e.V."), the table
  of contents (dot leaders) with everything before the first heading it lists
  (cover, imprint), an imprint block, link-only lines, repeated blocks.
- Footnotes that interrupt the body ("Pers-" / "1 Neu an ..." / "pektive")
  become footnote parts at the end of the section whose text carries their
  marker; the interrupted paragraph is re-joined; markers glued to the body
  ("hirntot.2") are removed.
- Web boilerplate: teaser links ("... mehr"), trailing navigation labels, the
  trailing run of ads, job ads, comment policy, newsletter and search prompts,
  "Source:" credits, author bios, "Stand:" timestamps.
- Short title-like lines without final punctuation become headings.
- Citation markers written in the document ("[7]") become "(7)", so they can
  never pass for the answer's citations (qa.ingest.cleaning.safety).

Every dropped piece of text is returned as a Removal. This module holds the
entry point (`clean_parts`), the order of the rules, duplicates, headings and
the assembly of parts; the PDF rules live in qa.ingest.cleaning.pdf, the web rules in
qa.ingest.cleaning.web and the shared block type in qa.ingest.cleaning.items.

Deliberately left out: words split by a stray space inside a line ("Gefahren
bilder"), tables, footnotes that continue on the next page, and parsing of a
bibliography (a "Literatur" section stays as ordinary paragraphs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.cleaning.items import Item, compact, text_key
from qa.ingest.cleaning.pdf import (
    drop_front_matter,
    drop_imprint,
    drop_link_lines,
    drop_page_footers,
    is_wrapped,
    join_lines,
    split_footnotes,
    strip_footnote_markers,
)
from qa.ingest.cleaning.safety import neutralise_markers, remove_hidden_characters
from qa.ingest.cleaning.web import drop_web_boilerplate, split_kicker, strip_teaser_links
from qa.types import BlockKind, Removal

__all__ = ["Part", "clean_parts", "join_lines"]


@dataclass(frozen=True)
class Part:
    """One cleaned heading, paragraph or footnote and the section it falls under."""

    kind: BlockKind
    text: str
    section: str = ""


_ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def _chunks(lines: list[str], wrapped: bool) -> list[Item]:
    """Blank-line separated chunks for wrapped text, one item per line otherwise; a Markdown heading stands alone."""
    items: list[Item] = []
    current: list[str] = []
    for line in [*lines, ""]:
        markdown_heading = bool(re.match(r"#{1,6} ", line))
        if current and markdown_heading:
            items.append(Item(current))
            current = []
        if line:
            current.append(line)
        if current and (not line or not wrapped or markdown_heading):
            items.append(Item(current))
            current = []
    return items


def _drop_duplicates(items: list[Item], removals: list[Removal]) -> None:
    """Drop a block of 20 or more characters that repeats an earlier one word for word."""
    seen: set[str] = set()
    for item in items:
        key = text_key(item.text)
        if len(key) >= 20 and key in seen:
            removals.append(Removal("duplicate block", item.text))
            item.dropped = True
        seen.add(key)


def _heading_shaped(item: Item, wrapped: bool) -> bool:
    """Short, starts like a title, no final punctuation, at most three lines of wrapped text."""
    text = item.text
    if item.kind != "paragraph" or item.teaser or len(text) > 120 or len(text.split()) > 16:
        return False
    if wrapped and len(item.lines) > 3:
        return False
    return (text[0].isupper() or text[0].isdigit()) and not re.search(r"[.!?:;,…–-]$", text.rstrip("\"'»«“”’"))


def _mark_headings(items: list[Item], wrapped: bool, toc_titles: set[str]) -> None:
    """A heading is heading-shaped and followed by a paragraph that is not, or is listed in the contents."""
    shaped = [_heading_shaped(item, wrapped) for item in items]
    for position, item in enumerate(items):
        followed = position + 1 < len(items) and not shaped[position + 1]
        if (shaped[position] and followed) or (toc_titles and text_key(item.text) in toc_titles):
            item.kind = "heading"


def clean_parts(raw: str) -> tuple[list[Part], list[Removal]]:
    """Clean raw document text into ordered parts and the list of everything removed.

    Footnotes are placed at the end of the section whose text carries their
    marker (or where they appeared, without a marker), ordered by number.
    """
    removals: list[Removal] = []
    visible = remove_hidden_characters(raw.replace("\u00ad", ""), removals)  # a soft hyphen is layout, not news
    text = _ODD_SPACES.sub(" ", visible.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    wrapped = is_wrapped(lines)
    vocabulary = "\n".join(lines).lower()
    items = drop_page_footers(_chunks(lines, wrapped), wrapped, removals)
    items, toc_titles = drop_front_matter(items, removals)
    items = drop_link_lines(drop_imprint(items, removals), removals)
    for item in items:
        item.text = item.lines[0]
        for line in item.lines[1:]:
            item.text = join_lines(item.text, line, vocabulary)
        if re.match(r"#{1,6} ", item.text):  # a Markdown heading; the hashes are markup, not content
            item.text, item.kind = item.text.lstrip("#").strip(), "heading"
    drop_web_boilerplate(items, removals)
    items = compact(items)
    strip_teaser_links(items, removals)
    _drop_duplicates(items, removals)
    body, footnotes = split_footnotes(compact(items), vocabulary)
    _mark_headings(body, wrapped, toc_titles)
    group = 0
    for item in body:
        group += item.kind == "heading"
        item.group = group
        # "NATO- Generalsekretär": a compound split by a stray space, never a suspended hyphen ("ost- und").
        item.text = re.sub(r"(?<=[^\W\d_]{2})- (?=[A-ZÄÖÜ][a-zäöüß])", "-", item.text)
    for item in body:
        if item.dated and item.kind == "heading":
            item.text = split_kicker(item.text, "\n".join(other.text for other in body if other is not item))
    marker_groups = strip_footnote_markers(body, {note.number for note in footnotes}, removals)
    parts = [Part(part.kind, neutralise_markers(part.text, removals), neutralise_markers(part.section))
             for part in _assemble(body, footnotes, marker_groups)]
    return parts, removals


def _assemble(body: list[Item], footnotes: list[Item], marker_groups: dict[int, int]) -> list[Part]:
    """Body parts in order, each section followed by its footnotes ordered by number."""
    def group_of(note: Item) -> int:
        if note.number in marker_groups:
            return marker_groups[note.number]
        return note.anchor.group if note.anchor else 0

    parts: list[Part] = []
    section = ""
    for position, item in enumerate(body):
        section = item.text if item.kind == "heading" else section
        parts.append(Part(item.kind, item.text, section))
        if position + 1 == len(body) or body[position + 1].group != item.group:
            notes = sorted((note for note in footnotes if group_of(note) == item.group), key=lambda n: n.number)
            parts.extend(Part("footnote", note.text, section) for note in notes)
    if not body:
        parts.extend(Part("footnote", note.text) for note in footnotes)
    return parts
