"""The web chat: rendering helpers, the per-session chat logic and the Gradio Blocks builder.

`build_app(pipeline)` returns a `gr.Blocks` with a streaming chat (sources
appear as soon as retrieval is done, then the answer token by token), a
sources panel where every citation marker [n] jumps to its passage with the
supporting sentence highlighted, settings, a documents tab with re-indexing,
and an `/ask` API endpoint. All UI text lives in `UI_TEXT` (German and
English). Everything shown from documents or model output is HTML-escaped
here; the chat additionally turns markdown syntax into inert entities so model
output can never create links, images or markup.

State is per browser session (`gr.State` holding a `Conversation`); the one
pipeline is handed in and captured by the callbacks. Leaves out: answering,
retrieval and indexing (qa.pipeline), argument parsing and launching (app.py).
"""

from __future__ import annotations

import html
import re
import threading
from collections import Counter
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import gradio as gr

from qa.answering import Done, Retrieved, Token
from qa.errors import InvalidQuestionError, QAError
from qa.pipeline import Pipeline, validate_question
from qa.types import Answer, Document, Hit, Message, Passage

if TYPE_CHECKING:
    from qa.index import BuildReport

UiLanguage = Literal["de", "en"]
TurnStatus = Literal["loading", "searching", "writing", "done", "stopped", "error"]

EXAMPLES = (
    "Was ist der Hub for the South?",
    "What did Stoltenberg say about Germany's defence spending?",
    "Was sind Ruttes Prioritäten als NATO-Generalsekretär?",
    "Which countries backed Rutte's candidacy?",
)

UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "page_title": "Ask the documents",
        "title": "Ask the documents",
        "subtitle": "Answers come only from the indexed documents, each sentence with its source. "
                    "Everything runs offline on this computer.",
        "chat_tab": "Chat",
        "documents_tab": "Documents",
        "chat_label": "Conversation",
        "chat_placeholder": "**Ask a question about the documents — in German or English.**<br>"
                            "Click a source number such as [1] in an answer to see the passage.",
        "message_label": "Your question",
        "message_placeholder": "Type a question and press Enter …",
        "send": "Ask",
        "stop": "Stop",
        "new_chat": "New chat",
        "settings": "Settings",
        "top_k": "Passages to list",
        "top_k_info": "How many retrieved passages the sources list shows (the model reads the best {prompt}).",
        "answer_language": "Answer language",
        "language_auto": "Same as the question",
        "language_de": "German",
        "language_en": "English",
        "sources": "Sources",
        "sources_empty": "Sources appear here as soon as they are found. "
                         "Click a number such as [1] in an answer to jump to its passage.",
        "found_passages": "Found passages",
        "closest_passages": "Closest passages",
        "more_passages": "{count} more retrieved passages (not cited)",
        "for_question": "for",
        "understood_as": "Understood as",
        "loading_model": "Loading the language model (only for the first question) …",
        "searching": "Searching the documents …",
        "writing": "Writing the answer …",
        "refused_note": "The documents do not answer this question. The closest passages are listed under Sources.",
        "unsupported": "Not supported by the cited sources",
        "unsupported_note": "Sentences marked ⚠ are not backed by the sources — check them before relying on them.",
        "stopped": "Stopped.",
        "error_title": "The question could not be answered.",
        "invalid_title": "Please change the question.",
        "timing": "retrieval {retrieval:.2f} s · first token {first:.1f} s · total {total:.1f} s",
        "timing_no_model": "retrieval {retrieval:.2f} s · total {total:.1f} s",
        "source": "Source",
        "copy_title": "Copy answer with sources",
        "copy_label": "Answer and sources as plain text",
        "copy_sources": "Sources",
        "doc_title": "Title",
        "doc_publisher": "Publisher",
        "doc_date": "Date",
        "doc_language": "Language",
        "doc_chunks": "Passages",
        "doc_file": "File",
        "reindex": "Re-index documents",
        "reindex_info": "Reads the documents folder again and updates the index; unchanged passages are reused.",
        "index_state": "{documents} documents, {chunks} passages in the index.",
        "index_stale": "The index is out of date; press “Re-index documents”.",
        "no_index": "No index could be loaded.",
        "report": "Indexed {documents} documents and {chunks} passages in {seconds:.1f} s: "
                  "{embedded} newly embedded, {reused} reused.",
        "report_changed": "New or changed",
        "report_removed": "Removed",
        "report_skipped": "Skipped",
        "report_unchanged": "No document changed.",
        "reindex_failed": "Re-indexing failed; the previous index is unchanged.",
    },
    "de": {
        "page_title": "Frag die Dokumente",
        "title": "Frag die Dokumente",
        "subtitle": "Antworten kommen nur aus den indexierten Dokumenten, jeder Satz mit seiner Quelle. "
                    "Alles läuft offline auf diesem Rechner.",
        "chat_tab": "Chat",
        "documents_tab": "Dokumente",
        "chat_label": "Unterhaltung",
        "chat_placeholder": "**Stelle eine Frage zu den Dokumenten – auf Deutsch oder Englisch.**<br>"
                            "Klicke in einer Antwort auf eine Quellennummer wie [1], um die Passage zu sehen.",
        "message_label": "Deine Frage",
        "message_placeholder": "Frage eingeben und Enter drücken …",
        "send": "Fragen",
        "stop": "Stopp",
        "new_chat": "Neuer Chat",
        "settings": "Einstellungen",
        "top_k": "Angezeigte Passagen",
        "top_k_info": "Wie viele gefundene Passagen die Quellenliste zeigt (das Modell liest die besten {prompt}).",
        "answer_language": "Antwortsprache",
        "language_auto": "Wie die Frage",
        "language_de": "Deutsch",
        "language_en": "Englisch",
        "sources": "Quellen",
        "sources_empty": "Hier erscheinen die Quellen, sobald sie gefunden sind. "
                         "Klicke in einer Antwort auf eine Nummer wie [1], um zur Passage zu springen.",
        "found_passages": "Gefundene Passagen",
        "closest_passages": "Nächstliegende Passagen",
        "more_passages": "{count} weitere gefundene Passagen (nicht zitiert)",
        "for_question": "zu",
        "understood_as": "Verstanden als",
        "loading_model": "Das Sprachmodell wird geladen (nur bei der ersten Frage) …",
        "searching": "Durchsuche die Dokumente …",
        "writing": "Schreibe die Antwort …",
        "refused_note": "Die Dokumente beantworten diese Frage nicht. "
                        "Die nächstliegenden Passagen stehen unter Quellen.",
        "unsupported": "Nicht durch die zitierten Quellen belegt",
        "unsupported_note": "Mit ⚠ markierte Sätze sind nicht durch die Quellen belegt – bitte prüfen.",
        "stopped": "Abgebrochen.",
        "error_title": "Die Frage konnte nicht beantwortet werden.",
        "invalid_title": "Bitte ändere die Frage.",
        "timing": "Suche {retrieval:.2f} s · erstes Wort {first:.1f} s · gesamt {total:.1f} s",
        "timing_no_model": "Suche {retrieval:.2f} s · gesamt {total:.1f} s",
        "source": "Quelle",
        "copy_title": "Antwort mit Quellen kopieren",
        "copy_label": "Antwort und Quellen als reiner Text",
        "copy_sources": "Quellen",
        "doc_title": "Titel",
        "doc_publisher": "Herausgeber",
        "doc_date": "Datum",
        "doc_language": "Sprache",
        "doc_chunks": "Passagen",
        "doc_file": "Datei",
        "reindex": "Dokumente neu indexieren",
        "reindex_info": "Liest den Dokumentenordner neu ein und aktualisiert den Index; "
                        "unveränderte Passagen werden wiederverwendet.",
        "index_state": "{documents} Dokumente, {chunks} Passagen im Index.",
        "index_stale": "Der Index ist veraltet; bitte „Dokumente neu indexieren“ drücken.",
        "no_index": "Es konnte kein Index geladen werden.",
        "report": "{documents} Dokumente und {chunks} Passagen in {seconds:.1f} s indexiert: "
                  "{embedded} neu eingebettet, {reused} wiederverwendet.",
        "report_changed": "Neu oder geändert",
        "report_removed": "Entfernt",
        "report_skipped": "Übersprungen",
        "report_unchanged": "Kein Dokument hat sich geändert.",
        "reindex_failed": "Neu-Indexieren fehlgeschlagen; der bisherige Index bleibt unverändert.",
    },
}


