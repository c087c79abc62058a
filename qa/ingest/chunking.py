"""Sentence-aware chunking of cleaned documents into passages.

Sentences come from the project's one splitter (qa.text.sentences, pysbd).
Sentences are grouped into chunks
of about `target_words` words with `overlap_sentences` sentences of overlap;
a chunk never splits a sentence and never crosses a section heading.
Footnotes become chunks of their own, flagged as such. A "sentence" longer
than `max_words` (a line without punctuation, a table flattened into one
line) is cut into runs of `max_words` words first, so no chunk, and no
passage in a prompt, grows with the document. Leaves out: cleaning
(qa.ingest.documents, qa.ingest.cleaning) and anything about embeddings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence

from qa.text.sentences import Sentence, split_sentences
from qa.types import Block, Chunk, Document


def chunk_id(document_id: str, text: str, occurrence: int = 0) -> str:
    """Stable id from document id and chunk text (and occurrence for repeats)."""
    digest = hashlib.sha1(f"{document_id}\0{text}\0{occurrence}".encode()).hexdigest()
    return digest[:16]


def _bounded(sentence: Sentence, max_words: int) -> list[Sentence]:
    """`sentence` cut into pieces of at most `max_words` words (itself when it is short enough), offsets kept."""
    if sentence.words <= max_words:
        return [sentence]
    spans = [match.span() for match in re.finditer(r"\S+", sentence.text)]
    pieces = []
    for first in range(0, len(spans), max_words):
        start, end = spans[first][0], spans[min(first + max_words, len(spans)) - 1][1]
        pieces.append(Sentence(sentence.text[start:end], sentence.start + start, sentence.start + end))
    return pieces


def _group(sentences: Sequence[Sentence], target_words: int, overlap: int, max_words: int) -> Iterator[list[Sentence]]:
    """Yield runs of sentences of about `target_words` words, overlapping by `overlap` sentences."""
    start = 0
    while start < len(sentences):
        end = start
        words = 0
        while end < len(sentences):
            next_words = sentences[end].words
            if end > start and words + next_words > max_words:
                break
            words += next_words
            end += 1
            if words >= target_words:
                break
        yield list(sentences[start:end])
        if end >= len(sentences):
            return
        start = max(end - overlap, start + 1)


def _section_runs(blocks: Iterable[Block]) -> Iterator[tuple[str, bool, list[Block]]]:
    """Group consecutive body blocks by section; every footnote is its own run."""
    run: list[Block] = []
    section = ""
    for block in blocks:
        if block.kind == "heading":
            if run:
                yield section, False, run
            run, section = [], block.section
            continue
        if block.kind == "footnote":
            yield block.section, True, [block]
            continue
        if run and block.section != section:
            yield section, False, run
            run = []
        section = block.section
        run.append(block)
    if run:
        yield section, False, run


def chunk_document(
    document: Document,
    target_words: int = 90,
    overlap_sentences: int = 1,
    max_words: int = 160,
) -> list[Chunk]:
    """Cut a cleaned document into chunks.

    Args:
        document: the cleaned document; its blocks give paragraphs, headings, footnotes.
        target_words: a chunk closes once it holds at least this many words.
        overlap_sentences: sentences repeated at the start of the next chunk.
        max_words: a chunk never grows past this (a single longer sentence stays whole).
    Returns:
        Chunks in document order; `document.text[c.start:c.end] == c.text`.
    """
    blocks = document.blocks or (Block(0, len(document.text), "paragraph"),)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section, is_footnote, run in _section_runs(blocks):
        sentences: list[Sentence] = []
        for block in run:
            for sentence in split_sentences(document.text[block.start:block.end], document.language, block.start):
                sentences.extend(_bounded(sentence, max_words))
        for group in _group(sentences, target_words, overlap_sentences, max_words):
            start, end = group[0].start, group[-1].end
            text = document.text[start:end]
            occurrence = seen.get(text, 0)
            seen[text] = occurrence + 1
            chunks.append(
                Chunk(
                    id=chunk_id(document.id, text, occurrence),
                    document_id=document.id,
                    text=text,
                    start=start,
                    end=end,
                    section=section,
                    language=document.language,
                    is_footnote=is_footnote,
                )
            )
    return chunks
