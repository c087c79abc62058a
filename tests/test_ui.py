"""Fast tests of the web chat's rendering helpers and callbacks, on the fake pipeline (no browser, no server)."""

from __future__ import annotations

import ast
import html
import json
import logging
import re
import time
import tomllib
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
from qa.types import Message, Timings

REPO = Path(__file__).resolve().parent.parent
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
    assert "Testverlag · January 1, 2024 · DE" in final.sources_html  # the date in the UI's locale
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
    # the closest passages come first, the rest collapsed ("<details" alone would also match the copy box)
    main, _, _ = final.sources_html.partition('<details class="qa-more">')
    assert 1 <= main.count('class="qa-card"') <= 3
    assert "<mark>" not in final.sources_html


def test_empty_message_does_nothing(pipeline: Pipeline) -> None:
    assert run(pipeline, "") == []
    assert run(pipeline, "   \n ") == []


@pytest.mark.parametrize(("ui_language", "expected"), [
    ("en", "1,001 characters; at most 1,000 are allowed. Please shorten it."),
    ("de", "1.001 Zeichen; erlaubt sind höchstens 1.000. Bitte kürze sie.")])  # numbers in the locale's notation
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
    listing, status = ui.index_overview(pipeline, ui.texts_for("en"))
    assert ui.texts_for("en")["documents_empty"] in listing and 'class="qa-doc"' not in listing
    assert "qa-notice" in status and ui.texts_for("en")["no_index"] in status


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


def copy_boxes(sources_html: str) -> list[str]:
    """The plain text of each turn's copy box in the sources panel, in turn order."""
    return [html.unescape(box.partition("</pre>")[0]) for box in sources_html.split('<pre class="qa-copy-text">')[1:]]


def test_copy_text_has_the_answer_and_numbered_sources(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION)[-1]
    answer = final.conversation.turns[-1].answer
    assert answer is not None
    text = ui.copy_text(answer, ui.texts_for("en"))
    assert text.startswith("Die NATO wurde")
    assert "[1] Kleine NATO-Chronik (de_nato.txt)" in text
    assert f"“{NATO_EVIDENCE}”" in text  # the quotation marks of the UI language
    assert f"„{NATO_EVIDENCE}“" in ui.copy_text(answer, ui.texts_for("de"))
    assert copy_boxes(final.sources_html) == [text]  # shown in the sources panel, with its Copy button
    assert 'class="qa-copy"' in final.sources_html


def test_each_turn_has_its_own_copy_text(pipeline: Pipeline) -> None:
    first = run(pipeline, NATO_QUESTION)[-1]
    second = run(pipeline, "Which countries backed Rutte's candidacy?", first.conversation)[-1]
    answers = [turn.answer for turn in second.conversation.turns]
    assert all(answer is not None for answer in answers)
    texts = ui.texts_for("en")
    expected = [ui.copy_text(answer, texts) for answer in answers]
    assert copy_boxes(second.sources_html) == expected and expected[0] != expected[1]
    assert 'id="qa-turn-1"' in second.sources_html.partition(html.escape(expected[1]))[0]  # in the second section
    waiting = ui.enqueue_turn(pipeline, NATO_QUESTION, second.conversation, "en")
    assert waiting is not None and copy_boxes(waiting.sources_html) == expected  # no box before an answer


def test_hostile_answer_text_is_escaped_in_the_copy_box(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION)[-1]
    answer = final.conversation.turns[-1].answer
    assert answer is not None
    hostile = replace(answer, text="<script>window.__pwned=1</script></pre><img src=x onerror=alert(1)> [1]")
    sources = ui.render_sources(ui.Conversation((replace(final.conversation.turns[-1], answer=hostile),)),
                                pipeline.index.documents, ui.texts_for("en"))
    assert "<script" not in sources and "<img" not in sources
    assert copy_boxes(sources)[0].startswith(hostile.text)


def test_a_marker_before_punctuation_loses_the_space(pipeline: Pipeline) -> None:
    rendered = ui.render_markers("Rutte folgt Stoltenberg [1] . Er war Premier [2] , sagt sie [1, 2] ?", 0,
                                 {1: "a", 2: "b"})
    assert rendered.count("</a>.") == 1 and rendered.count("</a>,") == 1 and rendered.count("</a>?") == 1
    assert "</a> ." not in rendered and "</a> ," not in rendered
    # the other spaces around a marker stay: "Text [1] und mehr", never "Text[1]und mehr"
    assert re.sub("<a [^>]*>", "<a>", ui.render_markers(" Text [1] und [7] mehr. ", 0, {1: "a"})) == (
        "Text <a>[1]</a> und &#91;7&#93; mehr.")
    answer = replace(pipeline.answer(NATO_QUESTION), text="Die NATO wurde 1949 gegründet [1] .")
    assert ui.copy_text(answer, ui.texts_for("en")).startswith("Die NATO wurde 1949 gegründet [1].\n")


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