def texts_for(language: str | None) -> dict[str, str]:
    """The UI strings for `language` ("de" or "en"; anything else falls back to English)."""
    return UI_TEXT["de" if language == "de" else "en"]


# ---------------------------------------------------------------------------
# Session state


@dataclass(frozen=True)
class Turn:
    """One question of a conversation and everything known about its answer so far."""

    question: str
    status: TurnStatus = "searching"
    standalone_question: str = ""
    passages: tuple[Passage, ...] = ()
    hits: tuple[Hit, ...] = ()
    draft: str = ""
    answer: Answer | None = None
    error: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Conversation:
    """The per-session chat: its turns, oldest first (kept in a gr.State, never global)."""

    turns: tuple[Turn, ...] = ()

    def history(self) -> list[Message]:
        """The finished turns as chat messages for follow-up questions."""
        messages: list[Message] = []
        for turn in self.turns:
            if turn.answer is not None:
                messages += [Message("user", turn.question), Message("assistant", turn.answer.text)]
        return messages

    def with_last(self, turn: Turn) -> Conversation:
        """A copy whose last turn is replaced by `turn`."""
        return Conversation(self.turns[:-1] + (turn,))


@dataclass(frozen=True)
class ChatView:
    """Everything one chat step shows: chat messages, state, sources, copy text, input box and notice.

    `message` is the new content of the input box, or None to leave it as it is.
    """

    chat: list[dict[str, str]]
    conversation: Conversation
    sources_html: str
    copy_text: str
    message: str | None = None
    notice: str = ""


