"""The ingest stage: seed files in, cleaned documents and their chunks out.

Modules: documents (loading, metadata, the cleaning report), chunking, and the
cleaning package (rules, items, pdf, web). Leaves out: embedding and the index
(qa.index).
"""
