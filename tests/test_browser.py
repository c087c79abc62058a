"""The web chat in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright; nothing is downloaded).

Fast tests on the fake pipeline (citations open their passage; the document
viewer and the copy button; hostile document text renders as text; example
questions, the waiting phase and Stop; the layout on a 390×844 phone and a
1280×900 desktop) and one integration test on the real models. The checks the
issue asks for at both viewports in both locales (sideways scroll, a citation
scrolling to its card, the cited sentence in the document, locale numbers, one
language, the waiting phase and the place in the queue) are in
tests/test_browser_screens.py.
`make browsers` installs Chromium; without it these tests are skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ask, copy_translations, open_chat, serve, wait_until, write_seeds

from qa import ui
from qa.config import Config, load_config
from qa.pipeline import Pipeline

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent

XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMAGE = '<img src=x onerror="window.__pwned=1">'
XSS_DOCUMENTS = {
    "xss.txt": (
        f"Der Leuchtturm von Kiel ist 32 Meter hoch {XSS_SCRIPT} und wurde 1901 gebaut.\n\n"
        f"Der Wärter des Leuchtturms heißt {XSS_IMAGE} Hinnerk, "
        "siehe [Karte](http://evil.example/karte), [Plan](plan.html) und www.evil.example."
    ),
    "de_wetter.txt": "Das Wetter in Hamburg war im Sommer regnerisch. Die Temperaturen lagen selten über 25 Grad.",
}
EXAMPLES = """
[[example]]
document = "de_nato.txt"
de = "Wann wurde die NATO gegründet?"
en = "When was NATO founded?"

[[example]]
document = "en_rutte.txt"
de = "Welche Länder unterstützten Ruttes Kandidatur?"
en = "Which countries backed Rutte's candidacy?"