class ModelWarmup:
    """Loads the embedder and the answer model in a background thread so the first answer starts faster."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.ready = threading.Event()
        self.error: QAError | None = None
        self._thread = threading.Thread(target=self._run, args=(pipeline,), name="qa-warmup", daemon=True)

    def start(self) -> ModelWarmup:
        """Start loading; returns self."""
        self._thread.start()
        return self

    def _run(self, pipeline: Pipeline) -> None:
        try:
            pipeline.embedder.embed_queries(["warm-up"])
            warm_up = getattr(pipeline.generator, "warm_up", None)
            if warm_up is not None:
                warm_up()
        except QAError as error:  # shown again, with its hint, when a question needs the model
            self.error = error
        finally:
            self.ready.set()


# ---------------------------------------------------------------------------
# Escaping and rendering helpers (pure functions of their arguments)

# HTML's special characters plus markdown's, each as a character reference (decoded by the browser, inert in markdown).
_CHAT_ENTITIES = {char: f"&#{ord(char)};" for char in "&<>\"'[]()*_`~|!$\\:{}#+="}
_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
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
    for match in _MARKER.finditer(text):
        parts.append(escape_chat_text(text[position:match.start()]) if match.start() > position else "")
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
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
        parts.append(f'<p class="qa-error"><strong>{html.escape(texts["error_title"])}</strong><br>'
                     f'{escape_chat_text(turn.error)}'
                     + (f'<br>→ {escape_chat_text(turn.hint)}' if turn.hint else "") + "</p>")
    elif answer is not None and answer.refused:
        parts.append(f'<p class="qa-body qa-refused">{escape_chat_text(answer.text)}</p>')
        parts.append(f'<p class="qa-note">{html.escape(texts["refused_note"])}</p>')
    elif answer is not None:
        parts.append(f'<p class="qa-body">{render_answer_body(answer, index, texts)}</p>')
        if any(not check.supported for check in answer.sentences):
            parts.append(f'<p class="qa-note">{html.escape(texts["unsupported_note"])}</p>')
    elif turn.draft:
        body = render_markers(turn.draft, index, _passage_titles(turn.passages, texts))
        cursor = "" if turn.status == "stopped" else '<span class="qa-cursor">▍</span>'
        parts.append(f'<p class="qa-body">{body}{cursor}</p>')
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
                where = passage.title + (f" — {passage.section}" if passage.section else "")
                lines.append(f"[{passage.number}] {where} ({passage.chunk.document_id})")
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


# ---------------------------------------------------------------------------
# Callback logic (plain generators and functions; build_app wires them to components)


def _documents(pipeline: Pipeline) -> Mapping[str, Document]:
    try:
        return pipeline.index.documents
    except QAError:
        return {}


def _view(pipeline: Pipeline, conversation: Conversation, texts: Mapping[str, str], message: str | None = None,
          notice: str = "") -> ChatView:
    last = conversation.turns[-1].answer if conversation.turns else None
    return ChatView(render_chat(conversation, texts), conversation,
                    render_sources(conversation, _documents(pipeline), texts), copy_text(last, texts), message, notice)


def chat_turn(pipeline: Pipeline, message: str, conversation: Conversation, top_k: float | None,
              answer_language: str | None, ui_language: str | None,
              warmup: ModelWarmup | None = None) -> Generator[ChatView, None, None]:
    """Answer one chat message, yielding a ChatView after each step (sources, every token, the final answer).

    An empty message yields nothing. An invalid message (e.g. too long) yields
    one view with a notice and leaves the input box as it is. A QAError while
    answering (missing index or model) ends the turn with its message and hint.
    Closing this generator closes the pipeline's stream, which stops the model.
    """
    texts = texts_for(ui_language)
    if not (message or "").strip():
        return
    try:
        question = validate_question(message, pipeline.config.max_question_chars)
    except InvalidQuestionError as error:
        yield _view(pipeline, conversation, texts, message=None, notice=render_error(error, texts["invalid_title"]))
        return
    history = conversation.history()
    loading = warmup is not None and not warmup.ready.is_set()
    turn = Turn(question, status="loading" if loading else "searching")
    conversation = Conversation(conversation.turns + (turn,))
    yield _view(pipeline, conversation, texts, message="")
    language = answer_language if answer_language in ("de", "en") else None
    try:
        stream = pipeline.answer_stream(question, history, language, int(top_k) if top_k else None)
        try:
            for event in stream:
                if isinstance(event, Retrieved):
                    turn = replace(turn, status="writing", standalone_question=event.standalone_question,
                                   passages=event.passages, hits=event.hits)
                elif isinstance(event, Token):
                    turn = replace(turn, draft=turn.draft + event.text)
                elif isinstance(event, Done):
                    turn = replace(turn, status="done", answer=event.answer, passages=event.answer.passages,
                                   hits=event.answer.hits, standalone_question=event.answer.standalone_question)
                conversation = conversation.with_last(turn)
                yield _view(pipeline, conversation, texts, message="")
        finally:  # closing the pipeline's stream stops the model (a Stop click or a closed page)
            close = getattr(stream, "close", None)
            if close is not None:
                close()
    except QAError as error:
        conversation = conversation.with_last(replace(turn, status="error", error=error.message, hint=error.hint))
        yield _view(pipeline, conversation, texts, message="")


def stop_turn(conversation: Conversation) -> Conversation:
    """Mark the last turn as stopped when it was still running."""
    if not conversation.turns or conversation.turns[-1].status in ("done", "error", "stopped"):
        return conversation
    return conversation.with_last(replace(conversation.turns[-1], status="stopped"))


def index_overview(pipeline: Pipeline, texts: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The documents table and a status line (index size, staleness, or the load error with its hint)."""
    try:
        index = pipeline.index
    except QAError as error:
        return document_table({}, {}, texts), render_error(error, texts["no_index"])
    counts = Counter(chunk.document_id for chunk in index.chunks)
    status = html.escape(texts["index_state"].format(documents=len(index.documents), chunks=len(index.chunks)))
    try:
        if pipeline.status().stale:
            status += " " + html.escape(texts["index_stale"])
    except QAError as error:
        status += " " + render_error(error, texts["no_index"])
    return document_table(index.documents, counts, texts), f'<div class="qa-report">{status}</div>'


