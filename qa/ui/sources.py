"""The sources panel: one section per turn with numbered passage cards and the evidence highlighted.

Cited passages come first with their supporting sentences marked, the other
retrieved passages are collapsed below; a refused answer lists the closest
passages. Every card carries the anchor that the citation links in the chat
jump to. Leaves out: the chat messages and citation links themselves
(qa.ui.render) and the script that scrolls to a card (qa.ui.assets).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from qa.types import Document, Hit, Passage
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
        items.append(document.date)
    items.append((document.language if document is not None else language).upper())
    if section:
        items.append(f"§ {section}")
    return " · ".join(html.escape(item) for item in items)


def render_card(turn: int, number: int | None, title: str, text: str, document: Document | None, section: str,
                language: str, evidence: Sequence[str], texts: Mapping[str, str],
                trimmed: tuple[bool, bool] = (False, False)) -> str:
    """One source card: number badge, title, publisher · date · language · section, and the passage text."""
    anchor = f' id="qa-src-{turn}-{number}"' if number is not None else ""
    badge = (f'<span class="qa-num">{number}</span>' if number is not None
             else '<span class="qa-num qa-num-none">·</span>')
    body = ("… " if trimmed[0] else "") + highlight(text, evidence) + (" …" if trimmed[1] else "")
    return (f'<article class="qa-card"{anchor}><div class="qa-card-head">{badge}<div>'
            f'<div class="qa-card-title">{html.escape(title)}</div>'
            f'<div class="qa-card-meta">{_document_meta(document, section, language, texts)}</div></div></div>'
            f'<p class="qa-card-text">{body}</p></article>')


def _passage_card(turn: int, passage: Passage, documents: Mapping[str, Document], evidence: Sequence[str],
                  texts: Mapping[str, str]) -> str:
    chunk = passage.chunk
    return render_card(turn, passage.number, passage.title, passage.text, documents.get(chunk.document_id),
                       passage.section, chunk.language, evidence, texts,
                       trimmed=(passage.start > chunk.start, passage.end < chunk.end))


def _hit_card(turn: int, hit: Hit, documents: Mapping[str, Document], texts: Mapping[str, str]) -> str:
    chunk = hit.chunk
    document = documents.get(chunk.document_id)
    return render_card(turn, None, document.title if document else chunk.document_id, chunk.text, document,
                       chunk.section, chunk.language, (), texts)


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
            f'<span class="qa-turn-question">{html.escape(texts["for_question"])} „{html.escape(turn.question)}“</span>'
            f"</header>{''.join(main)}{more}</section>")


def render_sources(conversation: Conversation, documents: Mapping[str, Document], texts: Mapping[str, str]) -> str:
    """The sources panel: one section per turn with passages (the latest one visible), or a hint when empty."""
    with_passages = [i for i, turn in enumerate(conversation.turns) if turn.passages]
    if not with_passages:
        return (f'<div class="qa-sources"><header class="qa-turn-head"><span class="qa-turn-label">'
                f'{html.escape(texts["sources"])}</span></header>'
                f'<p class="qa-empty">{html.escape(texts["sources_empty"])}</p></div>')
    sections = [render_turn_sources(conversation.turns[i], i, documents, texts, current=i == with_passages[-1])
                for i in with_passages]
    return f'<div class="qa-sources">{"".join(sections)}</div>'
