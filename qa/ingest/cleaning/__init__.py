"""Cleaning raw seed text: the rules and their order (rules), the shared block (items), PDF and web rules.

The entry point is `qa.ingest.cleaning.rules.clean_parts`. Leaves out:
reading files and metadata (qa.ingest.documents) and chunking.
"""
