"""Index-time translation: every sentence of a bilingual collection also in its other language.

A question then meets each passage in its own language: an English question
is compared with the English translation of a German sentence (dense and BM25),
not with the German sentence across languages, which multilingual embeddings
rank below weaker passages in the question's language and BM25 cannot match at
all. This replaces translating the question at answer time (translate-test,
qa.answer.translate): the model works once per sentence when the index is built,
not once per question, and it translates German into English, its stronger
direction, for the collection's German majority.

The translations only find and choose passages. The prompt, the citations and
the checks use the original sentences.

The model's raw outputs are kept in `index_dir/translations.jsonl`, one line per
sentence and target language, keyed by model, prompt and text and appended as
they are made: an interrupted build keeps what it translated, and a rebuild
translates only new or changed sentences.

Leaves out: ranking (qa.retrieval), sentence choice (qa.answer.passages).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.answer.prompts import SENTENCE_TRANSLATE_EXAMPLE, SENTENCE_TRANSLATE_SYSTEM, sentence_translate_messages
from qa.answer.translate import plausible_translation
from qa.models.generator import Generator, text_of
from qa.text.language import SUPPORTED

CACHE_FILE = "translations.jsonl"
# Build files: per sentence row and per chunk its translation ("" for none) with its embed key, and the vectors
# of the translated sentences and chunks (the original's vector where there is no translation).
TEXTS_FILE = "translated_sentences.jsonl"
CHUNKS_FILE = "translated_chunks.jsonl"
SENTENCE_VECTORS_FILE = "translated_sentence_vectors.npy"
CHUNK_VECTORS_FILE = "translated_chunk_vectors.npy"
# A sentence's translation is rarely under a third or over three times its length (sentences are longer
# than questions, and a heading or a name list translates to nearly the same length).
MIN_LENGTH_RATIO = 0.33
MAX_LENGTH_RATIO = 3.0


def other_language(language: str) -> str | None:
    """The language a sentence in `language` is translated into: German <-> English, None otherwise."""
    return {"de": "en", "en": "de"}.get(language)


def wants_translations(languages: Iterable[str]) -> bool:
    """Whether a collection with chunks in `languages` is bilingual (German and English)."""
    return set(SUPPORTED) <= set(languages)


def prompt_version() -> str:
    """A short hash of the translation prompts: part of every cache key and of the index settings."""
    text = json.dumps([SENTENCE_TRANSLATE_SYSTEM, SENTENCE_TRANSLATE_EXAMPLE], sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def cache_key(model: str, text: str, target: str) -> str:
    """The key of one translation: the model, the prompt, the target language and the sentence."""
    return hashlib.sha1(json.dumps([model, prompt_version(), target, text], ensure_ascii=False).encode()).hexdigest()


def clean_sentence_translation(text: str, output: str, target: str) -> str:
    """The model's translation of `text` into `target`, or "" when it is not a plausible one (empty, the
    text itself, the wrong language, far longer or shorter; a sentence may come back as up to three lines)."""
    return plausible_translation(text, output, target, MIN_LENGTH_RATIO, MAX_LENGTH_RATIO, joined_lines=3) or ""


def read_cache(path: Path) -> dict[str, str]:
    """Raw outputs by cache key; a line cut off by an interrupted build is skipped."""
    cache: dict[str, str] = {}
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return cache
    for line in lines:
        try:
            record = json.loads(line)
            cache[str(record["key"])] = str(record["output"])
        except (ValueError, KeyError, TypeError):
            continue
    return cache


def translate_sentences(generator: Generator, texts: Sequence[str], languages: Sequence[str | None], cache_path: Path,
                        progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None) -> tuple[list[str], int]:
    """Each text translated into `languages[i]` ("" where None or where the model failed), and how many
    texts the model translated now (the rest came from the cache at `cache_path`)."""
    cache = read_cache(cache_path)
    keys = [cache_key(generator.name, text, target) if target else "" for text, target in zip(texts, languages)]
    missing = list({key: row for row, key in enumerate(keys) if key and key not in cache}.values())
    if missing:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        with open(cache_path, "a", encoding="utf-8") as handle:
            for row in progress(missing, len(missing)) if progress else missing:
                target = languages[row]
                assert target is not None
                words = len(texts[row].split())
                output, _ = text_of(generator.stream(sentence_translate_messages(texts[row], target),
                                                     max_tokens=min(400, 3 * words + 20)))
                cache[keys[row]] = output
                handle.write(json.dumps({"key": keys[row], "output": output}, ensure_ascii=False) + "\n")
                handle.flush()
    translations = [clean_sentence_translation(text, cache[key], target) if key and target else ""
                    for text, key, target in zip(texts, keys, languages)]
    return translations, len(missing)


@dataclass(frozen=True)
class Translations:
    """An index's translations: per sentence row and per chunk its text in the other language ("" for none)
    and its vector. Rows without a translation carry the original's vector, so a search over them falls back
    to comparing across languages."""

    sentence_texts: tuple[str, ...]
    chunk_texts: tuple[str, ...]
    sentence_vectors: np.ndarray
    chunk_vectors: np.ndarray


def chunk_translation(rows: Sequence[int], sentence_texts: Sequence[str]) -> str:
    """A chunk's text in its other language: its sentences' translations joined ("" when none has one)."""
    parts = [sentence_texts[row] for row in rows if sentence_texts[row]]
    return " ".join(parts)
