"""The index stage: a folder of plain files with a versioned manifest, built, written and loaded.

Modules: build (building and the atomic swap), format (file names, keys,
manifest settings), load (loading, validating, status, SearchIndex), store (the
Store protocol that searches vectors and BM25 tokens, and the FAISS + bm25s
store), milvus (the optional Milvus store). Leaves out: ranking and fusion
(qa.retrieval) and cleaning (qa.ingest).
"""