def ask(pipeline: Pipeline, question: str, language: str | None = None) -> dict[str, Any]:
    """The `/ask` API: answer `question` ("auto"/None or "de"/"en" for the answer language) as JSON data."""
    chosen = language if language in ("de", "en") else None
    return api_result(pipeline.answer(question, language=chosen))


# ---------------------------------------------------------------------------
# Styling and the one script (citation links → sources panel)

CSS = """
.gradio-container { max-width: 1440px !important; margin: 0 auto; }
#qa-header { display: flex; align-items: flex-end; justify-content: space-between; gap: 1rem; }
#qa-header h1 { font-size: 1.6rem; margin: 0 0 .15rem 0; letter-spacing: -.01em; }
#qa-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .95rem; }
#qa-ui-language { max-width: 230px; }
#qa-chatbot { font-size: 1rem; }
#qa-notice:not(:has(.qa-notice)) { display: none; }
#qa-tools { align-items: flex-start; }
#qa-documents td, #qa-documents th, #qa-documents input { font-family: var(--font) !important; }
#qa-chatbot .qa-msg p { margin: .25rem 0; line-height: 1.55; }
.qa-understood { color: var(--body-text-color-subdued); font-size: .88rem; font-style: italic; }
.qa-note, .qa-timing { color: var(--body-text-color-subdued); font-size: .8rem; }
.qa-timing { margin-top: .4rem !important; }
.qa-refused { font-weight: 600; }
.qa-error { color: var(--error-text-color, #b91c1c); }
.qa-unsupported { text-decoration: underline wavy #d97706; text-underline-offset: 3px; }
a.qa-cite { display: inline-block; min-width: 1.5em; padding: 0 .3em; margin: 0 .08em; border-radius: .6em;
  background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4338ca) !important;
  font-size: .78em; font-weight: 700; line-height: 1.5; text-align: center; text-decoration: none !important;
  vertical-align: .15em; cursor: pointer; }
a.qa-cite:hover, a.qa-cite:focus { background: var(--color-accent, #4f46e5); color: #fff !important; }
.qa-cursor { animation: qa-blink 1s steps(2) infinite; color: var(--color-accent, #4f46e5); }
@keyframes qa-blink { to { opacity: 0; } }
.qa-progress { color: var(--body-text-color-subdued); }
.qa-dots::before { content: "●"; margin-right: .45em; color: var(--color-accent, #4f46e5);
  animation: qa-blink 1s steps(2) infinite; }
.qa-notice { border-left: 4px solid #d97706; background: #fffbeb; color: #78350f; padding: .6rem .8rem;
  border-radius: .4rem; font-size: .92rem; }
#qa-sources-box { position: sticky; top: .5rem; }
#qa-sources .html-container, #qa-header .html-container { padding: 0 !important; }
.qa-sources { height: 540px; overflow-y: auto; padding: .9rem 1rem; border: 1px solid var(--border-color-primary);
  border-radius: var(--block-radius, .6rem); background: var(--background-fill-secondary); }
.qa-turn { display: none; }
.qa-turn.qa-current { display: block; }
.qa-turn-head { margin: 0 0 .6rem 0; font-size: .9rem; }
.qa-turn-label { font-weight: 700; font-size: 1.05rem; }
.qa-turn-question { color: var(--body-text-color-subdued); }
.qa-empty { color: var(--body-text-color-subdued); font-size: .95rem; line-height: 1.5; padding: 1rem .25rem; }
.qa-card { border: 1px solid var(--border-color-primary); border-radius: .6rem; padding: .7rem .85rem;
  margin: 0 0 .6rem 0; background: var(--background-fill-primary); transition: box-shadow .2s, border-color .2s; }
.qa-card.qa-selected { border-color: var(--color-accent, #4f46e5);
  box-shadow: 0 0 0 3px var(--color-accent-soft, #e0e7ff); }
.qa-card-head { display: flex; gap: .6rem; align-items: flex-start; }
.qa-num { flex: none; width: 1.6rem; height: 1.6rem; border-radius: 50%; display: inline-flex; align-items: center;
  justify-content: center; background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4338ca);
  font-weight: 700; font-size: .85rem; }
.qa-num-none { background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.qa-card-title { font-weight: 600; line-height: 1.3; }
.qa-card-meta { color: var(--body-text-color-subdued); font-size: .8rem; margin-top: .1rem; }
.qa-card-text { margin: .5rem 0 0 0; font-size: .92rem; line-height: 1.55; white-space: pre-line; }
.qa-card-text mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: .2em; }
.qa-more summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: .88rem; margin: .3rem 0 .6rem 0; }
.qa-report { font-size: .92rem; line-height: 1.6; }
footer { display: none !important; }
"""

