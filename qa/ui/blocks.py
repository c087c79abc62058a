"""The Gradio Blocks app: the wiring of events to the callbacks, and the launch options.

`build_app(pipeline)` returns a `gr.Blocks` with a streaming chat (sources
appear as soon as retrieval is done, then the answer token by token), a
sources panel, settings, a documents tab with re-indexing, and an `/ask` API
endpoint. The one pipeline is captured by the event handlers; per-session
state lives in a `gr.State`. Each group of events is wired by one small
function. Leaves out: the components and their layout (qa.ui.layout), the
callback logic (qa.ui.callbacks), rendering (qa.ui.render, qa.ui.sources),
strings (qa.ui.texts), styling (qa.ui.assets), and argument parsing and
launching (app.py).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import gradio as gr

from qa.config import Config
from qa.errors import QAError
from qa.pipeline import Pipeline
from qa.ui.assets import BROWSER_LANGUAGE_JS, CSS, FONT, FONT_MONO, GRADIO_TRANSLATIONS, HEAD
from qa.ui.callbacks import ask, chat_turn, enqueue_turn, index_overview, indexed_documents, open_document, stop_turn
from qa.ui.collection import collection_summary, example_questions, read_examples
from qa.ui.layout import Widgets, build_layout, chat_examples, header_html, language_choices
from qa.ui.render import render_build_report, render_chat, render_error
from qa.ui.sources import render_sources
from qa.ui.state import ChatView, Conversation, ModelWarmup
from qa.ui.texts import texts_for

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
INSTANT: dict[str, Any] = {"queue": False, "api_visibility": "private"}


def launch_options() -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch` (Gradio 6 takes theme, css and head there, not in `gr.Blocks`)."""
    # Plain names are system fonts to Gradio (a Font object would declare a web font).
    theme = gr.themes.Default(primary_hue="indigo", neutral_hue="slate", font=FONT, font_mono=FONT_MONO)
    return {"theme": theme, "css": CSS, "head": HEAD, "footer_links": ["api"], "i18n": gr.I18n(**GRADIO_TRANSLATIONS)}


def _answer_outputs(w: Widgets) -> list[Any]:
    chat = w.chat
    return [chat.chatbot, w.conversation, w.side.sources, chat.message, chat.notice]


def _view_outputs(view: ChatView | None) -> tuple[Any, ...]:
    if view is None:
        return tuple(gr.skip() for _ in range(5))
    return (view.chat, view.conversation, view.sources_html,
            gr.skip() if view.message is None else view.message, view.notice)


def _enqueuer(pipeline: Pipeline) -> Callable[[str, Conversation, str], tuple[Any, ...]]:
    def enqueue(text: str, conversation: Conversation, ui: str) -> tuple[Any, ...]:
        return _view_outputs(enqueue_turn(pipeline, text, conversation, ui))

    return enqueue


def _responder(pipeline: Pipeline, warmup: ModelWarmup | None) -> Callable[..., Iterator[Any]]:
    def respond(conversation: Conversation, passages: float, language: str, ui: str) -> Iterator[Any]:
        produced = False  # answers the turn enqueue_turn left waiting; without one (an invalid question) nothing
        with closing(chat_turn(pipeline, "", conversation, passages, language, ui, warmup)) as steps:
            for view in steps:
                produced = True
                yield _view_outputs(view)
        if not produced:
            yield _view_outputs(None)

    return respond


def _pick_example(selection: gr.SelectData) -> str:
    value = selection.value
    return str(value.get("text", "")) if isinstance(value, dict) else str(value)


def _busy() -> tuple[Any, Any]:
    return gr.update(visible=False), gr.update(visible=True)


def _idle() -> tuple[Any, Any]:
    return gr.update(visible=True), gr.update(visible=False)


def _finish(conversation: Conversation, ui: str) -> tuple[Any, ...]:
    # Runs after the answer ended or was cancelled, so no late stream update can overwrite "stopped".
    stopped = stop_turn(conversation)
    if stopped is conversation:
        return gr.skip(), gr.skip(), *_idle()
    return render_chat(stopped, texts_for(ui), time.time()), stopped, *_idle()


