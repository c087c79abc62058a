"""Text helpers shared by every stage: sentences, citation markers, language detection, tokenising.

Each helper lives here once, so the ingest, index, answer and evaluate stages
split, tokenise and detect text the same way. Leaves out: anything that knows
about documents, chunks, passages or models.
"""
