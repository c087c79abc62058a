"""The search index: a folder of plain files (chunks, vectors, FAISS, BM25) with a versioned manifest.

Layout: `index_dir/current` is a symlink to one complete build folder
(`build-<time>`), swapped atomically, so an interrupted build leaves the
previous index intact. Builds are incremental: a chunk whose embedded text is
unchanged reuses its stored vector. Leaves out: ranking and fusion
(qa.retrieval) and document cleaning (qa.documents).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.chunking import chunk_document, split_sentences
from qa.config import Config
from qa.documents import content_hash, load_documents
from qa.embedding import Embedder
from qa.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, NoDocumentsError
from qa.lexical import tokenize
from qa.types import Block, Chunk, Document, Removal, SkippedFile

FORMAT_VERSION = 2
CURRENT = "current"
REBUILD_HINT = "Rebuild it with `qa index` (or `make run`, which rebuilds when needed)."


def make_dense_index(dimension: int) -> Any:
    """The one place that chooses the FAISS index type.

    Exact inner product is right for thousands of passages; a corpus of
    millions would switch to an approximate index (e.g. IVF or HNSW) here.
    """
    import faiss

    return faiss.IndexFlatIP(dimension)


def index_text(chunk: Chunk) -> str:
    """The text that is embedded and BM25-indexed for a chunk: its section heading, then its text."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def _embed_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _sentence_key(text: str) -> str:
    return "s" + _embed_key(text)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of a document, embedded on its own so answers can use the sentences that matter."""

    document_id: str
    start: int
    end: int


def document_sentences(documents: Sequence[Document], chunks: Sequence[Chunk]) -> list[tuple[SentenceSpan, str]]:
    """Every distinct sentence of the chunks, with its text, in document order."""
    seen: dict[tuple[str, int, int], str] = {}
    for chunk in chunks:
        for sentence in split_sentences(chunk.text, chunk.language, chunk.start):
            seen.setdefault((chunk.document_id, sentence.start, sentence.end), sentence.text)
    return [(SentenceSpan(*key), text) for key, text in seen.items()]


@dataclass(frozen=True)
class BuildReport:
    """What one `build_index` call did."""

    documents: int
    chunks: int
    embedded: int
    reused: int
    sentences: int
    sentences_embedded: int
    removed_documents: tuple[str, ...]
    changed_documents: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]
    seconds: float
    path: Path


@dataclass(frozen=True)
class IndexStatus:
    """Whether an index exists and whether it matches the seeds and settings."""

    exists: bool
    stale: bool
    reasons: tuple[str, ...]
    chunks: int = 0
    documents: int = 0


class SearchIndex:
    """A loaded index: chunks, documents, FAISS dense index and BM25 index."""

    def __init__(self, path: Path, manifest: dict[str, Any], documents: dict[str, Document],
                 chunks: list[Chunk], vectors: np.ndarray, dense: Any, bm25: Any,
                 sentences: Sequence[SentenceSpan] = (), sentence_vectors: np.ndarray | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.documents = documents
        self.chunks = chunks
        self.vectors = vectors
        self.dense = dense
        self.bm25 = bm25
        self.sentences = list(sentences)
        self.sentence_vectors = sentence_vectors
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

    def dense_search(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top `k` chunk positions by inner product with `query_vector`."""
        k = min(k, len(self.chunks))
        if k <= 0:
            return []
        scores, ids = self.dense.search(np.asarray(query_vector, dtype=np.float32).reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def bm25_search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Top `k` chunk positions by BM25 score (only positive scores)."""
        k = min(k, len(self.chunks))
        if k <= 0 or not tokens:
            return []
        ids, scores = self.bm25.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if s > 0]


def in_memory_index(chunks: Sequence[Chunk], vectors: np.ndarray,
                    documents: dict[str, Document] | None = None) -> SearchIndex:
    """A SearchIndex over given chunks and vectors, never written to disk (benchmarks, tests)."""
    import bm25s

    vectors = np.asarray(vectors, dtype=np.float32)
    dense = make_dense_index(vectors.shape[1])
    dense.add(vectors)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(index_text(chunk), chunk.language) for chunk in chunks], show_progress=False)
    return SearchIndex(Path("<memory>"), {}, documents or {}, list(chunks), vectors, dense, bm25)


def _settings(config: Config, embedder: Embedder) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "embedder": {"id": embedder.id, "dimension": int(embedder.dimension)},
        "chunking": {
            "chunk_words": config.chunk_words,
            "chunk_overlap_sentences": config.chunk_overlap_sentences,
            "chunk_max_words": config.chunk_max_words,
        },
    }


def _seed_hashes(config: Config) -> dict[str, str]:
    if not config.seeds_dir.is_dir():
        return {}
    return {
        path.name: content_hash(path.read_bytes())
        for path in sorted(config.seeds_dir.iterdir())
        if path.is_file() and path.suffix.lower() in (".txt", ".md")
    }


def _read_manifest(config: Config) -> dict[str, Any] | None:
    manifest_path = config.index_dir / CURRENT / "manifest.json"
    if not manifest_path.is_file():
        return None
    try:
        return dict(json.loads(manifest_path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise IndexCorruptError(f"The index manifest {manifest_path} is unreadable: {error}", hint=REBUILD_HINT) from error


def index_status(config: Config, embedder: Embedder) -> IndexStatus:
    """Compare the built index with the seeds folder and the settings (no model is loaded)."""
    try:
        manifest = _read_manifest(config)
    except IndexCorruptError as error:
        return IndexStatus(True, True, (error.message,))
    if manifest is None:
        return IndexStatus(False, True, ("no index has been built",))
    reasons = []
    expected = _settings(config, embedder)
    for key in ("format_version", "embedder", "chunking"):
        if manifest.get(key) != expected[key]:
            reasons.append(f"{key} changed: index has {manifest.get(key)}, settings say {expected[key]}")
    built = {doc_id: info.get("source_hash") for doc_id, info in manifest.get("documents", {}).items()}
    current = _seed_hashes(config)
    skipped = set(manifest.get("skipped", {}))
    for doc_id in sorted(set(current) - set(built) - skipped):
        reasons.append(f"new document {doc_id}")
    for doc_id in sorted(set(built) - set(current)):
        reasons.append(f"removed document {doc_id}")
    for doc_id in sorted(set(built) & set(current)):
        if built[doc_id] != current[doc_id]:
            reasons.append(f"changed document {doc_id}")
    return IndexStatus(True, bool(reasons), tuple(reasons), int(manifest.get("chunk_count", 0)), len(built))


def _document_record(document: Document) -> dict[str, Any]:
    record = asdict(document)
    record["blocks"] = [asdict(block) for block in document.blocks]
    record["removed"] = [asdict(removal) for removal in document.removed]
    return record


def _document_from_record(record: dict[str, Any]) -> Document:
    fields = dict(record)
    fields["blocks"] = tuple(Block(**block) for block in record.get("blocks", []))
    fields["removed"] = tuple(Removal(**removal) for removal in record.get("removed", []))
    return Document(**fields)


def _previous_vectors(config: Config, settings: dict[str, Any]) -> dict[str, np.ndarray]:
    """Vectors of the current index by embed key, if it was built with the same embedder."""
    manifest = _read_manifest_quietly(config)
    if not manifest or manifest.get("embedder") != settings["embedder"]:
        return {}
    folder = config.index_dir / CURRENT
    stored: dict[str, np.ndarray] = {}
    for records, vectors_file in (("chunks.jsonl", "vectors.npy"), ("sentences.jsonl", "sentence_vectors.npy")):
        try:
            vectors = np.load(folder / vectors_file)
            keys = [json.loads(line)["embed_key"] for line in (folder / records).read_text("utf-8").splitlines()]
        except (OSError, ValueError, KeyError):
            continue  # an unreadable or older file just means its vectors are embedded again
        if len(keys) == len(vectors):
            stored.update(zip(keys, vectors))
    return stored


def _write_build(folder: Path, manifest: dict[str, Any], documents: Sequence[Document],
                 chunks: Sequence[Chunk], keys: Sequence[str], vectors: np.ndarray,
                 sentences: Sequence[tuple[SentenceSpan, str]], sentence_vectors: np.ndarray) -> None:
    import faiss

    built = in_memory_index(chunks, vectors)
    folder.mkdir(parents=True)
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as handle:
        for document in documents:
            handle.write(json.dumps(_document_record(document), ensure_ascii=False) + "\n")
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for chunk, key in zip(chunks, keys):
            handle.write(json.dumps({**asdict(chunk), "embed_key": key}, ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", built.vectors)
    with open(folder / "sentences.jsonl", "w", encoding="utf-8") as handle:
        for span, text in sentences:
            handle.write(json.dumps({**asdict(span), "embed_key": _sentence_key(text)}) + "\n")
    np.save(folder / "sentence_vectors.npy", sentence_vectors)
    faiss.write_index(built.dense, str(folder / "dense.faiss"))
    built.bm25.save(str(folder / "bm25"), show_progress=False)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    manifest["files"] = {str(path.relative_to(folder)): _file_digest(path) for path in files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def _swap_in(index_dir: Path, build: Path) -> None:
    """Point `index_dir/current` at `build` atomically and delete older builds."""
    link = index_dir / CURRENT
    temporary_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if temporary_link.is_symlink() or temporary_link.exists():
        temporary_link.unlink()
    temporary_link.symlink_to(build.name)
    os.replace(temporary_link, link)
    for old in index_dir.glob("build-*"):
        if old.name != build.name:
            shutil.rmtree(old, ignore_errors=True)


def build_index(
    config: Config,
    embedder: Embedder,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> BuildReport:
    """Build or update the index for `config.seeds_dir` into `config.index_dir`.

    Args:
        config: settings (seeds and index folders, chunking).
        embedder: embeds passages whose vector is not already stored.
        progress: optional wrapper for the batch loop, e.g. a tqdm factory `(iterable, total)`.
    Returns:
        A BuildReport. Raises NoDocumentsError when nothing can be indexed.
    """
    started = time.perf_counter()
    documents, skipped = load_documents(config.seeds_dir, config.metadata_file)
    if not documents:
        raise NoDocumentsError(
            f"No loadable .txt or .md document in {config.seeds_dir}.",
            hint="Put UTF-8 text files into the seeds folder, then run `qa index`.",
        )
    settings = _settings(config, embedder)
    old_manifest = _read_manifest_quietly(config)
    chunks = [
        chunk
        for document in documents
        for chunk in chunk_document(document, config.chunk_words, config.chunk_overlap_sentences, config.chunk_max_words)
    ]
    sentences = document_sentences(documents, chunks)
    texts = [index_text(chunk) for chunk in chunks] + [text for _, text in sentences]
    keys = [_embed_key(text) for text in texts[: len(chunks)]] + [_sentence_key(text) for _, text in sentences]
    stored = _previous_vectors(config, settings)
    missing = list({key: position for position, key in enumerate(keys) if key not in stored}.values())
    batch = max(1, config.embed_batch_size)
    batches = range(0, len(missing), batch)
    for start in progress(batches, len(batches)) if progress else batches:
        positions = missing[start:start + batch]
        for position, vector in zip(positions, embedder.embed_passages([texts[p] for p in positions])):
            stored[keys[position]] = vector
    vectors = np.vstack([stored[key] for key in keys[: len(chunks)]]).astype(np.float32)
    sentence_vectors = np.vstack([stored[key] for key in keys[len(chunks):]] or
                                 [np.zeros((0, vectors.shape[1]))]).astype(np.float32)
    chunks_embedded = sum(1 for position in missing if position < len(chunks))
    old_documents = (old_manifest or {}).get("documents", {})
    manifest: dict[str, Any] = {
        **settings,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunk_count": len(chunks),
        "documents": {
            document.id: {
                "source_hash": document.content_hash,
                "title": document.title,
                "language": document.language,
                "chunks": sum(1 for chunk in chunks if chunk.document_id == document.id),
            }
            for document in documents
        },
        "skipped": {Path(item.path).name: item.reason for item in skipped},
    }
    config.index_dir.mkdir(parents=True, exist_ok=True)
    build = config.index_dir / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9:09d}"
    try:
        _write_build(build, manifest, documents, chunks, keys[: len(chunks)], vectors, sentences, sentence_vectors)
        _swap_in(config.index_dir, build)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)  # the previous build stays current
        raise
    changed = tuple(
        document.id for document in documents
        if old_documents.get(document.id, {}).get("source_hash") != document.content_hash
    )
    return BuildReport(
        documents=len(documents),
        chunks=len(chunks),
        embedded=chunks_embedded,
        reused=len(chunks) - chunks_embedded,
        sentences=len(sentences),
        sentences_embedded=len(missing) - chunks_embedded,
        removed_documents=tuple(sorted(set(old_documents) - {document.id for document in documents})),
        changed_documents=changed,
        skipped=tuple(skipped),
        seconds=time.perf_counter() - started,
        path=build,
    )


def _read_manifest_quietly(config: Config) -> dict[str, Any] | None:
    try:
        return _read_manifest(config)
    except IndexCorruptError:
        return None


def load_index(config: Config, embedder: Embedder) -> SearchIndex:
    """Load the current index, checking format, embedder and file checksums.

    Raises IndexMissingError, IndexMismatchError or IndexCorruptError, each
    with a hint that says how to rebuild.
    """
    import bm25s
    import faiss

    folder = config.index_dir / CURRENT
    manifest = _read_manifest(config)
    if manifest is None:
        raise IndexMissingError(f"No index found in {config.index_dir}.", hint="Build it with `qa index` (or `make run`).")
    expected = _settings(config, embedder)
    for key in ("format_version", "embedder"):
        if manifest.get(key) != expected[key]:
            raise IndexMismatchError(
                f"The index in {config.index_dir} was built with {key} {manifest.get(key)}, "
                f"but the settings need {expected[key]}.",
                hint=REBUILD_HINT,
            )
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file() or _file_digest(path) != digest:
            raise IndexCorruptError(f"Index file {path} is missing or damaged.", hint=REBUILD_HINT)
    try:
        documents = {
            record["id"]: _document_from_record(record)
            for record in map(json.loads, (folder / "documents.jsonl").read_text("utf-8").splitlines())
        }
        chunk_records = [json.loads(line) for line in (folder / "chunks.jsonl").read_text("utf-8").splitlines()]
        chunks = [Chunk(**{k: v for k, v in record.items() if k != "embed_key"}) for record in chunk_records]
        vectors = np.load(folder / "vectors.npy")
        sentences = [SentenceSpan(r["document_id"], r["start"], r["end"])
                     for r in map(json.loads, (folder / "sentences.jsonl").read_text("utf-8").splitlines())]
        sentence_vectors = np.load(folder / "sentence_vectors.npy")
        dense = faiss.read_index(str(folder / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexCorruptError(f"The index in {folder} cannot be read: {error}", hint=REBUILD_HINT) from error
    if not (len(chunks) == len(vectors) == dense.ntotal) or len(sentences) != len(sentence_vectors):
        raise IndexCorruptError(f"The index in {folder} is inconsistent.", hint=REBUILD_HINT)
    return SearchIndex(folder.resolve(), manifest, documents, chunks, vectors, dense, bm25, sentences, sentence_vectors)
