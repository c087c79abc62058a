"""The Milvus store: an index's chunk vectors, sentence vectors and BM25 tokens in one Milvus collection.

`milvus_uri` is a Milvus Lite file (`index/milvus.db`: Lite runs inside this process) or a server
(`http://host:19530`; the token comes from the environment variable QA_MILVUS_TOKEN only). pymilvus
is imported only when this store is chosen; a missing package or an unreachable server is a
StoreUnavailableError with the fix, within `milvus_timeout_s`.

A build writes two collections: `<alias>_build_<time>` with a row per chunk (vector, tokens) and
`…_sentences` with a row per sentence (vector); apart, because BM25 counts every row of a collection
as a document. A row's id is the chunk's position or the sentence's row, so results map back to
SearchIndex.chunks and .sentences without a lookup. The BM25 Function reads `tokens`: exactly the
stems bm25s indexes (qa.text.tokens.tokenize, PyStemmer), joined by spaces; the `standard` analyzer
splits them on \\w+ again, so Milvus counts the same tokens (Milvus Lite has no German stemmer: a
stemmer filter there is accepted and ignored). k1 and b are bm25s's defaults. Milvus Lite keeps BM25
statistics per segment, so a build is inserted whole and flushed once (without the flush, every
search also re-indexes the memtable).

Once both are written, the alias is pointed at the chunk collection (atomic in Milvus); then older
builds are dropped except the replaced one, which a running app may still search. An interrupted
build leaves the alias where it was; the next build drops what it left. A loaded index searches the
collections its manifest names, so it never mixes two builds.

The store returns the three rankings and qa.retrieval fuses them with its weights, as for FAISS.
Milvus's RRFRanker weights every route alike and returns neither per-route ranks nor the dense
similarity the refusal gate reads, so answers do not use it; `hybrid_rrf` runs it for comparison
(benchmarks/retrieval_xquad.py). Leaves out: reusing vectors by text hash (qa.index.build reads them
from the previous build's files), fusion (qa.retrieval).
Over 250 lines: the whole Milvus adapter (schema, build, alias swap, search, errors) in one place, imported only when chosen.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Config
from qa.errors import ConfigError, IndexCorruptError, StoreUnavailableError
from qa.index.format import REBUILD_HINT, index_text
from qa.index.load import SearchIndex
from qa.index.store import Ranking, Rankings, StoreQuery
from qa.text.tokens import tokenize
from qa.types import Chunk

TOKEN_VARIABLE = "QA_MILVUS_TOKEN"
INSTALL_HINT = "Install the pinned clients with `make install` (pymilvus==3.0.2 and milvus-lite==3.2.2 in requirements.txt)."
SENTENCES = "_sentences"  # suffix of a build's sentence collection
MAX_TOKENS_BYTES = 65_535  # Milvus's longest VARCHAR
INSERT_BATCH = 500
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


def milvus_uri(config: Config) -> str:
    """The configured address: `milvus_uri`, or the Lite file milvus.db in the index folder when empty."""
    return config.milvus_uri or str(config.index_dir / "milvus.db")


def shown_uri(uri: str) -> str:
    """The address without any user:password part, for messages and the manifest."""
    return re.sub(r"(://)[^/@]*@", r"\1", uri)


@contextmanager
def server_errors(what: str, hint: str) -> Iterator[None]:
    """Turn a failure that Milvus reports into StoreUnavailableError: `what` failed, and `hint`."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as error:
        raise StoreUnavailableError(f"{what} failed: {error.message}", hint=hint) from error


RETRY_HINT = "Check that the Milvus server is up, then try again."
KEPT_HINT = "The previous index is still in use. Fix the cause, then run `qa index` again."