def document_entries(listing: str) -> dict[str, str]:
    """The documents list's entries by document id."""
    entries = re.findall(r'<li class="qa-doc" data-document="([^"]*)">(.*?)</li>', listing)
    return {html.unescape(document_id): entry for document_id, entry in entries}


def test_documents_list_and_build_report(pipeline: Pipeline) -> None:
    texts = ui.texts_for("de")
    listing, status = ui.index_overview(pipeline, texts)
    entries = document_entries(listing)
    assert list(entries) == ["de_wetter.txt", "de_nato.txt", "en_rutte.txt"]  # by title; no title: the file name
    passages = sum(c.document_id == "de_nato.txt" for c in pipeline.index.chunks)
    assert '<div class="qa-doc-title">Kleine NATO-Chronik</div>' in entries["de_nato.txt"]
    assert f"Testverlag · 1. Januar 2024 · Deutsch · {passages} Passagen" in entries["de_nato.txt"]
    opened = json.loads(html.unescape(re.findall(r'data-open="([^"]*)"', entries["de_nato.txt"])[0]))
    assert opened["document"] == "de_nato.txt" and ">Lesen</button>" in entries["de_nato.txt"]
    english = document_entries(ui.index_overview(pipeline, ui.texts_for("en"))[0])
    assert "Test Press · February 2, 2024 · English · 2 passages" in english["en_rutte.txt"]
    assert "3 Dokumente" in status
    report = replace(pipeline.build(), removed_documents=("<old>.txt",), chunks=1352, seconds=12.5)
    rendered = ui.render_build_report(report, texts)
    assert "&lt;old&gt;.txt" in rendered and "Entfernt" in rendered and "wiederverwendet" in rendered
    assert "1.352 Passagen in 12,5 s" in rendered  # German numbers (Babel)
    assert "1,352 passages in 12.5 s" in ui.render_build_report(report, ui.texts_for("en"))


def test_build_app_has_the_ask_endpoint(pipeline: Pipeline) -> None:
    demo = ui.build_app(pipeline)
    api_names = {fn.api_name for fn in demo.fns.values()}
    assert "ask" in api_names
    assert demo.config is not None


@pytest.mark.parametrize(("generator", "urls", "slots"), [
    ("extractive", "", 1),  # one model instance: one answer at a time
    ("openai", "http://127.0.0.1:8001/v1", 1),
    ("openai", "http://127.0.0.1:8001/v1, http://127.0.0.1:8002/v1", 2),  # one answer per model server
])
def test_the_app_answers_as_many_questions_at_once_as_it_has_model_servers(pipeline: Pipeline, generator: str,
                                                                           urls: str, slots: int) -> None:
    """Issue 15: "With N model servers, the web chat answers N questions at once"."""
    config = pipeline.config.replace(generator=generator, openai_base_url=urls)
    assert ui.blocks.answer_slots(config) == slots
    demo = ui.build_app(Pipeline(config, embedder=pipeline.embedder, generator=pipeline.generator))
    assert demo._queue.default_concurrency_limit == slots  # type: ignore[attr-defined]


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
    assert html.escape(texts["quoted_note"]) not in plain and html.escape(texts["redrafted_note"]) not in plain


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_failed_draft_is_withdrawn_while_the_second_is_written(language: str) -> None:
    texts = ui.texts_for(language)
    redrafting = ui.Turn("Wann wurde die NATO gegründet?", status="redrafting", draft="", started=1.0)
    shown = ui.render_turn(redrafting, 0, texts, now=5.0)
    assert html.escape(texts["redrafting"]) in shown and 'class="qa-body qa-draft"' not in shown
    assert 'class="qa-seconds">4<' in shown  # the seconds waited go on


