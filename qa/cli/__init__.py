"""Command line: `python -m qa` / `qa` with index, ingest, search, ask, chat, eval and check.

Thin edge: parses flags into Config overrides, calls the pipeline and renders
text or JSON. QAError becomes a message with its hint and the error's exit
code; nothing else is decided here. The package is split by command group:
`parser` (flags), `common` (registry, pipeline, JSON), `corpus` (index,
ingest, search), `answers` (ask, chat, eval) and `check`. Leaves out: the
web chat's flags beyond the shared model flags (app.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from qa.cli import answers, check, corpus  # noqa: F401  (importing them registers their commands)
from qa.cli.answers import answer_record
from qa.cli.common import COMMANDS
from qa.cli.parser import CONFIG_FLAGS, add_model_flags, build_parser
from qa.config import load_config
from qa.errors import QAError, format_error

__all__ = ["COMMANDS", "add_model_flags", "answer_record", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    overrides = {key: getattr(args, key, None) for key in CONFIG_FLAGS}
    try:
        config = load_config(Path.cwd(), overrides=overrides)
        return COMMANDS[args.command](args, config)
    except QAError as error:
        print(format_error(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted; the previous index (if any) is unchanged", file=sys.stderr)
        return 130
