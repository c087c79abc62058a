"""`qa eval --workers N`: N questions at once give the same results as a serial run, in the same order.

The answers come through the "openai" generator from two fake servers on
loopback (tests/openai_fake.py) whose model holds the first question longest,
so in parallel the answers finish out of order.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openai_fake import FakeOpenAIServer
from test_evaluate import QUESTIONS

from qa.config import Config
from qa.evaluate.command import add_eval_arguments, run_eval_command
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Stream
from qa.types import Message


class SlowFirstQuestion:
    """The extractive fake, slower on the first question; counts how many answers run at once."""

    name = "slow-first"

    def __init__(self) -> None:
        self.inner = ExtractiveGenerator()
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(0.6 if "NATO gegründet" in messages[-1].content else 0.2)
            yield from self.inner.stream(messages, max_tokens=max_tokens, stop=stop)
        finally:
            with self._lock:
                self.running -= 1


def _run(tmp_path: Path, config: Config, name: str, workers: int) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in QUESTIONS), encoding="utf-8")
    out = tmp_path / name
    assert run_eval_command(parser.parse_args([str(questions), "--out", str(out), "--workers", str(workers)]), config) == 0
    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in records:
        del record["timings"], record["tokens_per_s"]
    return records


def test_workers_give_the_serial_results_in_the_serial_order(tmp_path: Path, fake_config: Config) -> None:
    model = SlowFirstQuestion()
    with FakeOpenAIServer(model) as first, FakeOpenAIServer(model) as second:
        config = fake_config.replace(min_dense_score=0.3, generator="openai", openai_model="fake-model",
                                     openai_base_url=f"{first.url},{second.url}")
        serial = _run(tmp_path, config, "serial", workers=1)
        assert model.most_at_once == 1
        started = time.monotonic()
        parallel = _run(tmp_path, config, "parallel", workers=2)
        parallel_s = time.monotonic() - started
    assert model.most_at_once == 2
    assert [r["id"] for r in parallel] == [q["id"] for q in QUESTIONS]
    assert parallel == serial
    assert any(not r["refused"] and r["correct"] for r in parallel)
    # both servers answered in the parallel run
    assert first.requests and second.requests
    assert parallel_s < 10
