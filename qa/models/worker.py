"""The model's own process: `python -m qa.models.worker SETTINGS_JSON`, driven by `qa.models.process`.

It runs one `LlamaCppGenerator` (with its fixed-prefix KV cache) and speaks
JSON lines: requests on stdin, replies on a private copy of stdout. File
descriptor 1 is pointed at stderr first, so nothing llama.cpp prints can mix
with the replies.

Settings: model_path, n_ctx, n_threads, temperature, use_extra_buffers; or
{"generator": "extractive", "delay_s": s} to run the fake (fast tests of the
process plumbing). Requests: {"op": "warm_up"}, {"op": "stream", "id", "messages", "max_tokens",
"stop"}, {"op": "cancel", "id"}, {"op": "speed"}. Replies: {"ok": ...},
{"piece": text}, {"usage": {...}}, {"end": true}, {"error": {"type",
"message", "hint"}}. A cancel for the running stream stops it after the
current piece; a cancel for anything else is ignored.

Leaves out: restarting after a crash and timeouts (the parent does both).
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from qa.errors import QAError
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Usage
from qa.models.llama_cpp import LlamaCppGenerator
from qa.types import Message

SPEED_PROMPT = ("NATO, the North Atlantic Treaty Organization, is a military alliance of 32 member states. "
                "Die NATO ist ein Militärbündnis von 32 Mitgliedstaaten in Europa und Nordamerika. ") * 3


class Worker:
    """Reads requests, runs them on the generator, writes replies."""

    def __init__(self, generator: LlamaCppGenerator | ExtractiveGenerator, replies: TextIO) -> None:
        self.generator = generator
        self.replies = replies
        self.requests: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.cancelled: set[int] = set()
        self._guard = threading.Lock()

    def read(self, lines: TextIO) -> None:
        """Queue each request; cancels are recorded at once so a running stream sees them."""
        for line in lines:
            request = json.loads(line)
            if request.get("op") == "cancel":
                with self._guard:
                    self.cancelled.add(int(request["id"]))
            else:
                self.requests.put(request)
        self.requests.put(None)

    def send(self, reply: dict[str, Any]) -> None:
        self.replies.write(json.dumps(reply, ensure_ascii=False) + "\n")
        self.replies.flush()

    def serve(self) -> None:
        """Answer requests until stdin closes."""
        while (request := self.requests.get()) is not None:
            try:
                self.handle(request)
            except QAError as error:
                self.send({"error": {"type": type(error).__name__, "message": error.message, "hint": error.hint}})
            except Exception as error:  # noqa: BLE001 - reported to the parent, which shows it with a hint
                self.send({"error": {"type": "internal", "message": f"{type(error).__name__}: {error}", "hint": ""}})

    def handle(self, request: dict[str, Any]) -> None:
        op = request.get("op")
        if op == "warm_up":
            self.generator.warm_up()
            self.send({"ok": True})
        elif op == "stream":
            self.stream(request)
        elif op == "speed" and isinstance(self.generator, LlamaCppGenerator):
            self.send({"ok": measure_speed(self.generator)})
        else:
            raise QAError(f"unknown request {op!r}")

    def stream(self, request: dict[str, Any]) -> None:
        request_id = int(request["id"])
        messages = [Message(m["role"], m["content"]) for m in request["messages"]]
        stream = self.generator.stream(messages, max_tokens=int(request["max_tokens"]), stop=request.get("stop", ()))
        try:
            for item in stream:
                with self._guard:
                    if request_id in self.cancelled:
                        break
                if isinstance(item, Usage):
                    self.send({"usage": asdict(item)})
                else:
                    self.send({"piece": item})
        finally:
            stream.close()
            with self._guard:
                self.cancelled.discard(request_id)
        self.send({"end": True})


def measure_speed(generator: LlamaCppGenerator, generate: int = 24) -> dict[str, float]:
    """Prompt and generation speed of the loaded model, in tokens per second (a fresh KV cache)."""
    llama = generator._model()  # noqa: SLF001 - the worker owns its generator
    tokens = generator.tokenize(SPEED_PROMPT)
    llama.reset()
    started = time.perf_counter()
    llama.eval(tokens)
    prompt_s = time.perf_counter() - started
    started = time.perf_counter()
    produced = 0
    for _ in llama.generate(tokens, temp=0.0):  # re-evaluates only the last prompt token
        produced += 1
        if produced >= generate:
            break
    generation_s = time.perf_counter() - started
    llama.reset()
    return {"prompt_tokens": len(tokens), "prompt_tokens_per_s": len(tokens) / prompt_s,
            "generated_tokens": produced, "generation_tokens_per_s": produced / generation_s}


def main(argv: list[str]) -> int:
    settings = json.loads(argv[1])
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything printed to stdout from now on (Python or C) goes to stderr
    sys.stdout = sys.stderr
    generator: LlamaCppGenerator | ExtractiveGenerator
    if settings.get("generator") == "extractive":  # the fake, for fast tests of the process plumbing
        generator = ExtractiveGenerator(delay_s=float(settings.get("delay_s", 0.0)))
    else:
        generator = LlamaCppGenerator(Path(settings["model_path"]), n_ctx=settings["n_ctx"],
                                      n_threads=settings["n_threads"], temperature=settings["temperature"],
                                      use_extra_buffers=settings["use_extra_buffers"])
    worker = Worker(generator, replies)
    threading.Thread(target=worker.read, args=(sys.stdin,), daemon=True, name="qa-worker-requests").start()
    worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
