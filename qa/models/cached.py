"""A generator wrapper that records drafts by prompt and replays them: `qa eval --draft-cache FILE`.

The key is a hash of the whole request (messages, max_tokens, stop), so a
recorded draft is replayed only for exactly the prompt that produced it; any
change to retrieval, passage choice or prompt wording misses the cache and
asks the real model. Changes after generation (citation checks, refusal
rules, rendering) can so be measured on the full question set in seconds,
with the model's answers held fixed. The cache file is JSON lines, appended
as drafts arrive, so an interrupted run keeps what it recorded.

Leaves out: any use outside evaluation (the product never replays answers).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path

from qa.models.generator import Generator, Stream, Usage
from qa.types import Message


def request_key(messages: Sequence[Message], max_tokens: int, stop: Sequence[str]) -> str:
    """A stable hash of one generation request."""
    payload = json.dumps([[m.role, m.content] for m in messages] + [max_tokens, list(stop)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class CachedGenerator:
    """Replays recorded drafts; asks `inner` (and records its draft) for any request not recorded yet."""

    def __init__(self, inner: Generator, cache_file: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache_file = Path(cache_file)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._drafts: dict[str, tuple[str, int, int]] = {}  # key -> (draft, prompt tokens, completion tokens)
        if self.cache_file.exists():
            for line in self.cache_file.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                    self._drafts[record["key"]] = (record["draft"], record["prompt_tokens"], record["completion_tokens"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line torn by an interrupted run

    def warm_up(self) -> None:
        """Nothing is loaded until a request misses the cache."""

    def close(self) -> None:
        self.inner.close()

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        """Yield the recorded draft in one piece, or stream and record the inner generator's draft."""
        key = request_key(messages, max_tokens, stop)
        with self._lock:  # `qa eval --workers N` streams from several threads
            recorded = self._drafts.get(key)
            if recorded is not None:
                self.hits += 1
            else:
                self.misses += 1
        if recorded is not None:
            draft, prompt_tokens, completion_tokens = recorded
            yield draft
            yield Usage(prompt_tokens, completion_tokens, 0.0, 0.0)  # replayed: no timings
            return
        pieces: list[str] = []
        for item in self.inner.stream(messages, max_tokens=max_tokens, stop=stop):
            if isinstance(item, Usage):
                self._record(key, "".join(pieces), item)
            else:
                pieces.append(item)
            yield item

    def _record(self, key: str, draft: str, usage: Usage) -> None:
        with self._lock:
            self._drafts[key] = (draft, usage.prompt_tokens, usage.completion_tokens)
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            with self.cache_file.open("a", encoding="utf-8") as handle:
                record = {"key": key, "draft": draft, "prompt_tokens": usage.prompt_tokens,
                          "completion_tokens": usage.completion_tokens}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
