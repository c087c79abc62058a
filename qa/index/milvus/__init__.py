"""The Milvus store: an index's chunk vectors, sentence vectors and BM25 tokens in Milvus collections.

`client.py` connects (a Milvus Lite file or a server) and turns Milvus's failures into errors with the fix;
`build.py` builds incrementally, blue/green behind an alias; `store.py` searches one build's collections.
Imported only when `store = "milvus"`; pymilvus itself only when a client is made.
"""

from __future__ import annotations

from qa.index.milvus.build import SENTENCES, MilvusBuild, token_text
from qa.index.milvus.client import connect, milvus_uri, shown_uri
from qa.index.milvus.store import CHUNK_IDS, SENTENCE_IDS, MilvusStore, milvus_index, open_milvus_store

__all__ = ["CHUNK_IDS", "SENTENCES", "SENTENCE_IDS", "MilvusBuild", "MilvusStore", "connect", "milvus_index",
           "milvus_uri", "open_milvus_store", "shown_uri", "token_text"]
