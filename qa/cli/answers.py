"""The answering commands: `qa ask`, `qa chat` and `qa eval` (which lives in qa.evaluate.command).

The draft streams to the terminal's stderr marked as unchecked; the checked
answer and its numbered sources are printed once it is done. Leaves out:
answering itself (qa.pipeline) and the evaluation (qa.evaluate).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.cli.common import command, make_pipeline, print_json, progress_bar
from qa.config import Config
from qa.errors import QAError
from qa.types import Answer, Message

if TYPE_CHECKING:
    from qa.pipeline import Pipeline


def answer_record(answer: Answer) -> dict[str, Any]:
    """The full Answer as JSON-ready data (used by `ask --json`)."""
    return asdict(answer)


def load_history(path: str | None) -> list[Message]:
    """The earlier turns from a JSON file of {role, content} objects (none without a path)."""
    if not path:
        return []
    try:
        turns = json.loads(Path(path).read_text(encoding="utf-8"))
        return [Message(str(turn["role"]), str(turn["content"])) for turn in turns]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise QAError(f"Cannot read the history file {path}: {error}",
                      hint='Give a JSON list of {"role": "user"|"assistant", "content": "..."} objects.') from error


def print_sources(answer: Answer) -> None:
    """The cited passages (or the closest three of a refusal) and any unsupported sentences."""
    cited = {citation.number: citation for citation in answer.citations}
    if answer.refused:
        print("\nClosest passages:" if answer.passages else "")
        shown = list(answer.passages[:3])
    else:
        print("\nSources:")
        shown = [p for p in answer.passages if p.number in cited]
    for passage in shown:
        citation = cited.get(passage.number)
        excerpt = citation.evidence if citation and citation.evidence else " ".join(passage.text.split())
        print(f"[{passage.number}] {passage.where} ({passage.chunk.document_id})")
        print(f"    {excerpt[:400]}{'…' if len(excerpt) > 400 else ''}")
    for check in answer.sentences:
        if not check.supported:
            print(f"(!) not supported by the sources: {check.sentence}")


def _stream_answer(pipeline: Pipeline, question: str, history: list[Message], args: argparse.Namespace,
                   show_draft: bool) -> Answer:
    from qa.answer.events import Done, Redrafting, Retrieved, Token

    answer = None
    for event in pipeline.answer_stream(question, history, language=args.language, top_k=args.k):
        if isinstance(event, Retrieved) and not args.json:
            if event.standalone_question != question:
                print(f"(understood as: {event.standalone_question})", file=sys.stderr)
            if show_draft:
                print("(draft, being checked) ", end="", file=sys.stderr, flush=True)
        elif isinstance(event, Token) and show_draft:
            print(event.text, end="", file=sys.stderr, flush=True)
        elif isinstance(event, Redrafting) and show_draft:
            print("\n(the draft did not pass the check; asking the model once more)", end="", file=sys.stderr,
                  flush=True)
        elif isinstance(event, Done):
            answer = event.answer
    assert answer is not None
    return answer


def ask_once(pipeline: Pipeline, question: str, history: list[Message], args: argparse.Namespace) -> Answer:
    """Answer one question: stream the draft (terminal only), then print the answer and sources, or JSON."""
    # The draft streams to the terminal (stderr) marked as unchecked; the checked answer is printed once.
    show_draft = not args.json and sys.stderr.isatty()
    answer = _stream_answer(pipeline, question, history, args, show_draft)
    if args.json:
        print_json(answer_record(answer))
        return answer
    if show_draft:
        print("\n", file=sys.stderr)
    print(answer.text)
    print_sources(answer)
    t = answer.timings
    print(f"\n(retrieval {t.retrieval_s:.2f} s, first token {t.first_token_s:.1f} s, total {t.total_s:.1f} s)",
          file=sys.stderr)
    return answer


@command("ask")
def run_ask(args: argparse.Namespace, config: Config) -> int:
    """`qa ask QUESTION [--language L] [--history FILE] [--json]`."""
    pipeline = make_pipeline(config)
    pipeline.ensure_index(progress=progress_bar("Embedding"),
                         translate_progress=progress_bar("Asking the model (translations, questions)"))
    ask_once(pipeline, args.question, load_history(args.history), args)
    return 0


@command("chat")
def run_chat(args: argparse.Namespace, config: Config) -> int:
    """`qa chat`: questions from stdin with the chat history, until an empty line or Ctrl-D."""
    pipeline = make_pipeline(config)
    pipeline.ensure_index(progress=progress_bar("Embedding"),
                         translate_progress=progress_bar("Asking the model (translations, questions)"))
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
            answer = ask_once(pipeline, question, history, args)
        except QAError as error:
            print(f"error: {error}", file=sys.stderr)
            continue
        history += [Message("user", question), Message("assistant", answer.text)]


@command("eval")
def run_eval(args: argparse.Namespace, config: Config) -> int:
    """`qa eval …`: parsed and run by qa.evaluate.command."""
    from qa.evaluate.command import run_eval_command

    return run_eval_command(args, config)
