"""Chat rendering: escaping, citation links, answer and turn HTML, progress, the copy text, API JSON and notices.

Pure functions of their arguments. Everything from documents or model output
is HTML-escaped here, and chat text additionally has its markdown syntax
turned into inert entities so model output can never create links, images or
markup. Leaves out: the sources panel and its cards (qa.ui.sources), the
strings themselves (qa.ui.texts) and styling (qa.ui.assets).
Over 250 lines: every chat message's HTML and its escaping live together, so one audit covers what reaches the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qa.answer.output import is_refusal
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
from qa.types import Answer, Passage
from qa.ui.localize import format_number, language_name, quote
from qa.ui.state import PENDING, Conversation, Turn

if TYPE_CHECKING:
    from qa.index.build import BuildReport

# HTML's special characters plus markdown's, each as a character reference (decoded by the browser, inert in markdown).
_CHAT_ENTITIES = {char: f"&#{ord(char)};" for char in "&<>\"'[]()*_`~|!$\\:{}#+="}
_WWW = re.compile(r"(?i)www\.")
# A marker the model set apart from the punctuation after it: "Stoltenberg [1] ." reads "Stoltenberg [1]."
_SPACE_AFTER_MARKER = re.compile(r"(\[\d+(?:\s*,\s*\d+)*\])\s+(?=[.,;:!?])")


def tidy_marker_spacing(text: str) -> str:
    """Remove the space between a citation marker and the punctuation that follows it."""
    return _SPACE_AFTER_MARKER.sub(r"\1", text)


def escape_chat_text(text: str) -> str:
    """Escape model or document text for a Chatbot message: HTML-escaped, markdown made inert, no blank lines.

    Markdown punctuation becomes numeric character references, so `[a](url)`,
    `![img](url)`, raw URLs and emphasis show literally instead of becoming
    links, images or formatting; line breaks become `<br>` so a blank line can
    never end the surrounding HTML block.
    """
    return _escape_inline(text.strip())


def _escape_inline(text: str) -> str:
    """escape_chat_text for a piece of a message: the spaces at its ends stay (a marker's neighbours)."""
    escaped = "".join(_CHAT_ENTITIES.get(char, char) for char in text)
    escaped = _WWW.sub(lambda match: match.group(0)[:-1] + "&#46;", escaped)
    return re.sub(r"\s*\n\s*", "<br>", escaped)


def cite_link(turn: int, number: int, title: str = "") -> str:
    """An in-page link for citation marker [number] of answer `turn` (handled by the sources panel's script)."""
    label = html.escape(title, quote=True)
    return f'<a class="qa-cite" href="#qa-src-{turn}-{number}" title="{label}">[{number}]</a>'


def render_markers(text: str, turn: int, titles: Mapping[int, str]) -> str:
    """Escape `text` for the chat and turn each valid marker [n] into a citation link.

    Markers whose number is not in `titles` stay plain text; the spaces around a marker stay,
    except one before punctuation ("gegründet [1] ." reads "gegründet [1].").
    """
    parts: list[str] = []
    position = 0
    text = tidy_marker_spacing(text).strip()
    for match in MARKER.finditer(text):
        parts.append(_escape_inline(text[position:match.start()]))
        numbers = marker_numbers(match.group(1))
        if all(n in titles for n in numbers):
            parts.append("".join(cite_link(turn, n, titles[n]) for n in numbers))
        else:
            parts.append(_escape_inline(match.group(0)))
        position = match.end()
    parts.append(_escape_inline(text[position:]))
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
            body = f"{escape_chat_text(claim[:-1].rstrip())} {links}{escape_chat_text(claim[-1])}"
        else:
            body = escape_chat_text(claim) + (f" {links}" if links else "")
        if not check.supported:
            title = html.escape(texts["unsupported"], quote=True)
            body = f'<span class="qa-unsupported" title="{title}">⚠ {body}</span>'
        rendered.append(body)
    return " ".join(rendered)


def render_timing(answer: Answer, texts: Mapping[str, str]) -> str:
    """The small timing line under an answer."""
    t, language = answer.timings, texts["locale"]
    retrieval, total = format_number(t.retrieval_s, language, 2), format_number(t.total_s, language, 1)
    if t.first_token_s > 0:
        line = texts["timing"].format(retrieval=retrieval, first=format_number(t.first_token_s, language, 1),
                                      total=total)
    else:
        line = texts["timing_no_model"].format(retrieval=retrieval, total=total)
    return f'<p class="qa-timing">{html.escape(line)}</p>'


def render_phase(turn: Turn, texts: Mapping[str, str], now: float) -> str:
    """What a pending turn is doing, with the seconds since it was asked (counted on by the page's script).

    The Chatbot's sanitiser drops data attributes, so the script finds its
    places by class: it counts `.qa-seconds` up and fills `.qa-place` with the
    place in Gradio's queue while the turn waits there (shown only then).
    """
    if turn.status == "reading":
        label = texts["reading"].format(count=format_number(len(turn.passages), texts["locale"]))
    else:
        label = texts[{"queued": "queued", "loading": "loading_model", "searching": "searching",
                       "writing": "writing", "redrafting": "redrafting"}[turn.status]]
    seconds = int(max(0.0, now - turn.started)) if turn.started else 0
    before_seconds, _, after_seconds = texts["elapsed"].partition("{seconds}")
    before_place, _, after_place = texts["queue_place"].partition("{place}")
    return (f'<p class="qa-progress qa-phase"><span class="qa-dots"></span>{html.escape(label)} '
            f'<span class="qa-elapsed">{html.escape(before_seconds)}<span class="qa-seconds">{seconds}</span>'
            f'{html.escape(after_seconds)}</span><span class="qa-queue">{html.escape(before_place)}'
            f'<span class="qa-place"></span>{html.escape(after_place)}</span></p>')


def _render_answer(answer: Answer, index: int, texts: Mapping[str, str]) -> list[str]:
    """A finished answer: the refusal (saying when a streamed draft was withdrawn), or the checked answer.

    "Checked against the sources" (✓) is shown only when every sentence passed the check.
    """
    if answer.refused:
        parts = [f'<p class="qa-body qa-refused">{escape_chat_text(answer.text)}</p>']
        # the model's own refusal (in the language it drafted in) is no withdrawn draft
        if answer.draft and not is_refusal(answer.draft, answer.answered_in or answer.language):
            parts.append(f'<p class="qa-note">{html.escape(texts["draft_withdrawn"])}</p>')
        parts.append(f'<p class="qa-note">{html.escape(texts["refused_note"])}</p>')
        return parts
    parts = [f'<p class="qa-body">{render_answer_body(answer, index, texts)}</p>']
    if answer.extractive:
        parts.append(f'<p class="qa-note">{html.escape(texts["quoted_note"])}</p>')
    if answer.redrafted:
        parts.append(f'<p class="qa-note">{html.escape(texts["redrafted_note"])}</p>')
    if answer.answered_in:  # drafted and checked in the sources' language (qa.answer.pivot)
        language = language_name(answer.answered_in, texts["locale"])
        note = texts["untranslated_note"] if answer.untranslated else texts["pivot_note"]
        parts.append(f'<p class="qa-note">{html.escape(note.format(language=language))}</p>')
    if any(not check.supported for check in answer.sentences):
        parts.append(f'<p class="qa-note">{html.escape(texts["unsupported_note"])}</p>')
    else:
        parts.append(f'<p class="qa-note qa-checked-note">✓ {html.escape(texts["checked"])}</p>')
    return parts


def _render_draft(turn: Turn, index: int, texts: Mapping[str, str]) -> list[str]:
    # Not checked yet: set apart as a draft, so nobody mistakes it for the answer that may replace it.
    body = render_markers(turn.draft, index, _passage_titles(turn.passages, texts))
    cursor = "" if turn.status == "stopped" else '<span class="qa-cursor">▍</span>'
    return [f'<div class="qa-draft-box"><p class="qa-progress qa-draft-label">{html.escape(texts["draft"])}</p>'
            f'<p class="qa-body qa-draft">{body}{cursor}</p></div>']


def render_turn(turn: Turn, index: int, texts: Mapping[str, str], now: float = 0.0) -> str:
    """The assistant message of one turn as HTML for the Chatbot (one HTML block, no blank lines).

    `now` (time.time()) gives the seconds a pending turn has waited so far.
    """
    parts = ['<div class="qa-msg">']
    if turn.standalone_question and turn.standalone_question != turn.question:
        parts.append(f'<p class="qa-understood">{html.escape(texts["understood_as"])}: '
                     f'{quote(escape_chat_text(turn.standalone_question), texts["locale"])}</p>')
    answer = turn.answer
    if turn.status == "error":
        message = texts.get(f"error_{turn.error}", texts["error_other"])
        parts.append(f'<p class="qa-error"><strong>{html.escape(texts["error_title"])}</strong><br>'
                     f'{escape_chat_text(message)}</p>')
    elif answer is not None:
        parts += _render_answer(answer, index, texts)
    elif turn.draft:
        if turn.status in PENDING:
            parts.append(render_phase(turn, texts, now))
        parts += _render_draft(turn, index, texts)
    elif turn.status in PENDING:
        parts.append(render_phase(turn, texts, now))
    if turn.status == "stopped":
        parts.append(f'<p class="qa-note">■ {html.escape(texts["stopped"])}</p>')
    if answer is not None:
        parts.append(render_timing(answer, texts))
    parts.append("</div>")
    return "".join(parts)


def render_chat(conversation: Conversation, texts: Mapping[str, str], now: float = 0.0) -> list[dict[str, str]]:
    """The Chatbot value (messages format) for the whole conversation (`now` as in render_turn)."""
    messages: list[dict[str, str]] = []
    for index, turn in enumerate(conversation.turns):
        question = f'<div class="qa-question">{escape_chat_text(turn.question)}</div>'
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": render_turn(turn, index, texts, now)})
    return messages


def copy_text(answer: Answer | None, texts: Mapping[str, str]) -> str:
    """The answer with its numbered sources as plain text, for copying."""
    if answer is None:
        return ""
    lines = [tidy_marker_spacing(answer.text)]
    cited = {c.number: c for c in answer.citations}
    if cited:
        lines += ["", f"{texts['copy_sources']}:"]
        for passage in answer.passages:
            if passage.number in cited:
                lines.append(f"[{passage.number}] {passage.where} ({passage.chunk.document_id})")
                lines.append(f"    {quote(cited[passage.number].evidence or passage.text, texts['locale'])}")
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


def render_build_report(report: BuildReport, texts: Mapping[str, str]) -> str:
    """What a re-index did, as escaped HTML."""
    language = texts["locale"]
    counts = {"documents": format_number(report.documents, language), "chunks": format_number(report.chunks, language),
              "embedded": format_number(report.embedded, language), "reused": format_number(report.reused, language)}
    lines = [html.escape(texts["report"].format(seconds=format_number(report.seconds, language, 1), **counts))]
    if report.translated:
        lines.append(html.escape(texts["report_translated"].format(translated=format_number(report.translated, language),
                                                                   now=format_number(report.translated_now, language))))
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
    """An invalid question as a notice in the UI language only (no English message, no operator hint).

    Its numbers are written in the locale's notation ("1.500 Zeichen", "1,500 characters").
    """
    text = texts.get(f"question_{error.reason}", texts["question_invalid"])
    try:
        text = text.format(**{name: format_number(value, texts["locale"]) for name, value in error.values.items()})
    except (KeyError, IndexError):
        text = texts["question_invalid"]
    return f'<div class="qa-notice"><strong>{html.escape(texts["invalid_title"])}</strong> {html.escape(text)}</div>'