def test_the_chat_withdraws_a_failed_draft_while_the_second_is_written(config: Config) -> None:
    # no cut-off: the prompt holds three or more passages, so a failed draft gets a second one (second_draft top2)
    pipeline, _ = scripted_pipeline(config.replace(sentence_score_margin=1.0, second_draft="top2"),
                                    "Die NATO wurde 1777 in Rom gegründet [1].")
    views = run(pipeline, NATO_QUESTION)
    statuses = [view.conversation.turns[-1].status for view in views]
    assert statuses.count("redrafting") == 1 and statuses[-1] == "done"
    withdrawn = views[statuses.index("redrafting")]
    assert "1777" in views[statuses.index("redrafting") - 1].chat[-1]["content"]  # streamed as a draft first
    assert withdrawn.conversation.turns[-1].draft == "" and "1777" not in withdrawn.chat[-1]["content"]
    assert ui.texts_for("en")["redrafting"] in withdrawn.chat[-1]["content"]
    final = views[-1].conversation.turns[-1].answer
    assert final is not None and final.refused  # the second draft (the same text) failed too


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_second_draft_is_labelled(pipeline: Pipeline, language: str) -> None:
    texts = ui.texts_for(language)
    answer = replace(pipeline.answer("Wann wurde die NATO gegründet?"), redrafted=True)
    done = ui.render_turn(ui.Turn("Wann wurde die NATO gegründet?", status="done", answer=answer), 0, texts)
    assert html.escape(texts["redrafted_note"]) in done and not answer.refused


def test_an_answer_written_in_the_sources_language_says_so(pipeline: Pipeline) -> None:
    answer = pipeline.answer("Wann wurde die NATO gegründet?")
    question = "When was NATO founded?"
    for language, name in (("en", "German"), ("de", "Deutsch")):
        texts = ui.texts_for(language)
        pivoted = replace(answer, language="en", answered_in="de")
        shown = ui.render_turn(ui.Turn(question, status="done", answer=pivoted), 0, texts)
        assert html.escape(texts["pivot_note"].format(language=name)) in shown
        kept = ui.render_turn(ui.Turn(question, status="done", answer=replace(pivoted, untranslated=1)), 0, texts)
        assert html.escape(texts["untranslated_note"].format(language=name)) in kept
        plain = ui.render_turn(ui.Turn(question, status="done", answer=answer), 0, texts)
        assert html.escape(texts["pivot_note"].format(language=name)) not in plain
    # the model's own refusal in the language it drafted in is no withdrawn draft
    refused = replace(answer, refused=True, text=REFUSAL["en"], draft=REFUSAL["de"], language="en", answered_in="de")
    texts = ui.texts_for("en")
    assert texts["draft_withdrawn"] not in ui.render_turn(ui.Turn(question, status="done", answer=refused), 0, texts)


def test_checked_note_only_when_every_sentence_passed(config: Config, pipeline: Pipeline) -> None:
    texts = ui.texts_for("en")
    checked = f"✓ {texts['checked']}"
    assert checked in last_answer_html(run(pipeline, NATO_QUESTION)[-1])
    flagged, _ = scripted_pipeline(config, f"{NATO_EVIDENCE[:-1]} [1]. Der Mond besteht aus grünem Käse [1].")
    rendered = last_answer_html(run(flagged, NATO_QUESTION)[-1])
    assert texts["unsupported_note"] in rendered and checked not in rendered


def test_a_withdrawn_draft_is_explained_but_the_models_own_refusal_is_not(pipeline: Pipeline) -> None:
    texts = ui.texts_for("de")
    refused = pipeline.answer("Wie hoch ist der Mount Everest?")
    assert refused.refused and refused.draft  # the extractive fake refuses in its own words
    question = "Wie hoch ist der Mount Everest?"
    own_refusal = ui.render_turn(ui.Turn(question, status="done", answer=refused), 0, texts)
    assert texts["refused_note"] in own_refusal and texts["draft_withdrawn"] not in own_refusal
    withdrawn = replace(refused, draft="Der Mount Everest ist 8848 Meter hoch [1].")
    shown = ui.render_turn(ui.Turn(question, status="done", answer=withdrawn), 0, texts)
    assert texts["draft_withdrawn"] in shown and texts["refused_note"] in shown
    no_draft = ui.render_turn(ui.Turn(question, status="done", answer=replace(refused, draft="")), 0, texts)
    assert texts["draft_withdrawn"] not in no_draft


