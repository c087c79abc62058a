"""Building the Milvus store incrementally, blue/green: two pairs of collections per alias, one live, one idle.

An alias (`milvus_collection`, default `qa_passages`) owns `<alias>_blue` and `<alias>_green`, each with a
`…_sentences` companion (BM25 counts every row of a collection as a document, so sentences live apart).
The live colour is the one the current index folder's manifest names; a build brings the idle colour up
to the new state and then points the alias at it:

1. Every row has a stable id, a 63-bit hash of what the row holds: for a chunk its id (document and
   text), embed key and BM25 tokens; for a sentence its document, offsets and embed key. A row's
   content follows from its id under one embedder and schema, which the collection records in its
   property `qa.rows` (a different embedder, dimension or index type drops and recreates the collection).
2. The build reads which ids the idle collection holds, deletes the ids the new index no longer has,
   inserts only the missing ones, flushes, and checks that it holds exactly as many rows as the index.
3. Only then is the alias moved (atomic in Milvus), and after it the index folder is swapped in
   (qa.index.build).

So the idle colour is one build behind, and a build inserts the rows that changed in it and the build
before. The first build (and the first after the one-collection-per-build layout of earlier versions)
fills both colours, so the second one is already incremental.

The live collection is never written, so an interrupted build (Ctrl-C, kill -9, a dead server) leaves
what is served unchanged; the next build diffs against whatever the idle collection then holds, so rows a
failed build already inserted are not inserted again. The replaced colour stays as it was until the next
build, so a process that loaded the previous index still searches it; one build later it is rewritten
under it, and rows it does not know are skipped (qa.index.milvus.store).
Leaves out: searching (qa.index.milvus.store), the index folder and the reuse of vectors (qa.index.build).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from qa.config import Config
from qa.errors import StoreUnavailableError
from qa.index.format import SentenceSpan, index_text
from qa.index.milvus.client import KEPT_HINT, connect, server_errors
from qa.text.tokens import tokenize
from qa.types import Chunk

SENTENCES = "_sentences"  # suffix of a colour's sentence collection
COLOURS = ("blue", "green")
ROWS_PROPERTY = "qa.rows"  # what a collection's rows were made with (embedder, dimension, index type)
MAX_TOKENS_BYTES = 65_535  # Milvus's longest VARCHAR
INSERT_BATCH = 500
DELETE_BATCH = 1000
Row = dict[str, Any]


def row_id(*parts: str) -> int:
    """A stable, positive INT64 primary key for a row that holds `parts`."""
    digest = hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def token_text(chunk: Chunk) -> str:
    """The chunk's BM25 tokens joined by spaces, cut at a token to fit a VARCHAR (only a pathological chunk
    of huge 'words' reaches that)."""
    text = " ".join(tokenize(index_text(chunk), chunk.language))
    if len(text.encode("utf-8")) <= MAX_TOKENS_BYTES:
        return text
    cut = text.encode("utf-8")[:MAX_TOKENS_BYTES].decode("utf-8", errors="ignore")
    return cut.rsplit(" ", 1)[0]


def schema(client: Any, dimension: int, tokens: bool) -> Any:
    """A collection's schema: id, embed key, vector, and with `tokens` the BM25 text and its sparse vector."""
    from pymilvus import DataType, Function, FunctionType

    fields = client.create_schema(auto_id=False, enable_dynamic_field=False)
    fields.add_field("id", DataType.INT64, is_primary=True)
    fields.add_field("embed_key", DataType.VARCHAR, max_length=64)
    fields.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    if tokens:
        fields.add_field("tokens", DataType.VARCHAR, max_length=MAX_TOKENS_BYTES, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard"})
        fields.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        fields.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["tokens"],
                                     output_field_names=["sparse"]))
    return fields


def dense_index_type(rows: int, config: Config) -> str:
    """FLAT up to `flat_index_max_vectors` rows, IVF_FLAT above (as qa.index.build.make_dense_index)."""
    return "FLAT" if rows <= config.flat_index_max_vectors else "IVF_FLAT"


