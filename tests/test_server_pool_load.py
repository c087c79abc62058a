"""benchmarks/server_pool_load.py on stand-ins, and the llama.cpp server's flags (fast).

The benchmark runs the app on the `openai` generator over two tests/openai_fake.py servers (the extractive
fake behind the OpenAI API, slowed down) with the hashing embedder and the tiny seeds, as it runs it over
real llama.cpp servers: every user's requests are answered, two at once, and each request's first token is
joined with the app's own timing of it. Leaves out: the figures on the real model (README, "Many users").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import write_seeds
from openai_fake import FakeOpenAIServer, SlowCountingModel

from qa.models.llama_server import server_arguments

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import server_pool_load  # noqa: E402

QUESTIONS = ["Wann wurde die NATO gegründet?", "Who backed Rutte's candidacy for NATO Secretary General?",
             "Wo liegt das Hauptquartier der NATO?", "Wie viele Beschäftigte arbeiteten 2023 im Internationalen Sekretariat?"]


def test_four_users_over_two_servers_are_answered_two_at_once_with_first_token_times(tmp_path: Path) -> None:
    seeds = write_seeds(tmp_path / "seeds")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"question": q}) + "\n" for q in QUESTIONS), encoding="utf-8")
    model = SlowCountingModel()
    with FakeOpenAIServer(model) as first, FakeOpenAIServer(model) as second:
        assert server_pool_load.main(["--base-url", f"{first.url},{second.url}", "--model", "fake-model", "--users", "4",
                                      "--questions", "1", "--questions-file", str(questions), "--embedder", "hashing",
                                      "--seeds", str(seeds), "--index", str(tmp_path / "no-index"), "--json",
                                      str(tmp_path / "figures.json")]) == 0
    result = json.loads((tmp_path / "figures.json").read_text(encoding="utf-8"))
    figures = result["figures"]
    assert figures["servers"] == 2 and figures["requests"] == figures["answered"] == 4 and figures["errors"] == 0
    assert sorted(request["question"] for request in result["requests"]) == sorted(QUESTIONS)  # each asked once
    assert model.most_at_once == 2  # the app's queue runs one answer per server
    answered = [a for a in result["answers"] if a["timings"]["first_token_s"] > 0]
    assert answered and figures["first_token_answer_s"]["p50"] >= 0.3  # the fake's own wait before its first piece
    assert figures["first_token_user_s"]["p50"] >= figures["first_token_answer_s"]["p50"]  # plus the queue
    assert figures["latency_s"]["max"] >= figures["first_token_user_s"]["max"]
    assert figures["completion_tokens_per_s"] > 0 and figures["interrupted_streams"] is None


def test_the_llama_server_waits_instead_of_cutting_a_stream_short() -> None:
    """llama_cpp.server's interrupt_requests would end a streaming answer early when a second request reaches
    the same process (the answer then fails as cut off); qa.models.llama_server turns it off unless told otherwise."""
    arguments = server_arguments(["--model", "model.gguf", "--port", "8001"])
    assert arguments[arguments.index("--interrupt_requests") + 1] == "false"
    assert arguments[arguments.index("--model_alias") + 1] == "model"
    given = server_arguments(["--model", "model.gguf", "--interrupt_requests", "true"])
    assert given.count("--interrupt_requests") == 1 and "true" in given
