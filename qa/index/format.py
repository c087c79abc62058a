"""The on-disk index format: file names, format version, manifest, checksums and record conversion.

A built index is a folder of plain files (documents.jsonl, chunks.jsonl,
vectors.npy, sentences.jsonl, sentence_vectors.npy, dense.faiss, bm25/) with a
manifest.json that records FORMAT_VERSION, the embedder, the chunking settings,
the hash of each source document and a SHA-256 of every file. Leaves out:
writing a build and swapping it in (qa.index.build), loading and validating one
(qa.index.load).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qa.config import Config
from qa.errors import ConfigError, IndexCorruptError
from qa.index.store import STORES
from qa.ingest.documents import content_hash
from qa.models.embedders import Embedder
from qa.types import Block, Chunk, Document, Removal

FORMAT_VERSION = 4  # 3: documents carry their authors; 4: sentences keep their closing quotes
CURRENT = "current"
REBUILD_HINT = "Rebuild it with `qa index` (or `make run`, which rebuilds when needed)."


def index_text(chunk: Chunk) -> str:
    """The text that is embedded and BM25-indexed for a chunk: its section heading, then its text."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def embed_key(text: str) -> str:
    """The key under which the vector of an embedded text is stored and reused."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def sentence_key(text: str) -> str:
    """The embed key of a sentence; prefixed so it never collides with a chunk's key."""
    return "s" + embed_key(text)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, as stored in the manifest's checksums."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of a document, embedded on its own so answers can use the sentences that matter."""

    document_id: str
    start: int
    end: int


def index_settings(config: Config, embedder: Embedder) -> dict[str, Any]:
    """The settings an index depends on, as stored in its manifest: format, embedder, chunking, store."""
    return {
        "format_version": FORMAT_VERSION,
        "embedder": {"id": embedder.id, "dimension": int(embedder.dimension)},
        "chunking": {
            "chunk_words": config.chunk_words,
            "chunk_overlap_sentences": config.chunk_overlap_sentences,
            "chunk_max_words": config.chunk_max_words,
        },
        "store": store_settings(config),
        "translation": translation_settings(config),
        "questions": questions_settings(config),
    }


def questions_settings(config: Config) -> dict[str, Any]:
    """Whether the index holds index-time questions, and with which prompt (qa.index.questions)."""
    if not config.index_questions:
        return {"enabled": False}
    from qa.index.questions import prompt_version

    return {"enabled": True, "prompt": prompt_version(), "max_chunks": config.index_questions_max_chunks}


def translation_settings(config: Config) -> dict[str, Any]:
    """Whether the index holds index-time translations, and with which prompt (qa.index.translations)."""
    if not config.translate_index:
        return {"enabled": False}
    from qa.index.translations import prompt_version

    return {"enabled": True, "prompt": prompt_version(), "max_sentences": config.translate_index_max_sentences}


FAISS_STORE = {"kind": "faiss"}


def store_settings(config: Config) -> dict[str, str]:
    """Which store holds the vectors: {"kind": "faiss"}, or Milvus with its address (never its token) and alias."""
    if config.store == "faiss":
        return dict(FAISS_STORE)
    if config.store == "milvus":
        from qa.index.milvus import milvus_uri, shown_uri

        return {"kind": "milvus", "uri": shown_uri(milvus_uri(config)), "alias": config.milvus_collection}
    raise ConfigError(f"Setting store={config.store!r} is not a known store.", hint=f"Use one of: {', '.join(STORES)}.")


def manifest_setting(manifest: dict[str, Any], key: str) -> Any:
    """A setting as the manifest records it; an index built before stores existed was a FAISS one, one built
    before index-time questions existed has none."""
    return manifest.get(key, {"store": FAISS_STORE, "questions": {"enabled": False}}.get(key))


def seed_hashes(config: Config) -> dict[str, str]:
    """Content hash of every .txt/.md file in the seeds folder, by file name."""
    if not config.seeds_dir.is_dir():
        return {}
    return {
        path.name: content_hash(path.read_bytes())
        for path in sorted(config.seeds_dir.iterdir())
        if path.is_file() and path.suffix.lower() in (".txt", ".md")
    }


def read_manifest(config: Config, folder: Path | None = None) -> dict[str, Any] | None:
    """The manifest of the current index (or of the build in `folder`), or None if there is none;
    IndexCorruptError if unreadable."""
    manifest_path = (folder or config.index_dir / CURRENT) / "manifest.json"
    if not manifest_path.is_file():
        return None
    try:
        return dict(json.loads(manifest_path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise IndexCorruptError(f"The index manifest {manifest_path} is unreadable: {error}", hint=REBUILD_HINT) from error


def read_manifest_quietly(config: Config) -> dict[str, Any] | None:
    """The manifest of the current index, or None if there is none or it is unreadable."""
    try:
        return read_manifest(config)
    except IndexCorruptError:
        return None


def document_record(document: Document) -> dict[str, Any]:
    """A Document as the JSON record stored in documents.jsonl."""
    record = asdict(document)
    record["blocks"] = [asdict(block) for block in document.blocks]
    record["removed"] = [asdict(removal) for removal in document.removed]
    return record


def document_from_record(record: dict[str, Any]) -> Document:
    """The Document stored as a documents.jsonl record."""
    fields = dict(record)
    fields["blocks"] = tuple(Block(**block) for block in record.get("blocks", []))
    fields["removed"] = tuple(Removal(**removal) for removal in record.get("removed", []))
    return Document(**fields)
