"""The commands about the documents and the index: `qa index`, `qa ingest` and `qa search`.

Each builds the pipeline, calls it and prints text (or JSON for search).
Leaves out: answering (qa.cli.answers), the status report (qa.cli.check)
and the work itself (qa.pipeline, qa.ingest, qa.index).
"""

from __future__ import annotations

import argparse
import sys

from qa.cli.common import command, make_pipeline, print_json, progress_bar
from qa.config import Config
from qa.types import Hit, title_and_section

HitRecord = dict[str, str | int | float | bool | None]


@command("index")
def run_index(args: argparse.Namespace, config: Config) -> int:
    """`qa index [--if-stale]`: build or update the index and report what was embedded or reused."""
    pipeline = make_pipeline(config)
    status = pipeline.status()
    if args.if_stale and not status.stale:
        print(f"Index is up to date ({status.documents} documents, {status.chunks} chunks).")
        return 0
    for reason in status.reasons:
        print(f"- {reason}", file=sys.stderr)
    report = pipeline.build(progress=progress_bar("Embedding"),
                         translate_progress=progress_bar("Asking the model (translations, questions)"))
    print(
        f"Indexed {report.documents} documents, {report.chunks} chunks "
        f"({report.embedded} embedded, {report.reused} reused) and {report.sentences} sentences "
        f"({report.sentences_embedded} embedded) in {report.seconds:.1f} s → {config.index_dir}"
    )
    if report.translated or report.translation_note:
        print(f"Translations: {report.translated} sentences ({report.translated_now} translated now)"
              + (f"; {report.translation_note}" if report.translation_note else ""))
    if report.questions or report.questions_note:
        print(f"Questions: {report.questions} for the chunks ({report.questions_now} model requests now)"
              + (f"; {report.questions_note}" if report.questions_note else ""))
    for skipped in report.skipped:
        print(f"warning: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    if report.removed_documents:
        print(f"Removed from the index: {', '.join(report.removed_documents)}")
    return 0


@command("ingest")
def run_ingest(args: argparse.Namespace, config: Config) -> int:
    """`qa ingest [--verbose]`: load and clean the documents and show what cleaning removed."""
    from qa.ingest.documents import format_report, load_documents

    documents, skipped = load_documents(config.seeds_dir, config.metadata_file, config.max_document_bytes,
                                         config.follow_symlinks_outside_seeds)
    print(format_report(documents, skipped, verbose=args.verbose))
    return 0


def hit_record(hit: Hit, titles: dict[str, str]) -> HitRecord:
    """One search hit as JSON-ready data (scores, ranks, document, chunk position and text)."""
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 5),
        "dense_score": hit.dense_score,
        "dense_rank": hit.dense_rank,
        "bm25_score": hit.bm25_score,
        "bm25_rank": hit.bm25_rank,
        "document_id": chunk.document_id,
        "title": titles.get(chunk.document_id, chunk.document_id),
        "section": chunk.section,
        "chunk_id": chunk.id,
        "start": chunk.start,
        "end": chunk.end,
        "language": chunk.language,
        "is_footnote": chunk.is_footnote,
        "text": chunk.text,
    }


@command("search")
def run_search(args: argparse.Namespace, config: Config) -> int:
    """`qa search QUESTION [-k N] [--mode M] [--json]`: the ranked passages with title, section and score."""
    pipeline = make_pipeline(config)
    pipeline.ensure_index(rebuild=not args.no_rebuild, progress=progress_bar("Embedding"),
                         translate_progress=progress_bar("Asking the model (translations, questions)"))
    hits = pipeline.search(args.question, top_k=args.k, mode=args.mode)
    titles = {doc_id: doc.title for doc_id, doc in pipeline.index.documents.items()}
    if args.json:
        print_json({"question": args.question, "mode": args.mode, "hits": [hit_record(hit, titles) for hit in hits]})
        return 0
    for hit in hits:
        chunk = hit.chunk
        where = title_and_section(titles.get(chunk.document_id, chunk.document_id), chunk.section)
        footnote = " [footnote]" if chunk.is_footnote else ""
        print(f"[{hit.rank}] {round(hit.score, 5):.4f}  {where}{footnote}  ({chunk.document_id})")
        text = " ".join(chunk.text.split())
        print(f"    {text[:300]}{'…' if len(text) > 300 else ''}\n")
    return 0