def _wire_answers(w: Widgets, pipeline: Pipeline, warmup: ModelWarmup | None) -> list[Any]:
    """Ask (Enter, the button or an example) → show the question waiting → swap Ask for Stop → answer → swap back.

    Returns the runs (Stop and New chat cancel them).
    """
    chat = w.chat
    buttons = [chat.send, chat.stop]
    enqueue: dict[str, Any] = {"fn": _enqueuer(pipeline), "inputs": [chat.message, w.conversation, w.ui_language],
                               "outputs": _answer_outputs(w), **INSTANT}
    answer_settings: dict[str, Any] = {
        "fn": _responder(pipeline, warmup),
        "inputs": [w.conversation, chat.top_k, chat.answer_language, w.ui_language],
        "outputs": _answer_outputs(w), "concurrency_id": "model", "show_progress": "minimal",
        "show_progress_on": [chat.chatbot], **PRIVATE,
    }
    # Swap Ask for Stop first, then answer, then swap back (also after a cancel), like gr.ChatInterface.
    submitted = (gr.on([chat.message.submit, chat.send.click], **enqueue)
                 .then(_busy, None, buttons, **INSTANT).then(**answer_settings))
    example_run = (chat.chatbot.example_select(_pick_example, None, [chat.message], **INSTANT).then(**enqueue)
                   .then(_busy, None, buttons, **INSTANT).then(**answer_settings))
    runs = [submitted, example_run]
    for running in runs:
        running.then(_finish, [w.conversation, w.ui_language], [chat.chatbot, w.conversation, *buttons], **INSTANT)
    chat.stop.click(None, None, None, cancels=runs, **INSTANT)
    return runs


def _wire_new_chat(w: Widgets, runs: list[Any]) -> None:
    """New chat and the Chatbot's own trash button: cancel a running answer and start over."""

    def cleared(ui: str) -> tuple[Any, ...]:
        empty = Conversation()
        return [], empty, render_sources(empty, {}, texts_for(ui)), "", ""

    for reset in (w.chat.new_chat.click, w.chat.chatbot.clear):
        reset(cleared, [w.ui_language], _answer_outputs(w), cancels=runs, **INSTANT) \
            .then(_idle, None, [w.chat.send, w.chat.stop], **INSTANT)


def _wire_ui_language(demo: gr.Blocks, w: Widgets, pipeline: Pipeline) -> None:
    """On page load (the browser's language) and on a click on Deutsch/English: relabel everything."""
    chat, side, docs = w.chat, w.side, w.documents
    prompt_passages = pipeline.config.passages_in_prompt
    examples = read_examples(pipeline.config.seeds_dir)

    def apply_ui_language(ui: str, conversation: Conversation) -> dict[Any, Any]:
        t = texts_for(ui)
        table, status = index_overview(pipeline, t)
        documents = indexed_documents(pipeline)
        questions = example_questions(examples, documents, t["locale"])
        return {
            w.ui_language: ui, w.header: header_html(t, t["locale"], collection_summary(documents, t, t["locale"])),
            w.chat_tab: gr.update(label=t["chat_tab"]), docs.tab: gr.update(label=t["documents_tab"]),
            chat.chatbot: gr.update(value=render_chat(conversation, t, time.time()), placeholder=t["chat_placeholder"],
                                    examples=chat_examples(questions) or None),
            chat.message: gr.update(placeholder=t["message_placeholder"], label=t["message_label"]),
            chat.send: gr.update(value=t["send"]), chat.stop: gr.update(value=t["stop"]),
            chat.new_chat: gr.update(value=t["new_chat"]), chat.settings: gr.update(label=t["settings"]),
            chat.top_k: gr.update(label=t["top_k"], info=t["top_k_info"].format(prompt=prompt_passages)),
            chat.answer_language: gr.update(label=t["answer_language"], choices=language_choices(t)),
            side.sources: render_sources(conversation, documents, t),
            docs.documents: table, docs.index_status: status, docs.reindex: gr.update(value=t["reindex"]),
            docs.reindex_info: t["reindex_info"],
        }

    outputs = [w.ui_language, w.header, w.chat_tab, docs.tab, chat.chatbot, chat.message, chat.send, chat.stop,
               chat.new_chat, chat.settings, chat.top_k, chat.answer_language, side.sources, docs.documents,
               docs.index_status, docs.reindex, docs.reindex_info]
    inputs = [w.ui_language, w.conversation]
    demo.load(apply_ui_language, inputs, outputs, js=BROWSER_LANGUAGE_JS, **INSTANT)
    w.ui_language.input(apply_ui_language, inputs, outputs, **INSTANT)


