"""The Generator protocol: chat messages in, a stream of text pieces out, then one Usage.

Every generator streams text pieces (`str`) and ends its stream with exactly
one `Usage` item, so token counts and timings travel with the stream itself,
also across a process boundary. Callers close the stream (a Python generator)
to stop early; the Usage is then not delivered. `build_generator` picks the
implementation named in the Config.

Leaves out: prompt wording (qa.prompts), citation checking, and model files.
"""

from __future__ import annotations

from collections import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qa.config import Config
from qa.errors import ConfigError
from qa.types import Message

GENERATORS = ("llama", "extractive", "openai")


@dataclass(frozen=True)
class Usage:
    """Token counts and timings of one `stream` call.

    `prompt_s` is the time to the first streamed piece, `total_s` the whole call;
    `completion_tokens` counts the tokens of the streamed text.
    """

    prompt_tokens: int
    completion_tokens: int
    prompt_s: float
    total_s: float


Stream = abc.Generator[str | Usage, None, None]


class Generator(Protocol):
    """Anything that turns chat messages into a stream of text pieces, closed by one Usage."""

    name: str

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        """Yield the answer in pieces (`str`), then one `Usage` when the answer is complete."""
        ...

    def warm_up(self) -> None:
        """Load the model now instead of on the first request (a no-op where nothing loads)."""
        ...

    def close(self) -> None:
        """Release the model (and its process, where it has one); a later call loads it again."""
        ...


def text_of(stream: Stream) -> tuple[str, Usage | None]:
    """Drain `stream` and return the joined text and its Usage (None if the stream gave none)."""
    pieces: list[str] = []
    usage: Usage | None = None
    for item in stream:
        if isinstance(item, Usage):
            usage = item
        else:
            pieces.append(item)
    return "".join(pieces), usage


def build_generator(config: Config) -> Generator:
    """Return the generator named by `config.generator` ("llama", "extractive" or "openai").

    "llama" runs the model in a child process (`qa.models.process`), so a
    crash inside llama.cpp costs one answer, never the caller. "openai" asks
    the servers in `config.openai_base_url` (`qa.models.openai_chat`).

    Raises:
        ConfigError: for an unknown generator name.
        ModelMissingError, ModelChecksumError: when the llama model is unusable.
    """
    if config.generator == "llama":
        from qa.models.model_files import ensure_model
        from qa.models.process import ProcessGenerator

        return ProcessGenerator(ensure_model(config), n_ctx=config.n_ctx, n_threads=config.n_threads,
                                temperature=config.temperature)
    if config.generator == "extractive":
        from qa.models.extractive import ExtractiveGenerator

        return ExtractiveGenerator()
    if config.generator == "openai":
        from qa.models.openai_chat import OpenAIGenerator
        from qa.models.server_pool import server_pool

        return OpenAIGenerator(server_pool(config, config.openai_base_url, "openai_base_url"), config.openai_model,
                               temperature=config.temperature)
    raise ConfigError(
        f"Unknown generator {config.generator!r}.",
        hint=f"Set generator to one of: {', '.join(GENERATORS)}.",
    )
