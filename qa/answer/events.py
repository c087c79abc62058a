"""The events of one answer as it happens: Retrieved, then Token..., then (when the draft failed the checks
and a second draft is asked) Redrafting, then Done.

The CLI and the web chat show progress from them. Leaves out: producing them
(qa.answer.answerer) and showing them (qa.cli, qa.ui).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.types import Answer, Hit, Passage


@dataclass(frozen=True)
class Retrieved:
    """Retrieval is done: the standalone question and the passages the model will see."""

    standalone_question: str
    passages: tuple[Passage, ...]
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Token:
    """A piece of generated text."""

    text: str


@dataclass(frozen=True)
class Redrafting:
    """The draft streamed so far failed the checks; the model writes a second one from fewer passages. The draft
    is withdrawn (it is not the answer); the second one is not streamed, it comes checked with Done."""

    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Done:
    """The final, verified answer."""

    answer: Answer


Event = Retrieved | Token | Redrafting | Done
