"""The search index: a folder of plain files (chunks, vectors, FAISS, BM25) with a versioned manifest.

Layout: `index_dir/current` is a symlink to one complete build folder
(`build-<time>`), swapped atomically, so an interrupted build (Ctrl-C,
kill -9) leaves the previous index intact. A failed write (a full disk, no
permission) becomes an IndexWriteError that says so and how to fix it. Builds are incremental: a chunk whose embedded text is
unchanged reuses its stored vector. With `store = "milvus"` the build folder
holds the same records and vectors and the Milvus row ids but no FAISS or bm25s
files: the alias's idle collection is brought up to the new state first (only
new and changed rows inserted) and the alias moved just before the folder is
swapped in (qa.index.milvus.build).

This module builds the index. Leaves out: loading and status (qa.index.load),
the file format (qa.index.format), ranking and fusion (qa.retrieval) and
document cleaning (qa.ingest).
Over 250 lines, build_index over 60: the build's steps share one transaction (staging
folder, reuse of vectors, atomic swap) and read best in order.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.config import Config
from qa.errors import IndexWriteError, NoDocumentsError
from qa.index.format import (
    CURRENT,
    SentenceSpan,
    document_record,
    embed_key,
    file_digest,
    index_settings,
    index_text,
    read_manifest_quietly,
    sentence_key,
)
from qa.index.load import SearchIndex
from qa.index.questions import CACHE_FILE as QUESTIONS_CACHE
from qa.index.questions import TEXTS_FILE as QUESTIONS_FILE
from qa.index.questions import VECTORS_FILE as QUESTION_VECTORS_FILE
from qa.index.questions import ChunkQuestions, question_languages, write_questions
from qa.index.questions import embed_key as question_key
from qa.index.store import FaissStore
from qa.index.translations import (
    CACHE_FILE,
    CHUNK_VECTORS_FILE,
    CHUNKS_FILE,
    SENTENCE_VECTORS_FILE,
    TEXTS_FILE,
    Translations,
    chunk_translation,
    other_language,
    translate_sentences,
    wants_translations,
)
from qa.ingest.chunking import chunk_document
from qa.ingest.documents import load_documents
from qa.models.embedders import Embedder
from qa.models.generator import Generator
from qa.text.sentences import split_sentences
from qa.text.tokens import tokenize
from qa.types import Chunk, Document, SkippedFile

if TYPE_CHECKING:
    from qa.index.milvus import MilvusBuild

ProgressFactory = Callable[[Iterable[Any], int], Iterable[Any]]


def make_dense_index(vectors: np.ndarray, flat_max_vectors: int, nprobe: int) -> Any:
    """The one place that chooses the FAISS index type, and fills it with `vectors` (L2-normalised rows).

    Up to `flat_max_vectors` rows (Config.flat_index_max_vectors): exact inner
    product (IndexFlatIP), right for thousands of passages; one query over
    50,000 vectors took 7 ms (one thread) to 48 ms (two) on this busy two-core
    machine, over 200,000 already 48 to 116 ms. Above: IVF with about sqrt(n)
    lists (k-means trained on a fixed sample, so a rebuild gives the same
    index) that searches `nprobe` of them; its recall@10 against exact search
    and its query times at a million passages are in the README
    (`benchmarks/million_vectors.py`). IVF rather than HNSW because it builds
    in well under a minute on two cores where HNSW takes many, and needs no
    memory beyond the vectors and the list centroids.
    """
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    if count <= flat_max_vectors:
        index: Any = faiss.IndexFlatIP(dimension)
    else:
        lists = max(1, int(np.sqrt(count)))
        index = faiss.index_factory(dimension, f"IVF{lists},Flat", faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(count, size=min(count, 64 * lists), replace=False)
        index.train(vectors[np.sort(sample)])
        index.nprobe = min(nprobe, lists)
    index.add(vectors)
    return index


def in_memory_index(chunks: Sequence[Chunk], vectors: np.ndarray,
                    documents: dict[str, Document] | None = None, config: Config | None = None) -> SearchIndex:
    """A SearchIndex over given chunks and vectors, never written to disk (benchmarks, tests).

    `config` sets the dense index type (flat_index_max_vectors, ivf_nprobe); the defaults when None.
    """
    import bm25s

    config = config or Config()
    vectors = np.asarray(vectors, dtype=np.float32)
    dense = make_dense_index(vectors, config.flat_index_max_vectors, config.ivf_nprobe)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(index_text(chunk), chunk.language) for chunk in chunks], show_progress=False)
    return SearchIndex(Path("<memory>"), {}, documents or {}, list(chunks), vectors, FaissStore(dense, bm25))


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
    # Index-time translation (qa.index.translations): sentences with a translation, and those the model
    # translated in this build (the others came from the cache); why there are none, when there are none.
    translated: int = 0
    translated_now: int = 0
    translation_note: str = ""
    # Index-time questions (qa.index.questions): how many the index holds, the model's answers to this build's
    # requests (the others came from the cache), and why there are none, when there are none.
    questions: int = 0
    questions_now: int = 0
    questions_note: str = ""


def _previous_vectors(config: Config, settings: dict[str, Any]) -> dict[str, np.ndarray]:
    """Vectors of the current index by embed key, if it was built with the same embedder."""
    manifest = read_manifest_quietly(config)
    if not manifest or manifest.get("embedder") != settings["embedder"]:
        return {}
    folder = config.index_dir / CURRENT
    stored: dict[str, np.ndarray] = {}
    for records, vectors_file in (("chunks.jsonl", "vectors.npy"), ("sentences.jsonl", "sentence_vectors.npy"),
                                  (TEXTS_FILE, SENTENCE_VECTORS_FILE), (CHUNKS_FILE, CHUNK_VECTORS_FILE),
                                  (QUESTIONS_FILE, QUESTION_VECTORS_FILE)):
        try:
            vectors = np.load(folder / vectors_file)
            keys = [json.loads(line)["embed_key"] for line in (folder / records).read_text("utf-8").splitlines()]
        except (OSError, ValueError, KeyError):
            continue  # an unreadable, older or absent file just means its vectors are embedded again
        if len(keys) == len(vectors):
            stored.update((key, vector) for key, vector in zip(keys, vectors) if key)  # "": no translation
    return stored


def _write_build(folder: Path, manifest: dict[str, Any], documents: Sequence[Document],
                 chunks: Sequence[Chunk], keys: Sequence[str], vectors: np.ndarray,
                 sentences: Sequence[tuple[SentenceSpan, str]], sentence_vectors: np.ndarray, config: Config,
                 milvus: MilvusBuild | None, translated: Translations | None = None,
                 questions: ChunkQuestions | None = None) -> None:
    folder.mkdir(parents=True)
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as handle:
        for document in documents:
            handle.write(json.dumps(document_record(document), ensure_ascii=False) + "\n")
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for chunk, key in zip(chunks, keys):
            handle.write(json.dumps({**asdict(chunk), "embed_key": key}, ensure_ascii=False) + "\n")
    np.save(folder / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    with open(folder / "sentences.jsonl", "w", encoding="utf-8") as handle:
        for span, text in sentences:
            handle.write(json.dumps({**asdict(span), "embed_key": sentence_key(text)}) + "\n")
    np.save(folder / "sentence_vectors.npy", sentence_vectors)
    if translated is not None:  # texts with their embed keys ("" for none), so a rebuild reuses their vectors
        for name, texts, key_of in ((TEXTS_FILE, translated.sentence_texts, sentence_key),
                                    (CHUNKS_FILE, translated.chunk_texts, embed_key)):
            with open(folder / name, "w", encoding="utf-8") as handle:
                for text in texts:
                    handle.write(json.dumps({"text": text, "embed_key": key_of(text) if text else ""},
                                            ensure_ascii=False) + "\n")
        np.save(folder / SENTENCE_VECTORS_FILE, translated.sentence_vectors)
        np.save(folder / CHUNK_VECTORS_FILE, translated.chunk_vectors)
    if questions is not None:
        with open(folder / QUESTIONS_FILE, "w", encoding="utf-8") as handle:
            for owner, text in zip(questions.owners, questions.texts):
                handle.write(json.dumps({"chunk": int(owner), "text": text, "embed_key": question_key(text)},
                                        ensure_ascii=False) + "\n")
        np.save(folder / QUESTION_VECTORS_FILE, np.asarray(questions.vectors, dtype=np.float32))
    if milvus is not None:  # a Milvus build's collections are already written: the ids of their rows
        from qa.index.milvus import CHUNK_IDS, SENTENCE_IDS

        np.save(folder / CHUNK_IDS, milvus.chunk_ids)
        np.save(folder / SENTENCE_IDS, milvus.sentence_ids)
        manifest["milvus"]["row_ids"] = [CHUNK_IDS, SENTENCE_IDS]
    else:  # the FAISS store's files
        import faiss

        store = in_memory_index(chunks, vectors, config=config).store
        assert isinstance(store, FaissStore)
        faiss.write_index(store.dense, str(folder / "dense.faiss"))
        store.bm25.save(str(folder / "bm25"), show_progress=False)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    manifest["files"] = {str(path.relative_to(folder)): file_digest(path) for path in files}
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


def _translate(config: Config, generator: Generator | None, chunks: Sequence[Chunk],
               sentences: Sequence[tuple[SentenceSpan, str]],
               progress: ProgressFactory | None) -> tuple[list[str] | None, int, str]:
    """Each sentence in its collection's other language (qa.index.translations), the number translated now,
    and a note when there are none."""
    languages = {chunk.document_id: chunk.language for chunk in chunks}
    if not config.translate_index or generator is None:
        return None, 0, ""
    if not wants_translations(languages.values()):
        return None, 0, "one language: nothing to translate"
    if len(sentences) > config.translate_index_max_sentences:
        return None, 0, (f"{len(sentences)} sentences exceed translate_index_max_sentences "
                         f"({config.translate_index_max_sentences}): questions are translated instead")
    targets = [other_language(languages[span.document_id]) for span, _ in sentences]
    texts, now = translate_sentences(generator, [text for _, text in sentences], targets,
                                     config.index_dir / CACHE_FILE, progress)
    if not any(texts):
        return None, now, "the model gave no usable translation: questions are translated instead"
    return texts, now, ""


def _questions(config: Config, generator: Generator | None, chunks: Sequence[Chunk],
               progress: ProgressFactory | None) -> tuple[list[list[str]] | None, int, str]:
    """Per chunk the questions it answers (qa.index.questions), the model's answers to this build's requests,
    and a note when there are none."""
    if not config.index_questions or generator is None:
        return None, 0, ""
    if not question_languages(chunk.language for chunk in chunks):
        return None, 0, "no German or English chunk: no questions"
    if len(chunks) > config.index_questions_max_chunks:
        return None, 0, (f"{len(chunks)} chunks exceed index_questions_max_chunks "
                         f"({config.index_questions_max_chunks}): the index is built without questions")
    questions, now = write_questions(generator, chunks, [chunk.text for chunk in chunks],
                                     config.index_dir / QUESTIONS_CACHE, progress)
    if not any(questions):
        return None, now, "the model wrote no usable question: the index is built without questions"
    return questions, now, ""


def _embed_questions(embedder: Embedder, questions: list[list[str]], stored: dict[str, np.ndarray],
                     batch_size: int) -> ChunkQuestions:
    """The questions with their chunk positions and query vectors (a stored vector is reused)."""
    texts = [text for per_chunk in questions for text in per_chunk]
    owners = np.array([position for position, per_chunk in enumerate(questions) for _ in per_chunk], dtype=np.int64)
    missing = list({question_key(text): text for text in texts if question_key(text) not in stored}.values())
    size = max(1, batch_size)
    for start in range(0, len(missing), size):
        batch = missing[start:start + size]
        for text, vector in zip(batch, embedder.embed_queries(batch)):
            stored[question_key(text)] = vector
    vectors = np.vstack([stored[question_key(text)] for text in texts]).astype(np.float32)
    return ChunkQuestions(tuple(texts), owners, vectors)


def build_index(
    config: Config,
    embedder: Embedder,
    progress: ProgressFactory | None = None,
    generator: Generator | None = None,
    translate_progress: ProgressFactory | None = None,
) -> BuildReport:
    """Build or update the index for `config.seeds_dir` into `config.index_dir`.

    Args:
        config: settings (seeds and index folders, chunking).
        embedder: embeds passages whose vector is not already stored.
        progress: optional wrapper for the batch loop, e.g. a tqdm factory `(iterable, total)`.
        generator: the model that translates each sentence into the collection's other language
            (`config.translate_index`; qa.index.translations) and writes the questions each chunk answers
            (`config.index_questions`; qa.index.questions); None builds without either.
        translate_progress: a progress wrapper for the model's loops (default: `progress`).
    Returns:
        A BuildReport. Raises NoDocumentsError when nothing can be indexed.
    """
    started = time.perf_counter()
    documents, skipped = load_documents(config.seeds_dir, config.metadata_file, config.max_document_bytes,
                                         config.follow_symlinks_outside_seeds)
    if not documents:
        raise NoDocumentsError(
            f"No loadable .txt or .md document in {config.seeds_dir}.",
            hint="Put UTF-8 text files into the seeds folder, then run `qa index`.",
        )
    settings = index_settings(config, embedder)
    old_manifest = read_manifest_quietly(config)
    chunks = [chunk for document in documents for chunk in _chunks(document, config)]
    sentences = document_sentences(documents, chunks)
    translated_texts, translated_now, translation_note = _translate(config, generator, chunks, sentences,
                                                                     translate_progress or progress)
    chunk_translations = ([chunk_translation(rows, translated_texts) for rows in _chunk_rows(chunks, sentences)]
                          if translated_texts is not None else [])
    written, questions_now, questions_note = _questions(config, generator, chunks, translate_progress or progress)
    texts = [index_text(chunk) for chunk in chunks] + [text for _, text in sentences]
    keys = [embed_key(text) for text in texts[: len(chunks)]] + [sentence_key(text) for _, text in sentences]
    extra_texts = [text for text in translated_texts or [] if text] + [text for text in chunk_translations if text]
    extra_keys = [sentence_key(text) for text in translated_texts or [] if text] + [
        embed_key(text) for text in chunk_translations if text]
    stored = _previous_vectors(config, settings)
    missing = _embed_missing(embedder, texts + extra_texts, keys + extra_keys, stored, config.embed_batch_size,
                             progress)
    vectors = np.vstack([stored[key] for key in keys[: len(chunks)]]).astype(np.float32)
    sentence_vectors = np.vstack([stored[key] for key in keys[len(chunks):]] or
                                 [np.zeros((0, vectors.shape[1]))]).astype(np.float32)
    chunks_embedded = sum(1 for position in missing if position < len(chunks))
    translated = (_translated(translated_texts, chunk_translations, stored, vectors, sentence_vectors)
                  if translated_texts is not None else None)
    questions = (_embed_questions(embedder, written, stored, config.embed_batch_size)
                 if written is not None else None)
    old_documents = (old_manifest or {}).get("documents", {})
    manifest = _manifest(settings, documents, chunks, skipped)
    if translated is not None:
        manifest["translations"] = {"model": generator.name if generator else "",
                                    "sentences": sum(1 for text in translated.sentence_texts if text)}
    if questions is not None:
        # beside the "questions" setting (index_settings), which index_status compares, not in its place
        manifest["questions_written"] = {"model": generator.name if generator else "", "count": len(questions.texts)}
    build = _new_build_folder(config.index_dir)
    live = str((old_manifest or {}).get("milvus", {}).get("collection", ""))
    milvus = _milvus_build(config, live)
    try:
        if milvus is not None:  # the idle colour only; the collection the current index names is not touched
            manifest["milvus"] = milvus.write(chunks, keys[: len(chunks)], vectors, [span for span, _ in sentences],
                                              keys[len(chunks):], sentence_vectors, settings["embedder"])
        _write_build(build, manifest, documents, chunks, keys[: len(chunks)], vectors, sentences, sentence_vectors,
                     config, milvus, translated, questions)
        if milvus is not None:
            milvus.publish()
        _swap_in(config.index_dir, build)
    except BaseException as error:
        shutil.rmtree(build, ignore_errors=True)  # the previous build stays current
        if isinstance(error, OSError):
            raise _write_error(config.index_dir, error) from error
        raise
    if milvus is not None:
        milvus.drop_legacy(keep=live)
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
        sentences_embedded=sum(1 for position in missing if len(chunks) <= position < len(texts)),
        removed_documents=tuple(sorted(set(old_documents) - {document.id for document in documents})),
        changed_documents=changed,
        skipped=tuple(skipped),
        seconds=time.perf_counter() - started,
        path=build,
        translated=sum(1 for text in translated.sentence_texts if text) if translated else 0,
        translated_now=translated_now,
        translation_note=translation_note,
        questions=len(questions.texts) if questions else 0,
        questions_now=questions_now,
        questions_note=questions_note,
    )


def _chunk_rows(chunks: Sequence[Chunk], sentences: Sequence[tuple[SentenceSpan, str]]) -> list[list[int]]:
    """For each chunk the rows of `sentences` inside it."""
    by_document: dict[str, list[int]] = {}
    for row, (span, _) in enumerate(sentences):
        by_document.setdefault(span.document_id, []).append(row)
    return [[row for row in by_document.get(chunk.document_id, [])
             if chunk.start <= sentences[row][0].start and sentences[row][0].end <= chunk.end] for chunk in chunks]


def _translated(sentence_texts: list[str], chunk_texts: list[str], stored: dict[str, np.ndarray],
                vectors: np.ndarray, sentence_vectors: np.ndarray) -> Translations:
    """The translations with their vectors in row order; a row without a translation keeps its original's."""
    sentence_rows = np.array(sentence_vectors, dtype=np.float32, copy=True)
    for row, text in enumerate(sentence_texts):
        if text:
            sentence_rows[row] = stored[sentence_key(text)]
    chunk_rows = np.array(vectors, dtype=np.float32, copy=True)
    for position, text in enumerate(chunk_texts):
        if text:
            chunk_rows[position] = stored[embed_key(text)]
    return Translations(tuple(sentence_texts), tuple(chunk_texts), sentence_rows, chunk_rows)