def test_a_waiting_question_shows_its_phase_and_the_seconds_waited(pipeline: Pipeline) -> None:
    texts = ui.texts_for("en")
    before = time.time()
    waiting = ui.enqueue_turn(pipeline, NATO_QUESTION, ui.Conversation(), "en")
    assert waiting is not None and waiting.message == ""  # the box is cleared at once
    turn = waiting.conversation.turns[-1]
    assert turn.status == "queued" and turn.started >= before and turn.answer is None
    assert texts["queued"] in last_answer_html(waiting)
    phase = ui.render_phase(replace(turn, started=100.0), texts, now=112.4)
    # the page's script counts .qa-seconds on and fills .qa-place (the Chatbot drops data attributes)
    assert '<span class="qa-elapsed"><span class="qa-seconds">12</span> s</span>' in phase
    assert '<span class="qa-queue">place <span class="qa-place"></span> in the queue</span>' in phase
    german = ui.render_phase(turn, ui.texts_for("de"), turn.started)
    assert '<span class="qa-queue">Platz <span class="qa-place"></span> in der Warteschlange</span>' in german
    assert "data-" not in phase + german
    for status, key in (("loading", "loading_model"), ("searching", "searching"), ("writing", "writing")):
        assert texts[key] in ui.render_phase(replace(turn, status=status), texts, turn.started)
    # the answer run takes over the waiting turn: one turn, its start time kept, every phase in order
    views = list(ui.chat_turn(pipeline, "", waiting.conversation, 5, "auto", "en"))
    assert len(views[-1].conversation.turns) == 1 and views[-1].conversation.turns[0].started == turn.started
    statuses = [view.conversation.turns[-1].status for view in views]
    assert statuses[:2] == ["searching", "reading"] and "writing" in statuses and statuses[-1] == "done"
    reading = views[1].conversation.turns[-1]
    assert texts["reading"].format(count=len(reading.passages)) in last_answer_html(views[1])
    assert texts["queued"] not in last_answer_html(views[-1]) and "qa-phase" not in last_answer_html(views[-1])
    assert ui.stop_turn(waiting.conversation).turns[-1].status == "stopped"  # Stop while still waiting


def test_an_invalid_question_is_not_queued(pipeline: Pipeline) -> None:
    assert ui.enqueue_turn(pipeline, "  ", ui.Conversation(), "en") is None
    refused = ui.enqueue_turn(pipeline, "x" * 5000, ui.Conversation(), "de")
    assert refused is not None and refused.conversation.turns == () and "Bitte kürze sie" in refused.notice
    assert list(ui.chat_turn(pipeline, "", refused.conversation, 5, "auto", "de")) == []  # nothing to answer


def test_numbers_and_quotes_follow_the_ui_locale(pipeline: Pipeline) -> None:
    from qa.ui.localize import format_document_date, format_number, quote

    assert (format_number(1352, "de"), format_number(1352, "en")) == ("1.352", "1,352")
    assert [format_document_date(date, "de") for date in ("2024-10-01", "2025-06", "2025", "2024-13-01", "bald")] == [
        "1. Oktober 2024", "Juni 2025", "2025", "2024-13-01", "bald"]  # what is no date stays as it is
    assert format_document_date("2024-10-01", "en") == "October 1, 2024"
    assert (format_number(0.5, "de", 2), format_number(0.5, "en", 2)) == ("0,50", "0.50")
    assert (quote("x", "de"), quote("x", "en"), quote("x", "fr")) == ("„x“", "“x”", "“x”")
    answer = replace(pipeline.answer(NATO_QUESTION), timings=Timings(retrieval_s=0.123, first_token_s=1.26,
                                                                      total_s=3.0))
    assert "Suche 0,12 s · erstes Wort 1,3 s · gesamt 3,0 s" in ui.render_timing(answer, ui.texts_for("de"))
    assert "retrieval 0.12 s · first word 1.3 s · total 3.0 s" in ui.render_timing(answer, ui.texts_for("en"))
    asked = ui.Turn("Und?", standalone_question="Wann?", status="searching")
    assert "Verstanden als: „Wann?“" in ui.render_turn(asked, 0, ui.texts_for("de"))
    assert "zu „Und?“" in ui.render_sources(ui.Conversation((replace(asked, passages=answer.passages),)),
                                             pipeline.index.documents, ui.texts_for("de"))


