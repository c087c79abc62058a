"""The web chat's components and their layout: header, chat column, sources column and documents tab.

`build_layout` creates every component inside the open `gr.Blocks` and
returns them in one `Widgets` value, so the event wiring (qa.ui.blocks) can
name each component without a long list of locals. Leaves out: events and
callbacks (qa.ui.blocks, qa.ui.callbacks), the HTML inside the components
(qa.ui.render, qa.ui.sources) and styling (qa.ui.assets).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import gradio as gr

from qa.pipeline import Pipeline
from qa.ui.assets import ACTIONS_SCRIPT, CITATION_SCRIPT
from qa.ui.sources import render_sources
from qa.ui.state import Conversation

ServerFunctions = list[Callable[..., Any]]


@dataclass(frozen=True)
class ChatColumn:
    """The chat, the input row, the notice line, New chat and the settings."""

    chatbot: gr.Chatbot
    message: gr.Textbox
    send: gr.Button
    stop: gr.Button
    notice: gr.HTML
    new_chat: gr.Button
    settings: gr.Accordion
    top_k: gr.Slider
    answer_language: gr.Radio


@dataclass(frozen=True)
class SourcesColumn:
    """The sources panel (each turn's sources with its copy text)."""

    sources: gr.HTML


@dataclass(frozen=True)
class DocumentsTab:
    """The documents tab: index status, the document list, Re-index and its report."""

    tab: gr.Tab
    index_status: gr.HTML
    documents: gr.HTML
    reindex: gr.Button
    reindex_info: gr.Markdown
    report: gr.HTML


@dataclass(frozen=True)
class Widgets:
    """Every component the events read or update (created once per app by `build_layout`)."""

    conversation: gr.State
    header: gr.HTML
    ui_language: gr.Radio
    chat_tab: gr.Tab
    chat: ChatColumn
    side: SourcesColumn
    documents: DocumentsTab


def header_html(texts: Mapping[str, str], language: str = "", summary: str = "") -> str:
    """The page title, what the collection holds (`summary`) and the subtitle.

    `lang` is set once the page-load callback has chosen the UI language (tests wait for it).
    """
    lang = f' lang="{html.escape(language)}"' if language else ""
    collection = f'<p class="qa-collection">{html.escape(summary)}</p>' if summary else ""
    return (f'<div class="qa-title"{lang}><h1>{html.escape(texts["title"])}</h1>{collection}'
            f'<p>{html.escape(texts["subtitle"])}</p></div>')


def chat_examples(questions: list[str]) -> list[dict[str, str]]:
    """The Chatbot's example chips for `questions`."""
    return [{"text": question, "display_text": question} for question in questions]


def language_choices(texts: Mapping[str, str]) -> list[tuple[str, str]]:
    """The answer-language radio's (label, value) pairs."""
    return [(texts["language_auto"], "auto"), (texts["language_de"], "de"), (texts["language_en"], "en")]


def _composer(texts: Mapping[str, str]) -> tuple[gr.Textbox, gr.Button, gr.Button]:
    with gr.Row(equal_height=True, elem_id="qa-composer"):
        message = gr.Textbox(label=texts["message_label"], show_label=False, lines=1, max_lines=6,
                             placeholder=texts["message_placeholder"], scale=8, autofocus=True,
                             container=False, elem_id="qa-message")
        send = gr.Button(texts["send"], variant="primary", scale=1, min_width=100, elem_id="qa-send")
        stop = gr.Button(texts["stop"], variant="stop", scale=1, min_width=100, visible=False, elem_id="qa-stop")
    return message, send, stop


def _chat_column(pipeline: Pipeline, texts: Mapping[str, str]) -> ChatColumn:
    with gr.Column(scale=3, min_width=300, elem_id="qa-chat-column"):
        chatbot = gr.Chatbot(
            label=texts["chat_label"], show_label=False, elem_id="qa-chatbot", height=540,
            sanitize_html=True, render_markdown=True, latex_delimiters=[], buttons=[],
            feedback_options=None, placeholder=texts["chat_placeholder"], layout="bubble",
            examples=None,  # set in the UI language by the page-load callback
        )
        message, send, stop = _composer(texts)
        notice = gr.HTML("", elem_id="qa-notice")
        with gr.Row(equal_height=False, elem_id="qa-tools"):
            new_chat = gr.Button(texts["new_chat"], size="md", variant="secondary", scale=0, min_width=130,
                                 elem_id="qa-new-chat")
            with gr.Accordion(texts["settings"], open=False, elem_id="qa-settings") as settings:
                top_k = gr.Slider(1, 15, value=pipeline.config.top_k, step=1, label=texts["top_k"],
                                  info=texts["top_k_info"].format(prompt=pipeline.config.passages_in_prompt))
                answer_language = gr.Radio(language_choices(texts), value="auto", label=texts["answer_language"])
    return ChatColumn(chatbot, message, send, stop, notice, new_chat, settings, top_k, answer_language)


def _sources_column(texts: Mapping[str, str], server_functions: ServerFunctions) -> SourcesColumn:
    with gr.Column(scale=2, min_width=300, elem_id="qa-sources-box"):
        sources = gr.HTML(render_sources(Conversation(), {}, texts), elem_id="qa-sources",
                          js_on_load=CITATION_SCRIPT + ACTIONS_SCRIPT, server_functions=server_functions)
    return SourcesColumn(sources)


def _documents_tab(texts: Mapping[str, str], allow_reindex: bool, server_functions: ServerFunctions) -> DocumentsTab:
    with gr.Tab(texts["documents_tab"], id="documents") as documents_tab:
        index_status = gr.HTML("")
        documents = gr.HTML("", elem_id="qa-documents", js_on_load=ACTIONS_SCRIPT, server_functions=server_functions)
        reindex = gr.Button(texts["reindex"], variant="secondary", elem_id="qa-reindex", visible=allow_reindex)
        reindex_info = gr.Markdown(texts["reindex_info"], visible=allow_reindex)
        report = gr.HTML("", elem_id="qa-report")
    return DocumentsTab(documents_tab, index_status, documents, reindex, reindex_info, report)


def build_layout(pipeline: Pipeline, texts: Mapping[str, str], allow_reindex: bool,
                 server_functions: ServerFunctions) -> Widgets:
    """Create the components inside the open Blocks (English until the page-load callback picks the language).

    `server_functions` (the document viewer's `open_document`) are callable from the page's script.
    """
    conversation = gr.State(Conversation())
    with gr.Row(elem_id="qa-header"):
        header = gr.HTML(header_html(texts))
        ui_language = gr.Radio([("Deutsch", "de"), ("English", "en")], value="en", show_label=False,
                               container=False, elem_id="qa-ui-language")
    with gr.Tabs():
        with gr.Tab(texts["chat_tab"], id="chat") as chat_tab:
            with gr.Row(equal_height=False):
                chat = _chat_column(pipeline, texts)
                side = _sources_column(texts, server_functions)
        documents = _documents_tab(texts, allow_reindex, server_functions)
    return Widgets(conversation, header, ui_language, chat_tab, chat, side, documents)
