"""A small fake OpenAI-compatible server for the fast tests (stdlib http.server in a thread, loopback only).

It answers `/v1/chat/completions` (streamed as server-sent events, with the
answer of any Generator, e.g. the extractive fake), `/v1/embeddings` (with
any Embedder) and `/v1/models`, records every request, and can misbehave on
purpose: `mode` "ok", "error" (HTTP 500), "hang" (answers after `hang_s`),
"die" (closes the connection after the first piece) or "unknown_model" (404).
Leaves out: everything else of the API.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from qa.models.embedders import Embedder
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Generator, Stream, Usage
from qa.types import Message


class SlowCountingModel:
    """The extractive fake, waiting `delay(last message)` seconds before its first piece; counts the answers
    that stream at once (`most_at_once`), for tests of concurrency over model servers."""

    name = "slow"

    def __init__(self, delay: Callable[[str], float] = lambda _: 0.3) -> None:
        self.inner = ExtractiveGenerator()
        self.delay = delay
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.delay(messages[-1].content))
            yield from self.inner.stream(messages, max_tokens=max_tokens, stop=stop)
        finally:
            with self._lock:
                self.running -= 1


class FakeOpenAIServer:
    """Serve `generator` and `embedder` on 127.0.0.1 (a free port) until `stop()`; use as a context manager."""

    def __init__(self, generator: Generator | None = None, embedder: Embedder | None = None, mode: str = "ok",
                 hang_s: float = 3.0, model: str = "fake-model") -> None:
        self.generator = generator
        self.embedder = embedder
        self.mode = mode
        self.hang_s = hang_s
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """The base URL of a loopback port that nothing listens on (a server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _handler(fake: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._json(200, {"object": "list", "data": [{"id": fake.model, "object": "model"}]})

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            fake.requests.append({"path": self.path, **request})
            fake.headers.append({key.lower(): value for key, value in self.headers.items()})
            if fake.mode == "hang":
                time.sleep(fake.hang_s)
            if fake.mode == "error":
                return self._json(500, {"error": {"message": "model crashed", "type": "server_error"}})
            if fake.mode == "unknown_model" or request.get("model") != fake.model:
                return self._json(404, {"error": {"message": f"model {request.get('model')} not found"}})
            if self.path.endswith("/embeddings"):
                return self._embeddings(request)
            return self._chat(request)

        def _embeddings(self, request: dict[str, Any]) -> None:
            assert fake.embedder is not None
            texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
            query = request.get("input_type") == "query"
            vectors = fake.embedder.embed_queries(texts) if query else fake.embedder.embed_passages(texts)
            self._json(200, {"object": "list", "model": fake.model, "data": [
                {"object": "embedding", "index": i, "embedding": [float(x) for x in v]} for i, v in enumerate(vectors)]})

        def _chat(self, request: dict[str, Any]) -> None:
            assert fake.generator is not None
            messages = [Message(m["role"], m["content"]) for m in request["messages"]]
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            stream = fake.generator.stream(messages, max_tokens=request.get("max_tokens", 200),
                                           stop=request.get("stop") or ())
            for number, item in enumerate(stream):
                if isinstance(item, Usage):
                    continue
                if fake.mode == "die" and number == 1:
                    self.wfile.write(b"data: {broken")
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": fake.model,
                         "choices": [{"index": 0, "delta": {"content": item}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            end = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": fake.model,
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
