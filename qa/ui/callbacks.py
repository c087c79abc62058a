"""The chat's callback logic as plain functions: one chat turn, stopping, the documents overview and `/ask`.

These take the one pipeline and the session's Conversation as arguments and
return views or JSON data, so they run and are tested without a browser or
Gradio. Leaves out: wiring them to components (qa.ui.blocks) and answering,
retrieval and indexing themselves (qa.pipeline).
"""

from __future__ import annotations

import html
import logging
import time
from collections import Counter
from collections.abc import Generator, Mapping
from dataclasses import replace
from typing import Any

from qa.answer.events import Done, Redrafting, Retrieved, Token
from qa.errors import InvalidQuestionError, QAError
from qa.pipeline import Pipeline, validate_question
from qa.types import Document
from qa.ui.documents import render_document_list, render_viewer
from qa.ui.render import api_result, error_kind, render_chat, render_question_error
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
    return ChatView(render_chat(conversation, texts, time.time()), conversation,
                    render_sources(conversation, indexed_documents(pipeline), texts), message, notice)


def enqueue_turn(pipeline: Pipeline, message: str, conversation: Conversation,
                 ui_language: str | None) -> ChatView | None:
    """Show the question at once as waiting, before its answer joins the queue (None for an empty message).

    An invalid message gives a view with a notice in the UI language and no new turn.
    """
    texts = texts_for(ui_language)
    if not (message or "").strip():
        return None
    try:
        question = validate_question(message, pipeline.config.max_question_chars)
    except InvalidQuestionError as error:
        log.info("question refused: %s", error)
        return _view(pipeline, conversation, texts, message=None, notice=render_question_error(error, texts))
    turn = Turn(question, status="queued", started=time.time())
    return _view(pipeline, Conversation(conversation.turns + (turn,)), texts, message="")


def chat_turn(pipeline: Pipeline, message: str, conversation: Conversation, top_k: float | None,
              answer_language: str | None, ui_language: str | None,
              warmup: ModelWarmup | None = None) -> Generator[ChatView, None, None]:
    """Answer one chat message, yielding a ChatView after each step (sources, every token, the final answer).

    An empty message yields nothing. An invalid message (e.g. too long) yields
    one view with a notice in the UI language and leaves the input box as it
    is. A QAError while answering (missing index or model) ends the turn with
    a message in the UI language; the error's own message and its operator
    hint go to the log.
    When the conversation ends with a turn `enqueue_turn` left waiting, that
    turn is answered and `message` is ignored.
    Closing this generator closes the pipeline's stream, which stops the model.
    """
    texts = texts_for(ui_language)
    queued = conversation.pending if conversation.pending and conversation.pending.status == "queued" else None
    if queued is not None:
        conversation, message, started = Conversation(conversation.turns[:-1]), queued.question, queued.started
    elif not (message or "").strip():
        return
    else:
        started = time.time()
    try:
        question = validate_question(message, pipeline.config.max_question_chars)
    except InvalidQuestionError as error:
        log.info("question refused: %s", error)
        yield _view(pipeline, conversation, texts, message=None, notice=render_question_error(error, texts))
        return
    history = conversation.history()
    loading = warmup is not None and not warmup.ready.is_set()
    turn = Turn(question, status="loading" if loading else "searching", started=started)
    conversation = Conversation(conversation.turns + (turn,))
    yield _view(pipeline, conversation, texts, message="")
    language = answer_language if answer_language in ("de", "en") else None
    try:
        stream = pipeline.answer_stream(question, history, language, int(top_k) if top_k else None)
        try:
            for event in stream:
                if isinstance(event, Retrieved):
                    turn = replace(turn, status="reading", standalone_question=event.standalone_question,
                                   passages=event.passages, hits=event.hits)
                elif isinstance(event, Token):
                    turn = replace(turn, status="writing", draft=turn.draft + event.text)
                elif isinstance(event, Redrafting):  # the draft failed the checks: withdrawn while the second is written
                    turn = replace(turn, status="redrafting", draft="", passages=event.passages)
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
    if conversation.pending is None:
        return conversation
    return conversation.with_last(replace(conversation.turns[-1], status="stopped"))


def index_overview(pipeline: Pipeline, texts: Mapping[str, str]) -> tuple[str, str]:
    """The documents list and a status line (index size, staleness; a load error is logged with its hint)."""
    try:
        index = pipeline.index
    except QAError as error:
        log.warning("no index for the documents tab: %s", error)
        return render_document_list({}, {}, texts), f'<div class="qa-notice">{html.escape(texts["no_index"])}</div>'
    counts = Counter(chunk.document_id for chunk in index.chunks)
    status = html.escape(texts["index_state"].format(documents=len(index.documents), chunks=len(index.chunks)))
    try:
        if pipeline.status().stale:
            status += " " + html.escape(texts["index_stale"])
    except QAError as error:
        log.warning("index status unknown: %s", error)
        status += " " + html.escape(texts["no_index"])
    return render_document_list(index.documents, counts, texts), f'<div class="qa-report">{status}</div>'


def open_document(pipeline: Pipeline, request: Mapping[str, Any], ui_language: str | None) -> str:
    """The viewer HTML for `request` ({"document", "start", "end", "evidence"} from a card or the list)."""
    texts = texts_for(ui_language)
    document = indexed_documents(pipeline).get(str(request.get("document", "")))
    if document is None:  # re-indexed meanwhile, or a crafted request
        return f'<p class="qa-empty">{html.escape(texts["document_missing"])}</p>'
    try:
        start, end = int(request.get("start", -1)), int(request.get("end", -1))
    except (TypeError, ValueError):
        start, end = -1, -1
    sentences = request.get("evidence")
    evidence = [sentence for sentence in sentences if isinstance(sentence, str)] if isinstance(sentences, list) else []
    return render_viewer(document, start, end, evidence, texts)


def ask(pipeline: Pipeline, question: str, language: str | None = None) -> dict[str, Any]:
    """The `/ask` API: answer `question` ("auto"/None or "de"/"en" for the answer language) as JSON data."""
    chosen = language if language in ("de", "en") else None
    return api_result(pipeline.answer(question, language=chosen))
