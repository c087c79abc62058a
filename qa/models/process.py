"""The answer model in a child process: a crash of llama.cpp costs one answer, never the caller.

`ProcessGenerator` implements the Generator protocol by driving
`python -m qa.models.worker` over JSON lines (see that module). The child is
started on first use and again after it died, so the next question after a
segfault, an out-of-memory kill or `kill -9` is answered normally; the one
in flight ends with a `ModelCrashedError` that names the signal, the CPU's
features and the fix. Closing a stream early sends a cancel and waits for the
child to confirm, so Stop in the web chat frees the model at once. A child
that sends nothing for `reply_timeout_s` is killed and reported as hung.

Leaves out: the model itself (qa.models.llama_cpp, run inside the child).
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from qa import errors
from qa.errors import ModelCrashedError, QAError
from qa.models.cpu import describe_cpu
from qa.models.generator import Stream, Usage
from qa.types import Message

_END_OF_OUTPUT = None


@dataclass
class _Child:
    process: subprocess.Popen[str]
    replies: queue.Queue[dict[str, Any] | None]


class ProcessGenerator:
    """A llama.cpp model in its own process, one request at a time."""

    def __init__(self, model_path: Path, n_ctx: int = 4096, n_threads: int = 2, temperature: float = 0.0,
                 use_extra_buffers: bool = True, reply_timeout_s: float = 300.0,
                 worker_settings: dict[str, Any] | None = None) -> None:
        self.model_path = Path(model_path)
        self.name = f"llama.cpp:{self.model_path.stem}"
        self.settings: dict[str, Any] = {"model_path": str(self.model_path), "n_ctx": n_ctx, "n_threads": n_threads,
                                         "temperature": temperature, "use_extra_buffers": use_extra_buffers,
                                         **(worker_settings or {})}
        self.reply_timeout_s = reply_timeout_s
        self.starts = 0  # how many child processes were started (1 + restarts)
        self._child: _Child | None = None
        self._lock = threading.Lock()  # one request at a time; a plain Lock as streams may resume in another thread
        self._request_id = 0
        self.active_request: int | None = None  # the stream in flight, if any

    @property
    def pid(self) -> int | None:
        """The child's process id, or None when it is not running."""
        child = self._child
        return child.process.pid if child and child.process.poll() is None else None

    def warm_up(self) -> None:
        """Start the child and load the model now, so the first question does not wait for it."""
        with self._lock:
            self._call({"op": "warm_up"})

    def speed(self) -> dict[str, float]:
        """Prompt and generation speed measured inside the child (tokens per second)."""
        with self._lock:
            result: dict[str, float] = self._call({"op": "speed"})["ok"]
            return result

    def close(self) -> None:
        """Stop the child; a later request starts a new one."""
        with self._lock:
            self._stop()

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        """Yield the answer in pieces, then its Usage; raises ModelCrashedError if the child dies meanwhile."""
        with self._lock:
            child = self._running()
            self._request_id += 1
            request_id = self._request_id
            self._send(child, {"op": "stream", "id": request_id, "max_tokens": max_tokens, "stop": list(stop),
                               "messages": [{"role": m.role, "content": m.content} for m in messages]})
            finished = False
            self.active_request = request_id
            try:
                while True:
                    reply = self._reply(child)
                    if "piece" in reply:
                        yield str(reply["piece"])
                    elif "usage" in reply:
                        yield Usage(**reply["usage"])
                    else:
                        finished = True
                        self._raise_if_error(reply)
                        return
            except ModelCrashedError:
                finished = True
                raise
            finally:
                self.active_request = None
                if not finished:
                    self._cancel(child, request_id)

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        child = self._running()
        self._send(child, request)
        reply = self._reply(child)
        self._raise_if_error(reply)
        return reply

    def _running(self) -> _Child:
        if self._child is None or self._child.process.poll() is not None:
            self._stop()
            self._child = self._start()
        return self._child

    def _start(self) -> _Child:
        process = subprocess.Popen(
            [sys.executable, "-m", "qa.models.worker", json.dumps(self.settings)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1,
        )
        self.starts += 1
        replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_read_replies, args=(process.stdout, replies), daemon=True,
                         name=f"qa-model-{process.pid}").start()
        return _Child(process, replies)

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.process.poll() is None:
            child.process.kill()
        child.process.wait()
        for pipe in (child.process.stdin, child.process.stdout):
            if pipe is not None:
                pipe.close()

    def _send(self, child: _Child, request: dict[str, Any]) -> None:
        try:
            assert child.process.stdin is not None
            child.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            child.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._crashed(child) from None

    def _reply(self, child: _Child, timeout_s: float | None = None) -> dict[str, Any]:
        try:
            reply = child.replies.get(timeout=timeout_s or self.reply_timeout_s)
        except queue.Empty:
            self._stop()
            raise ModelCrashedError(
                f"The answer model sent nothing for {timeout_s or self.reply_timeout_s:.0f} s and was stopped.",
                hint="Ask again; the model starts anew. If this repeats, the machine may be overloaded.",
            ) from None
        if reply is _END_OF_OUTPUT:
            raise self._crashed(child)
        return reply

    def _cancel(self, child: _Child, request_id: int) -> None:
        """Stop the child's stream `request_id` and wait until it confirms; kill it if it does not."""
        try:
            self._send(child, {"op": "cancel", "id": request_id})
            while True:
                reply = self._reply(child, timeout_s=30.0)
                if "end" in reply or "error" in reply:
                    return
        except ModelCrashedError:
            self._stop()

    def _crashed(self, child: _Child) -> ModelCrashedError:
        """The error for a child that died; it is restarted on the next request."""
        try:
            code = child.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.process.kill()
            code = child.process.wait()
        self._stop()
        return crash_error(code)

    @staticmethod
    def _raise_if_error(reply: dict[str, Any]) -> None:
        error = reply.get("error")
        if not error:
            return
        kind = getattr(errors, str(error.get("type")), None)
        kind = kind if isinstance(kind, type) and issubclass(kind, QAError) else QAError
        raise kind(str(error.get("message")), hint=str(error.get("hint") or ""))


def crash_error(returncode: int) -> ModelCrashedError:
    """A ModelCrashedError that says how the model's process ended and what to do about it."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
    else:
        name = f"exit code {returncode}"
    if name in ("SIGSEGV", "SIGILL", "SIGBUS"):
        hint = (f"llama.cpp crashed on this CPU ({describe_cpu()}). Rebuild it for this machine with "
                "`make rebuild-llama`; the next question starts the model again.")
    elif name == "SIGKILL":
        hint = "It was killed (out of memory, or by hand). The next question starts the model again."
    else:
        hint = "The next question starts the model again; if it keeps failing, run `qa check`."
    return ModelCrashedError(f"The answer model stopped ({name}) while answering.", hint=hint)


def _read_replies(pipe: IO[str], replies: queue.Queue[dict[str, Any] | None]) -> None:
    try:
        for line in pipe:
            if line.strip():
                replies.put(json.loads(line))
    except (ValueError, OSError):
        pass  # a torn line from a dying child: the end-of-output marker below reports it
    finally:
        replies.put(_END_OF_OUTPUT)