def _milvus_build(config: Config, live: str) -> MilvusBuild | None:
    """The Milvus side of a build with `store = "milvus"`, next to the `live` collection (connected now, so a
    dead server fails first)."""
    if config.store != "milvus":
        return None
    from qa.index.milvus import MilvusBuild

    return MilvusBuild(config, live)


def _write_error(index_dir: Path, error: OSError) -> IndexWriteError:
    """The error for a failed write: what happened, that the old index still serves, and how to fix it."""
    kept = "The previous index is still in use." if (index_dir / CURRENT).exists() else "No index was written."
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = f"Free disk space where {index_dir} lives (or set index_dir to a folder on a larger disk), then run `qa index`."
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = f"Make {index_dir} writable (or set index_dir to a writable folder), then run `qa index`."
    else:
        hint = "Fix the cause above, then run `qa index` again."
    return IndexWriteError(f"Writing the index to {index_dir} failed: {error.strerror or error}. {kept}", hint=hint)


def _chunks(document: Document, config: Config) -> list[Chunk]:
    return chunk_document(document, config.chunk_words, config.chunk_overlap_sentences, config.chunk_max_words)


def _embed_missing(embedder: Embedder, texts: Sequence[str], keys: Sequence[str], stored: dict[str, np.ndarray],
                   batch_size: int, progress: ProgressFactory | None) -> list[int]:
    """Embed the texts whose key has no stored vector (each key once) into `stored`; returns their positions."""
    missing = list({key: position for position, key in enumerate(keys) if key not in stored}.values())
    batch = max(1, batch_size)
    batches = range(0, len(missing), batch)
    for start in progress(batches, len(batches)) if progress else batches:
        positions = missing[start:start + batch]
        for position, vector in zip(positions, embedder.embed_passages([texts[p] for p in positions])):
            stored[keys[position]] = vector
    return missing


def _manifest(settings: dict[str, Any], documents: Sequence[Document], chunks: Sequence[Chunk],
              skipped: Sequence[SkippedFile]) -> dict[str, Any]:
    """The manifest of a new build (the file checksums are added when the files are written)."""
    return {
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


def _new_build_folder(index_dir: Path) -> Path:
    """A fresh, unique `build-<time>` path inside `index_dir` (created by `_write_build`)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    return index_dir / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9:09d}"
