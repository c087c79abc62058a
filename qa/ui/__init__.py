"""The web chat (Gradio): re-exports the public names of its modules so `from qa.ui import X` works.

The package is split by concern: `texts` (German and English strings),
`state` (per-session values), `render` (chat HTML, copy text, API JSON,
tables, notices), `sources` (the sources panel), `callbacks` (the chat logic
as plain functions), `assets` (CSS and browser scripts) and `blocks` (the
Gradio app). Importing this package imports Gradio, as `qa.ui` always has;
the core `qa` modules never import it. Leaves out: answering, retrieval and
indexing (qa.pipeline), argument parsing and launching (app.py).
"""

from __future__ import annotations

from qa.ui.assets import BROWSER_LANGUAGE_JS, CITATION_SCRIPT, CSS
from qa.ui.blocks import build_app, launch_options
from qa.ui.callbacks import ask, chat_turn, index_overview, indexed_documents, stop_turn
from qa.ui.render import (
    api_result,
    cite_link,
    copy_text,
    document_table,
    escape_chat_text,
    render_answer_body,
    render_build_report,
    render_chat,
    render_error,
    render_markers,
    render_timing,
    render_turn,
)
from qa.ui.sources import highlight, render_card, render_sources, render_turn_sources
from qa.ui.state import ChatView, Conversation, ModelWarmup, Turn, TurnStatus
from qa.ui.texts import EXAMPLES, UI_TEXT, UiLanguage, texts_for

__all__ = [
    "BROWSER_LANGUAGE_JS", "CITATION_SCRIPT", "CSS", "EXAMPLES", "UI_TEXT", "ChatView", "Conversation",
    "ModelWarmup", "Turn", "TurnStatus", "UiLanguage", "api_result", "ask", "build_app", "chat_turn", "cite_link",
    "copy_text", "document_table", "escape_chat_text", "highlight", "index_overview", "indexed_documents",
    "launch_options", "render_answer_body", "render_build_report", "render_card", "render_chat", "render_error",
    "render_markers", "render_sources", "render_timing", "render_turn", "render_turn_sources", "stop_turn",
    "texts_for",
]
