"""What every command of the CLI shares: the command registry, the pipeline factory, progress bars and JSON output.

Leaves out: the commands themselves (qa.cli.corpus, qa.cli.answers,
qa.cli.check) and the argument parser (qa.cli.parser).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from qa.config import Config

if TYPE_CHECKING:
    from qa.pipeline import Pipeline

CommandFunction = Callable[[argparse.Namespace, Config], int]
Progress = Callable[[Iterable[object], int], Iterable[object]]

COMMANDS: dict[str, CommandFunction] = {}


def command(name: str) -> Callable[[CommandFunction], CommandFunction]:
    """Register the decorated function as the handler of `qa <name>`."""

    def register(function: CommandFunction) -> CommandFunction:
        COMMANDS[name] = function
        return function

    return register


def progress_bar(description: str) -> Progress:
    """A tqdm progress bar on stderr for the index build's batches."""
    from tqdm import tqdm

    unit = "sentence" if description.startswith("Translating") else "batch"
    return lambda iterable, total: tqdm(iterable, total=total, desc=description, unit=unit, file=sys.stderr)


def make_pipeline(config: Config) -> Pipeline:
    """The one Pipeline of a command (imported lazily: `qa --help` loads nothing heavy)."""
    from qa.pipeline import Pipeline

    return Pipeline(config)


def print_json(value: object) -> None:
    """Print `value` as indented JSON (non-ASCII kept, unknown types as strings)."""
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))
