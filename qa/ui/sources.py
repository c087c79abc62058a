"""The sources panel: one section per turn with numbered passage cards and the evidence highlighted.

Cited passages come first with their supporting sentences marked, the other
retrieved passages are collapsed below; a refused answer lists the closest
passages. Every card carries the anchor that the citation links in the chat
jump to, a "whole passage" expander when the card shows a trimmed excerpt,
and an "open in document" button (the page's script asks the server for the
document viewer, qa.ui.documents). Each turn carries its own copy text, so
Copy follows the answer whose sources are shown. Leaves out: the chat messages and citation links themselves
(qa.ui.render) and the script that scrolls to a card (qa.ui.assets).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence

from qa.types import Chunk, Document, Hit, Passage
from qa.ui.localize import format_document_date, quote
from qa.ui.render import copy_text
from qa.ui.state import Conversation, Turn


def highlight(text: str, sentences: Sequence[str]) -> str:
    """HTML-escape `text` and wrap each of `sentences` found in it in <mark> (whitespace-insensitive)."""
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        words = sentence.split()
        if not words:
            continue
        match = re.search(r"\s+".join(re.escape(word) for word in words), text)
        if match:
            spans.append(match.span())
    spans.sort()
    parts, position = [], 0
    for start, end in spans:
        if start < position:  # overlapping evidence: mark only the part not marked yet
            start = position
        if end <= start:
            continue
        parts.append(html.escape(text[position:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def _document_meta(document: Document | None, section: str, language: str, texts: Mapping[str, str]) -> str:
    items = []
    if document is not None and document.publisher:
        items.append(document.publisher)
    if document is not None and document.date:
        items.append(format_document_date(document.date, texts["locale"]))
    items.append((document.language if document is not None else language).upper())
    if section:
        items.append(f"§ {section}")
    return " · ".join(html.escape(item) for item in items)


def _open_button(chunk: Chunk, span: tuple[int, int], evidence: Sequence[str], texts: Mapping[str, str]) -> str:
    data = html.escape(json.dumps({"document": chunk.document_id, "start": span[0], "end": span[1],
                                   "evidence": [sentence for sentence in evidence if sentence]}), quote=True)
    return f'<button type="button" class="qa-open" data-open="{data}">{html.escape(texts["open_document"])}</button>'


def render_card(turn: int, number: int | None, title: str, text: str, document: Document | None, chunk: Chunk,
                evidence: Sequence[str], texts: Mapping[str, str], section: str = "",
                span: tuple[int, int] | None = None) -> str:
    """One source card: number badge, title, publisher · date · language · section, the passage text,
    the whole passage when `text` is an excerpt of the chunk, and the button that opens the document there.
    """
    anchor = f' id="qa-src-{turn}-{number}"' if number is not None else ""
    badge = (f'<span class="qa-num">{number}</span>' if number is not None
             else '<span class="qa-num qa-num-none">·</span>')
    span = span or (chunk.start, chunk.end)  # where `text` lies in the document
    trimmed = (span[0] > chunk.start, span[1] < chunk.end)
    body = ("… " if trimmed[0] else "") + highlight(text, evidence) + (" …" if trimmed[1] else "")
    whole = ""
    if any(trimmed):
        whole = (f'<details class="qa-whole"><summary>{html.escape(texts["whole_passage"])}</summary>'
                 f'<p class="qa-card-text">{highlight(chunk.text, evidence)}</p></details>')
    meta = _document_meta(document, section or chunk.section, chunk.language, texts)
    return (f'<article class="qa-card"{anchor}><div class="qa-card-head">{badge}<div>'
            f'<div class="qa-card-title">{html.escape(title)}</div>'
            f'<div class="qa-card-meta">{meta}</div></div></div>'
            f'<p class="qa-card-text">{body}</p>{whole}'
            f'<div class="qa-card-actions">{_open_button(chunk, span, evidence, texts)}</div></article>')


def _passage_card(turn: int, passage: Passage, documents: Mapping[str, Document], evidence: Sequence[str],
                  texts: Mapping[str, str]) -> str:
    chunk = passage.chunk
    return render_card(turn, passage.number, passage.title, passage.text, documents.get(chunk.document_id),
                       chunk, evidence, texts, section=passage.section, span=(passage.start, passage.end))


def _hit_card(turn: int, hit: Hit, documents: Mapping[str, Document], texts: Mapping[str, str]) -> str:
    chunk = hit.chunk
    document = documents.get(chunk.document_id)
    return render_card(turn, None, document.title if document else chunk.document_id, chunk.text, document,
                       chunk, (), texts)


def _copy_block(turn: Turn, texts: Mapping[str, str]) -> str:
    if turn.answer is None:
        return ""
    text = html.escape(copy_text(turn.answer, texts))
    return (f'<details class="qa-copy-box"><summary>{html.escape(texts["copy_title"])}</summary>'
            f'<pre class="qa-copy-text">{text}</pre></details>'
            f'<button type="button" class="qa-copy" data-done="{html.escape(texts["copied"], quote=True)}">'
            f'{html.escape(texts["copy_button"])}</button>')


def render_turn_sources(turn: Turn, index: int, documents: Mapping[str, Document], texts: Mapping[str, str],
                        current: bool) -> str:
    """The sources section of one turn: cited passages first, the rest collapsed; closest passages if refused."""
    answer = turn.answer
    shown_ids = {p.chunk.id for p in turn.passages}
    extra_hits = [hit for hit in turn.hits if hit.chunk.id not in shown_ids]
    if answer is not None and not answer.refused:
        heading = texts["sources"]
        evidence: dict[int, list[str]] = {}
        for citation in answer.citations:
            evidence.setdefault(citation.number, []).append(citation.evidence)
        main = [_passage_card(index, p, documents, evidence[p.number], texts) for p in answer.passages
                if p.number in evidence]
        rest = [_passage_card(index, p, documents, (), texts) for p in answer.passages if p.number not in evidence]
    else:
        refused = answer is not None and answer.refused
        heading = texts["closest_passages"] if refused else texts["found_passages"]
        limit = 3 if refused else len(turn.passages)
        main = [_passage_card(index, p, documents, (), texts) for p in turn.passages[:limit]]
        rest = [_passage_card(index, p, documents, (), texts) for p in turn.passages[limit:]]
    rest += [_hit_card(index, hit, documents, texts) for hit in extra_hits]
    more = ""
    if rest:
        summary = html.escape(texts["more_passages"].format(count=len(rest)))
        more = f'<details class="qa-more"><summary>{summary}</summary>{"".join(rest)}</details>'
    css_class = "qa-turn qa-current" if current else "qa-turn"
    return (f'<section class="{css_class}" id="qa-turn-{index}"><header class="qa-turn-head">'
            f'<span class="qa-turn-label">{html.escape(heading)}</span> '
            f'<span class="qa-turn-question">{html.escape(texts["for_question"])} '
            f'{quote(html.escape(turn.question), texts["locale"])}</span>{_copy_block(turn, texts)}'
            f"</header>{''.join(main)}{more}</section>")


def render_sources(conversation: Conversation, documents: Mapping[str, Document], texts: Mapping[str, str]) -> str:
    """The sources panel: one section per turn with passages (the latest one visible), or a hint when empty."""
    with_passages = [i for i, turn in enumerate(conversation.turns) if turn.passages]
    if not with_passages:
        return (f'<div class="qa-sources qa-sources-empty"><header class="qa-turn-head"><span class="qa-turn-label">'
                f'{html.escape(texts["sources"])}</span></header>'
                f'<p class="qa-empty">{html.escape(texts["sources_empty"])}</p></div>')
    sections = [render_turn_sources(conversation.turns[i], i, documents, texts, current=i == with_passages[-1])
                for i in with_passages]
    return f'<div class="qa-sources">{"".join(sections)}</div>'
