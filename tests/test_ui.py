"""Fast tests of the web chat's rendering helpers and callbacks, on the fake pipeline (no browser, no server)."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write_seeds

from qa import ui
from qa.answer.prompts import REFUSAL, translation_request
from qa.config import Config
from qa.models.generator import Stream, Usage
from qa.pipeline import Pipeline
from qa.types import Message

NATO_QUESTION = "Wann wurde die NATO gegründet?"
NATO_EVIDENCE = "Die NATO wurde im Jahr 1949 in Washington gegründet."


class ScriptedGenerator:
    """A generator fake that streams a fixed answer word by word and records when it is closed."""

    name = "scripted"

    def __init__(self, text: str, delay: float = 0.0) -> None:
        self.text = text
        self.delay = delay
        self.closed = 0

    def warm_up(self) -> None:
        pass

    def close(self) -> None:
        pass

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        if translation_request(messages) is not None:  # no translation: only the answer stream counts here
            yield Usage(0, 0, 0.0, 0.0)
            return
        try:
            for position, word in enumerate(self.text.split(" ")):
                time.sleep(self.delay)
                yield word if position == 0 else " " + word
            yield Usage(0, len(self.text.split(" ")), 0.0, 0.0)
        finally:
            self.closed += 1


@pytest.fixture
def config(fake_config: Config) -> Config:
    return fake_config


@pytest.fixture
def pipeline(fake_pipeline: Pipeline) -> Pipeline:
    return fake_pipeline


def scripted_pipeline(config: Config, text: str) -> tuple[Pipeline, ScriptedGenerator]:
    generator = ScriptedGenerator(text)
    pipeline = Pipeline(config, generator=generator)
    pipeline.ensure_index()
    return pipeline, generator


def run(pipeline: Pipeline, message: str, conversation: ui.Conversation | None = None,
        ui_language: str = "en", **kwargs: object) -> list[ui.ChatView]:
    return list(ui.chat_turn(pipeline, message, conversation or ui.Conversation(), kwargs.get("top_k", 5),
                             str(kwargs.get("answer_language", "auto")), ui_language))


def last_answer_html(view: ui.ChatView) -> str:
    assert view.chat[-1]["role"] == "assistant"
    return view.chat[-1]["content"]


def test_ui_text_has_the_same_keys_in_both_languages() -> None:
    assert UI_KEYS_DE == UI_KEYS_EN
    assert ui.texts_for("de")["send"] != ui.texts_for("en")["send"]
    assert ui.texts_for("fr") is ui.UI_TEXT["en"]


UI_KEYS_DE, UI_KEYS_EN = set(ui.UI_TEXT["de"]), set(ui.UI_TEXT["en"])


def test_sources_arrive_before_the_first_token(config: Config) -> None:
    pipeline, _ = scripted_pipeline(config, f"{NATO_EVIDENCE[:-1]} [1].")
    views = run(pipeline, NATO_QUESTION)
    first_sources = next(i for i, v in enumerate(views) if 'id="qa-src-0-1"' in v.sources_html)
    first_token = next(i for i, v in enumerate(views) if v.conversation.turns[-1].draft)
    assert first_sources < first_token
    assert "Die NATO" not in last_answer_html(views[first_sources])  # sources shown, no answer text yet
    assert views[0].message == ""  # the input box is cleared as soon as the question is accepted
    assert views[-1].conversation.turns[-1].status == "done"


def test_answer_markers_become_links_and_the_evidence_is_highlighted(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION)[-1]
    answer = final.conversation.turns[-1].answer
    assert answer is not None and not answer.refused and answer.citations
    rendered = last_answer_html(final)
    assert '<a class="qa-cite" href="#qa-src-0-1"' in rendered and ">[1]</a>" in rendered
    assert 'id="qa-src-0-1"' in final.sources_html
    assert f"<mark>{NATO_EVIDENCE}</mark>" in final.sources_html
    assert "Kleine NATO-Chronik" in final.sources_html and "Testverlag" in final.sources_html
    assert "2024-01-01" in final.sources_html
    assert "qa-timing" in rendered  # retrieval, first token and total time


def test_uncited_passages_are_collapsed(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION)[-1]
    cited_part, _, collapsed = final.sources_html.partition('<details class="qa-more">')
    assert 'id="qa-src-0-1"' in cited_part
    assert collapsed and "not cited" in collapsed and 'id="qa-src-0-2"' in collapsed


def test_unsupported_sentences_are_flagged(config: Config) -> None:
    pipeline, _ = scripted_pipeline(config, f"{NATO_EVIDENCE[:-1]} [1]. Der Mond besteht aus grünem Käse [1].")
    final = run(pipeline, NATO_QUESTION)[-1]
    rendered = last_answer_html(final)
    assert rendered.count('class="qa-unsupported"') == 1
    assert "Käse" in rendered.split('class="qa-unsupported"')[1]
    assert ui.texts_for("en")["unsupported_note"] in rendered


@pytest.mark.parametrize("dangerous", [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[click me](http://evil.example/steal)",
    "![tracker](http://evil.example/pixel.png)",
    "see https://evil.example/a or www.evil.example",
    "Rutte's \"candidacy\" & <b>bold</b> *stars* _under_ `code` $$x$$",
])
def test_chat_text_is_escaped_and_markdown_inert(dangerous: str) -> None:
    escaped = ui.escape_chat_text(dangerous)
    for forbidden in ("<script", "<img", "](", "http://", "https://", "www.", "<a "):
        assert forbidden not in escaped
    assert html.unescape(escaped) == dangerous  # shown literally, character for character
    assert "\n" not in ui.escape_chat_text("one\n\n\ntwo")  # a blank line would end the HTML block


def test_model_output_cannot_inject_markup_or_links(config: Config) -> None:
    pipeline, _ = scripted_pipeline(
        config, f'{NATO_EVIDENCE[:-1]} [1]. <img src=x onerror="window.__pwned=1"> [mehr](http://evil.example) [7]')
    views = run(pipeline, NATO_QUESTION)
    for view in views:
        rendered = last_answer_html(view)
        assert "<img" not in rendered and "<script" not in rendered and "http://" not in rendered
        assert all(href.startswith('"#qa-src-') for href in rendered.split("href=")[1:])
    assert "&#60;img" in last_answer_html(views[-1])


def test_document_text_is_escaped_in_the_sources_panel(tmp_path: Path, config: Config) -> None:
    seeds = write_seeds(tmp_path / "xss-seeds", {
        "xss.txt": "Der Leuchtturm von Kiel ist 32 Meter hoch. <script>window.__pwned=1</script> "
                   'Der Wärter heißt <img src=x onerror="window.__pwned=1"> Hinnerk.',
    }, sources='["xss.txt"]\ntitle = "<b>Leuchtturm</b>"\nlanguage = "de"\n')
    pipeline = Pipeline(config.replace(seeds_dir=seeds, index_dir=tmp_path / "xss-index"))
    pipeline.ensure_index()
    final = run(pipeline, "Wie hoch ist der Leuchtturm von Kiel?")[-1]
    for rendered in (final.sources_html, last_answer_html(final)):
        assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in final.sources_html
    assert "&lt;b&gt;Leuchtturm&lt;/b&gt;" in final.sources_html


def test_refused_answer_says_so_and_shows_the_closest_passages(pipeline: Pipeline) -> None:
    final = run(pipeline, "Wie hoch ist der Mount Everest?", ui_language="de")[-1]
    answer = final.conversation.turns[-1].answer
    assert answer is not None and answer.refused
    rendered = last_answer_html(final)
    assert REFUSAL["de"] in rendered and ui.texts_for("de")["refused_note"] in rendered
    assert ui.texts_for("de")["closest_passages"] in final.sources_html
    main, _, _ = final.sources_html.partition("<details")
    assert 1 <= main.count('class="qa-card"') <= 3
    assert "<mark>" not in final.sources_html


def test_empty_message_does_nothing(pipeline: Pipeline) -> None:
    assert run(pipeline, "") == []
    assert run(pipeline, "   \n ") == []


@pytest.mark.parametrize(("ui_language", "expected"), [
    ("en", "at most 1000 are allowed. Please shorten it."), ("de", "erlaubt sind höchstens 1000. Bitte kürze sie.")])
def test_overlong_message_gets_a_message_in_the_ui_language(pipeline: Pipeline, ui_language: str, expected: str) -> None:
    conversation = ui.Conversation()
    views = run(pipeline, "x" * (pipeline.config.max_question_chars + 1), conversation, ui_language=ui_language)
    assert len(views) == 1
    view = views[0]
    assert pipeline.config.max_question_chars == 1000 and expected in view.notice
    assert "qa.toml" not in view.notice and "limit is" not in view.notice  # no English, no operator hint
    assert view.message is None  # the text stays in the box so it can be shortened
    assert view.conversation == conversation and view.chat == []


def test_missing_index_shows_what_to_do(config: Config, tmp_path: Path) -> None:
    pipeline = Pipeline(config.replace(index_dir=tmp_path / "no-index-here"))
    final = run(pipeline, NATO_QUESTION)[-1]
    turn = final.conversation.turns[-1]
    assert turn.status == "error" and turn.error == "index"
    rendered = last_answer_html(final)
    assert ui.texts_for("en")["error_title"] in rendered and "operator has to rebuild" in rendered
    assert "qa index" not in rendered  # the operator's command is in the log, not in the chat
    german = last_answer_html(run(pipeline, NATO_QUESTION, ui_language="de")[-1])
    assert "Der Betreiber muss ihn neu aufbauen" in german and "index" not in german.replace("indexiert", "")
    table, status = ui.index_overview(pipeline, ui.texts_for("en"))
    assert table["data"] == [] and "qa-notice" in status


def test_follow_up_passes_history_and_shows_the_rewritten_question(pipeline: Pipeline) -> None:
    seen: list[list[Message]] = []
    original = pipeline.answer_stream

    def recording(question: str, history: Sequence[Message] = (), *args: object) -> Iterator[object]:
        seen.append(list(history))
        return original(question, history, *args)  # type: ignore[arg-type]

    pipeline.answer_stream = recording  # type: ignore[method-assign]
    first = run(pipeline, NATO_QUESTION)[-1]
    second = run(pipeline, "Und wo?", first.conversation, ui_language="de")[-1]
    assert seen[0] == []
    assert [m.role for m in seen[1]] == ["user", "assistant"] and seen[1][0].content == NATO_QUESTION
    turn = second.conversation.turns[-1]
    assert turn.standalone_question != "Und wo?"
    assert "Verstanden als" in last_answer_html(second)
    assert len(second.chat) == 4 and 'id="qa-turn-1"' in second.sources_html


def test_closing_the_chat_stops_the_model_stream(config: Config) -> None:
    pipeline, generator = scripted_pipeline(config, "Die NATO wurde im Jahr 1949 gegründet [1]. " * 20)
    steps = ui.chat_turn(pipeline, NATO_QUESTION, ui.Conversation(), 5, "auto", "en")
    for view in steps:
        if view.conversation.turns[-1].draft:
            break
    assert generator.closed == 0
    steps.close()
    assert generator.closed == 1
    stopped = ui.stop_turn(view.conversation)
    assert stopped.turns[-1].status == "stopped"
    assert ui.texts_for("en")["stopped"] in ui.render_chat(stopped, ui.texts_for("en"))[-1]["content"]
    assert ui.stop_turn(stopped) == stopped
    # the generator is free again: the next question is answered
    assert run(pipeline, NATO_QUESTION)[-1].conversation.turns[-1].status == "done"


def test_loading_status_while_the_model_warms_up(pipeline: Pipeline) -> None:
    warmup = ui.ModelWarmup(pipeline)  # not started: still loading
    first = next(ui.chat_turn(pipeline, NATO_QUESTION, ui.Conversation(), 5, "auto", "en", warmup))
    assert ui.texts_for("en")["loading_model"] in first.chat[-1]["content"]
    warmup.start()
    assert warmup.ready.wait(10) and warmup.error is None


def test_answer_language_setting_is_passed_on(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION, answer_language="en")[-1]
    answer = final.conversation.turns[-1].answer
    assert answer is not None and answer.language == "en"


def test_copy_text_has_the_answer_and_numbered_sources(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION)[-1]
    assert final.copy_text.startswith("Die NATO wurde")
    assert "[1] Kleine NATO-Chronik (de_nato.txt)" in final.copy_text
    assert NATO_EVIDENCE in final.copy_text


def test_ask_api_returns_answer_and_sources(pipeline: Pipeline) -> None:
    result = ui.ask(pipeline, NATO_QUESTION, "auto")
    assert "1949" in result["answer"] and "[1]" in result["answer"] and result["refused"] is False
    assert result["sources"][0]["n"] == 1 and result["sources"][0]["document_id"] == "de_nato.txt"
    assert result["sources"][0]["title"] == "Kleine NATO-Chronik" and "1949" in result["sources"][0]["text"]
    refused = ui.ask(pipeline, "Wie hoch ist der Mount Everest?")
    assert refused["refused"] is True and refused["sources"] == []


def test_highlight_is_whitespace_insensitive_and_escapes() -> None:
    text = "A <b>first</b> one.  Second\n sentence here. Third."
    marked = ui.highlight(text, ["Second sentence here.", "A <b>first</b> one.", "not there"])
    assert marked.count("<mark>") == 2 and "&lt;b&gt;first&lt;/b&gt;" in marked
    assert marked.endswith(" Third.")


def test_documents_table_and_build_report(pipeline: Pipeline) -> None:
    texts = ui.texts_for("de")
    table, status = ui.index_overview(pipeline, texts)
    assert table["headers"][0] == "Titel"
    rows = {row[5]: row for row in table["data"]}
    assert rows["de_nato.txt"][:4] == ["Kleine NATO-Chronik", "Testverlag", "2024-01-01", "DE"]
    assert rows["de_nato.txt"][4] == sum(c.document_id == "de_nato.txt" for c in pipeline.index.chunks)
    assert "3 Dokumente" in status
    report = replace(pipeline.build(), removed_documents=("<old>.txt",))
    rendered = ui.render_build_report(report, texts)
    assert "&lt;old&gt;.txt" in rendered and "Entfernt" in rendered and "wiederverwendet" in rendered


def test_build_app_has_the_ask_endpoint(pipeline: Pipeline) -> None:
    demo = ui.build_app(pipeline)
    api_names = {fn.api_name for fn in demo.fns.values()}
    assert "ask" in api_names
    assert demo.config is not None


def test_a_draft_is_shown_as_unchecked_and_a_quote_is_labelled(pipeline: Pipeline) -> None:
    texts = ui.texts_for("en")
    writing = ui.Turn("When was NATO founded?", status="writing", draft="NATO was founded in 1949 [1]")
    shown = ui.render_turn(writing, 0, texts)
    assert html.escape(texts["draft"]) in shown and 'class="qa-body qa-draft"' in shown
    answer = pipeline.answer("Wann wurde die NATO gegründet?")
    quoted = replace(answer, extractive=True)
    done = ui.render_turn(ui.Turn("Wann wurde die NATO gegründet?", status="done", answer=quoted), 0, texts)
    assert html.escape(texts["quoted_note"]) in done and html.escape(texts["draft"]) not in done
    plain = ui.render_turn(ui.Turn("Wann wurde die NATO gegründet?", status="done", answer=answer), 0, texts)
    assert html.escape(texts["quoted_note"]) not in plain
