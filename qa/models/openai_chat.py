"""Generator "openai": chat completions streamed from OpenAI-compatible servers through a ServerPool.

Several servers are used round-robin; a server that fails before the first
piece of an answer has streamed is skipped and the next one asked, a failure
after it ends the answer with a ModelServerError (the text so far cannot be
taken back). Token counts come from the server's usage report where it sends
one (vLLM); llama.cpp's server sends none, so the pieces are counted instead.

Leaves out: the pool and its failover (qa.models.server_pool), prompt
wording, and the in-process model (qa.models.llama_cpp).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from typing import Any

from qa.errors import ConfigError, ModelServerError
from qa.models.generator import Stream, Usage
from qa.models.server_pool import ServerPool, describe, is_api_error, is_retryable, unreachable, unusable_request
from qa.types import Message


class OpenAIGenerator:
    """Chat completions from OpenAI-compatible servers, streamed; several servers are used round-robin, an idle
    one before one that is streaming an answer."""

    def __init__(self, pool: ServerPool, model: str, temperature: float = 0.0, seed: int = 0) -> None:
        if not model:
            raise ConfigError("generator = 'openai' needs openai_model.",
                              hint="Pass --openai-model NAME (the name the server lists under /v1/models).")
        self.pool = pool
        self.model = model
        self.name = f"openai:{model}"
        self.temperature = temperature
        self.seed = seed

    def warm_up(self) -> None:
        """Check that a server answers (lists its models); ModelServerError with a hint if none does."""
        self.pool.call(lambda client: client.models.list(), "model")

    def close(self) -> None:
        """Close the connections."""
        self.pool.close()

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        """Yield the answer in pieces, then one Usage.

        A server that fails before the first piece is skipped and the next one
        asked; a failure after it raises ModelServerError (the text so far
        cannot be taken back).
        """
        started = time.perf_counter()
        chat = [{"role": message.role, "content": message.content} for message in messages]
        problems: list[str] = []
        for url, client in self.pool.attempts():
            with self.pool.busy(url):  # until the answer is streamed: the pool sends the next request elsewhere
                try:
                    chunks = client.chat.completions.create(
                        model=self.model, messages=chat, stream=True, max_tokens=max_tokens, stop=list(stop) or None,
                        temperature=self.temperature, seed=self.seed, stream_options={"include_usage": True})
                    items = _pieces(chunks)
                    opening = _until_first_text(items)
                except Exception as error:
                    if not is_api_error(error):
                        raise  # a bug, not the server
                    if not is_retryable(error):
                        raise unusable_request(url, error, "model") from error
                    self.pool.failed(url)
                    problems.append(f"{url}: {describe(error)}")
                    continue
                self.pool.succeeded(url)
                yield from self._rest(chunks, itertools.chain(opening, items), url, started)
                return
        raise unreachable(problems, "model")

    def _rest(self, chunks: Any, items: Iterator[_Piece], url: str, started: float) -> Stream:
        """Stream the pieces of an opened response and end with its Usage."""
        pieces = 0
        first_piece_s = 0.0
        usage: Any = None
        finished = False
        try:
            for piece, chunk_usage, finish_reason in items:
                usage = chunk_usage or usage
                finished = finished or bool(finish_reason)
                if not piece:
                    continue
                if not pieces:
                    first_piece_s = time.perf_counter() - started
                pieces += 1
                yield piece
            if not finished:  # the connection ended before the server said the answer was complete
                cut = ModelServerError(f"The model server {url} stopped sending in the middle of an answer.",
                                       hint="Ask again (the next server is tried); check the server's log.")
                self.pool.failed(url)
                raise cut
        except Exception as error:
            if isinstance(error, ModelServerError) or not is_api_error(error):
                raise
            self.pool.failed(url)
            raise ModelServerError(f"The model server {url} failed while answering: {describe(error)}",
                                   hint="Ask again (the next server is tried); check the server's log.") from error
        finally:
            chunks.close()
        total_s = time.perf_counter() - started
        prompt_tokens = usage.prompt_tokens if usage is not None else 0
        completion_tokens = (usage.completion_tokens if usage is not None else 0) or pieces
        yield Usage(int(prompt_tokens or 0), int(completion_tokens), first_piece_s or total_s, total_s)


_Piece = tuple[str, Any, str | None]  # text, usage report (or None), finish reason (or None)


def _pieces(chunks: Any) -> Iterator[_Piece]:
    """(text, usage, finish reason) of each streamed chunk; servers without usage reports give None."""
    for chunk in chunks:
        choice = chunk.choices[0] if chunk.choices else None
        yield ((choice.delta.content or "") if choice else ""), chunk.usage, (choice.finish_reason if choice else None)


def _until_first_text(items: Iterator[_Piece]) -> list[_Piece]:
    """Read `items` up to and including the first non-empty text (or to the end), so a failure shows up here."""
    read: list[_Piece] = []
    for item in items:
        read.append(item)
        if item[0]:
            break
    return read
