"""Answer generation: the `Generator` protocol, the llama.cpp model and an extractive fake.

`LlamaCppGenerator` streams a chat completion from a local GGUF model through
llama-cpp-python, using the chat template stored in the GGUF. It keeps one
model per instance, loads it on first use, and serialises requests with a
lock. The fixed prompt prefix (every turn before the question: the system
prompt and the worked example) stays in the KV cache between requests, and
the last few prefixes are saved, so a question skips evaluating it again; reuse stops exactly there so that a greedy answer
depends on its prompt only, not on the question asked before it.

`ExtractiveGenerator` is a deterministic stand-in that answers with the best
matching passage sentence, so tests, the CLI and the app run without a model.

Deliberately left out: prompt wording (see the prompt builder), citation
checking, and finding or assembling the model file (`qa.model_files`).
"""

from __future__ import annotations

import ctypes
import re
import threading
import time
from collections import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qa.config import Config
from qa.errors import ConfigError, ModelMissingError, QAError
from qa.prompts import REFUSAL
from qa.types import Message

GENERATORS = ("llama", "extractive")


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


class Generator(Protocol):
    """Anything that turns chat messages into a stream of text pieces."""

    name: str
    last_usage: Usage

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Iterator[str]:
        """Yield the answer in pieces; `last_usage` is set once the iterator ends or is closed."""
        ...

    def count_tokens(self, text: str) -> int:
        """Return the number of model tokens in `text`."""
        ...


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
    ) -> None:
        self.model_path = Path(model_path)
        self.name = f"llama.cpp:{self.model_path.stem}"
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.temperature = temperature
        self.seed = seed
        self.repeat_penalty = repeat_penalty
        self.last_usage = Usage(0, 0, 0.0, 0.0)
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

    def count_tokens(self, text: str) -> int:
        """Return the number of model tokens in `text` (no special tokens); safe during a stream."""
        return len(self._model().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(
        self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()
    ) -> abc.Generator[str, None, None]:
        """Yield the model's answer to `messages` piece by piece (whole UTF-8 characters).

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
                self.last_usage = Usage(prompt_tokens, completion_tokens, first_piece_s or total_s, total_s)

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
        if length and llama.n_tokens >= length and tuple(llama.input_ids[:length].tolist()) == key:
            llama.n_tokens = length  # generate() then evaluates only the rest, in one batch
            return
        llama.reset()
        if not length:
            return
        saved = self._prefixes.pop(key, None)
        if saved is not None and self._restore(llama, key, saved):
            self._prefixes[key] = saved  # most recently used last
            return
        llama.eval(list(key))
        self.prefix_evaluations += 1
        self._prefixes[key] = self._save(llama)
        while len(self._prefixes) > self.max_saved_prefixes:
            self._prefixes.pop(next(iter(self._prefixes)))

    @staticmethod
    def _save(llama: Any) -> bytes:
        """The KV cells of sequence 0 (the evaluated prefix), as bytes."""
        import llama_cpp

        size = llama_cpp.llama_state_seq_get_size(llama._ctx.ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(llama._ctx.ctx, buffer, size, 0)
        return bytes(buffer[:written])

    @staticmethod
    def _restore(llama: Any, key: tuple[int, ...], saved: bytes) -> bool:
        """Load saved KV cells for the prefix `key`; False (cache left empty) if llama.cpp refuses them."""
        import llama_cpp

        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        buffer = (ctypes.c_uint8 * len(saved)).from_buffer_copy(saved)
        if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, len(saved), 0) != len(saved):
            llama._ctx.kv_cache_seq_rm(-1, 0, -1)
            return False
        llama.input_ids[: len(key)] = key
        llama.n_tokens = len(key)
        return True

    def _model(self) -> Any:
        with self._load_lock:
            if self._llama is None:
                self._llama = self._load()
        return self._llama

    def _load(self) -> Any:
        from llama_cpp import Llama, llama_chat_format

        if not self.model_path.is_file():
            raise ModelMissingError(
                f"Model file {self.model_path} does not exist.",
                hint="Leave model_path empty to use the packaged model, or point it at a .gguf file.",
            )
        try:
            llama = Llama(
                model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                n_threads_batch=self.n_threads, n_batch=512, use_mmap=True, seed=self.seed, verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelMissingError(
                f"llama.cpp cannot load {self.model_path}: {error}",
                hint="Check that the file is a complete GGUF model; delete it to have it assembled again.",
            ) from error
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelMissingError(
                f"{self.model_path} has no chat template.",
                hint="Use an instruction-tuned GGUF model that ships its chat template.",
            )
        vocab = llama._model
        self._formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=vocab.token_get_text(llama.token_eos()),
            bos_token=vocab.token_get_text(llama.token_bos()),
        )
        return llama


_PASSAGE_START = re.compile(r"^\[(\d+)\]\s+(.*)$")
_QUESTION_START = re.compile(r"^\s*(Frage|Question):\s*(.*)$")
_SOURCE_LABEL = re.compile(r"^\([^)]*\)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")


class ExtractiveGenerator:
    """A deterministic fake: answers with the passage sentence that shares most words with the question.

    It reads the last user message: numbered passages (lines starting `[n] `,
    continued until the next `[m] ` or a blank line) and a line starting
    `Frage:` (German) or `Question:` (English). With no shared word of four or
    more letters it answers with `refusal[language]` (default: `qa.prompts.REFUSAL`).
    """

    name = "extractive"

    def __init__(self, refusal: Mapping[str, str] = REFUSAL) -> None:
        self.refusal = refusal
        self.last_usage = Usage(0, 0, 0.0, 0.0)

    def count_tokens(self, text: str) -> int:
        """Return the number of whitespace-separated words in `text`."""
        return len(text.split())

    def stream(
        self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()
    ) -> abc.Generator[str, None, None]:
        """Yield the extracted answer word by word (see the class docstring)."""
        started = time.perf_counter()
        user_turns = [message.content for message in messages if message.role == "user"]
        answer = self.answer(user_turns[-1] if user_turns else "")
        for marker in stop:
            if marker and marker in answer:
                answer = answer[: answer.index(marker)]
        words = answer.split()[:max_tokens]
        first_piece_s = 0.0
        try:
            for position, word in enumerate(words):
                if position == 0:
                    first_piece_s = time.perf_counter() - started
                yield word if position == 0 else " " + word
        finally:
            total_s = time.perf_counter() - started
            prompt_tokens = sum(self.count_tokens(message.content) for message in messages)
            self.last_usage = Usage(prompt_tokens, len(words), first_piece_s, total_s)

    def answer(self, message: str) -> str:
        """Return the whole answer to one user message holding passages and a question."""
        passages, question, language = _parse_message(message)
        question_words = set(_CONTENT_WORD.findall(question.lower()))
        best_score, best = 0, ""
        for number, text in passages:
            for sentence in _SENTENCE_END.split(text):
                score = len(question_words & set(_CONTENT_WORD.findall(sentence.lower())))
                if score > best_score:
                    best_score, best = score, f"{sentence.strip()} [{number}]"
        return best or self.refusal.get(language, REFUSAL[language])


def _parse_message(message: str) -> tuple[list[tuple[int, str]], str, str]:
    """Split a user message into numbered passages, the question and its language."""
    passages: list[tuple[int, list[str]]] = []
    question = ""
    open_passage = False
    for line in message.splitlines():
        question_match = _QUESTION_START.match(line)
        passage_match = _PASSAGE_START.match(line)
        if question_match:
            question, open_passage = question_match.group(2), False
        elif passage_match:
            passages.append((int(passage_match.group(1)), [passage_match.group(2)]))
            open_passage = True
        elif not line.strip():
            open_passage = False
        elif open_passage:
            passages[-1][1].append(line.strip())
    language = "de" if "Frage:" in message else "en"
    joined = [(number, _SOURCE_LABEL.sub("", " ".join(lines)).strip()) for number, lines in passages]
    return joined, question, language


def build_generator(config: Config) -> Generator:
    """Return the generator named by `config.generator` ("llama" or "extractive").

    Raises:
        ConfigError: for an unknown generator name.
        ModelMissingError, ModelChecksumError: when the llama model is unusable.
    """
    if config.generator == "llama":
        from qa.model_files import ensure_model

        return LlamaCppGenerator(
            ensure_model(config),
            n_ctx=config.n_ctx,
            n_threads=config.n_threads,
            temperature=config.temperature,
        )
    if config.generator == "extractive":
        return ExtractiveGenerator()
    raise ConfigError(
        f"Unknown generator {config.generator!r}.",
        hint=f"Set generator to one of: {', '.join(GENERATORS)}.",
    )