def create(client: Any, name: str, rows: int, dimension: int, tokens: bool, config: Config) -> None:
    """Create collection `name` with the dense index for `rows` rows (IVF_FLAT: about sqrt(rows) lists)."""
    params = client.prepare_index_params()
    if dense_index_type(rows, config) == "FLAT":
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        params.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": max(1, int(math.sqrt(rows)))})
    if tokens:
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": 1.5, "bm25_b": 0.75})
    client.create_collection(name, schema=schema(client, dimension, tokens), index_params=params,
                             consistency_level="Strong")


def insert(client: Any, name: str, rows: Iterator[Row]) -> int:
    """Insert `rows` into `name` in batches of INSERT_BATCH; returns how many."""
    count = 0
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == INSERT_BATCH:
            client.insert(name, batch)
            count, batch = count + len(batch), []
    if batch:
        client.insert(name, batch)
        count += len(batch)
    return count


def held_ids(client: Any, name: str) -> set[int]:
    """The primary keys collection `name` holds (read in batches, so any size works on a server too)."""
    found: set[int] = set()
    iterator = client.query_iterator(name, batch_size=5000, filter="id >= 0", output_fields=["id"])
    try:
        while batch := iterator.next():
            found.update(int(row["id"]) for row in batch)
    finally:
        iterator.close()
    return found


