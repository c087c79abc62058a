"""Reading a built index: load and validate it, report its staleness, and search it (SearchIndex).

Loading checks the format version, the embedder, the store and every file's
checksum and refuses a mismatched or damaged index with a hint that says how to
rebuild; a Milvus index also connects to its collection (qa.index.milvus).
Leaves out: building and the FAISS index type (qa.index.build), the file format
itself (qa.index.format), searching (qa.index.store) and ranking and fusion (qa.retrieval).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Config
from qa.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from qa.index.format import (
    CURRENT,
    REBUILD_HINT,
    SentenceSpan,
    document_from_record,
    file_digest,
    index_settings,
    manifest_setting,
    read_manifest,
    seed_hashes,
)
from qa.index.questions import TEXTS_FILE as QUESTIONS_FILE
from qa.index.questions import VECTORS_FILE as QUESTION_VECTORS_FILE
from qa.index.questions import ChunkQuestions
from qa.index.store import FaissStore, Store
from qa.index.translations import CHUNK_VECTORS_FILE, CHUNKS_FILE, SENTENCE_VECTORS_FILE, TEXTS_FILE, Translations
from qa.models.embedders import Embedder
from qa.types import Chunk, Document


@dataclass(frozen=True)
class IndexStatus:
    """Whether an index exists and whether it matches the seeds and settings."""

    exists: bool
    stale: bool
    reasons: tuple[str, ...]
    chunks: int = 0
    documents: int = 0


class SearchIndex:
    """A loaded index: documents, chunks, sentences and their vectors, and the store that searches them."""

    def __init__(self, path: Path, manifest: dict[str, Any], documents: dict[str, Document],
                 chunks: list[Chunk], vectors: np.ndarray, store: Store,
                 sentences: Sequence[SentenceSpan] = (), sentence_vectors: np.ndarray | None = None,
                 translations: Translations | None = None, questions: ChunkQuestions | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.documents = documents
        self.chunks = chunks
        self.vectors = vectors
        self.store = store
        self.sentences = list(sentences)
        self.sentence_vectors = sentence_vectors
        # index-time translations (qa.index.translations), None when the index has none
        self.translations = translations
        # index-time questions (qa.index.questions), None when the index has none
        self.questions = questions
        self._sentences_by_document: dict[str, list[int]] = {}
        self._chunks_by_sentence: dict[int, list[int]] = {}
        for row, sentence in enumerate(self.sentences):
            self._sentences_by_document.setdefault(sentence.document_id, []).append(row)

    def chunks_with_sentence(self, row: int) -> list[int]:
        """Positions of the chunks that contain sentence `row` (overlapping chunks share sentences)."""
        if not self._chunks_by_sentence:
            for position, chunk in enumerate(self.chunks):
                for sentence_row in self.chunk_sentences(chunk):
                    self._chunks_by_sentence.setdefault(sentence_row, []).append(position)
        return self._chunks_by_sentence.get(row, [])

    def chunk_sentences(self, chunk: Chunk) -> list[int]:
        """Rows of `sentences`/`sentence_vectors` that lie inside `chunk`, in text order."""
        rows = self._sentences_by_document.get(chunk.document_id, [])
        return [r for r in rows if chunk.start <= self.sentences[r].start and self.sentences[r].end <= chunk.end]


def index_status(config: Config, embedder: Embedder) -> IndexStatus:
    """Compare the built index with the seeds folder and the settings (no model is loaded)."""
    try:
        manifest = read_manifest(config)
    except IndexCorruptError as error:
        return IndexStatus(True, True, (error.message,))
    if manifest is None:
        return IndexStatus(False, True, ("no index has been built",))
    reasons = []
    expected = index_settings(config, embedder)
    for key in ("format_version", "embedder", "chunking", "store", "translation", "questions"):
        if manifest_setting(manifest, key) != expected[key]:
            reasons.append(f"{key} changed: index has {manifest_setting(manifest, key)}, settings say {expected[key]}")
    built = {doc_id: info.get("source_hash") for doc_id, info in manifest.get("documents", {}).items()}
    current = seed_hashes(config)
    skipped = set(manifest.get("skipped", {}))
    for doc_id in sorted(set(current) - set(built) - skipped):
        reasons.append(f"new document {doc_id}")
    for doc_id in sorted(set(built) - set(current)):
        reasons.append(f"removed document {doc_id}")
    for doc_id in sorted(set(built) & set(current)):
        if built[doc_id] != current[doc_id]:
            reasons.append(f"changed document {doc_id}")
    return IndexStatus(True, bool(reasons), tuple(reasons), int(manifest.get("chunk_count", 0)), len(built))


LOAD_ATTEMPTS = 20  # each retry needs a whole new build swapped in during the load before it


def load_index(config: Config, embedder: Embedder) -> SearchIndex:
    """Load the current index, checking format, embedder and file checksums.

    Every file is read from the one build folder that `current` pointed at when
    loading began, so a build swapped in meanwhile (`qa index` in another process
    while the chat runs) can never mix two builds. If that swap also deleted the
    folder being read, the load starts again on the new build (LOAD_ATTEMPTS in all:
    back-to-back rebuilds of a tiny index deleted the folder under 1 load in 9, so 3 were too few).

    Raises IndexMissingError, IndexMismatchError or IndexCorruptError, each
    with a hint that says how to rebuild.
    """
    link = config.index_dir / CURRENT
    for attempt in range(1, LOAD_ATTEMPTS + 1):
        folder = link.resolve()
        try:
            return _load_build(config, embedder, folder)
        except (IndexCorruptError, IndexMissingError):
            if attempt == LOAD_ATTEMPTS or link.resolve() == folder:
                raise  # damaged for real, not replaced while it was read
    raise AssertionError("unreachable")


def _load_build(config: Config, embedder: Embedder, folder: Path) -> SearchIndex:
    """Load and check the build in `folder` (the resolved target of `current`)."""
    manifest = read_manifest(config, folder)
    if manifest is None:
        raise IndexMissingError(f"No index found in {config.index_dir}.", hint="Build it with `qa index` (or `make run`).")
    expected = index_settings(config, embedder)
    for key in ("format_version", "embedder", "store"):
        if manifest_setting(manifest, key) != expected[key]:
            raise IndexMismatchError(
                f"The index in {config.index_dir} was built with {key} {manifest_setting(manifest, key)}, "
                f"but the settings need {expected[key]}.",
                hint=REBUILD_HINT,
            )
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        try:
            intact = file_digest(path) == digest
        except OSError:  # missing, or deleted by a newer build's clean-up while it was read
            intact = False
        if not intact:
            raise IndexCorruptError(f"Index file {path} is missing or damaged.", hint=REBUILD_HINT)
    try:
        documents = {
            record["id"]: document_from_record(record)
            for record in map(json.loads, (folder / "documents.jsonl").read_text("utf-8").splitlines())
        }
        chunk_records = [json.loads(line) for line in (folder / "chunks.jsonl").read_text("utf-8").splitlines()]
        chunks = [Chunk(**{k: v for k, v in record.items() if k != "embed_key"}) for record in chunk_records]
        vectors = np.load(folder / "vectors.npy")
        sentences = [SentenceSpan(r["document_id"], r["start"], r["end"])
                     for r in map(json.loads, (folder / "sentences.jsonl").read_text("utf-8").splitlines())]
        sentence_vectors = np.load(folder / "sentence_vectors.npy")
        store = _open_store(config, manifest, folder, len(chunks), sentence_vectors)
        translations = _load_translations(folder, len(chunks), len(sentences))
        questions = _load_questions(folder, len(chunks))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexCorruptError(f"The index in {folder} cannot be read: {error}", hint=REBUILD_HINT) from error
    if len(chunks) != len(vectors) or len(sentences) != len(sentence_vectors):
        raise IndexCorruptError(f"The index in {folder} is inconsistent.", hint=REBUILD_HINT)
    return SearchIndex(folder.resolve(), manifest, documents, chunks, vectors, store, sentences, sentence_vectors,
                       translations, questions)


def _load_questions(folder: Path, chunk_count: int) -> ChunkQuestions | None:
    """The build's index-time questions, None when it has none (raises ValueError when they do not fit)."""
    if not (folder / QUESTIONS_FILE).exists():
        return None
    records = [json.loads(line) for line in (folder / QUESTIONS_FILE).read_text("utf-8").splitlines()]
    questions = ChunkQuestions(tuple(str(record["text"]) for record in records),
                               np.array([int(record["chunk"]) for record in records], dtype=np.int64),
                               np.load(folder / QUESTION_VECTORS_FILE))
    if len(questions.vectors) != len(records) or any(not 0 <= owner < chunk_count for owner in questions.owners):
        raise ValueError("the questions do not match the chunks")
    return questions


