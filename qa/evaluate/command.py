"""The `qa eval` command: its flags, and running a question set or comparing two runs from them.

Registered by qa.cli, which calls `add_eval_arguments` and `run_eval_command`;
the heavy modules load only when the command runs. Leaves out: the evaluation
itself (qa.evaluate.run) and the other commands (qa.cli).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from qa.config import Config
from qa.evaluate.questions import load_questions


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the flags of `qa eval` to `parser`."""
    parser.add_argument("questions", nargs="?", type=Path, help="question set, JSON Lines (e.g. eval/questions.jsonl)")
    parser.add_argument("--out", type=Path, help="output folder (default runs/<timestamp>); a run there is resumed")
    parser.add_argument("--no-resume", action="store_true", help="ignore earlier results in --out and start afresh")
    parser.add_argument("--limit", type=int, help="ask only the first N valid questions")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"),
                        help="compare two run folders instead of running")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="answer N questions at once (with N model servers: --generator openai and N base URLs); "
                             "same results as a serial run apart from timings")
    parser.add_argument("--draft-cache", type=Path, metavar="FILE",
                        help="replay the model's drafts recorded in FILE for identical prompts and record new ones "
                             "(measures changes after generation with the drafts held fixed; timings are then 0)")


def run_eval_command(args: argparse.Namespace, config: Config) -> int:
    """`qa eval`: run the question set (or compare two runs) and print the summary table."""
    from qa.evaluate.compare import compare
    from qa.evaluate.report import format_summary
    from qa.evaluate.run import run_eval
    from qa.pipeline import Pipeline

    if args.compare:
        print(compare(*args.compare))
        return 0
    if args.questions is None:
        print("error: give a question file, e.g. `qa eval eval/questions.jsonl`, or --compare OLD NEW",
              file=sys.stderr)
        return 2
    questions, problems = load_questions(args.questions)
    for problem in problems:
        print(f"warning: {args.questions}: {problem} (skipped)", file=sys.stderr)
    if not questions:
        print(f"error: {args.questions} holds no valid question", file=sys.stderr)
        return 2
    questions = questions[: args.limit] if args.limit else questions
    out_dir = args.out or Path("runs") / datetime.now().strftime("%Y%m%d-%H%M%S")
    from qa.models.cached import CachedGenerator
    from qa.models.generator import build_generator

    generator = CachedGenerator(build_generator(config), args.draft_cache) if args.draft_cache else None
    pipeline = Pipeline(config, generator=generator)
    pipeline.ensure_index()
    try:
        summary = run_eval(pipeline, questions, out_dir, resume=not args.no_resume, question_file=args.questions,
                           workers=max(1, args.workers))
    except KeyboardInterrupt:
        print(f"interrupted; continue with: qa eval {args.questions} --out {out_dir}", file=sys.stderr)
        return 130
    print(format_summary(summary))
    if isinstance(generator, CachedGenerator):
        print(f"draft cache {args.draft_cache}: {generator.hits} replayed, {generator.misses} generated")
    for warning in summary["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"\nWrote {out_dir / 'results.jsonl'}, {out_dir / 'summary.json'} and {out_dir / 'report.html'}")
    return 0
