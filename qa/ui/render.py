"""Chat rendering: escaping, citation links, answer and turn HTML, the copy text, API JSON, tables and notices.

Pure functions of their arguments. Everything from documents or model output
is HTML-escaped here, and chat text additionally has its markdown syntax
turned into inert entities so model output can never create links, images or
markup. Leaves out: the sources panel and its cards (qa.ui.sources), the
strings themselves (qa.ui.texts) and styling (qa.ui.assets).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qa.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    InvalidQuestionError,
    ModelChecksumError,
    ModelCrashedError,
    ModelMissingError,
    NoDocumentsError,
    QAError,
)
from qa.text.markers import MARKER, marker_numbers
from qa.types import Answer, Document, Passage
from qa.ui.state import Conversation, Turn

if TYPE_CHECKING:
    from qa.index.build import BuildReport

# HTML's special characters plus markdown's, each as a character reference (decoded by the browser, inert in markdown).
_CHAT_ENTITIES = {char: f"&#{ord(char)};" for char in "&<>\"'[]()*_`~|!$\\:{}#+="}
_WWW = re.compile(r"(?i)www\.")


def escape_chat_text(text: str) -> str:
    """Escape model or document text for a Chatbot message: HTML-escaped, markdown made inert, no blank lines.

    Markdown punctuation becomes numeric character references, so `[a](url)`,
    `![img](url)`, raw URLs and emphasis show literally instead of becoming
    links, images or formatting; line breaks become `<br>` so a blank line can
    never end the surrounding HTML block.
    """
    escaped = "".join(_CHAT_ENTITIES.get(char, char) for char in text)
    escaped = _WWW.sub(lambda match: match.group(0)[:-1] + "&#46;", escaped)
    return re.sub(r"\s*\n\s*", "<br>", escaped.strip())


def cite_link(turn: int, number: int, title: str = "") -> str:
    """An in-page link for citation marker [number] of answer `turn` (handled by the sources panel's script)."""
    label = html.escape(title, quote=True)
    return f'<a class="qa-cite" href="#qa-src-{turn}-{number}" title="{label}">[{number}]</a>'


def render_markers(text: str, turn: int, titles: Mapping[int, str]) -> str:
    """Escape `text` for the chat and turn each valid marker [n] into a citation link.

    Markers whose number is not in `titles` stay plain text.
    """
    parts: list[str] = []
    position = 0
    for match in MARKER.finditer(text):
        parts.append(escape_chat_text(text[position:match.start()]) if match.start() > position else "")
        numbers = marker_numbers(match.group(1))
        if all(n in titles for n in numbers):
            parts.append("".join(cite_link(turn, n, titles[n]) for n in numbers))
        else:
            parts.append(escape_chat_text(match.group(0)))
        position = match.end()
    parts.append(escape_chat_text(text[position:]))
    return "".join(parts)


def _passage_titles(passages: Sequence[Passage], texts: Mapping[str, str]) -> dict[int, str]:
    return {p.number: f"{texts['source']} {p.number}: {p.title}" for p in passages}


def render_answer_body(answer: Answer, turn: int, texts: Mapping[str, str]) -> str:
    """The answer sentences with citation links; unsupported sentences are wrapped and flagged ⚠."""
    titles = _passage_titles(answer.passages, texts)
    if answer.refused or not answer.sentences:
        return render_markers(answer.text, turn, titles)
    rendered = []
    for check in answer.sentences:
        claim = check.sentence
        links = "".join(cite_link(turn, n, titles[n]) for n in check.cited if n in titles)
        if links and claim and claim[-1] in ".!?…":
            body = f"{escape_chat_text(claim[:-1])} {links}{escape_chat_text(claim[-1])}"
        else:
            body = escape_chat_text(claim) + (f" {links}" if links else "")
        if not check.supported:
            title = html.escape(texts["unsupported"], quote=True)
            body = f'<span class="qa-unsupported" title="{title}">⚠ {body}</span>'
        rendered.append(body)
    return " ".join(rendered)


def render_timing(answer: Answer, texts: Mapping[str, str]) -> str:
    """The small timing line under an answer."""
    t = answer.timings
    if t.first_token_s > 0:
        line = texts["timing"].format(retrieval=t.retrieval_s, first=t.first_token_s, total=t.total_s)
    else:
        line = texts["timing_no_model"].format(retrieval=t.retrieval_s, total=t.total_s)
    return f'<p class="qa-timing">{html.escape(line)}</p>'


def render_turn(turn: Turn, index: int, texts: Mapping[str, str]) -> str:
    """The assistant message of one turn as HTML for the Chatbot (one HTML block, no blank lines)."""
    parts = ['<div class="qa-msg">']
    if turn.standalone_question and turn.standalone_question != turn.question:
        parts.append(f'<p class="qa-understood">{html.escape(texts["understood_as"])}: '
                     f'„{escape_chat_text(turn.standalone_question)}“</p>')
    answer = turn.answer
    if turn.status == "error":
        message = texts.get(f"error_{turn.error}", turn.error)
        parts.append(f'<p class="qa-error"><strong>{html.escape(texts["error_title"])}</strong><br>'
                     f'{escape_chat_text(message)}'
                     + (f'<br>→ {escape_chat_text(turn.hint)}' if turn.hint else "") + "</p>")
    elif answer is not None and answer.refused:
        parts.append(f'<p class="qa-body qa-refused">{escape_chat_text(answer.text)}</p>')
        parts.append(f'<p class="qa-note">{html.escape(texts["refused_note"])}</p>')
    elif answer is not None:
        parts.append(f'<p class="qa-body">{render_answer_body(answer, index, texts)}</p>')
        if answer.extractive:
            parts.append(f'<p class="qa-note">{html.escape(texts["quoted_note"])}</p>')
        if any(not check.supported for check in answer.sentences):
            parts.append(f'<p class="qa-note">{html.escape(texts["unsupported_note"])}</p>')
    elif turn.draft:
        body = render_markers(turn.draft, index, _passage_titles(turn.passages, texts))
        cursor = "" if turn.status == "stopped" else '<span class="qa-cursor">▍</span>'
        # Not checked yet: shown as a draft, so nobody mistakes it for the answer that may replace it.
        parts.append(f'<p class="qa-progress qa-draft-label">{html.escape(texts["draft"])}</p>')
        parts.append(f'<p class="qa-body qa-draft">{body}{cursor}</p>')
    elif turn.status in ("loading", "searching", "writing"):
        key = {"loading": "loading_model", "searching": "searching", "writing": "writing"}[turn.status]
        parts.append(f'<p class="qa-progress"><span class="qa-dots"></span>{html.escape(texts[key])}</p>')
    if turn.status == "stopped":
        parts.append(f'<p class="qa-note">■ {html.escape(texts["stopped"])}</p>')
    if answer is not None:
        parts.append(render_timing(answer, texts))
    parts.append("</div>")
    return "".join(parts)


def render_chat(conversation: Conversation, texts: Mapping[str, str]) -> list[dict[str, str]]:
    """The Chatbot value (messages format) for the whole conversation."""
    messages: list[dict[str, str]] = []
    for index, turn in enumerate(conversation.turns):
        question = f'<div class="qa-question">{escape_chat_text(turn.question)}</div>'
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": render_turn(turn, index, texts)})
    return messages


def copy_text(answer: Answer | None, texts: Mapping[str, str]) -> str:
    """The answer with its numbered sources as plain text, for copying."""
    if answer is None:
        return ""
    lines = [answer.text]
    cited = {c.number: c for c in answer.citations}
    if cited:
        lines += ["", f"{texts['copy_sources']}:"]
        for passage in answer.passages:
            if passage.number in cited:
                lines.append(f"[{passage.number}] {passage.where} ({passage.chunk.document_id})")
                lines.append(f"    „{cited[passage.number].evidence or passage.text}“")
    return "\n".join(lines)


def api_result(answer: Answer) -> dict[str, Any]:
    """The JSON the `/ask` endpoint returns: answer text with [n] markers, refusal flag and cited sources."""
    cited = {c.number: c for c in answer.citations}
    return {
        "answer": answer.text,
        "refused": answer.refused,
        "language": answer.language,
        "standalone_question": answer.standalone_question,
        "sources": [
            {"n": p.number, "document_id": p.chunk.document_id, "title": p.title, "section": p.section,
             "text": p.text, "evidence": cited[p.number].evidence}
            for p in answer.passages if p.number in cited
        ],
    }


def document_table(documents: Mapping[str, Document], chunk_counts: Mapping[str, int],
                   texts: Mapping[str, str]) -> dict[str, Any]:
    """The documents tab's table value: headers and one row per indexed document."""
    keys = ("doc_title", "doc_publisher", "doc_date", "doc_language", "doc_chunks", "doc_file")
    headers = [texts[key] for key in keys]
    rows = [[d.title, d.publisher, d.date, d.language.upper(), chunk_counts.get(d.id, 0), d.id]
            for d in sorted(documents.values(), key=lambda d: d.id)]
    return {"headers": headers, "data": rows}


def render_build_report(report: BuildReport, texts: Mapping[str, str]) -> str:
    """What a re-index did, as escaped HTML."""
    lines = [html.escape(texts["report"].format(documents=report.documents, chunks=report.chunks,
                                                seconds=report.seconds, embedded=report.embedded,
                                                reused=report.reused))]
    for key, names in (("report_changed", report.changed_documents), ("report_removed", report.removed_documents)):
        if names:
            lines.append(f"{html.escape(texts[key])}: {html.escape(', '.join(names))}")
    for skipped in report.skipped:
        lines.append(f"{html.escape(texts['report_skipped'])}: {html.escape(skipped.path)} — "
                     f"{html.escape(skipped.reason)}")
    if not report.changed_documents and not report.removed_documents:
        lines.append(html.escape(texts["report_unchanged"]))
    return '<div class="qa-report">' + "<br>".join(lines) + "</div>"


def render_error(error: QAError, title: str) -> str:
    """A QAError as an escaped notice: what went wrong and how to fix it."""
    hint = f"<br>→ {html.escape(error.hint)}" if error.hint else ""
    return f'<div class="qa-notice"><strong>{html.escape(title)}</strong> {html.escape(error.message)}{hint}</div>'


_ERROR_KINDS: tuple[tuple[tuple[type[QAError], ...], str], ...] = (
    ((IndexMissingError, IndexMismatchError, IndexCorruptError, NoDocumentsError), "index"),
    ((ModelMissingError, ModelChecksumError, ModelCrashedError), "model"),
)


def error_kind(error: QAError) -> str:
    """The key of the chat's message for an answering error: "index", "model" or "other" (texts "error_<kind>")."""
    for classes, kind in _ERROR_KINDS:
        if isinstance(error, classes):
            return kind
    return "other"


def render_question_error(error: InvalidQuestionError, texts: Mapping[str, str]) -> str:
    """An invalid question as a notice in the UI language only (no English message, no operator hint)."""
    text = texts.get(f"question_{error.reason}", texts["question_invalid"])
    try:
        text = text.format(**error.values)
    except (KeyError, IndexError):
        text = texts["question_invalid"]
    return f'<div class="qa-notice"><strong>{html.escape(texts["invalid_title"])}</strong> {html.escape(text)}</div>'