def connect(config: Config) -> Any:
    """A MilvusClient for the configured address, or StoreUnavailableError with the fix."""
    try:
        from pymilvus import MilvusClient
    except ImportError as error:
        raise StoreUnavailableError(f"The Milvus store needs pymilvus, which is not installed ({error}).",
                                    hint=INSTALL_HINT) from error
    # pymilvus and Milvus Lite log every failure with a traceback; it reaches the user once, as
    # StoreUnavailableError with the fix.
    for logger in ("pymilvus", "milvus_lite"):
        logging.getLogger(logger).setLevel(logging.CRITICAL)
    uri = milvus_uri(config)
    if not _NAME.match(config.milvus_collection):
        raise ConfigError(f"milvus_collection {config.milvus_collection!r} is not a valid Milvus name.",
                          hint="Use letters, digits and underscores, starting with a letter.")
    lite = "://" not in uri
    if lite and not uri.endswith(".db"):
        raise ConfigError(f"milvus_uri {uri!r} is neither a Milvus Lite file (….db) nor a server address.",
                          hint="Use e.g. index/milvus.db or http://host:19530.")
    if lite:
        os.makedirs(os.path.dirname(uri) or ".", exist_ok=True)
    hint = (f"Is another process using {uri}? Milvus Lite opens a file in one process only; for several, run "
            f"`milvus-lite server --data-dir DIR --port 19530` and set milvus_uri = \"http://127.0.0.1:19530\"."
            if lite else f"Start the Milvus server at {shown_uri(uri)} (or fix milvus_uri; the token is read "
            f"from {TOKEN_VARIABLE}), then try again.")
    with server_errors(f"Opening the Milvus store at {shown_uri(uri)}", hint):
        return MilvusClient(uri=uri, token=os.environ.get(TOKEN_VARIABLE, ""), timeout=config.milvus_timeout_s)


