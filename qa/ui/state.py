"""Per-session chat state: a Turn per question, the Conversation, the ChatView one step shows, ModelWarmup.

All values are frozen dataclasses kept in a `gr.State` per browser session,
never in a module-level global; the callbacks build new ones instead of
mutating. `ModelWarmup` loads the models in a background thread at start.
Leaves out: turning state into HTML (qa.ui.render, qa.ui.sources) and the
answering steps that fill a Turn (qa.ui.callbacks).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from qa.errors import QAError
from qa.types import Answer, Hit, Message, Passage

if TYPE_CHECKING:
    from qa.pipeline import Pipeline

TurnStatus = Literal["queued", "loading", "searching", "reading", "writing", "redrafting", "done", "stopped", "error"]
# The statuses of a turn whose answer is still coming (the chat shows the phase and the seconds waited).
PENDING: frozenset[str] = frozenset({"queued", "loading", "searching", "reading", "writing", "redrafting"})


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
    error: str = ""  # the kind of error ("index", "model", "other"): the chat shows texts["error_<kind>"]
    started: float = 0.0  # time.time() when the question was sent, for the seconds shown while waiting


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

    @property
    def pending(self) -> Turn | None:
        """The last turn when its answer is still coming, else None."""
        if self.turns and self.turns[-1].status in PENDING:
            return self.turns[-1]
        return None

    def with_last(self, turn: Turn) -> Conversation:
        """A copy whose last turn is replaced by `turn`."""
        return Conversation(self.turns[:-1] + (turn,))


@dataclass(frozen=True)
class ChatView:
    """Everything one chat step shows: chat messages, state, sources (with each turn's copy text), input box, notice.

    `message` is the new content of the input box, or None to leave it as it is.
    """

    chat: list[dict[str, str]]
    conversation: Conversation
    sources_html: str
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
            pipeline.generator.warm_up()
        except QAError as error:  # shown again, with its hint, when a question needs the model
            self.error = error
        finally:
            self.ready.set()
