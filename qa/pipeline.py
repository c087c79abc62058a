"""The pipeline object that the CLI, the web app and the evaluation all call.

It owns the embedder, the loaded index and the retriever (all created lazily)
and keeps the index fresh. Question answering lives in qa.answer; this
module is only the shared entry point. Leaves out: rendering (cli, app).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Generator as EventStream
from typing import TYPE_CHECKING, Any

from qa.config import Config
from qa.errors import IndexCorruptError, InvalidQuestionError
from qa.index.build import BuildReport, build_index
from qa.index.load import IndexStatus, SearchIndex, index_status, load_index
from qa.models.embedders import Embedder, build_embedder
from qa.retrieval import Mode, Retriever
from qa.types import Answer, Hit, Message

if TYPE_CHECKING:
    from qa.answer.answerer import Answerer
    from qa.answer.events import Event
    from qa.models.generator import Generator

ProgressFactory = Callable[[Iterable[Any], int], Iterable[Any]]


# The history a question may bring: the follow-up rewrite reads the last four messages
# (qa.answer.prompts.rewrite_messages), each cut to the question limit, so a long chat can never overflow n_ctx.
HISTORY_MESSAGES = 4


def validate_question(question: str, max_chars: int) -> str:
    """Return the question normalised (NFC, trimmed), or raise InvalidQuestionError.

    Empty and whitespace-only questions, questions without a letter or digit
    (emoji or punctuation only) and questions over `max_chars` characters are
    rejected with a message a user can act on (its `reason` lets the web chat
    say it in the UI language); control and format characters (zero-width,
    bidirectional) are dropped, any other Unicode is accepted. Markup is kept
    as text: the edges escape it.
    """
    if not isinstance(question, str):
        raise InvalidQuestionError("The question must be text.", reason="not_text")
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", question) if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if not cleaned:
        raise InvalidQuestionError("The question is empty.", hint="Type a question, e.g. “Wer ist Mark Rutte?”.",
                                   reason="empty")
    if len(cleaned) > max_chars:
        raise InvalidQuestionError(
            f"The question has {len(cleaned)} characters; the limit is {max_chars}.",
            hint="Ask a shorter question (or raise max_question_chars in qa.toml).",
            reason="too_long", values={"count": len(cleaned), "limit": max_chars},
        )
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidQuestionError("The question has no word to search for (only symbols or emoji).",
                                   hint="Ask in words, in German or English.", reason="no_words")
    return cleaned


def trim_history(history: Sequence[Message], max_chars: int) -> list[Message]:
    """The last HISTORY_MESSAGES messages of `history`, each cut to `max_chars` characters."""
    return [Message(m.role, m.content[:max_chars]) for m in list(history)[-HISTORY_MESSAGES:]]


class Pipeline:
    """Retrieval (and, through qa.answer, answers) over the configured index."""

    def __init__(self, config: Config, embedder: Embedder | None = None, generator: Generator | None = None) -> None:
        self.config = config
        self.embedder = embedder or build_embedder(config)
        self._generator = generator
        self._index: SearchIndex | None = None
        self._retriever: Retriever | None = None
        self._answerer: Answerer | None = None
        self._lock = threading.RLock()

    def status(self) -> IndexStatus:
        """Index presence and staleness, without loading any model."""
        return index_status(self.config, self.embedder)

    def build(self, progress: ProgressFactory | None = None,
              translate_progress: ProgressFactory | None = None) -> BuildReport:
        """Build or update the index and reload it (the model translates each sentence of a bilingual
        collection into its other language, `config.translate_index`, and writes the questions each chunk
        answers, `config.index_questions`; `translate_progress` wraps those loops)."""
        with self._lock:
            generator = self.generator if self.config.translate_index or self.config.index_questions else None
            report = build_index(self.config, self.embedder, progress, generator, translate_progress)
            self._index = None
            self._retriever = None
            self._answerer = None
            return report

    def ensure_index(self, rebuild: bool = True, progress: ProgressFactory | None = None,
                     translate_progress: ProgressFactory | None = None) -> BuildReport | None:
        """Rebuild the index when it is missing, stale or unreadable (if `rebuild`), then load it."""
        with self._lock:
            report = None
            if rebuild and self.status().stale:
                report = self.build(progress, translate_progress)
            try:
                self.index  # noqa: B018 - load now so errors surface here
            except IndexCorruptError:
                if not rebuild or report is not None:
                    raise
                # a damaged file (truncated vectors) the manifest did not reveal
                report = self.build(progress, translate_progress)
                self.index  # noqa: B018
            return report

    @property
    def index(self) -> SearchIndex:
        with self._lock:
            if self._index is None:
                self._index = load_index(self.config, self.embedder)
            return self._index

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(self.index, self.embedder, self.config)
            return self._retriever

    def search(self, question: str, top_k: int | None = None, mode: Mode = "hybrid") -> list[Hit]:
        """Validate `question` and return the ranked passages."""
        question = validate_question(question, self.config.max_question_chars)
        return self.retriever.search(question, top_k=top_k, mode=mode)

    @property
    def generator(self) -> Generator:
        """The answer model (built on first use; loading happens on its first call)."""
        with self._lock:
            if self._generator is None:
                from qa.models.generator import build_generator

                self._generator = build_generator(self.config)
            return self._generator

    @property
    def answerer(self) -> Answerer:
        with self._lock:
            if self._answerer is None:
                from qa.answer.answerer import Answerer

                self._answerer = Answerer(self.config, self.index, self.retriever, self.embedder, self.generator)
            return self._answerer

    def answer_stream(self, question: str, history: Sequence[Message] = (), language: str | None = None,
                      top_k: int | None = None) -> EventStream[Event, None, None]:
        """Validate `question` and stream the answer events (Retrieved, Token..., Done).

        Args:
            question: the user's question.
            history: earlier turns, for follow-up questions.
            language: "de" or "en" to force the answer language (detected when None).
            top_k: number of retrieved passages to report (at least the prompt's passages).
        """
        question = validate_question(question, self.config.max_question_chars)
        if language not in (None, "de", "en"):
            raise InvalidQuestionError(f"Unsupported answer language {language!r}.", hint="Use de, en or auto.",
                                       reason="language")
        return self.answerer.stream(question, trim_history(history, self.config.max_question_chars), language, top_k)

    def answer(self, question: str, history: Sequence[Message] = (), language: str | None = None,
               top_k: int | None = None) -> Answer:
        """Answer `question` and return the final Answer (the same path as the stream)."""
        from qa.answer.events import Done

        for event in self.answer_stream(question, history, language, top_k):
            if isinstance(event, Done):
                return event.answer
        raise RuntimeError("the answer stream ended without an answer")  # a bug, not a user error