def test_the_header_says_what_the_collection_holds(pipeline: Pipeline) -> None:
    from qa.ui.layout import header_html

    documents = pipeline.index.documents
    assert (ui.collection_summary(documents, ui.texts_for("de"), "de")
            == "3 Dokumente von Testverlag und Test Press (2024, Deutsch und Englisch).")
    assert (ui.collection_summary(documents, ui.texts_for("en"), "en")
            == "3 documents from Testverlag and Test Press (2024, German and English).")
    nato = documents["de_nato.txt"]
    shared = {"a": replace(nato, id="a", title="Kleine NATO-Chronik", publisher="", date="2023-05"),
              "b": replace(nato, id="b", title="Die NATO nach Rutte", publisher="", date="2025")}
    assert (ui.collection_summary(shared, ui.texts_for("en"), "en")
            == "2 documents (2023–2025, German). Mostly about NATO.")
    assert ui.collection_summary({}, ui.texts_for("en"), "en") == ""
    hostile = {"x": replace(nato, publisher="<img src=x onerror=alert(1)>")}
    header = header_html(ui.texts_for("en"), "en", ui.collection_summary(hostile, ui.texts_for("en"), "en"))
    assert "<img" not in header and "One document from &lt;img" in header and 'lang="en"' in header


def write_examples(seeds: Path, text: str) -> Path:
    (seeds / "examples.toml").write_text(text, encoding="utf-8")
    return seeds


EXAMPLES_TOML = """
[[example]]
document = "de_nato.txt"
de = "Wann wurde die NATO gegründet?"
en = "When was NATO founded?"
facts = ["1949"]

[[example]]
document = "not_indexed.txt"
de = "Was steht im fehlenden Dokument?"
en = "What does the missing document say?"
"""


def test_example_questions_come_from_the_examples_file(pipeline: Pipeline) -> None:
    seeds = write_examples(pipeline.config.seeds_dir, EXAMPLES_TOML)
    examples = ui.read_examples(seeds)
    assert [example.document for example in examples] == ["de_nato.txt", "not_indexed.txt"]
    assert examples[0].facts == ("1949",) and examples[1].facts == ()
    documents = pipeline.index.documents
    assert ui.example_questions(examples, documents, "de") == ["Wann wurde die NATO gegründet?"]
    assert ui.example_questions(examples, documents, "en") == ["When was NATO founded?"]  # only indexed documents


@pytest.mark.parametrize(("content", "logged"), [
    (None, ""),  # no file: no examples, nothing to fix
    ("[[example]]\ndocument = 'de_nato.txt\n", "cannot be read"),  # not TOML
    (b"\xff\xfe[[example]]", "cannot be read"),  # not UTF-8
    ("example = 'one'", "needs [[example]] tables"),
    ("[[example]]\ndocument = 'de_nato.txt'\nde = 'Wann?'\n", "example 1 left out"),  # no English question
])
def test_a_missing_or_broken_examples_file_gives_no_examples_and_says_why(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str | bytes | None, logged: str) -> None:
    path = tmp_path / "examples.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="qa.ui.collection"):
        assert ui.read_examples(tmp_path) == ()
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    if logged:
        assert len(warnings) == 1 and logged in warnings[0] and str(path) in warnings[0]
    else:
        assert warnings == [] and "does not exist" in caplog.text


def test_the_shipped_examples_are_answered_by_their_documents() -> None:
    examples = ui.read_examples(REPO / "seeds")
    assert len(examples) >= 3
    described = tomllib.loads((REPO / "seeds" / "sources.toml").read_text(encoding="utf-8"))
    for example in examples:
        assert example.document in described, f"{example.document} has no entry in sources.toml"
        text = " ".join((REPO / "seeds" / example.document).read_text(encoding="utf-8").split())
        assert example.facts, f"{example.en!r} lists no facts"
        for fact in example.facts:
            assert any(choice in text for choice in fact.split("|")), f"{fact!r} is not in {example.document}"
        assert example.de.endswith("?") and example.en.endswith("?") and example.de != example.en


def card(sources_html: str, anchor: str) -> str:
    """The HTML of the source card with the id `anchor`."""
    return sources_html.partition(f'id="{anchor}"')[2].partition("</article>")[0]


def open_request(card_html: str) -> dict[str, object]:
    return dict(json.loads(html.unescape(re.findall(r'data-open="([^"]*)"', card_html)[0])))


