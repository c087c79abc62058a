"""The in-process llama.cpp adapter: a GGUF chat model through llama-cpp-python.

`LlamaCppGenerator` streams a chat completion using the chat template stored
in the GGUF. It keeps one model per instance, loads it on first use, and
serialises requests with a lock. The fixed prompt prefix (every turn before
the question: the system prompt and the worked example) stays in the KV cache
between requests, and the last few prefixes are saved, so a question skips
evaluating it again; reuse stops exactly there so that a greedy answer depends
on its prompt only, not on the question asked before it. The private
llama-cpp-python members this needs are used only through
`qa.models.llama_internals`.

The product runs this adapter inside a child process (`qa.models.process`);
tests and benchmarks may use it directly. Leaves out: prompt wording,
citation checking, and finding or assembling the model file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qa.errors import ModelMissingError, QAError
from qa.models import llama_internals as internals
from qa.models.generator import Stream, Usage
from qa.types import Message


class LlamaCppGenerator:
    """A GGUF chat model run by llama-cpp-python, loaded lazily, one request at a time.

    Close the iterator returned by `stream` (or exhaust it) to stop generating
    and release the model for the next request. `repeat_penalty` is off (1.0)
    by default: on short cited answers 1.1 changed little, and never for the better.
    """

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 4096,
        n_threads: int = 2,
        temperature: float = 0.0,
        seed: int = 0,
        repeat_penalty: float = 1.0,
        use_extra_buffers: bool = True,
    ) -> None:
        self.model_path = Path(model_path)
        self.name = f"llama.cpp:{self.model_path.stem}"
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.temperature = temperature
        self.seed = seed
        self.repeat_penalty = repeat_penalty
        self.use_extra_buffers = use_extra_buffers
        # A plain Lock, not an RLock: web frameworks may resume the stream in another thread.
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._llama: Any = None
        self._formatter: Any = None
        self._prefixes: dict[tuple[int, ...], bytes] = {}  # fixed prompt prefix -> its saved KV cells
        self.max_saved_prefixes = 4
        self.prefix_evaluations = 0  # how often a fixed prefix had to be evaluated (not restored)

    def warm_up(self) -> None:
        """Load the model now instead of on the first request."""
        self._model()

    def close(self) -> None:
        """Drop the model; the next request loads it again."""
        with self._load_lock:
            if self._llama is not None:
                self._llama.close()
            self._llama = None
            self._prefixes.clear()

    def tokenize(self, text: str) -> list[int]:
        """The model's token ids of `text` (no special tokens)."""
        return list(self._model().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        """Yield the model's answer to `messages` piece by piece (whole UTF-8 characters), then its Usage.

        Args:
            messages: the chat so far, ending with the user turn to answer.
            max_tokens: upper bound on generated tokens.
            stop: strings that end the answer; they are not included.
        Raises:
            ModelMissingError: the model file cannot be loaded.
            QAError: the prompt does not fit into the context window.
        """
        with self._lock:
            started = time.perf_counter()
            llama = self._model()
            chat = [{"role": message.role, "content": message.content} for message in messages]
            prompt_ids = self._prompt_ids(chat)
            prompt_tokens = len(prompt_ids)
            if prompt_tokens >= self.n_ctx:
                raise QAError(
                    f"The prompt has {prompt_tokens} tokens, the context window only {self.n_ctx}.",
                    hint="Raise n_ctx or lower passages_in_prompt / passage_sentences.",
                )
            self._keep_fixed_prefix(llama, chat, prompt_ids)
            # temperature 0 selects llama.cpp's greedy sampler; top_k/top_p/min_p only matter above 0.
            chunks = llama.create_chat_completion(
                messages=chat, stream=True, max_tokens=max_tokens, stop=list(stop), temperature=self.temperature,
                top_k=40, top_p=0.9, min_p=0.05, repeat_penalty=self.repeat_penalty, seed=self.seed,
            )
            pieces: list[str] = []
            first_piece_s = 0.0
            try:
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content") or ""
                    if not piece:
                        continue
                    if not pieces:
                        first_piece_s = time.perf_counter() - started
                    pieces.append(piece)
                    yield piece
            finally:
                # Closing the llama-cpp generators stops decoding right here.
                chunks.close()
            text = "".join(pieces)
            completion_tokens = len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))
            total_s = time.perf_counter() - started
            yield Usage(prompt_tokens, completion_tokens, first_piece_s or total_s, total_s)

    def _prompt_ids(self, chat: list[dict[str, str]]) -> list[int]:
        # Renders the GGUF chat template and tokenizes exactly as create_chat_completion does.
        prompt = self._formatter(messages=chat).prompt
        return list(self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    def _keep_fixed_prefix(self, llama: Any, chat: list[dict[str, str]], prompt_ids: list[int]) -> None:
        """Leave exactly the fixed prefix of this prompt in the KV cache, restoring or evaluating it.

        The fixed prefix is everything before the last turn: the system prompt
        (with its worked example), byte-identical for every question in one
        language. llama-cpp-python reuses the longest common prefix with the
        previous prompt on its own, but where that prefix ends changes how the
        rest is batched and so the last bits of the logits: greedy answers
        would then depend on the previous question. Cutting the reuse at the
        end of the fixed prefix keeps the speed-up and makes each answer a
        function of its prompt alone. The KV cells of the last few prefixes
        (German and English answers, follow-up rewrites) are kept in memory,
        so switching language or rewriting a follow-up does not evaluate a
        prefix again.
        """
        fixed_ids = self._prompt_ids(chat[:-1]) if len(chat) > 1 else []
        length = next((i for i, (a, b) in enumerate(zip(fixed_ids, prompt_ids, strict=False)) if a != b),
                      min(len(fixed_ids), len(prompt_ids) - 1))
        key = tuple(prompt_ids[:length])
        if length and internals.cached_tokens(llama, length) == key:
            internals.keep_cached(llama, length)
            return
        llama.reset()
        if not length:
            return
        saved = self._prefixes.pop(key, None)
        if saved is not None and internals.restore_sequence(llama, key, saved):
            self._prefixes[key] = saved  # most recently used last
            return
        llama.eval(list(key))
        self.prefix_evaluations += 1
        self._prefixes[key] = internals.save_sequence(llama)
        while len(self._prefixes) > self.max_saved_prefixes:
            self._prefixes.pop(next(iter(self._prefixes)))

    def _model(self) -> Any:
        with self._load_lock:
            if self._llama is None:
                self._llama = self._load()
        return self._llama

    def _load(self) -> Any:
        internals.load_cpu_backends()
        from llama_cpp import Llama, llama_chat_format

        if not self.model_path.is_file():
            raise ModelMissingError(
                f"Model file {self.model_path} does not exist.",
                hint="Leave model_path empty to use the packaged model, or point it at a .gguf file.",
            )
        try:
            with internals.model_params(self.use_extra_buffers):
                llama = Llama(
                    model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                    n_threads_batch=self.n_threads, n_batch=512, use_mmap=True, seed=self.seed, verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelMissingError(
                f"llama.cpp cannot load {self.model_path}: {error}",
                hint="Check that the file is a complete GGUF model; delete it to have it assembled again.",
            ) from error
        missing = internals.missing_internals(llama)
        if missing:
            raise ModelMissingError(
                f"This llama-cpp-python lacks members the prefix cache needs: {', '.join(missing)}.",
                hint="Install the pinned llama-cpp-python with `make install`.",
            )
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelMissingError(
                f"{self.model_path} has no chat template.",
                hint="Use an instruction-tuned GGUF model that ships its chat template.",
            )
        self._formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=internals.token_text(llama, llama.token_eos()),
            bos_token=internals.token_text(llama, llama.token_bos()),
        )
        return llama