def _wire_reindex(w: Widgets, pipeline: Pipeline, allow_reindex: bool) -> None:
    """Re-index: rebuild the index (only when allowed), then show the new table and what changed."""
    docs = w.documents

    # Gradio recognises the progress tracker by this default value.
    def rebuild(ui: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, str, str]:  # noqa: B008
        t = texts_for(ui)
        if not allow_reindex:
            table, status = index_overview(pipeline, t)
            return table, status, f'<div class="qa-notice">{html.escape(t["reindex_refused"])}</div>'
        try:
            built = pipeline.build(lambda items, total: progress.tqdm(items, total=total, desc="Embedding"),
                                   lambda items, total: progress.tqdm(items, total=total, desc=t["translating"]))
        except QAError as error:
            table, status = index_overview(pipeline, t)
            return table, status, render_error(error, t["reindex_failed"])
        table, status = index_overview(pipeline, t)
        return table, status, render_build_report(built, t)

    docs.reindex.click(rebuild, [w.ui_language], [docs.documents, docs.index_status, docs.report],
                       concurrency_id="model", **PRIVATE)


def _wire_api(pipeline: Pipeline) -> None:
    """The `/ask` endpoint (JSON answer with its cited sources)."""

    def ask_api(question: str, language: str = "auto") -> dict[str, Any]:
        """Answer a question from the documents; language is "auto", "de" or "en"."""
        try:
            return ask(pipeline, question, language)
        except QAError as error:
            raise gr.Error(str(error)) from error

    gr.api(ask_api, api_name="ask", concurrency_id="model")


def build_app(pipeline: Pipeline, warmup: ModelWarmup | None = None, allow_reindex: bool = True) -> gr.Blocks:
    """Build the chat app around one `pipeline` (queue on, one request at a time, at most `max_queue` waiting).

    Args:
        pipeline: the pipeline every callback uses (its index should be loaded).
        warmup: an optional started ModelWarmup; while it runs, answers say the model is loading.
        allow_reindex: show the Re-index button (qa.ui.access decides); without it the button
            is hidden and its callback refuses, so a crafted request cannot rebuild either.
    Returns:
        The Blocks; launch it with `demo.launch(**launch_options(), ...)`.
    """
    texts = texts_for("en")

    def open_document_viewer(request: dict[str, Any]) -> str:
        """The document viewer's HTML for a source card's or the documents list's Open button.

        One argument, as the page's script sends it: {"document", "start", "end", "evidence", "language"}.
        """
        request = request if isinstance(request, dict) else {}
        return open_document(pipeline, request, str(request.get("language", "en")))

    with gr.Blocks(title=texts["page_title"], analytics_enabled=False) as demo:
        widgets = build_layout(pipeline, texts, allow_reindex, [open_document_viewer])
        runs = _wire_answers(widgets, pipeline, warmup)
        _wire_new_chat(widgets, runs)
        _wire_ui_language(demo, widgets, pipeline)
        _wire_reindex(widgets, pipeline, allow_reindex)
        _wire_api(pipeline)
    demo.queue(default_concurrency_limit=answer_slots(pipeline.config), max_size=pipeline.config.max_queue or None)
    return demo


def answer_slots(config: Config) -> int:
    """How many answers the app runs at once: one per model server when the generator is "openai" (each
    server generates one answer at a time, issue 15), else one (the in-process model is one instance)."""
    if config.generator != "openai":
        return 1
    return max(1, len([url for url in config.openai_base_url.split(",") if url.strip()]))