class MilvusStore:
    """Searches one build's collections: dense chunk and sentence rankings, and BM25 over the chunk tokens."""

    def __init__(self, client: Any, collection: str, chunk_count: int, sentence_count: int, nprobe: int,
                 where: str, timeout_s: float) -> None:
        self.client = client
        self.collection = collection
        self.where = where  # the address, for messages
        self.timeout_s = timeout_s  # a question never waits longer for one search
        self.chunk_count = chunk_count
        self.sentence_count = sentence_count
        self.nprobe = nprobe

    def search(self, query: StoreQuery) -> Rankings:
        dense: Ranking = ()
        sentences: Ranking = ()
        bm25: Ranking = ()
        if query.vector is not None and query.chunks > 0 and self.chunk_count:
            dense = self._dense(self.collection, query.vector, min(query.chunks, self.chunk_count))
        if query.vector is not None and query.sentences > 0 and self.sentence_count:
            sentences = self._dense(self.collection + SENTENCES, query.vector, min(query.sentences, self.sentence_count))
        if query.tokens and query.chunks > 0 and self.chunk_count:
            with server_errors(f"BM25 search in {self.collection} at {self.where}", RETRY_HINT):
                found = self.client.search(self.collection, data=[" ".join(query.tokens)], anns_field="sparse",
                                           limit=min(query.chunks, self.chunk_count), output_fields=["id"],
                                           search_params={"metric_type": "BM25"}, timeout=self.timeout_s)
            # Milvus Lite 3.2.2 returns BM25 scores negated; a BM25 score is never negative.
            bm25 = tuple((int(hit["id"]), abs(float(hit["distance"]))) for hit in found[0] if hit["distance"])
        return Rankings(dense, bm25, sentences)

    def hybrid_rrf(self, query: StoreQuery, rrf_k: int, limit: int) -> Ranking:
        """Milvus's own fusion: hybrid_search of the dense and BM25 chunk rankings (`query.chunks` deep) with
        RRFRanker(rrf_k), each route weighted 1; the best `limit` (for comparison with qa.retrieval's fusion)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        depth = min(query.chunks, self.chunk_count)
        requests = [AnnSearchRequest([np.asarray(query.vector, dtype=np.float32).tolist()], "vector",
                                     self._dense_params(), depth)]
        if query.tokens:
            requests.append(AnnSearchRequest([" ".join(query.tokens)], "sparse", {"metric_type": "BM25"}, depth))
        with server_errors(f"hybrid_search in {self.collection} at {self.where}", RETRY_HINT):
            found = self.client.hybrid_search(self.collection, requests, RRFRanker(rrf_k), limit=min(limit, depth),
                                              output_fields=["id"], timeout=self.timeout_s)
        return tuple((int(hit["id"]), float(hit["distance"])) for hit in found[0])

    def _dense(self, collection: str, vector: np.ndarray, limit: int) -> Ranking:
        with server_errors(f"Dense search in {collection} at {self.where}", RETRY_HINT):
            found = self.client.search(collection, data=[np.asarray(vector, dtype=np.float32).tolist()],
                                       anns_field="vector", limit=limit, output_fields=["id"],
                                       search_params=self._dense_params(), timeout=self.timeout_s)
        return tuple((int(hit["id"]), float(hit["distance"])) for hit in found[0])

    def _dense_params(self) -> dict[str, Any]:
        return {"metric_type": "IP", "params": {"nprobe": self.nprobe}}


def token_text(chunk: Chunk) -> str:
    """The chunk's BM25 tokens joined by spaces, cut at a token to fit a VARCHAR (only a pathological chunk
    of huge 'words' reaches that)."""
    text = " ".join(tokenize(index_text(chunk), chunk.language))
    if len(text.encode("utf-8")) <= MAX_TOKENS_BYTES:
        return text
    cut = text.encode("utf-8")[:MAX_TOKENS_BYTES].decode("utf-8", errors="ignore")
    return cut.rsplit(" ", 1)[0]


def _schema(client: Any, dimension: int, tokens: bool) -> Any:
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("embed_key", DataType.VARCHAR, max_length=64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    if tokens:
        schema.add_field("tokens", DataType.VARCHAR, max_length=MAX_TOKENS_BYTES, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard"})
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["tokens"],
                                     output_field_names=["sparse"]))
    return schema


def _index_params(client: Any, rows: int, flat_max_vectors: int, tokens: bool) -> Any:
    """FLAT up to `flat_max_vectors` rows, IVF_FLAT with about sqrt(rows) lists above (as make_dense_index)."""
    params = client.prepare_index_params()
    if rows <= flat_max_vectors:
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        params.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": max(1, int(math.sqrt(rows)))})
    if tokens:
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": 1.5, "bm25_b": 0.75})
    return params


def _fill(client: Any, name: str, rows: Iterator[dict[str, Any]], count: int, dimension: int, tokens: bool,
          config: Config) -> None:
    """Create collection `name`, insert `rows` in batches, flush and load it."""
    client.create_collection(name, schema=_schema(client, dimension, tokens),
                             index_params=_index_params(client, count, config.flat_index_max_vectors, tokens),
                             consistency_level="Strong")
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == INSERT_BATCH:
            client.insert(name, batch)
            batch = []
    if batch:
        client.insert(name, batch)
    client.flush(name)
    client.load_collection(name)


def write_collection(client: Any, name: str, chunks: Sequence[Chunk], chunk_keys: Sequence[str], vectors: np.ndarray,
                     sentence_keys: Sequence[str], sentence_vectors: np.ndarray, config: Config) -> None:
    """Write collection `name` (the chunks) and, when there are sentences, `name` + SENTENCES, flushed and loaded."""
    dimension = int(vectors.shape[1])
    with server_errors(f"Writing the Milvus collection {name}", KEPT_HINT):
        _fill(client, name, ({"id": position, "embed_key": key, "vector": vector.tolist(), "tokens": token_text(chunk)}
                             for position, (chunk, key, vector) in enumerate(zip(chunks, chunk_keys, vectors))),
              len(chunks), dimension, True, config)
        if len(sentence_keys):
            _fill(client, name + SENTENCES, ({"id": row, "embed_key": key, "vector": vector.tolist()}
                                             for row, (key, vector) in enumerate(zip(sentence_keys, sentence_vectors))),
                  len(sentence_keys), dimension, False, config)


class MilvusBuild:
    """One build's collection: written, then published by pointing the alias at it, or discarded."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.alias = config.milvus_collection
        self.client = connect(config)
        self.collection = f"{self.alias}_build_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}_{time.monotonic_ns() % 10**9}"
        self.published = False

    def write(self, chunks: Sequence[Chunk], chunk_keys: Sequence[str], vectors: np.ndarray,
              sentence_keys: Sequence[str], sentence_vectors: np.ndarray) -> dict[str, Any]:
        """Write the collection; returns what the manifest records about it."""
        write_collection(self.client, self.collection, chunks, chunk_keys, vectors, sentence_keys, sentence_vectors,
                         self.config)
        return {"collection": self.collection, "chunks": len(chunks), "sentences": len(sentence_keys)}

    def publish(self) -> None:
        """Point the alias at the new collection (atomic in Milvus)."""
        with server_errors(f"Pointing the Milvus alias {self.alias} at {self.collection}", KEPT_HINT):
            if self.alias in self.client.list_aliases().get("aliases", []):
                self.client.alter_alias(self.collection, self.alias)
            else:
                self.client.create_alias(self.collection, self.alias)
        self.published = True

    def drop_old(self, keep: str) -> None:
        """Drop this alias's earlier build collections, except those of `keep` (the replaced build's)."""
        pattern = re.compile(rf"^{re.escape(self.alias)}_build_\d{{8}}_\d{{6}}_\d+_\d+({SENTENCES})?$")
        kept = {self.collection, self.collection + SENTENCES, keep, keep + SENTENCES}
        with server_errors(f"Dropping old collections of {self.alias}", "The new index is in use; the next build "
                           "drops them."):
            for name in self.client.list_collections():
                if pattern.match(name) and name not in kept:
                    self.client.drop_collection(name)

    def discard(self) -> None:
        """Drop the new collection after a failed build, unless the alias already names it (best effort: the
        next build drops it otherwise)."""
        from pymilvus.exceptions import MilvusException

        try:
            for name in (self.collection, self.collection + SENTENCES):
                if not self.published and self.client.has_collection(name):
                    self.client.drop_collection(name)
        except MilvusException:
            pass  # the server went away: drop_old of the next build removes the collection