[[example]]
document = "missing.txt"
de = "Was steht im fehlenden Dokument?"
en = "What does the missing document say?"
"""
XSS_SOURCES = f"""
["xss.txt"]
title = 'Leuchttürme {XSS_IMAGE}'
publisher = "Testverlag"
date = "2024-03-03"
language = "de"
"""


@pytest.fixture
def fake_app(fake_config: Config) -> Iterator[str]:
    pipeline = Pipeline(fake_config)
    pipeline.ensure_index()
    demo, url = serve(pipeline)
    try:
        yield url
    finally:
        demo.close()  # type: ignore[attr-defined]


def test_citation_opens_the_highlighted_passage(chromium: object, fake_app: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = open_chat(chromium, fake_app)
    ask(page, "Wann wurde die NATO gegründet?")
    answer = page.locator("#qa-chatbot .qa-msg").first
    expect(answer).to_contain_text("1949")
    citation = answer.locator("a.qa-cite").first
    expect(citation).to_have_text("[1]")
    citation.click()
    card = page.locator("#qa-src-0-1")
    expect(card).to_have_class(re.compile(r"\bqa-selected\b"))
    expect(card).to_be_visible()
    expect(card.locator(".qa-card-title")).to_have_text("Kleine NATO-Chronik")
    expect(card.locator("mark")).to_have_text("Die NATO wurde im Jahr 1949 in Washington gegründet.")
    assert len(page.context.pages) == 1  # the citation stayed inside the app
    page.screenshot(path=str(tmp_path / "citation.png"))
    assert (tmp_path / "citation.png").stat().st_size > 0

    ask(page, "Which countries backed Rutte's candidacy?")  # the panel now shows the second answer's sources
    expect(page.locator("#qa-turn-1")).to_be_visible()
    expect(page.locator("#qa-chatbot .qa-msg").nth(1)).to_contain_text("backed Rutte's candidacy")
    expect(page.locator("#qa-turn-0")).to_be_hidden()
    citation.click()  # a marker of the first answer brings its sources back
    expect(page.locator("#qa-turn-0")).to_be_visible()
    expect(page.locator("#qa-turn-1")).to_be_hidden()
    expect(card).to_have_class(re.compile(r"\bqa-selected\b"))
    page.close()


def test_hostile_document_text_renders_as_text(chromium: object, fake_config: Config, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    seeds = write_seeds(tmp_path / "xss-seeds", XSS_DOCUMENTS, XSS_SOURCES)
    pipeline = Pipeline(fake_config.replace(seeds_dir=seeds, index_dir=tmp_path / "xss-index"))
    pipeline.ensure_index()
    demo, url = serve(pipeline)
    try:
        page = open_chat(chromium, url, locale="de-DE")
        expect(page.locator("#qa-header h1")).to_have_text(ui.texts_for("de")["title"])  # browser language
        ask(page, "Wie hoch ist der Leuchtturm von Kiel?")
        chat, sources = page.locator("#qa-chatbot"), page.locator("#qa-sources")
        expect(chat).to_contain_text(XSS_SCRIPT)
        expect(sources).to_contain_text(XSS_SCRIPT)
        ask(page, "Wie heißt der Wärter des Leuchtturms?")
        expect(chat).to_contain_text(XSS_IMAGE)
        # Web addresses never reach the model (qa.answer.prompts); the answer keeps the relative link, whose
        # markdown must show as text, not become a link.
        expect(chat).to_contain_text("[Plan](plan.html)")
        expect(sources).to_contain_text("[Karte](http://evil.example/karte), [Plan](plan.html)")  # the original
        expect(sources).to_contain_text("www.evil.example")
        expect(sources).to_contain_text(f"Leuchttürme {XSS_IMAGE}")
        expect(chat.locator("a.qa-cite").first).to_be_visible()  # citation links are the only links
        assert chat.locator("a:not(.qa-cite)").count() == 0 and chat.locator(".qa-msg img").count() == 0
        assert sources.locator("a, img").count() == 0
        sources.locator("#qa-turn-1 button.qa-open").first.click()  # the document viewer shows it as text too
        viewer = page.locator("#qa-viewer")
        expect(viewer).to_contain_text(f"Leuchttürme {XSS_IMAGE}")
        expect(viewer).to_contain_text(f"{XSS_SCRIPT} und wurde 1901 gebaut")
        assert viewer.locator("a, img, script").count() == 0
        page.keyboard.press("Escape")
        expect(viewer).to_be_hidden()
        page.get_by_role("tab", name=ui.texts_for("de")["documents_tab"]).click()
        expect(page.locator("#qa-documents")).to_contain_text(f"Leuchttürme {XSS_IMAGE}")
        # An injected handler would fire when its image fails to load: wait until every image has settled.
        page.wait_for_function("Array.from(document.images).every(image => image.complete)")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        page.close()
    finally:
        demo.close()  # type: ignore[attr-defined]


def test_example_question_runs_and_stop_cancels_a_running_answer(chromium: object, fake_config: Config) -> None:
    from playwright.sync_api import expect
    from test_ui import ScriptedGenerator

    (fake_config.seeds_dir / "examples.toml").write_text(EXAMPLES, encoding="utf-8")
    generator = ScriptedGenerator("Germany, the United States and Great Britain backed Rutte [1]. " * 30, delay=0.1)
    pipeline = Pipeline(fake_config, generator=generator)
    pipeline.ensure_index()
    demo, url = serve(pipeline)
    try:
        page = open_chat(chromium, url)
        chat = page.locator("#qa-chatbot")
        expect(chat).to_contain_text("When was NATO founded?")  # the examples file's questions, in English
        expect(chat).not_to_contain_text("What does the missing document say?")  # its document is not indexed
        page.get_by_role("radio", name="Deutsch").check()
        expect(chat).to_contain_text("Wann wurde die NATO gegründet?")
        expect(chat).not_to_contain_text("When was NATO founded?")
        page.get_by_role("radio", name="English").check()
        chat.get_by_text("Which countries backed Rutte's candidacy?").click()
        expect(page.locator("#qa-chatbot .qa-cursor")).to_be_visible()  # streaming
        phase = page.locator("#qa-chatbot .qa-phase")  # what it is doing, and the seconds counting up
        expect(phase).to_contain_text(ui.texts_for("en")["writing"])
        expect(phase.locator(".qa-elapsed")).to_have_text(re.compile(r"^[1-9]\d* s$"), timeout=5_000)
        expect(phase.locator(".qa-queue")).to_be_hidden()  # answering, not waiting: no place in the queue
        expect(page.locator("#qa-sources .qa-card").first).to_be_visible()  # sources before the answer ends
        page.click("#qa-stop")
        expect(page.locator("#qa-chatbot")).to_contain_text(ui.texts_for("en")["stopped"])
        expect(page.locator("#qa-send")).to_be_visible()
        wait_until(lambda: generator.closed >= 1, 10, "the model stream being closed")
        assert generator.closed == 1  # the model stream was closed, not left running
        page.click("#qa-new-chat")
        expect(page.locator("#qa-chatbot .qa-msg")).to_have_count(0)
        expect(page.locator("#qa-sources")).to_contain_text(ui.texts_for("en")["sources_empty"])
        page.close()
    finally:
        demo.close()  # type: ignore[attr-defined]


def test_open_in_document_read_and_copy(chromium: object, fake_app: str) -> None:
    from playwright.sync_api import expect

    page = open_chat(chromium, fake_app)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])  # type: ignore[attr-defined]
    ask(page, "Wann wurde die NATO gegründet?")
    texts = ui.texts_for("en")
    page.locator("#qa-src-0-1").get_by_role("button", name=texts["open_document"]).click()
    viewer = page.locator("#qa-viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".qa-viewer-title")).to_have_text("Kleine NATO-Chronik")
    expect(viewer.locator("#qa-viewer-target mark")).to_have_text("Die NATO wurde im Jahr 1949 in Washington gegründet.")
    expect(viewer).to_contain_text("Im Internationalen Sekretariat arbeiteten 2023")  # the whole document
    viewer.get_by_role("button", name=texts["close"]).click()
    expect(viewer).to_be_hidden()

    copy = page.locator("#qa-turn-0 button.qa-copy")
    copy.click()
    expect(copy).to_have_text(texts["copied"])
    pasted = page.evaluate("navigator.clipboard.readText()")
    assert pasted.startswith("Die NATO wurde im Jahr 1949") and "[1] Kleine NATO-Chronik (de_nato.txt)" in pasted

    page.get_by_role("tab", name=texts["documents_tab"]).click()
    entry = page.locator("#qa-documents li.qa-doc", has_text="Rutte's candidacy")
    expect(entry).to_contain_text("Test Press · February 2, 2024 · English")
    entry.get_by_role("button", name=texts["documents_open"]).click()
    expect(viewer.locator(".qa-viewer-title")).to_have_text("Rutte's candidacy")
    expect(viewer).to_contain_text("backed Rutte's candidacy for NATO Secretary General")
    assert viewer.locator("#qa-viewer-target").count() == 0  # opened at the top, no passage
    page.close()


PHONE, DESKTOP = (390, 844), (1280, 900)
# The page is no wider than the window (a wider page scrolls sideways and hides the chat's right edge).
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# Whether the question box shows its whole placeholder: the text, laid out in the box's width and font, is no
# taller than the box (a placeholder that does not fit in the box's lines is cut).
PLACEHOLDER_FITS = """() => {
  const box = document.querySelector('#qa-message textarea'), style = getComputedStyle(box);
  const probe = document.createElement('div');
  for (const name of ['font', 'letterSpacing', 'lineHeight', 'boxSizing', 'paddingLeft', 'paddingRight',
                      'paddingTop', 'paddingBottom', 'borderStyle', 'borderLeftWidth', 'borderRightWidth',
                      'borderTopWidth', 'borderBottomWidth']) probe.style[name] = style[name];
  Object.assign(probe.style, {position: 'absolute', visibility: 'hidden', whiteSpace: 'pre-wrap',
                              overflowWrap: 'break-word', width: box.offsetWidth + 'px'});
  probe.textContent = box.placeholder;
  document.body.appendChild(probe);
  const fits = box.placeholder.length > 0 && probe.offsetHeight <= box.offsetHeight;
  probe.remove();
  return fits;
}"""
@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_the_chat_fits_a_phone(chromium: object, fake_app: str, locale: str) -> None:
    from playwright.sync_api import expect

    page = open_chat(chromium, fake_app, locale=locale, size=PHONE)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    empty = page.locator("#qa-sources .qa-sources")
    expect(empty).to_contain_text(ui.texts_for(locale[:2])["sources_empty"])
    assert empty.bounding_box()["height"] <= 150  # the empty panel is a short hint, not half a screen
    assert page.evaluate(PLACEHOLDER_FITS)
    page.set_viewport_size({"width": 360, "height": 780})  # a narrower phone
    assert page.evaluate(PLACEHOLDER_FITS) and page.evaluate(NO_SIDEWAYS_SCROLL)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    ask(page, "Wann wurde die NATO gegründet?")
    expect(page.locator("#qa-src-0-1")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    send = page.locator("#qa-send").bounding_box()
    assert send["x"] + send["width"] <= PHONE[0]  # the Ask button is on the screen
    page.close()


def test_the_chat_on_a_desktop_keeps_the_sources_beside_it(chromium: object, fake_app: str) -> None:
    from playwright.sync_api import expect

    page = open_chat(chromium, fake_app, size=DESKTOP)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ask(page, "Wann wurde die NATO gegründet?")
    expect(page.locator("#qa-src-0-1")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    chat, sources = page.locator("#qa-chat-column").bounding_box(), page.locator("#qa-sources-box").bounding_box()
    assert sources["x"] >= chat["x"] + chat["width"] and abs(sources["y"] - chat["y"]) < 5  # side by side
    assert page.evaluate(PLACEHOLDER_FITS)
    page.close()


@pytest.mark.integration
def test_real_pipeline_answers_with_a_citation(chromium: object, tmp_path: Path, real_pipeline: Pipeline) -> None:
    from playwright.sync_api import expect

    copy_translations(real_pipeline.config.index_dir, tmp_path / "index")  # the seeds are translated once per run
    config = load_config(REPO, overrides={"index_dir": tmp_path / "index"}, environ={})
    pipeline = Pipeline(config)
    pipeline.ensure_index()
    demo, url = serve(pipeline, ui.ModelWarmup(pipeline).start())
    try:
        page = open_chat(chromium, url, locale="de-DE")
        ask(page, "Was ist der Hub for the South?", timeout_ms=600_000)
        answer = page.locator("#qa-chatbot .qa-msg").last
        expect(answer).to_contain_text("Hub")
        citation = answer.locator("a.qa-cite").first
        expect(citation).to_be_visible()
        citation.click()
        card = page.locator("#qa-sources .qa-card.qa-selected")
        expect(card).to_be_visible()
        expect(card.locator("mark")).not_to_have_count(0)
        expect(card).to_contain_text("Hub for the South")
        # the smooth scroll has settled when the card stays put between two polls
        page.wait_for_function("""() => {
            const top = document.querySelector('#qa-sources .qa-card.qa-selected').getBoundingClientRect().top;
            const settled = window.__qaCardTop === top;
            window.__qaCardTop = top;
            return settled;
        }""", polling=100)
        update = os.environ.get("QA_UPDATE_SCREENSHOT") == "1"
        target = REPO / "docs" / "screenshot.png" if update else tmp_path / "screenshot.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
        assert target.stat().st_size > 0
        page.close()
    finally:
        demo.close()  # type: ignore[attr-defined]
