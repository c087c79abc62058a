"""Index-time questions ("doc2query"): per chunk, the questions it answers, in every language of the collection.

A question then also meets a chunk through questions written for it: two
questions are compared like with like (query to query), which separates
paraphrases better than a question against a passage, and an English question
meets a German chunk through an English question. The packaged model writes
three questions per chunk and language when the index is built
(`config.index_questions`); they are embedded as queries and only rank chunks
(qa.retrieval): the prompt, the citations and the checks never see them.

The model's raw outputs are kept in `index_dir/questions.jsonl`, one line per
chunk and language, keyed by model, prompt, language and chunk text, appended
as they are made: an interrupted build keeps what was written, and a rebuild
asks only for new or changed chunks.

Leaves out: the prompt (qa.answer.prompts), ranking and fusion (qa.retrieval).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.answer.prompts import QUESTIONS_EXAMPLE, QUESTIONS_EXAMPLE_TEXT, QUESTIONS_SYSTEM, chunk_questions_messages
from qa.index.translations import read_cache
from qa.models.generator import Generator, text_of
from qa.text.language import SUPPORTED, detect_language
from qa.types import Chunk

CACHE_FILE = "questions.jsonl"
# Build files: one line per question ({"chunk": position, "text", "embed_key"}) and the questions' vectors.
TEXTS_FILE = "chunk_questions.jsonl"
VECTORS_FILE = "chunk_question_vectors.npy"
MAX_TOKENS = 90
# Of the model's lines, at most this many questions per chunk and language, each of at least MIN_WORDS words.
PER_CHUNK = 3
MIN_WORDS = 3
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*")


def prompt_version() -> str:
    """A short hash of the questions' prompt: part of every cache key and of the index settings."""
    text = json.dumps([QUESTIONS_SYSTEM, QUESTIONS_EXAMPLE_TEXT, QUESTIONS_EXAMPLE], sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def cache_key(model: str, text: str, language: str, target: str) -> str:
    """The key of one request: the model, the prompt, the chunk's language, the questions' language and the text."""
    return hashlib.sha1(json.dumps([model, prompt_version(), language, target, text],
                                   ensure_ascii=False).encode()).hexdigest()


def embed_key(text: str) -> str:
    """A question's key among the stored vectors (embedded as a query, so never shared with a passage's key)."""
    return "question:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def parse_questions(output: str, target: str, chunk_text: str) -> list[str]:
    """The questions of the model's raw `output`: lines ending in "?" (numbering stripped), of MIN_WORDS words or
    more, in `target`, not copied from the chunk, each once; at most PER_CHUNK."""
    found: list[str] = []
    for line in output.splitlines():
        question = _NUMBERING.sub("", line).strip()
        if (not question.endswith("?") or len(question.split()) < MIN_WORDS or question in found
                or question in chunk_text or detect_language(question, default="") != target):
            continue
        found.append(question)
        if len(found) == PER_CHUNK:
            break
    return found


def question_languages(chunk_languages: Iterable[str]) -> list[str]:
    """The languages the questions are written in: those of the collection the model supports."""
    return sorted(set(chunk_languages) & set(SUPPORTED))


def write_questions(generator: Generator, chunks: Sequence[Chunk], texts: Sequence[str], cache_path: Path,
                    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None
                    ) -> tuple[list[list[str]], int]:
    """Per chunk its questions in every language of the collection (`texts[i]` is what chunk i says), and how many
    requests the model answered now (the rest came from the cache at `cache_path`)."""
    targets = question_languages(chunk.language for chunk in chunks)
    cache = read_cache(cache_path)
    requests = [(position, target, cache_key(generator.name, texts[position], chunk.language, target))
                for position, chunk in enumerate(chunks) for target in targets]
    missing = list({key: (position, target, key) for position, target, key in requests if key not in cache}.values())
    if missing:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        with open(cache_path, "a", encoding="utf-8") as handle:
            for position, target, key in progress(missing, len(missing)) if progress else missing:
                messages = chunk_questions_messages(texts[position], chunks[position].language, target)
                output, _ = text_of(generator.stream(messages, max_tokens=MAX_TOKENS))
                cache[key] = output
                handle.write(json.dumps({"key": key, "output": output}, ensure_ascii=False) + "\n")
                handle.flush()
    questions: list[list[str]] = [[] for _ in chunks]
    for position, target, key in requests:
        questions[position] += parse_questions(cache[key], target, texts[position])
    return questions, len(missing)


@dataclass(frozen=True)
class ChunkQuestions:
    """An index's questions: their texts, the position of the chunk each was written for, and their vectors."""

    texts: tuple[str, ...]
    owners: np.ndarray
    vectors: np.ndarray

    def ranking(self, vectors: Sequence[np.ndarray], chunk_count: int, limit: int) -> list[tuple[int, float]]:
        """The best `limit` chunks for a question worded as `vectors` (one per wording): each chunk scored by its
        closest written question over all wordings, best first."""
        if not len(self.texts) or not len(vectors):
            return []
        similarities = np.max(np.asarray(vectors, dtype=np.float32) @ self.vectors.T, axis=0)
        best = np.full(chunk_count, -np.inf, dtype=np.float32)
        np.maximum.at(best, self.owners, similarities)
        order = [int(p) for p in np.argsort(-best, kind="stable")[:limit] if np.isfinite(best[p])]
        return [(position, float(best[position])) for position in order]
