"""Load the seed documents: read, clean, attach metadata, and report what cleaning did.

`load_documents` reads every *.txt and *.md file of the seeds folder in name
order, cleans it with the rules of `qa.ingest.cleaning.rules` and attaches the metadata of
`sources.toml` (title, publisher, date, language, url per file name). A file
that cannot be used becomes a `SkippedFile` with a reason that names it;
the others still load. Also skipped: a file over `max_bytes` (checked before
reading, so a 30 MB dump costs nothing) and a symlink that resolves outside
the seeds folder (unless `follow_symlinks_outside`), so a link can never pull
a file from elsewhere on the machine into the index. A dangling symlink is
reported, never silently ignored. `format_report` renders the ingest report
of `qa ingest`.

Left out on purpose: the cleaning rules themselves (qa.ingest.cleaning.rules), chunking
(qa.ingest.chunking) and any caching: loading five seed files takes milliseconds.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from qa.errors import ConfigError
from qa.ingest.cleaning.rules import clean_parts
from qa.text.language import SUPPORTED, detect_language
from qa.types import Block, Document, Removal, SkippedFile

__all__ = ["clean_text", "content_hash", "format_report", "load_documents", "read_metadata"]

DOCUMENT_SUFFIXES = (".txt", ".md")
METADATA_KEYS = ("title", "publisher", "date", "language", "url", "authors")
DEFAULT_MAX_BYTES = 20_000_000
_SHORT = 90  # characters of removed text shown per item in the non-verbose report


def content_hash(raw: bytes) -> str:
    """Return the sha256 hex digest of a file's raw bytes."""
    return hashlib.sha256(raw).hexdigest()


def clean_text(raw: str) -> tuple[str, tuple[Block, ...], tuple[Removal, ...]]:
    """Clean raw text into the document text, its blocks and the removals.

    Rules are chosen by the shape of the text, never by which document it is.

    Returns:
        text: the blocks' texts joined by blank lines ("\\n\\n").
        blocks: every heading, paragraph and footnote in order, with offsets
            such that `text[block.start:block.end]` is the block's text, and
            the heading of the section it falls under. Footnotes come at the
            end of the section that cites them.
        removals: everything dropped, as (rule, text).
    """
    parts, removals = clean_parts(raw)
    blocks: list[Block] = []
    offset = 0
    for part in parts:
        start = offset + (2 if blocks else 0)
        blocks.append(Block(start, start + len(part.text), part.kind, part.section))
        offset = start + len(part.text)
    return "\n\n".join(part.text for part in parts), tuple(blocks), tuple(removals)


