"""`qa eval --workers N`: N questions at once give the same results as a serial run, in the same order.

The answers come through the "openai" generator from two fake servers on
loopback (tests/openai_fake.py) whose model holds the first question longest,
so in parallel the answers finish out of order.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from openai_fake import FakeOpenAIServer, SlowCountingModel
from test_evaluate import QUESTIONS

from qa.config import Config
from qa.evaluate.command import add_eval_arguments, run_eval_command


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
    model = SlowCountingModel(lambda prompt: 0.6 if "NATO gegründet" in prompt else 0.2)  # slower first question
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