CITATION_SCRIPT = """
if (!window.__qaCitations) {
  window.__qaCitations = true;
  document.addEventListener('click', function (event) {
    const link = event.target.closest ? event.target.closest('a.qa-cite') : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById((link.getAttribute('href') || '').slice(1));
    if (!card) return;
    const turn = card.closest('.qa-turn');
    document.querySelectorAll('.qa-turn').forEach(function (t) { t.classList.toggle('qa-current', t === turn); });
    document.querySelectorAll('.qa-card.qa-selected').forEach(function (c) { c.classList.remove('qa-selected'); });
    const details = card.closest('details');
    if (details) details.open = true;
    card.classList.add('qa-selected');
    const panel = card.closest('.qa-sources');  // scroll the panel only, never the page
    if (panel) {
      const top = panel.scrollTop + card.getBoundingClientRect().top - panel.getBoundingClientRect().top - 8;
      panel.scrollTo({top: top, behavior: 'smooth'});
    }
  }, true);
}
"""

# Runs in the browser before the page-load callback: replaces the language input with the browser's.
BROWSER_LANGUAGE_JS = ("(language, conversation) => "
                       "[(navigator.language || 'en').toLowerCase().startsWith('de') ? 'de' : 'en', conversation]")


def launch_options() -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch` (Gradio 6 takes theme and css there, not in `gr.Blocks`)."""
    theme = gr.themes.Default(primary_hue="indigo", neutral_hue="slate")
    return {"theme": theme, "css": CSS, "footer_links": ["api"]}


def _header_html(texts: Mapping[str, str], language: str = "") -> str:
    # The lang attribute appears once the page-load callback has chosen the UI language (tests wait for it).
    lang = f' lang="{html.escape(language)}"' if language else ""
    return (f'<div class="qa-title"{lang}><h1>{html.escape(texts["title"])}</h1>'
            f'<p>{html.escape(texts["subtitle"])}</p></div>')


def build_app(pipeline: Pipeline, warmup: ModelWarmup | None = None) -> gr.Blocks:
    """Build the chat app around one `pipeline` (queue on, one request at a time).

    Args:
        pipeline: the pipeline every callback uses (its index should be loaded).
        warmup: an optional started ModelWarmup; while it runs, answers say the model is loading.
    Returns:
        The Blocks; launch it with `demo.launch(**launch_options(), ...)`.
    """
    texts = texts_for("en")
    prompt_passages = pipeline.config.passages_in_prompt
    with gr.Blocks(title=texts["page_title"], analytics_enabled=False) as demo:
        conversation_state = gr.State(Conversation())
        with gr.Row(elem_id="qa-header"):
            header = gr.HTML(_header_html(texts))
            ui_language = gr.Radio([("Deutsch", "de"), ("English", "en")], value="en", show_label=False,
                                   container=False, elem_id="qa-ui-language")
        with gr.Tabs():
            with gr.Tab(texts["chat_tab"], id="chat") as chat_tab:
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chatbot = gr.Chatbot(
                            label=texts["chat_label"], show_label=False, elem_id="qa-chatbot", height=540,
                            sanitize_html=True, render_markdown=True, latex_delimiters=[], buttons=[],
                            feedback_options=None, placeholder=texts["chat_placeholder"], layout="bubble",
                            examples=[{"text": q, "display_text": q} for q in EXAMPLES],
                        )
                        with gr.Row(equal_height=True, elem_id="qa-composer"):
                            message = gr.Textbox(label=texts["message_label"], show_label=False, lines=1, max_lines=6,
                                                 placeholder=texts["message_placeholder"], scale=8, autofocus=True,
                                                 container=False, elem_id="qa-message")
                            send = gr.Button(texts["send"], variant="primary", scale=1, min_width=100, elem_id="qa-send")
                            stop = gr.Button(texts["stop"], variant="stop", scale=1, min_width=100, visible=False,
                                             elem_id="qa-stop")
                        notice = gr.HTML("", elem_id="qa-notice")
                        with gr.Row(equal_height=False, elem_id="qa-tools"):
                            new_chat = gr.Button(texts["new_chat"], size="md", variant="secondary", scale=0,
                                                 min_width=130, elem_id="qa-new-chat")
                            with gr.Accordion(texts["settings"], open=False, elem_id="qa-settings") as settings:
                                top_k = gr.Slider(1, 15, value=pipeline.config.top_k, step=1, label=texts["top_k"],
                                                  info=texts["top_k_info"].format(prompt=prompt_passages))
                                answer_language = gr.Radio(
                                    [(texts["language_auto"], "auto"), (texts["language_de"], "de"),
                                     (texts["language_en"], "en")], value="auto", label=texts["answer_language"])
                    with gr.Column(scale=2, min_width=320, elem_id="qa-sources-box"):
                        sources = gr.HTML(render_sources(Conversation(), {}, texts), elem_id="qa-sources",
                                          js_on_load=CITATION_SCRIPT)
                        with gr.Accordion(texts["copy_title"], open=False) as copy_box:
                            copied = gr.Textbox(label=texts["copy_label"], lines=6, max_lines=14, interactive=False,
                                                buttons=["copy"], elem_id="qa-copy")
            with gr.Tab(texts["documents_tab"], id="documents") as documents_tab:
                index_status = gr.HTML("")
                documents = gr.Dataframe(interactive=False, wrap=True, elem_id="qa-documents")
                reindex = gr.Button(texts["reindex"], variant="secondary", elem_id="qa-reindex")
                reindex_info = gr.Markdown(texts["reindex_info"])
                report = gr.HTML("", elem_id="qa-report")

        answer_outputs = [chatbot, conversation_state, sources, copied, message, notice]

        def respond(text: str, conversation: Conversation, passages: float, language: str, ui: str) -> Iterator[Any]:
            produced = False
            with closing(chat_turn(pipeline, text, conversation, passages, language, ui, warmup)) as steps:
                for view in steps:
                    produced = True
                    yield (view.chat, view.conversation, view.sources_html, view.copy_text,
                           gr.skip() if view.message is None else view.message, view.notice)
            if not produced:
                yield tuple(gr.skip() for _ in answer_outputs)

        def pick_example(selection: gr.SelectData) -> str:
            value = selection.value
            return str(value.get("text", "")) if isinstance(value, dict) else str(value)

        def busy() -> tuple[Any, Any]:
            return gr.update(visible=False), gr.update(visible=True)

        def idle() -> tuple[Any, Any]:
            return gr.update(visible=True), gr.update(visible=False)

        def finish(conversation: Conversation, ui: str) -> tuple[Any, ...]:
            # Runs after the answer ended or was cancelled, so no late stream update can overwrite "stopped".
            stopped = stop_turn(conversation)
            if stopped is conversation:
                return gr.skip(), gr.skip(), *idle()
            return render_chat(stopped, texts_for(ui)), stopped, *idle()

        answer_settings: dict[str, Any] = {
            "fn": respond, "inputs": [message, conversation_state, top_k, answer_language, ui_language],
            "outputs": answer_outputs, "concurrency_id": "model", "show_progress": "minimal",
            "show_progress_on": [chatbot], "api_visibility": "private",
        }
        # Swap Ask for Stop first, then answer, then swap back (also after a cancel), like gr.ChatInterface.
        submitted = gr.on([message.submit, send.click], busy, None, [send, stop], queue=False,
                          api_visibility="private").then(**answer_settings)
        example_run = chatbot.example_select(pick_example, None, [message], queue=False, api_visibility="private") \
            .then(busy, None, [send, stop], queue=False, api_visibility="private").then(**answer_settings)
        for running in (submitted, example_run):
            running.then(finish, [conversation_state, ui_language], [chatbot, conversation_state, send, stop],
                         queue=False, api_visibility="private")
        stop.click(None, None, None, cancels=[submitted, example_run], queue=False, api_visibility="private")

        def cleared(ui: str) -> tuple[Any, ...]:
            empty = Conversation()
            return [], empty, render_sources(empty, {}, texts_for(ui)), "", "", ""

        for reset in (new_chat.click, chatbot.clear):  # the Chatbot's own trash button starts a new chat too
            reset(cleared, [ui_language], answer_outputs, cancels=[submitted, example_run], queue=False,
                  api_visibility="private").then(idle, None, [send, stop], queue=False, api_visibility="private")

        def apply_ui_language(ui: str, conversation: Conversation) -> dict[Any, Any]:
            t = texts_for(ui)
            table, status = index_overview(pipeline, t)
            return {
                ui_language: ui, header: _header_html(t, "de" if ui == "de" else "en"),
                chat_tab: gr.update(label=t["chat_tab"]), documents_tab: gr.update(label=t["documents_tab"]),
                chatbot: gr.update(value=render_chat(conversation, t), placeholder=t["chat_placeholder"]),
                message: gr.update(placeholder=t["message_placeholder"], label=t["message_label"]),
                send: gr.update(value=t["send"]), stop: gr.update(value=t["stop"]),
                new_chat: gr.update(value=t["new_chat"]), settings: gr.update(label=t["settings"]),
                top_k: gr.update(label=t["top_k"], info=t["top_k_info"].format(prompt=prompt_passages)),
                answer_language: gr.update(label=t["answer_language"], choices=[
                    (t["language_auto"], "auto"), (t["language_de"], "de"), (t["language_en"], "en")]),
                sources: render_sources(conversation, _documents(pipeline), t),
                copy_box: gr.update(label=t["copy_title"]), copied: gr.update(label=t["copy_label"]),
                documents: table, index_status: status, reindex: gr.update(value=t["reindex"]),
                reindex_info: t["reindex_info"],
            }

        language_outputs = [ui_language, header, chat_tab, documents_tab, chatbot, message, send, stop, new_chat,
                            settings, top_k, answer_language, sources, copy_box, copied, documents, index_status,
                            reindex, reindex_info]
        demo.load(apply_ui_language, [ui_language, conversation_state], language_outputs, js=BROWSER_LANGUAGE_JS,
                  queue=False, api_visibility="private")
        ui_language.input(apply_ui_language, [ui_language, conversation_state], language_outputs, queue=False,
                          api_visibility="private")

        # Gradio recognises the progress tracker by this default value.
        def rebuild(ui: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, str, str]:  # noqa: B008
            t = texts_for(ui)
            try:
                built = pipeline.build(lambda items, total: progress.tqdm(items, total=total, desc="Embedding"))
            except QAError as error:
                table, status = index_overview(pipeline, t)
                return table, status, render_error(error, t["reindex_failed"])
            table, status = index_overview(pipeline, t)
            return table, status, render_build_report(built, t)

        reindex.click(rebuild, [ui_language], [documents, index_status, report], concurrency_id="model",
                      api_visibility="private")

        def ask_api(question: str, language: str = "auto") -> dict[str, Any]:
            """Answer a question from the documents; language is "auto", "de" or "en"."""
            try:
                return ask(pipeline, question, language)
            except QAError as error:
                raise gr.Error(str(error)) from error

        gr.api(ask_api, api_name="ask", concurrency_id="model")
    demo.queue(default_concurrency_limit=1)
    return demo
