"""Cleaning rules: raw seed text in, headings, paragraphs and footnotes out.

Every rule is chosen by the shape of the text, never by document id, so a new
PDF extraction or web page benefits too. In order:

- Whitespace: non-breaking and other odd spaces become plain spaces, runs of
  spaces collapse, lines are stripped, soft hyphens vanish.
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

Every dropped piece of text is returned as a Removal. Deliberately left out:
words split by a stray space inside a line ("Gefahren bilder"), tables,
footnotes that continue on the next page, and parsing of a bibliography (a
"Literatur" section stays as ordinary paragraphs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.types import BlockKind, Removal


@dataclass(frozen=True)
class Part:
    """One cleaned heading, paragraph or footnote and the section it falls under."""

    kind: BlockKind
    text: str
    section: str = ""


@dataclass
class _Item:
    """A block while it is being cleaned; mutable and private to this module."""

    lines: list[str]
    text: str = ""
    kind: BlockKind = "paragraph"
    interrupted: bool = False  # something was dropped right before it
    teaser: bool = False
    number: int = 0  # footnote number
    anchor: _Item | None = None  # for a footnote: the body item before it
    group: int = 0  # index of the section (heading run) the item falls under
    dropped: bool = False
    dated: bool = False  # carried a "Stand:" timestamp, i.e. is a web page's title line


_ODD_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'»«“”’)\]]*$")
_URL_END = re.compile(r"(?:https?://|www\.)\S*[/._-]$")
_CONJUNCTION = re.compile(r"(?:und|oder|bzw\.|sowie|and|or)\b")
_LINK_LINE = re.compile(r"^(?:↗\s*\S+|(?:https?://|mailto:|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+)$")
_LINK_PROMPT = re.compile(r"\b(?:hier|here)\s*:$", re.I)
_NUMBERED_LINE = re.compile(r"^(\d{1,4}) (\D{10,60})$")
_DOT_LEADER = re.compile(r"(?:(?: ?\.){3,} *\d+|(?: ?\.){4,} *)$")
_TOC_TITLE = re.compile(r"^(?:Inhalt|Inhaltsverzeichnis|Contents|Table of contents)$", re.I)
_IMPRINT_TITLE = re.compile(r"^(?:Impressum|Imprint)$", re.I)
_TIMESTAMP = re.compile(
    r"\s*\b(?:Stand|Aktualisiert|Updated|Last updated):\s*\d{1,2}\.\d{1,2}\.\d{2,4}(?:,?\s*\d{1,2}:\d{2}(?:\s*Uhr)?)?")
_TEASER_LINK = re.compile(r"\s+(read more|mehr lesen|weiterlesen|mehr|more)$", re.I)
_NAVIGATION = re.compile(r"^[\w-]{1,20}(?: [\w-]{1,20})?$")
_SOURCE_CREDIT = re.compile(r"^(?:Source|Quelle|Via)\s*:\s*[^.!?]{1,80}$", re.I)
_AUTHOR_BIO = re.compile(
    r"^(?:I have been|I've been|I am|I'm|Ich bin|Ich arbeite)\b.*\b(?:journalist|reporter|editor|writer|news|"
    r"Redakteur|Autor)", re.I | re.S)
# Case-sensitive on purpose: "Support also from the USA" is a subheading, not an ad.
_TAIL_START = re.compile("|".join((
    r"^\W*(?:Unterstütze|Unterstützt|Support) (?:uns|us|[A-Z]{2,}\b)",
    r"^(?:Stellenangebote|Stellenanzeigen|Jobangebote|Job offers)$",
    r"^(?:Du willst|Willst du|Sie wollen|Wollen Sie) nichts verpassen",
    r"^Newsletter\b|(?:Sign up|Subscribe) (?:to|for) our newsletter",
    r"Kommentare (?:werden|wird) .{0,20}moderiert|^Du hast einen wertvollen Beitrag oder Kommentar",
    r"^Nutze die Google-Such",
    r"^(?:Das könnte (?:Sie|dich) auch interessieren|Mehr zum Thema|Related articles)\b",
)))
_TAIL_LABELS = (
    ("job ads", re.compile(r"Stellenangebot|Stellenanzeige|\([mwd]/[mwd]/[mwd]\)|Werkstudent|\bJobs?\b", re.I)),
    ("book ads", re.compile(r"\bBuch\b|\bBücher|Bestseller|\bbooks?\b", re.I)),
    ("comment policy", re.compile(r"Kommentar|Diskussion|respektvoll|\bcomment", re.I)),
    ("newsletter", re.compile(r"Newsletter|nichts verpassen|Benachrichtigung|\bFeed\b|abonnier|per e-?mail", re.I)),
    ("search prompt", re.compile(r"Suchmaschine|Google|\bBing\b", re.I)),
    ("ads and promotion", re.compile(r"Unterstütze|\bSupport\b|Patreon|Startseite|Club\b|Directory", re.I)),
)
# A footnote marker glued to the body: "hirntot.2", "2022).1", "together.«19".
_MARKER = re.compile(r"(?<=\S)([.,;:!?»«\")”’]*[.»«\")”’])(\d{1,3})(?=\s|$)")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


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


def _chunks(lines: list[str], wrapped: bool) -> list[_Item]:
    """Blank-line separated chunks for wrapped text, one item per line otherwise; a Markdown heading stands alone."""
    items: list[_Item] = []
    current: list[str] = []
    for line in [*lines, ""]:
        markdown_heading = bool(re.match(r"#{1,6} ", line))
        if current and markdown_heading:
            items.append(_Item(current))
            current = []
        if line:
            current.append(line)
        if current and (not line or not wrapped or markdown_heading):
            items.append(_Item(current))
            current = []
    return items


def _is_wrapped(lines: list[str]) -> bool:
    """True for hard-wrapped text (PDF extraction): many lines of 30+ characters break mid-sentence."""
    pairs = soft = 0
    for left, right in zip(lines, lines[1:], strict=False):
        if left and right:
            pairs += 1
            soft += bool(len(left) >= 30 and re.search(r"[a-zäöüß,-]$", left) and re.match(r"[a-zäöüß]", right))
    return soft >= 1 and soft >= 0.2 * pairs


def _drop_page_footers(items: list[_Item], wrapped: bool, removals: list[Removal]) -> list[_Item]:
    """Drop running footers (the same text after two or more page numbers) and, in PDF text, bare page numbers."""
    numbers: dict[str, set[str]] = {}
    for item in items:
        for match in filter(None, map(_NUMBERED_LINE.match, item.lines)):
            numbers.setdefault(match.group(2), set()).add(match.group(1))
    running = {text for text, seen in numbers.items() if len(seen) >= 2}
    result: list[_Item] = []
    for item in items:
        current: list[str] = []
        for line in item.lines:
            numbered = _NUMBERED_LINE.match(line)
            page_number = wrapped and len(item.lines) == 1 and re.fullmatch(r"\d{1,3}", line)
            if (numbered and numbered.group(2) in running) or page_number:
                removals.append(Removal("page footer", line))
                result += [_Item(current)] if current else []
                result.append(_Item([line], dropped=True))
                current = []
            else:
                current.append(line)
        if current:
            result.append(_Item(current))
    return _compact(result)


def _drop_front_matter(items: list[_Item], removals: list[Removal]) -> tuple[list[_Item], set[str]]:
    """Drop a dot-leader table of contents and everything before the first heading it lists."""
    toc = {i for i, item in enumerate(items) if any(_DOT_LEADER.search(line) for line in item.lines)}
    if not toc:
        return items, set()
    titles = {_key(_DOT_LEADER.sub("", " ".join(items[i].lines))) for i in toc}
    body = next((i for i in range(max(toc) + 1, len(items)) if _key(" ".join(items[i].lines)) in titles), None)
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
        elif _key(text) in seen:
            rule, in_imprint = "duplicate cover", False
        else:
            rule = "imprint" if in_imprint else "cover page"
        seen.add(_key(text))
        removals.append(Removal(rule, text))
    dropped = set(front)
    kept = [item for i, item in enumerate(items) if i not in dropped]
    return kept, titles


def _drop_imprint(items: list[_Item], removals: list[Removal]) -> list[_Item]:
    """Drop an "Impressum" block: the title and the short blocks after it (up to 400 characters each)."""
    start = next((i for i, item in enumerate(items) if _IMPRINT_TITLE.match(" ".join(item.lines))), None)
    if start is None:
        return items
    end = start + 1
    while end < len(items) and len(" ".join(items[end].lines)) <= 400:
        end += 1
    removals.extend(Removal("imprint", "\n".join(item.lines)) for item in items[start:end])
    return items[:start] + items[end:]


def _drop_link_lines(items: list[_Item], removals: list[Removal]) -> list[_Item]:
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
    return _compact(items)


def _compact(items: list[_Item]) -> list[_Item]:
    """Remove dropped items; the item after a dropped one counts as interrupted."""
    result: list[_Item] = []
    pending = False
    for item in items:
        if item.dropped:
            pending = True
            continue
        item.interrupted = item.interrupted or pending
        result.append(item)
        pending = False
    return result


def _drop_web_boilerplate(items: list[_Item], removals: list[Removal]) -> None:
    """Mark web boilerplate as dropped: timestamps, the trailing ads/comments run, navigation, credits, bios."""
    for item in items:
        for match in _TIMESTAMP.finditer(item.text):
            removals.append(Removal("timestamp", match.group().strip()))
            item.dated = True
        item.text = _TIMESTAMP.sub("", item.text).strip()
        item.dropped = not item.text
    has_prose = False
    for position, item in enumerate(items):
        if has_prose and _TAIL_START.search(item.text) and _looks_like_tail(items[position:]):
            label = "ads and promotion"
            for tail_item in items[position:]:
                label = _tail_label(tail_item.text) or label
                removals.append(Removal(f"trailing boilerplate: {label}", tail_item.text))
                tail_item.dropped = True
            break
        has_prose = has_prose or len(item.text) >= 200
    live = [item for item in items if not item.dropped]
    trailing = 0
    while trailing < len(live) and _NAVIGATION.match(live[-1 - trailing].text):
        trailing += 1
    if trailing >= 2:
        for item in live[len(live) - trailing:]:
            removals.append(Removal("navigation links", item.text))
            item.dropped = True
        live = live[:-trailing]
    for item in live:
        if _SOURCE_CREDIT.match(item.text):
            removals.append(Removal("source credit", item.text))
            item.dropped = True
    for item in [item for item in live if not item.dropped][-2:]:
        if len(item.text) <= 800 and _AUTHOR_BIO.match(item.text):
            removals.append(Removal("author bio", item.text))
            item.dropped = True


def _tail_label(text: str) -> str:
    return next((name for name, pattern in _TAIL_LABELS if pattern.search(text)), "")


def _looks_like_tail(items: list[_Item]) -> bool:
    """Guard against cutting an article short: most of the tail must look like boilerplate by itself."""
    return sum(bool(_tail_label(item.text)) for item in items) * 2 >= len(items)


def _strip_teaser_links(items: list[_Item], removals: list[Removal]) -> None:
    """Remove "mehr"/"more" link suffixes of teasers: after a full sentence, or in a list of three or more."""
    teasers = sum(1 for item in items if _TEASER_LINK.search(item.text))
    for item in items:
        match = _TEASER_LINK.search(item.text)
        if match and (teasers >= 3 or _SENTENCE_END.search(item.text[: match.start()])):
            removals.append(Removal("teaser link", match.group(1)))
            item.text, item.teaser = item.text[: match.start()], True


def _drop_duplicates(items: list[_Item], removals: list[Removal]) -> None:
    """Drop a block of 20 or more characters that repeats an earlier one word for word."""
    seen: set[str] = set()
    for item in items:
        key = _key(item.text)
        if len(key) >= 20 and key in seen:
            removals.append(Removal("duplicate block", item.text))
            item.dropped = True
        seen.add(key)


def _marker_numbers(items: list[_Item]) -> set[int]:
    found = ((item.text, match) for item in items for match in _MARKER.finditer(item.text))
    return {int(match.group(2)) for text, match in found if _is_marker(text, match)}


def _is_marker(text: str, match: re.Match[str]) -> bool:
    """False for decimals such as "1.15"; the punctuation before a marker follows a word or a bracket."""
    before = text[match.start() - 1] if match.start() else " "
    return not (before.isdigit() and match.group(1) == ".")


def _split_footnotes(items: list[_Item], vocabulary: str) -> tuple[list[_Item], list[_Item]]:
    """Take footnotes out of the body and re-join the paragraphs that dropped blocks interrupted.

    A footnote is a block starting with the next footnote number ("1 Neu an ..."),
    where that number also occurs as a marker glued to the text. A paragraph
    that ends mid-sentence before a footnote, footer or other dropped block is
    joined with the next one when that starts in lower case ("Pers-" + "pektive").
    Returns the body items and the footnotes (each anchored to the body item before it).
    """
    markers = _marker_numbers(items)
    body: list[_Item] = []
    footnotes: list[_Item] = []
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
        if (previous and previous.kind == "paragraph" and interrupted and not _SENTENCE_END.search(previous.text)
                and item.text[:1].islower()):
            previous.text = join_lines(previous.text, item.text, vocabulary)
        else:
            body.append(item)
    return body, footnotes


def _heading_shaped(item: _Item, wrapped: bool) -> bool:
    """Short, starts like a title, no final punctuation, at most three lines of wrapped text."""
    text = item.text
    if item.kind != "paragraph" or item.teaser or len(text) > 120 or len(text.split()) > 16:
        return False
    if wrapped and len(item.lines) > 3:
        return False
    return (text[0].isupper() or text[0].isdigit()) and not re.search(r"[.!?:;,…–-]$", text.rstrip("\"'»«“”’"))


def _mark_headings(items: list[_Item], wrapped: bool, toc_titles: set[str]) -> None:
    """A heading is heading-shaped and followed by a paragraph that is not, or is listed in the contents."""
    shaped = [_heading_shaped(item, wrapped) for item in items]
    for position, item in enumerate(items):
        followed = position + 1 < len(items) and not shaped[position + 1]
        if (shaped[position] and followed) or (toc_titles and _key(item.text) in toc_titles):
            item.kind = "heading"


def _split_kicker(title: str, article: str) -> str:
    """Mark the kicker of a title line that runs into the headline: "Nachfolger von Stoltenberg: Rutte ist ...".

    The headline is the longest run of three or more final words that the
    article repeats; the two or more words before it are the kicker.
    """
    words = title.split()
    for cut in range(2, len(words) - 2):
        if " ".join(words[cut:]) in article:
            return f"{' '.join(words[:cut])}: {' '.join(words[cut:])}"
    return title


def _strip_markers(body: list[_Item], numbers: set[int], removals: list[Removal]) -> dict[int, int]:
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


def clean_parts(raw: str) -> tuple[list[Part], list[Removal]]:
    """Clean raw document text into ordered parts and the list of everything removed.

    Footnotes are placed at the end of the section whose text carries their
    marker (or where they appeared, without a marker), ordered by number.
    """
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", raw.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    wrapped = _is_wrapped(lines)
    vocabulary = "\n".join(lines).lower()
    removals: list[Removal] = []
    items = _drop_page_footers(_chunks(lines, wrapped), wrapped, removals)
    items, toc_titles = _drop_front_matter(items, removals)
    items = _drop_link_lines(_drop_imprint(items, removals), removals)
    for item in items:
        item.text = item.lines[0]
        for line in item.lines[1:]:
            item.text = join_lines(item.text, line, vocabulary)
        if re.match(r"#{1,6} ", item.text):  # a Markdown heading; the hashes are markup, not content
            item.text, item.kind = item.text.lstrip("#").strip(), "heading"
    _drop_web_boilerplate(items, removals)
    items = _compact(items)
    _strip_teaser_links(items, removals)
    _drop_duplicates(items, removals)
    body, footnotes = _split_footnotes(_compact(items), vocabulary)
    _mark_headings(body, wrapped, toc_titles)
    group = 0
    for item in body:
        group += item.kind == "heading"
        item.group = group
        # "NATO- Generalsekretär": a compound split by a stray space, never a suspended hyphen ("ost- und").
        item.text = re.sub(r"(?<=[^\W\d_]{2})- (?=[A-ZÄÖÜ][a-zäöüß])", "-", item.text)
    for item in body:
        if item.dated and item.kind == "heading":
            item.text = _split_kicker(item.text, "\n".join(other.text for other in body if other is not item))
    marker_groups = _strip_markers(body, {note.number for note in footnotes}, removals)
    return _assemble(body, footnotes, marker_groups), removals


def _assemble(body: list[_Item], footnotes: list[_Item], marker_groups: dict[int, int]) -> list[Part]:
    """Body parts in order, each section followed by its footnotes ordered by number."""
    def group_of(note: _Item) -> int:
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
