"""The chat's callback logic as plain functions: one chat turn, stopping, the documents overview and `/ask`.

These take the one pipeline and the session's Conversation as arguments and
return views or JSON data, so they run and are tested without a browser or
Gradio. Leaves out: wiring them to components (qa.ui.blocks) and answering,
retrieval and indexing themselves (qa.pipeline).
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Generator, Mapping
from dataclasses import replace
from typing import Any

from qa.answer.events import Done, Retrieved, Token
from qa.errors import InvalidQuestionError, QAError
from qa.pipeline import Pipeline, validate_question
from qa.types import Document
from qa.ui.render import (
    api_result,
    copy_text,
    document_table,
    error_kind,
    render_chat,
    render_error,
    render_question_error,
)
from qa.ui.sources import render_sources
from qa.ui.state import ChatView, Conversation, ModelWarmup, Turn
from qa.ui.texts import texts_for

log = logging.getLogger(__name__)


def indexed_documents(pipeline: Pipeline) -> Mapping[str, Document]:
    """The indexed documents by id, or none when no index can be loaded (the documents tab shows why)."""
    try:
        return pipeline.index.documents
    except QAError:
        return {}


def _view(pipeline: Pipeline, conversation: Conversation, texts: Mapping[str, str], message: str | None = None,
          notice: str = "") -> ChatView:
    last = conversation.turns[-1].answer if conversation.turns else None
    return ChatView(render_chat(conversation, texts), conversation,
                    render_sources(conversation, indexed_documents(pipeline), texts), copy_text(last, texts), message, notice)


def chat_turn(pipeline: Pipeline, message: str, conversation: Conversation, top_k: float | None,
              answer_language: str | None, ui_language: str | None,
              warmup: ModelWarmup | None = None) -> Generator[ChatView, None, None]:
    """Answer one chat message, yielding a ChatView after each step (sources, every token, the final answer).

    An empty message yields nothing. An invalid message (e.g. too long) yields
    one view with a notice in the UI language and leaves the input box as it
    is. A QAError while answering (missing index or model) ends the turn with
    a message in the UI language; the error's own message and its operator
    hint go to the log.
    Closing this generator closes the pipeline's stream, which stops the model.
    """
    texts = texts_for(ui_language)
    if not (message or "").strip():
        return
    try:
        question = validate_question(message, pipeline.config.max_question_chars)
    except InvalidQuestionError as error:
        log.info("question refused: %s", error)
        yield _view(pipeline, conversation, texts, message=None, notice=render_question_error(error, texts))
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
            stream.close()
    except QAError as error:
        log.warning("answering failed: %s", error)
        conversation = conversation.with_last(replace(turn, status="error", error=error_kind(error)))
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
