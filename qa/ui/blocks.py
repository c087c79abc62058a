"""The Gradio Blocks app: components, layout and the wiring of events to the callbacks; launch options.

`build_app(pipeline)` returns a `gr.Blocks` with a streaming chat (sources
appear as soon as retrieval is done, then the answer token by token), a
sources panel, settings, a documents tab with re-indexing, and an `/ask` API
endpoint. The one pipeline is captured by the event handlers; per-session
state lives in a `gr.State`. Leaves out: the callback logic (qa.ui.callbacks),
rendering (qa.ui.render, qa.ui.sources), strings (qa.ui.texts), styling
(qa.ui.assets), and argument parsing and launching (app.py).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from contextlib import closing
from typing import Any

import gradio as gr

from qa.errors import QAError
from qa.pipeline import Pipeline
from qa.ui.assets import BROWSER_LANGUAGE_JS, CITATION_SCRIPT, CSS
from qa.ui.callbacks import ask, chat_turn, index_overview, indexed_documents, stop_turn
from qa.ui.render import render_build_report, render_chat, render_error
from qa.ui.sources import render_sources
from qa.ui.state import Conversation, ModelWarmup
from qa.ui.texts import EXAMPLES, texts_for


def launch_options() -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch` (Gradio 6 takes theme and css there, not in `gr.Blocks`)."""
    theme = gr.themes.Default(primary_hue="indigo", neutral_hue="slate")
    return {"theme": theme, "css": CSS, "footer_links": ["api"]}


def _header_html(texts: Mapping[str, str], language: str = "") -> str:
    # The lang attribute appears once the page-load callback has chosen the UI language (tests wait for it).
    lang = f' lang="{html.escape(language)}"' if language else ""
    return (f'<div class="qa-title"{lang}><h1>{html.escape(texts["title"])}</h1>'
            f'<p>{html.escape(texts["subtitle"])}</p></div>')


def build_app(pipeline: Pipeline, warmup: ModelWarmup | None = None, allow_reindex: bool = True) -> gr.Blocks:
    """Build the chat app around one `pipeline` (queue on, one request at a time).

    Args:
        pipeline: the pipeline every callback uses (its index should be loaded).
        warmup: an optional started ModelWarmup; while it runs, answers say the model is loading.
        allow_reindex: show the Re-index button (qa.ui.access decides); without it the button
            is hidden and its callback refuses, so a crafted request cannot rebuild either.
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
                reindex = gr.Button(texts["reindex"], variant="secondary", elem_id="qa-reindex", visible=allow_reindex)
                reindex_info = gr.Markdown(texts["reindex_info"], visible=allow_reindex)
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
                sources: render_sources(conversation, indexed_documents(pipeline), t),
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
            if not allow_reindex:
                table, status = index_overview(pipeline, t)
                return table, status, f'<div class="qa-notice">{html.escape(t["reindex_refused"])}</div>'
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
