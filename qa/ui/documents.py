"""The documents list and the document viewer: every indexed document, and one document opened at a place.

`render_document_list` is the Documents tab: one entry per document with
title, publisher, date, language and passage count, and a button that opens
it. `render_viewer` is the viewer those buttons and the source cards open:
the whole cleaned document, the cited passage set off and its evidence
sentences marked, for the page's script to scroll to. Leaves out: fetching
the documents (qa.ui.callbacks) and the script and overlay (qa.ui.assets).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence

from qa.types import Document
from qa.ui.localize import format_document_date, format_number, language_name
from qa.ui.sources import highlight


def _open_data(document_id: str) -> str:
    return html.escape(json.dumps({"document": document_id, "start": -1, "end": -1, "evidence": []}), quote=True)


def render_document_list(documents: Mapping[str, Document], chunk_counts: Mapping[str, int],
                         texts: Mapping[str, str]) -> str:
    """The Documents tab's list: title, then publisher · date · language · passages, and a Read button."""
    language = texts["locale"]
    if not documents:
        return f'<p class="qa-empty">{html.escape(texts["documents_empty"])}</p>'
    entries = []
    for document in sorted(documents.values(), key=lambda d: d.title.casefold()):
        count = texts["passages_count"].format(count=format_number(chunk_counts.get(document.id, 0), language))
        meta = [document.publisher, format_document_date(document.date, language),
                language_name(document.language, language), count]
        entries.append(
            f'<li class="qa-doc" data-document="{html.escape(document.id, quote=True)}">'
            f'<div class="qa-doc-title">{html.escape(document.title)}</div>'
            f'<div class="qa-card-meta">{" · ".join(html.escape(item) for item in meta if item)}</div>'
            f'<div class="qa-doc-file">{html.escape(document.id)}</div>'
            f'<button type="button" class="qa-open" data-open="{_open_data(document.id)}">'
            f'{html.escape(texts["documents_open"])}</button></li>')
    return f'<ul class="qa-doc-list">{"".join(entries)}</ul>'


def render_viewer(document: Document, start: int, end: int, evidence: Sequence[str], texts: Mapping[str, str]) -> str:
    """The whole document with text[start:end] set off as the passage (none when start < 0) and `evidence` marked."""
    language = texts["locale"]
    text = document.text
    meta = [document.publisher, format_document_date(document.date, language),
            language_name(document.language, language)]
    if 0 <= start < end <= len(text):
        body = (html.escape(text[:start]) + '<span class="qa-viewer-passage" id="qa-viewer-target">'
                + highlight(text[start:end], evidence) + "</span>" + html.escape(text[end:]))
    else:
        body = html.escape(text)
    return (f'<div class="qa-viewer-head"><div><div class="qa-viewer-title">{html.escape(document.title)}</div>'
            f'<div class="qa-card-meta">{" · ".join(html.escape(item) for item in meta if item)}</div></div>'
            f'<button type="button" class="qa-viewer-close">{html.escape(texts["close"])}</button></div>'
            f'<div class="qa-viewer-text" lang="{html.escape(document.language, quote=True)}">{body}</div>')