def open_milvus_store(config: Config, manifest: dict[str, Any], chunks: int, sentences: int) -> MilvusStore:
    """Connect to the collections the manifest names, load them and check that they hold `chunks` and
    `sentences` rows (IndexCorruptError if not)."""
    name = str(manifest.get("milvus", {}).get("collection", ""))
    client = connect(config)
    where = shown_uri(milvus_uri(config))
    for collection, expected in ((name, chunks), (name + SENTENCES, sentences)):
        if expected == 0:
            continue
        with server_errors(f"Opening the Milvus collection {collection} at {where}", RETRY_HINT):
            exists = bool(name) and client.has_collection(collection)
            if exists:
                client.load_collection(collection)
                rows = int(client.get_collection_stats(collection)["row_count"])
        if not exists:
            raise IndexCorruptError(f"The Milvus collection {collection or '(none)'} of the index is missing at "
                                    f"{where}.", hint=REBUILD_HINT)
        if rows != expected:
            raise IndexCorruptError(f"The Milvus collection {collection} holds {rows} rows, the index {expected}.",
                                    hint=REBUILD_HINT)
    return MilvusStore(client, name, chunks, sentences, config.ivf_nprobe, where, config.milvus_timeout_s)


def milvus_index(chunks: Sequence[Chunk], vectors: np.ndarray, config: Config, name: str) -> SearchIndex:
    """A SearchIndex over given chunks and vectors whose store is collection `name` (replaced if it exists) at the
    configured address; no sentences, no index folder (benchmarks, tests)."""
    client = connect(config)
    with server_errors(f"Replacing the Milvus collection {name}", RETRY_HINT):
        if client.has_collection(name):
            client.drop_collection(name)
    vectors = np.asarray(vectors, dtype=np.float32)
    keys = [str(position) for position in range(len(chunks))]
    write_collection(client, name, chunks, keys, vectors, [], np.zeros((0, vectors.shape[1]), np.float32), config)
    where = shown_uri(milvus_uri(config))
    return SearchIndex(Path(where), {}, {}, list(chunks), vectors,
                       MilvusStore(client, name, len(chunks), 0, config.ivf_nprobe, where, config.milvus_timeout_s))