def test_a_source_card_opens_its_document_at_the_passage(pipeline: Pipeline) -> None:
    final = run(pipeline, NATO_QUESTION)[-1]
    answer = final.conversation.turns[-1].answer
    assert answer is not None
    passage = answer.passages[0]
    request = open_request(card(final.sources_html, "qa-src-0-1"))
    assert request == {"document": "de_nato.txt", "start": passage.start, "end": passage.end,
                       "evidence": [NATO_EVIDENCE]}
    viewer = ui.open_document(pipeline, request, "de")
    target = viewer.partition('id="qa-viewer-target">')[2].partition("</span>")[0]
    assert html.unescape(re.sub("</?mark>", "", target)) == passage.text and f"<mark>{NATO_EVIDENCE}</mark>" in target
    assert "Im Internationalen Sekretariat arbeiteten" in viewer  # the whole document, not only the passage
    assert "Kleine NATO-Chronik" in viewer and "1. Januar 2024" in viewer and ">Schließen</button>" in viewer
    whole = ui.open_document(pipeline, {"document": "de_nato.txt", "start": -1, "end": -1}, "en")
    assert "qa-viewer-target" not in whole and "January 1, 2024" in whole
    assert ui.texts_for("en")["document_missing"] in ui.open_document(pipeline, {"document": "gone.txt"}, "en")


def test_a_trimmed_passage_offers_the_whole_passage(pipeline: Pipeline) -> None:
    texts = ui.texts_for("en")
    answer = pipeline.answer(NATO_QUESTION)
    passage = answer.passages[0]
    chunk, document = passage.chunk, pipeline.index.documents[passage.chunk.document_id]
    first_sentence = NATO_EVIDENCE
    trimmed = ui.render_card(0, 1, passage.title, first_sentence, document, chunk, [], texts,
                             span=(chunk.start, chunk.start + len(first_sentence)))
    assert 'class="qa-whole"' in trimmed and html.escape(texts["whole_passage"]) in trimmed
    assert f"{first_sentence} …</p>" in trimmed  # the excerpt says it goes on
    assert html.escape(chunk.text) in trimmed.partition('class="qa-whole"')[2]
    full = ui.render_card(0, 1, passage.title, chunk.text, document, chunk, [], texts)
    assert 'class="qa-whole"' not in full and "…" not in full
    assert open_request(trimmed)["end"] == chunk.start + len(first_sentence)  # opens at the excerpt


HOSTILE_TEXT = ('Der Leuchtturm von Kiel ist 32 Meter hoch. <script>window.__pwned=1</script> '
                'Der Wärter heißt <img src=x onerror="window.__pwned=1"> Hinnerk.\n\n'
                '</div><div class="qa-viewer-close" onclick="window.__pwned=1">x</div>')


def test_the_document_viewer_and_list_render_hostile_text_as_text(tmp_path: Path, config: Config) -> None:
    seeds = write_seeds(tmp_path / "xss-seeds", {"xss.txt": HOSTILE_TEXT},
                        sources='["xss.txt"]\ntitle = "<b>Leuchtturm</b>"\npublisher = "<i>P</i>"\n'
                                'date = "<script>"\nlanguage = "de"\n')
    pipeline = Pipeline(config.replace(seeds_dir=seeds, index_dir=tmp_path / "xss-index"))
    pipeline.ensure_index()
    text = pipeline.index.documents["xss.txt"].text
    start, end = text.index("Der Wärter"), text.index("Hinnerk.") + len("Hinnerk.")  # hostile text on both sides
    requests = [{"document": "xss.txt", "start": start, "end": end, "evidence": ["<img src=x"]},
                {"document": "xss.txt", "start": "<b>", "end": None, "evidence": "<script>"},
                {"document": "<script>"}]
    listing, _ = ui.index_overview(pipeline, ui.texts_for("de"))
    for rendered in [ui.open_document(pipeline, request, "de") for request in requests] + [listing]:
        for forbidden in ("<script", "<img", "<b>", "<i>", 'onclick="'):
            assert forbidden not in rendered
    viewer = ui.open_document(pipeline, requests[0], "de")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in viewer and "&lt;b&gt;Leuchtturm&lt;/b&gt;" in viewer
    assert "<mark>&lt;img src=x</mark>" in viewer
    assert "<mark>" not in ui.open_document(pipeline, requests[1], "de")  # evidence must be a list of sentences
    assert "&lt;b&gt;Leuchtturm&lt;/b&gt;" in listing


def test_web_chat_functions_stay_short() -> None:
    """Issue #10: no function of qa/ui (build_app and its helpers included) over 60 lines."""
    long = []
    for path in sorted((REPO / "qa" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.end_lineno and node.end_lineno - node.lineno >= 60:
                long.append(f"{path.name}:{node.name}")
    assert long == []
