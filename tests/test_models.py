"""Tests of qa.models: the generators, the model process, the llama internals and the model files.

Fast tests run the extractive fake (in-process and in the child process) and
assemble tiny fake model parts in tmp_path. The integration tests (marked)
stream from the real packaged model in the default cache folder, assembling it
there once if needed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa.config import Config, load_config
from qa.errors import ConfigError, ModelChecksumError, ModelCrashedError, ModelMissingError
from qa.models import llama_internals
from qa.models.extractive import ExtractiveGenerator
from qa.models.generator import Generator, Usage, build_generator, text_of
from qa.models.llama_cpp import LlamaCppGenerator
from qa.models.model_files import PackagedModel, ensure_model
from qa.models.process import ProcessGenerator, crash_error
from qa.types import Message

GERMAN_MESSAGE = (
    "Passagen:\n"
    "[1] (NATO-Chronik — Gründung) Die NATO wurde im Jahr 1949 in Washington gegründet. "
    "Ihr Hauptquartier liegt in Brüssel.\n"
    "[2] (NATO-Chronik — Sekretariat) Der Generalsekretär leitet das Internationale Sekretariat.\n"
    "Er ist auch der Personalchef der Allianz.\n"
    "\n"
    "Frage: Wer leitet das Internationale Sekretariat?"
)
ENGLISH_MESSAGE = (
    "Passages:\n"
    "[1] (Rutte — Career) Mark Rutte was Prime Minister of the Netherlands for more than 13 years.\n"
    "[2] (Rutte — Candidacy) Germany and Great Britain backed the candidacy.\n"
    "The United States backed Rutte's candidacy for NATO Secretary General as well.\n"
    "\n"
    "Question: Which country backed the candidacy of Rutte for Secretary General?"
)


def _stream(generator: Generator, content: str, **options: int) -> list[str]:
    """The text pieces of one answer; asserts that the stream ends with exactly one Usage."""
    messages = [Message("system", "Answer from the passages."), Message("user", content)]
    items = list(generator.stream(messages, max_tokens=options.get("max_tokens", 100)))
    assert isinstance(items[-1], Usage) and not any(isinstance(item, Usage) for item in items[:-1])
    return [item for item in items if isinstance(item, str)]


def _usage(generator: Generator, content: str, **options: int) -> Usage:
    messages = [Message("system", "Answer from the passages."), Message("user", content)]
    _, usage = text_of(generator.stream(messages, max_tokens=options.get("max_tokens", 100)))
    assert usage is not None
    return usage


# --- the extractive fake -----------------------------------------------------------------------------


def test_extractive_cites_the_passage_with_the_best_sentence() -> None:
    generator = ExtractiveGenerator()
    pieces = _stream(generator, GERMAN_MESSAGE)
    assert "".join(pieces) == "Der Generalsekretär leitet das Internationale Sekretariat. [2]"
    assert len(pieces) == 7  # streamed word by word
    usage = _usage(generator, GERMAN_MESSAGE)
    assert usage.completion_tokens == 7
    assert usage.prompt_tokens == len(GERMAN_MESSAGE.split()) + 4  # + the system message


def test_extractive_reads_wrapped_passage_lines_and_drops_the_source_label() -> None:
    answer = "".join(_stream(ExtractiveGenerator(), ENGLISH_MESSAGE))
    # The best sentence sits on the continuation line of passage [2].
    assert answer == "The United States backed Rutte's candidacy for NATO Secretary General as well. [2]"


def test_extractive_uses_the_last_user_message() -> None:
    messages = [
        Message("user", ENGLISH_MESSAGE),
        Message("assistant", "Germany and Great Britain backed the candidacy. [2]"),
        Message("user", GERMAN_MESSAGE),
    ]
    answer, _ = text_of(ExtractiveGenerator().stream(messages, max_tokens=50))
    assert answer.endswith("Sekretariat. [2]")


@pytest.mark.parametrize(
    ("question_line", "refusal"),
    [
        ("Frage: Wie ist das Wetter morgen?", "In den Dokumenten finde ich dazu nichts."),
        ("Question: How is the weather tomorrow?", "The documents do not answer this."),
    ],
)
def test_extractive_refuses_in_the_question_language(question_line: str, refusal: str) -> None:
    message = GERMAN_MESSAGE.rsplit("\n", 1)[0] + "\n" + question_line
    assert "".join(_stream(ExtractiveGenerator(), message)) == refusal


def test_extractive_refusal_can_be_replaced() -> None:
    generator = ExtractiveGenerator(refusal={"de": "Nichts gefunden.", "en": "Nothing found."})
    assert "".join(_stream(generator, "[1] Alpha beta.\n\nFrage: Gamma delta?")) == "Nichts gefunden."


def test_extractive_is_deterministic_and_honours_max_tokens_and_stop() -> None:
    generator = ExtractiveGenerator()
    assert _stream(generator, ENGLISH_MESSAGE) == _stream(ExtractiveGenerator(), ENGLISH_MESSAGE)
    assert "".join(_stream(generator, ENGLISH_MESSAGE, max_tokens=3)) == "The United States"
    assert _usage(generator, ENGLISH_MESSAGE, max_tokens=3).completion_tokens == 3
    messages = [Message("user", ENGLISH_MESSAGE)]
    assert text_of(generator.stream(messages, max_tokens=50, stop=("Rutte",)))[0] == "The United States backed"


def test_extractive_usage_has_consistent_timings() -> None:
    usage = _usage(ExtractiveGenerator(), GERMAN_MESSAGE)
    assert usage.total_s >= usage.prompt_s >= 0.0


# --- assembling the packaged model from parts ---------------------------------------------------------


@pytest.fixture
def fake_parts(tmp_path: Path) -> tuple[PackagedModel, dict[str, Path]]:
    """Three tiny part files forming a fake GGUF, and the PackagedModel describing them."""
    contents = [b"GGUF" + bytes(range(256)) * 3, b"second part " * 50, b"\x00\xff tail"]
    folder = tmp_path / "site-packages"
    folder.mkdir()
    paths = {}
    for number, content in enumerate(contents, start=1):
        paths[f"fake_model_part{number}"] = folder / f"part{number:02}.bin"
        paths[f"fake_model_part{number}"].write_bytes(content)
    whole = b"".join(contents)
    packaged = PackagedModel("fake.gguf", len(whole), hashlib.sha256(whole).hexdigest(), tuple(paths))
    return packaged, paths


def _config(tmp_path: Path, **changes: str) -> Config:
    return load_config(tmp_path, overrides={"cache_dir": tmp_path / "cache", **changes}, environ={})


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", ".tmp")))


def test_ensure_model_assembles_and_verifies(tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]]) -> None:
    packaged, parts = fake_parts
    path = ensure_model(_config(tmp_path), packaged, parts.get)
    assert path == tmp_path / "cache" / "fake.gguf"
    assert path.read_bytes() == b"".join(p.read_bytes() for p in parts.values())
    assert (tmp_path / "cache" / "fake.gguf.verified").is_file()
    assert _leftovers(path.parent) == []


def test_ensure_model_reuses_a_verified_file_without_hashing(
    tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged, parts = fake_parts
    path = ensure_model(_config(tmp_path), packaged, parts.get)

    def no_hashing(_: Path) -> str:
        raise AssertionError("re-hashed a verified file")

    def no_parts(name: str) -> Path:
        raise AssertionError("looked for parts again")

    monkeypatch.setattr("qa.models.model_files._sha256_of", no_hashing)
    assert ensure_model(_config(tmp_path), packaged, no_parts) == path


def test_ensure_model_reverifies_a_touched_file_and_repairs_a_damaged_one(
    tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]]
) -> None:
    packaged, parts = fake_parts
    path = ensure_model(_config(tmp_path), packaged, parts.get)
    original = path.read_bytes()
    # Same size, different bytes, new mtime: the sidecar no longer vouches, the hash fails, it is rebuilt.
    path.write_bytes(b"X" * len(original))
    assert ensure_model(_config(tmp_path), packaged, parts.get).read_bytes() == original
    # Wrong size: rebuilt as well.
    path.write_bytes(b"GGUF")
    assert ensure_model(_config(tmp_path), packaged, parts.get).read_bytes() == original
    assert _leftovers(path.parent) == []


def test_ensure_model_rejects_a_checksum_mismatch_and_leaves_no_partial_file(
    tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]]
) -> None:
    packaged, parts = fake_parts
    wrong = PackagedModel(packaged.file_name, packaged.size, "0" * 64, packaged.part_modules)
    with pytest.raises(ModelChecksumError) as raised:
        ensure_model(_config(tmp_path), wrong, parts.get)
    assert raised.value.hint
    cache = tmp_path / "cache"
    assert not (cache / "fake.gguf").exists() and not (cache / "fake.gguf.verified").exists()
    assert _leftovers(cache) == []


def test_ensure_model_rejects_parts_of_the_wrong_size(
    tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]]
) -> None:
    packaged, parts = fake_parts
    parts["fake_model_part2"].write_bytes(b"truncated")
    with pytest.raises(ModelChecksumError, match="add up to"):
        ensure_model(_config(tmp_path), packaged, parts.get)


def test_ensure_model_names_missing_parts_and_the_fix(
    tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]]
) -> None:
    packaged, parts = fake_parts
    del parts["fake_model_part2"]
    with pytest.raises(ModelMissingError) as raised:
        ensure_model(_config(tmp_path), packaged, parts.get)
    assert "fake-model-part2" in raised.value.message and "part1" not in raised.value.message
    assert "make install" in raised.value.hint and "requirements-model.txt" in raised.value.hint


def test_ensure_model_assembles_once_when_called_concurrently(
    tmp_path: Path, fake_parts: tuple[PackagedModel, dict[str, Path]]
) -> None:
    packaged, parts = fake_parts
    lookups: list[str] = []

    def find_part(name: str) -> Path | None:
        lookups.append(name)
        return parts.get(name)

    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(ensure_model(_config(tmp_path), packaged, find_part)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert len(lookups) == len(packaged.part_modules)  # one assembly only


def test_model_path_must_be_a_gguf_file(tmp_path: Path) -> None:
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_text("<html>not a model</html>")
    for path in (not_gguf, tmp_path / "missing.gguf"):
        with pytest.raises(ModelMissingError) as raised:
            ensure_model(_config(tmp_path, model_path=str(path)))
        assert "model_path" in raised.value.hint
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert ensure_model(_config(tmp_path, model_path=str(gguf))) == gguf


# --- build_generator and import cost ---------------------------------------------------------------------


def test_build_generator_chooses_by_name(tmp_path: Path) -> None:
    assert isinstance(build_generator(_config(tmp_path, generator="extractive")), ExtractiveGenerator)
    with pytest.raises(ConfigError) as raised:
        build_generator(_config(tmp_path, generator="gpt"))
    assert "llama" in raised.value.hint and "extractive" in raised.value.hint
    not_gguf = tmp_path / "model.bin"
    not_gguf.write_text("nope")
    with pytest.raises(ModelMissingError):
        build_generator(_config(tmp_path, generator="llama", model_path=str(not_gguf)))


def test_the_llama_generator_runs_in_a_child_process(tmp_path: Path) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF" + b"\x00" * 64)
    generator = build_generator(_config(tmp_path, generator="llama", model_path=str(gguf)))
    assert isinstance(generator, ProcessGenerator)
    assert generator.pid is None  # nothing started or loaded yet


def test_an_unloadable_gguf_file_raises_model_missing_from_the_child(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    generator = build_generator(_config(tmp_path, generator="llama", model_path=str(broken)))
    try:
        with pytest.raises(ModelMissingError) as raised:
            generator.warm_up()
        assert "GGUF" in raised.value.hint
        assert generator.pid is not None  # the child reported the error and lives on
    finally:
        generator.close()


def test_importing_the_models_package_loads_no_llama_cpp() -> None:
    code = ("import sys, qa.models.generator, qa.models.process, qa.models.llama_cpp, qa.models.model_files; "
            "assert 'llama_cpp' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


# --- the model process, on the fake (fast) -----------------------------------------------------------------


@pytest.fixture
def fake_process() -> ProcessGenerator:
    generator = ProcessGenerator(Path("unused.gguf"), worker_settings={"generator": "extractive", "delay_s": 0.05},
                                 reply_timeout_s=20)
    yield generator
    generator.close()


def _wait_for(condition, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_the_child_streams_the_same_answer_and_usage_as_in_process(fake_process: ProcessGenerator) -> None:
    assert _stream(fake_process, GERMAN_MESSAGE) == _stream(ExtractiveGenerator(), GERMAN_MESSAGE)
    assert _usage(fake_process, GERMAN_MESSAGE).completion_tokens == 7
    assert fake_process.starts == 1  # one child served all three requests


def test_a_killed_child_costs_one_answer_and_the_next_one_is_answered(fake_process: ProcessGenerator) -> None:
    fake_process.warm_up()
    stream = fake_process.stream([Message("user", GERMAN_MESSAGE)], max_tokens=100)
    assert next(stream) == "Der"
    pid = fake_process.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(ModelCrashedError) as raised:
        list(stream)
    assert "SIGKILL" in raised.value.message and "next question" in raised.value.hint
    assert "".join(_stream(fake_process, GERMAN_MESSAGE)).endswith("[2]")  # a new child answers
    assert fake_process.starts == 2 and fake_process.pid != pid


def test_closing_a_stream_cancels_the_child_and_frees_it(fake_process: ProcessGenerator) -> None:
    stream = fake_process.stream([Message("user", ENGLISH_MESSAGE)], max_tokens=100)
    assert next(stream) == "The"
    started = time.monotonic()
    stream.close()
    assert time.monotonic() - started < 2.0  # cancelled after the current piece, not run to the end
    assert "".join(_stream(fake_process, GERMAN_MESSAGE)).startswith("Der Generalsekretär")
    assert fake_process.starts == 1  # cancelling did not cost the child


def test_a_silent_child_is_stopped_and_reported_as_hung() -> None:
    generator = ProcessGenerator(Path("unused.gguf"), worker_settings={"generator": "extractive", "delay_s": 5},
                                 reply_timeout_s=0.5)
    try:
        with pytest.raises(ModelCrashedError) as raised:
            list(generator.stream([Message("user", GERMAN_MESSAGE)], max_tokens=10))
        assert "sent nothing" in raised.value.message
        assert generator.pid is None
    finally:
        generator.close()


@pytest.mark.parametrize(("code", "words"), [(-signal.SIGSEGV, ("SIGSEGV", "make rebuild-llama", "avx")),
                                             (-signal.SIGILL, ("SIGILL", "make rebuild-llama")),
                                             (-signal.SIGKILL, ("SIGKILL", "out of memory")),
                                             (3, ("exit code 3", "qa check"))])
def test_crash_errors_name_the_signal_and_the_fix(code: int, words: tuple[str, ...]) -> None:
    error = crash_error(code)
    text = f"{error.message} {error.hint}"
    for word in words:
        assert word in text
    if code == -signal.SIGSEGV and not Path("/proc/cpuinfo").exists():
        pytest.skip("no /proc/cpuinfo to name the CPU features")


# --- the real packaged model ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llama_generator() -> LlamaCppGenerator:
    config = load_config(Path(__file__).resolve().parent.parent, environ={})  # not the caller's environment
    return LlamaCppGenerator(ensure_model(config), n_ctx=2048, n_threads=config.n_threads)


@pytest.mark.integration
def test_the_installed_llama_cpp_python_has_every_internal_the_prefix_cache_needs(
        llama_generator: LlamaCppGenerator) -> None:
    llama_generator.warm_up()
    assert llama_internals.missing_internals(llama_generator._model()) == []


@pytest.mark.integration
def test_llama_streams_a_german_answer(llama_generator: LlamaCppGenerator) -> None:
    messages = [
        Message("system", "Du bist ein hilfsbereiter Assistent. Antworte immer auf Deutsch in einem Satz."),
        Message("user", "Welche Farbe hat eine reife Zitrone? Verwende das Wort „für“."),
    ]
    text, usage = text_of(llama_generator.stream(messages, max_tokens=40))
    assert text.strip() and "\ufffd" not in text  # no broken multi-byte characters
    assert usage is not None
    assert usage.prompt_tokens > 20 and 0 < usage.completion_tokens <= 41
    assert 0 < usage.prompt_s <= usage.total_s


@pytest.mark.integration
def test_llama_stops_when_the_stream_is_closed(llama_generator: LlamaCppGenerator) -> None:
    messages = [Message("user", "Zähle auf Deutsch von eins bis hundert, ein Wort pro Zeile.")]
    stream = llama_generator.stream(messages, max_tokens=200)
    first = [next(stream), next(stream)]
    stream.close()
    assert all(isinstance(piece, str) and piece for piece in first)
    # The lock was released: the next request runs at once.
    assert text_of(llama_generator.stream(messages, max_tokens=3))[0]


@pytest.mark.integration
def test_llama_answers_do_not_depend_on_the_previous_question(llama_generator: LlamaCppGenerator) -> None:
    system = Message("system", "Antworte auf Deutsch in einem kurzen Satz.")
    first = [system, Message("user", "Was ist die Hauptstadt von Frankreich?")]
    second = [system, Message("user", "Wie viele Beine hat eine Spinne?")]
    answer = text_of(llama_generator.stream(first, max_tokens=30))[0]
    text_of(llama_generator.stream(second, max_tokens=30))  # the system turn stays cached, the rest is replaced
    assert text_of(llama_generator.stream(first, max_tokens=30))[0] == answer


@pytest.mark.integration
def test_llama_restores_a_saved_prefix_with_the_same_answer(llama_generator: LlamaCppGenerator) -> None:
    german = [Message("system", "Antworte auf Deutsch in einem kurzen Satz."), Message("user", "Wie viele Beine hat ein Hund?")]
    english = [Message("system", "Answer in English in one short sentence."), Message("user", "How many legs has a cat?")]
    answer = text_of(llama_generator.stream(german, max_tokens=20))[0]
    evaluations = llama_generator.prefix_evaluations
    text_of(llama_generator.stream(english, max_tokens=20))  # another system prompt: evaluated and saved
    assert llama_generator.prefix_evaluations == evaluations + 1
    again = text_of(llama_generator.stream(german, max_tokens=20))[0]  # restored from the saved KV cells
    assert llama_generator.prefix_evaluations == evaluations + 1
    assert again == answer


@pytest.mark.integration
def test_the_model_process_gives_the_in_process_answer_and_survives_a_kill(llama_generator: LlamaCppGenerator) -> None:
    messages = [Message("system", "Antworte auf Deutsch in einem kurzen Satz."),
                Message("user", "Was ist die Hauptstadt von Frankreich?")]
    expected = text_of(llama_generator.stream(messages, max_tokens=30))[0]
    generator = ProcessGenerator(llama_generator.model_path, n_ctx=2048, n_threads=llama_generator.n_threads)
    try:
        stream = generator.stream(messages, max_tokens=30)
        next(stream)
        os.kill(generator.pid or 0, signal.SIGKILL)
        with pytest.raises(ModelCrashedError):
            list(stream)
        assert text_of(generator.stream(messages, max_tokens=30))[0] == expected
        speed = generator.speed()
        assert speed["prompt_tokens_per_s"] > 0 and speed["generation_tokens_per_s"] > 0
    finally:
        generator.close()


# --- the draft cache (qa eval --draft-cache) --------------------------------------------------------------


def test_the_draft_cache_replays_a_recorded_draft_only_for_the_same_prompt(tmp_path: Path) -> None:
    from qa.models.cached import CachedGenerator

    cache = tmp_path / "drafts.jsonl"
    messages = [Message("user", GERMAN_MESSAGE)]
    first = CachedGenerator(ExtractiveGenerator(), cache)
    recorded = text_of(first.stream(messages, max_tokens=100))
    assert (first.hits, first.misses) == (0, 1)

    replaying = CachedGenerator(ExtractiveGenerator(refusal={"de": "anders", "en": "other"}), cache)
    assert text_of(replaying.stream(messages, max_tokens=100))[0] == recorded[0]
    replayed_usage = text_of(replaying.stream(messages, max_tokens=100))[1]
    assert replayed_usage is not None and recorded[1] is not None
    assert replayed_usage.completion_tokens == recorded[1].completion_tokens
    assert replaying.hits == 2 and replaying.misses == 0
    # another prompt (or another max_tokens) is not in the recording: the inner generator answers it
    text_of(replaying.stream(messages, max_tokens=5))
    assert replaying.misses == 1


def test_the_draft_cache_survives_a_torn_last_line(tmp_path: Path) -> None:
    from qa.models.cached import CachedGenerator

    cache = tmp_path / "drafts.jsonl"
    text_of(CachedGenerator(ExtractiveGenerator(), cache).stream([Message("user", GERMAN_MESSAGE)], max_tokens=9))
    with cache.open("a", encoding="utf-8") as handle:
        handle.write('{"key": "abc", "dra')
    replaying = CachedGenerator(ExtractiveGenerator(), cache)
    text_of(replaying.stream([Message("user", GERMAN_MESSAGE)], max_tokens=9))
    assert replaying.hits == 1


@pytest.mark.integration
def test_qa_check_json_reports_a_real_generation(tmp_path: Path) -> None:
    """`qa check --json` runs the packaged model in a child process and reports its speed."""
    import json

    result = subprocess.run([sys.executable, "-m", "qa", "check", "--json", "--model-only"], capture_output=True,
                            text=True, cwd=Path(__file__).resolve().parent.parent, timeout=600)
    report = json.loads(result.stdout)
    generation = report["generation"]
    assert result.returncode == 0 and generation["ok"] is True, result.stderr
    assert generation["prompt_tokens_per_s"] > 0 and generation["generation_tokens_per_s"] > 0
    assert generation["error"] is None and generation["sample"]


def test_the_installed_llama_cpp_has_no_amx_kernels_and_picks_a_variant() -> None:
    """The build leaves the AMX variant out (it crashes on Q4_K_M weights); ggml picks one of the others."""
    pytest.importorskip("llama_cpp")
    site_packages = llama_internals.library_folder().parent.parent
    assert not list(site_packages.rglob("libggml-cpu-sapphirerapids*"))
    variants = llama_internals.cpu_backend_variants()
    assert "haswell" in variants and "sapphirerapids" not in variants
    assert llama_internals.best_cpu_variant() in variants