def row_count(client: Any, name: str) -> int:
    """The rows `name` holds now (deleted rows excluded; a strong-consistency count)."""
    return int(client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"])


def sync(client: Any, name: str, wanted: dict[int, Callable[[], Row]], signature: str, dimension: int, tokens: bool,
         config: Config) -> tuple[int, int]:
    """Bring collection `name` to hold exactly the rows `wanted` (id -> the row, made on demand): delete
    the others, insert the missing, flush, load and count. Returns (inserted, deleted)."""
    if client.has_collection(name) and client.describe_collection(name).get("properties", {}).get(ROWS_PROPERTY) != signature:
        client.drop_collection(name)  # other embedder, dimension or index type: its rows cannot be reused
    held: set[int] = set()
    if client.has_collection(name):
        client.load_collection(name)
        held = held_ids(client, name)
    else:
        create(client, name, len(wanted), dimension, tokens, config)
        client.alter_collection_properties(name, properties={ROWS_PROPERTY: signature})
    stale = sorted(held - wanted.keys())
    for start in range(0, len(stale), DELETE_BATCH):
        client.delete(name, ids=stale[start:start + DELETE_BATCH])
    inserted = insert(client, name, (wanted[key]() for key in wanted if key not in held))
    client.flush(name)
    client.load_collection(name)
    rows = row_count(client, name)
    if rows != len(wanted):
        raise StoreUnavailableError(f"The Milvus collection {name} holds {rows} rows after the build, not "
                                    f"{len(wanted)}; the alias was not moved.", hint=KEPT_HINT)
    return inserted, len(stale)


class MilvusBuild:
    """One build of the alias's idle colour: synced to the new index, then published by moving the alias."""

    def __init__(self, config: Config, live: str) -> None:
        """`live` is the chunk collection the current index folder names ("" when there is none)."""
        self.config = config
        self.alias = config.milvus_collection
        self.client = connect(config)
        self.live = live
        self.colours = tuple(f"{self.alias}_{colour}" for colour in COLOURS)
        self.collection = self.colours[1] if live == self.colours[0] else self.colours[0]

    def write(self, chunks: Sequence[Chunk], chunk_keys: Sequence[str], vectors: np.ndarray,
              sentences: Sequence[SentenceSpan], sentence_keys: Sequence[str], sentence_vectors: np.ndarray,
              embedder: dict[str, Any]) -> dict[str, Any]:
        """Sync the idle colour to these rows; returns what the manifest records about it (the row ids
        are left in `chunk_ids` and `sentence_ids`, in the order of the index's chunks and sentences)."""
        self._keep_alias_on_live()
        dimension = int(vectors.shape[1])
        tokens = [token_text(chunk) for chunk in chunks]
        self.chunk_ids = np.array([row_id("chunk", chunk.id, key, text) for chunk, key, text
                                   in zip(chunks, chunk_keys, tokens)], dtype=np.int64)
        self.sentence_ids = np.array([row_id("sentence", span.document_id, str(span.start), str(span.end), key)
                                      for span, key in zip(sentences, sentence_keys)], dtype=np.int64)
        chunk_rows = {int(key): _row(int(key), chunk_keys[p], vectors[p], tokens[p])
                      for p, key in enumerate(self.chunk_ids)}
        sentence_rows = {int(key): _row(int(key), sentence_keys[r], sentence_vectors[r])
                         for r, key in enumerate(self.sentence_ids)}
        if len(chunk_rows) != len(chunks) or len(sentence_rows) != len(sentences):
            raise StoreUnavailableError("Two rows of the index got the same Milvus id; the alias was not moved.",
                                        hint=KEPT_HINT)
        record: dict[str, Any] = {"collection": self.collection, "chunks": len(chunks), "sentences": len(sentences)}
        # Neither colour serves yet (the first build, or one after the one-collection-per-build layout): fill
        # the other one too, so that the next build finds it one build behind, not empty.
        primed = [] if self.live in self.colours else [self.colours[1]]
        for collection in (self.collection, *primed):
            with server_errors(f"Writing the Milvus collection {collection}", KEPT_HINT):
                for name, rows, has_tokens in ((collection, chunk_rows, True),
                                               (collection + SENTENCES, sentence_rows, False)):
                    signature = json.dumps({"embedder": embedder, "dimension": dimension,
                                            "index": dense_index_type(len(rows), self.config)}, sort_keys=True)
                    inserted, deleted = sync(self.client, name, rows, signature, dimension, has_tokens, self.config)
                    if collection == self.collection:
                        kind = "chunks" if has_tokens else "sentences"
                        record[f"{kind}_inserted"], record[f"{kind}_deleted"] = inserted, deleted
        return record

    def _keep_alias_on_live(self) -> None:
        """A build that died between moving the alias and swapping the index folder left the alias on the
        colour about to be rewritten: point it back at the live one first."""
        with server_errors(f"Checking the Milvus alias {self.alias}", KEPT_HINT):
            if self.live and self.alias in self.client.list_aliases().get("aliases", []):
                if self.client.describe_alias(self.alias)["collection_name"] == self.collection:
                    self.client.alter_alias(self.live, self.alias)

    def publish(self) -> None:
        """Point the alias at the synced colour (atomic in Milvus)."""
        with server_errors(f"Pointing the Milvus alias {self.alias} at {self.collection}", KEPT_HINT):
            if self.alias in self.client.list_aliases().get("aliases", []):
                self.client.alter_alias(self.collection, self.alias)
            else:
                self.client.create_alias(self.collection, self.alias)

    def drop_legacy(self, keep: str) -> None:
        """Drop the one-collection-per-build collections (`<alias>_build_<time>…`) of earlier versions,
        except `keep` (the replaced build's, which a running app may still search)."""
        pattern = re.compile(rf"^{re.escape(self.alias)}_build_\d{{8}}_\d{{6}}_\d+_\d+({SENTENCES})?$")
        with server_errors(f"Dropping old collections of {self.alias}", "The new index is in use; the next build "
                           "drops them."):
            for name in self.client.list_collections():
                if pattern.match(name) and name not in (keep, keep + SENTENCES):
                    self.client.drop_collection(name)


def _row(key: int, embed_key: str, vector: np.ndarray, tokens: str | None = None) -> Callable[[], Row]:
    """The row for `key`, made only when it is inserted (most rows of an incremental build never are)."""
    def make() -> Row:
        row: Row = {"id": key, "embed_key": embed_key, "vector": vector.tolist()}
        if tokens is not None:
            row["tokens"] = tokens
        return row
    return make
