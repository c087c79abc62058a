"""The web chat (Gradio): re-exports the public names of its modules so `from qa.ui import X` works.

The package is split by concern: `texts` (German and English strings),
`localize` (numbers and quotation marks), `state` (per-session values),
`render` (chat HTML, copy text, API JSON, notices), `sources` (the sources
panel), `documents` (the documents list and viewer), `collection` (the
header's summary and the example questions), `callbacks` (the chat logic as
plain functions), `assets` (CSS and browser scripts), `layout` (the
components) and `blocks` (the events and the Gradio app). Importing this package imports Gradio, as `qa.ui` always has;
the core `qa` modules never import it. Leaves out: answering, retrieval and
indexing (qa.pipeline), argument parsing and launching (app.py).
"""

from __future__ import annotations

from qa.ui.assets import ACTIONS_SCRIPT, BROWSER_LANGUAGE_JS, CITATION_SCRIPT, CSS
from qa.ui.blocks import build_app, launch_options
from qa.ui.callbacks import ask, chat_turn, enqueue_turn, index_overview, indexed_documents, open_document, stop_turn
from qa.ui.collection import Example, collection_summary, example_questions, read_examples
from qa.ui.documents import render_document_list, render_viewer
from qa.ui.render import (
    api_result,
    cite_link,
    copy_text,
    escape_chat_text,
    render_answer_body,
    render_build_report,
    render_chat,
    render_error,
    render_markers,
    render_phase,
    render_timing,
    render_turn,
)
from qa.ui.sources import highlight, render_card, render_sources, render_turn_sources
from qa.ui.state import ChatView, Conversation, ModelWarmup, Turn, TurnStatus
from qa.ui.texts import UI_TEXT, UiLanguage, texts_for

__all__ = [
    "ACTIONS_SCRIPT", "BROWSER_LANGUAGE_JS", "CITATION_SCRIPT", "CSS", "UI_TEXT", "ChatView", "Conversation",
    "Example", "ModelWarmup", "Turn", "TurnStatus", "UiLanguage", "api_result", "ask", "build_app", "chat_turn",
    "cite_link", "collection_summary", "copy_text", "enqueue_turn", "escape_chat_text", "example_questions",
    "highlight", "index_overview", "indexed_documents", "launch_options", "open_document", "read_examples",
    "render_answer_body", "render_build_report", "render_card", "render_chat", "render_document_list",
    "render_error", "render_markers", "render_phase", "render_sources", "render_timing", "render_turn",
    "render_turn_sources", "render_viewer", "stop_turn", "texts_for",
]