def _load_translations(folder: Path, chunk_count: int, sentence_count: int) -> Translations | None:
    """The build's index-time translations, None when it has none (raises ValueError when they do not fit)."""
    if not (folder / TEXTS_FILE).exists():
        return None
    sentence_texts, chunk_texts = (tuple(str(json.loads(line)["text"]) for line in
                                         (folder / name).read_text("utf-8").splitlines())
                                   for name in (TEXTS_FILE, CHUNKS_FILE))
    translations = Translations(sentence_texts, chunk_texts, np.load(folder / SENTENCE_VECTORS_FILE),
                                np.load(folder / CHUNK_VECTORS_FILE))
    if (len(sentence_texts) != sentence_count or len(translations.sentence_vectors) != sentence_count
            or len(chunk_texts) != chunk_count or len(translations.chunk_vectors) != chunk_count):
        raise ValueError("the translations do not match the sentences and chunks")
    return translations


def _open_store(config: Config, manifest: dict[str, Any], folder: Path, chunk_count: int,
                sentence_vectors: np.ndarray) -> Store:
    """The store the manifest names: the build folder's FAISS and bm25s files, or its Milvus collection;
    IndexCorruptError when it does not hold `chunk_count` chunks."""
    if manifest_setting(manifest, "store")["kind"] == "milvus":
        from qa.index.milvus import open_milvus_store

        return open_milvus_store(config, manifest, folder, chunk_count, len(sentence_vectors))
    import bm25s
    import faiss

    dense = faiss.read_index(str(folder / "dense.faiss"))
    bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
    if dense.ntotal != chunk_count:
        raise IndexCorruptError(f"The index in {folder} is inconsistent.", hint=REBUILD_HINT)
    return FaissStore(dense, bm25, sentence_vectors)
