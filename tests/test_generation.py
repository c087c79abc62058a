"""Tests of qa.generation and qa.model_files.

Fast tests run the extractive fake and assemble tiny fake model parts in
tmp_path. The integration tests (marked) stream from the real packaged model
in the default cache folder, assembling it there once if needed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qa.config import Config, load_config
from qa.errors import ConfigError, ModelChecksumError, ModelMissingError
from qa.generation import ExtractiveGenerator, Generator, LlamaCppGenerator, build_generator
from qa.model_files import PackagedModel, ensure_model
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
    messages = [Message("system", "Answer from the passages."), Message("user", content)]
    return list(generator.stream(messages, max_tokens=options.get("max_tokens", 100)))


# --- the extractive fake -----------------------------------------------------------------------------


def test_extractive_cites_the_passage_with_the_best_sentence() -> None:
    generator = ExtractiveGenerator()
    pieces = _stream(generator, GERMAN_MESSAGE)
    assert "".join(pieces) == "Der Generalsekretär leitet das Internationale Sekretariat. [2]"
    assert len(pieces) == 7  # streamed word by word
    assert generator.last_usage.completion_tokens == 7
    assert generator.last_usage.prompt_tokens == len(GERMAN_MESSAGE.split()) + 4  # + the system message


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
    answer = "".join(ExtractiveGenerator().stream(messages, max_tokens=50))
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
    assert generator.last_usage.completion_tokens == 3
    messages = [Message("user", ENGLISH_MESSAGE)]
    assert "".join(generator.stream(messages, max_tokens=50, stop=("Rutte",))) == "The United States backed"


def test_extractive_sets_usage_when_closed_early() -> None:
    generator = ExtractiveGenerator()
    stream = generator.stream([Message("user", GERMAN_MESSAGE)], max_tokens=100)
    assert next(stream) == "Der"
    stream.close()
    assert generator.last_usage.completion_tokens == 7
    assert generator.last_usage.total_s >= generator.last_usage.prompt_s >= 0.0


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

    monkeypatch.setattr("qa.model_files._sha256_of", no_hashing)
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


def test_an_unloadable_gguf_file_raises_model_missing(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    generator = build_generator(_config(tmp_path, generator="llama", model_path=str(broken)))
    assert isinstance(generator, LlamaCppGenerator)  # nothing loaded yet
    with pytest.raises(ModelMissingError):
        generator.warm_up()


def test_importing_generation_loads_no_llama_cpp() -> None:
    code = "import sys, qa.generation, qa.model_files; assert 'llama_cpp' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


# --- the real packaged model ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llama_generator() -> LlamaCppGenerator:
    config = load_config()
    return LlamaCppGenerator(ensure_model(config), n_ctx=2048, n_threads=config.n_threads)


@pytest.mark.integration
def test_llama_streams_a_german_answer(llama_generator: LlamaCppGenerator) -> None:
    messages = [
        Message("system", "Du bist ein hilfsbereiter Assistent. Antworte immer auf Deutsch in einem Satz."),
        Message("user", "Welche Farbe hat eine reife Zitrone? Verwende das Wort „für“."),
    ]
    pieces = list(llama_generator.stream(messages, max_tokens=40))
    text = "".join(pieces).strip()
    assert text and "\ufffd" not in text  # no broken multi-byte characters
    usage = llama_generator.last_usage
    assert usage.prompt_tokens > 20 and 0 < usage.completion_tokens <= 41
    assert 0 < usage.prompt_s <= usage.total_s


@pytest.mark.integration
def test_llama_stops_when_the_stream_is_closed(llama_generator: LlamaCppGenerator) -> None:
    messages = [Message("user", "Zähle auf Deutsch von eins bis hundert, ein Wort pro Zeile.")]
    stream = llama_generator.stream(messages, max_tokens=200)
    first = [next(stream), next(stream)]
    stream.close()
    assert all(first)
    assert llama_generator.last_usage.completion_tokens <= 4
    # The lock was released: the next request runs at once.
    assert "".join(llama_generator.stream(messages, max_tokens=3))


@pytest.mark.integration
def test_llama_answers_do_not_depend_on_the_previous_question(llama_generator: LlamaCppGenerator) -> None:
    system = Message("system", "Antworte auf Deutsch in einem kurzen Satz.")
    first = [system, Message("user", "Was ist die Hauptstadt von Frankreich?")]
    second = [system, Message("user", "Wie viele Beine hat eine Spinne?")]
    answer = "".join(llama_generator.stream(first, max_tokens=30))
    "".join(llama_generator.stream(second, max_tokens=30))  # the system turn stays cached, the rest is replaced
    assert "".join(llama_generator.stream(first, max_tokens=30)) == answer


@pytest.mark.integration
def test_llama_restores_a_saved_prefix_with_the_same_answer(llama_generator: LlamaCppGenerator) -> None:
    german = [Message("system", "Antworte auf Deutsch in einem kurzen Satz."), Message("user", "Wie viele Beine hat ein Hund?")]
    english = [Message("system", "Answer in English in one short sentence."), Message("user", "How many legs has a cat?")]
    answer = "".join(llama_generator.stream(german, max_tokens=20))
    evaluations = llama_generator.prefix_evaluations
    "".join(llama_generator.stream(english, max_tokens=20))  # another system prompt: evaluated and saved
    assert llama_generator.prefix_evaluations == evaluations + 1
    again = "".join(llama_generator.stream(german, max_tokens=20))  # restored from the saved KV cells
    assert llama_generator.prefix_evaluations == evaluations + 1
    assert again == answer