def read_metadata(path: Path) -> dict[str, dict[str, str]]:
    """Read `sources.toml`: one table per document file name.

    Args:
        path: the metadata file; a missing file means no metadata.
    Returns:
        document id -> {title, publisher, date, language, url, authors} (only the keys given; lists joined by ", ").
    Raises:
        ConfigError: the file is not valid TOML, or an entry is not a table or has an unknown language.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            f"Cannot read document metadata {path}: {error}",
            hint='Fix the file: one table per document, e.g. ["001.txt"] then title = "…", language = "de".',
        ) from error
    metadata: dict[str, dict[str, str]] = {}
    for document_id, entry in data.items():
        if not isinstance(entry, dict):
            raise ConfigError(
                f"Entry {document_id!r} in {path} is not a table.",
                hint=f'Write it as a table: ["{document_id}"] on its own line, then key = "value" lines.',
            )
        values = {
            key: ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            for key, value in entry.items()
            if key in METADATA_KEYS
        }
        if values.get("language", "de") not in SUPPORTED:
            raise ConfigError(
                f"Entry {document_id!r} in {path} has language {values['language']!r}.",
                hint=f"Use one of {', '.join(SUPPORTED)}, or leave language out to detect it.",
            )
        metadata[document_id] = values
    return metadata


def load_documents(seeds_dir: Path, metadata_file: str = "sources.toml", max_bytes: int = DEFAULT_MAX_BYTES,
                   follow_symlinks_outside: bool = False) -> tuple[list[Document], list[SkippedFile]]:
    """Load, clean and describe every *.txt and *.md file in `seeds_dir`, sorted by name.

    A file that is unreadable, binary (NUL bytes), not valid UTF-8, larger
    than `max_bytes`, a symlink out of `seeds_dir` (unless
    `follow_symlinks_outside`) or empty after cleaning becomes a SkippedFile
    whose reason names it; the others still load. A file without a metadata
    entry gets its file name as title, a detected language and an empty
    publisher and date.

    Raises:
        ConfigError: the metadata file exists but is broken.
    """
    seeds_dir = Path(seeds_dir)
    metadata = read_metadata(seeds_dir / metadata_file)
    if not seeds_dir.is_dir():
        return [], []
    paths = sorted(path for path in seeds_dir.iterdir()
                   if path.suffix.lower() in DOCUMENT_SUFFIXES and (path.is_file() or path.is_symlink()))
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    root = seeds_dir.resolve()
    for path in paths:
        refused = _refused(path, root, max_bytes, follow_symlinks_outside)
        loaded = refused or _load_one(path, metadata.get(path.name, {}))
        if isinstance(loaded, SkippedFile):
            skipped.append(loaded)
        else:
            documents.append(loaded)
    return documents, skipped


def _refused(path: Path, root: Path, max_bytes: int, follow_symlinks_outside: bool) -> SkippedFile | None:
    """A SkippedFile when `path` is a symlink out of `root` or larger than `max_bytes`, else None."""
    if path.is_symlink() and not follow_symlinks_outside and not path.resolve().is_relative_to(root):
        return SkippedFile(str(path), f"{path.name}: a symlink to {path.resolve()}, outside the seeds folder; "
                                      "copy the file into the seeds folder or set follow_symlinks_outside_seeds")
    try:
        size = path.stat().st_size
    except OSError as error:
        return SkippedFile(str(path), f"{path.name}: cannot be read ({error.strerror or error})")
    if size > max_bytes:
        return SkippedFile(str(path), f"{path.name}: {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:g} MB; "
                                      "split it into smaller files or raise max_document_bytes")
    return None


def _load_one(path: Path, entry: dict[str, str]) -> Document | SkippedFile:
    try:
        raw = path.read_bytes()
    except OSError as error:
        return SkippedFile(str(path), f"{path.name}: cannot be read ({error.strerror or error})")
    if b"\x00" in raw:
        return SkippedFile(str(path), f"{path.name}: binary file (contains NUL bytes), not text")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = f"{path.name}: not valid UTF-8 (bad byte at offset {error.start}); save it as UTF-8"
        return SkippedFile(str(path), reason)
    text, blocks, removed = clean_text(decoded)
    if not text.strip():
        return SkippedFile(str(path), f"{path.name}: no text left after cleaning")
    return Document(
        id=path.name,
        title=entry.get("title") or path.name,
        text=text,
        blocks=blocks,
        language=entry.get("language") or detect_language(text),
        content_hash=content_hash(raw),
        publisher=entry.get("publisher", ""),
        date=entry.get("date", ""),
        url=entry.get("url", ""),
        removed=removed,
        authors=entry.get("authors", ""),
    )


def format_report(documents: Sequence[Document], skipped: Sequence[SkippedFile], verbose: bool = False) -> str:
    """Render the ingest report: per document its metadata, sizes, block counts and removals by rule.

    Args:
        documents: the loaded documents.
        skipped: the files that could not be loaded.
        verbose: show every removed text in full instead of a few shortened examples per rule.
    """
    lines = [f"Ingested {len(documents)} documents, skipped {len(skipped)} files."]
    for document in documents:
        kinds = Counter(block.kind for block in document.blocks)
        removed_chars = sum(len(removal.text) for removal in document.removed)
        lines += [
            "",
            f"{document.id}: {document.title}",
            f"  language {document.language}, publisher {document.publisher or '-'}, date {document.date or '-'}",
            f"  characters: {len(document.text) + removed_chars} raw (approx.) -> {len(document.text)} clean, "
            f"{removed_chars} removed in {len(document.removed)} pieces",
            f"  blocks: {len(document.blocks)} ({kinds['heading']} headings, {kinds['paragraph']} paragraphs, "
            f"{kinds['footnote']} footnotes), sections: {len({block.section for block in document.blocks} - {''})}",
        ]
        lines += _removal_lines(document.removed, verbose)
    if skipped:
        lines += ["", "Skipped files:"] + [f"  {file.path}: {file.reason}" for file in skipped]
    return "\n".join(lines)


def _removal_lines(removed: Sequence[Removal], verbose: bool) -> list[str]:
    if not removed:
        return ["  removed: nothing"]
    by_rule: dict[str, list[str]] = {}
    for removal in removed:
        by_rule.setdefault(removal.rule, []).append(removal.text)
    lines = ["  removed:"]
    for rule, texts in by_rule.items():
        lines.append(f"    {rule} ({len(texts)}):")
        counts = Counter(texts)
        shown = list(counts.items()) if verbose else list(counts.items())[:3]
        for text, count in shown:
            flat = " ".join(text.split())
            flat = flat if verbose or len(flat) <= _SHORT else flat[: _SHORT - 1] + "…"
            lines.append(f"      “{flat}”" + (f" ×{count}" if count > 1 else ""))
        if len(counts) > len(shown):
            lines.append(f"      … and {len(counts) - len(shown)} more (use --verbose)")
    return lines
