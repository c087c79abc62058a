"""The web chat's reading checks on a 390×844 phone and a 1280×900 desktop, each in German and English (issue 13).

One app on the fake pipeline serves the whole module. Its model is the
extractive fake behind a gate: while a test holds the gate closed, an answer
stays pending, so the phase line and the place in the queue can be seen
without a slow model or a fixed sleep. Each of the four screens (viewport ×
browser locale) has two pages, opened once: on the first, the page as it
loads is recorded, then a German and an English question are answered, and the
tests read it (no sideways scroll, a citation brings its card into view, the
document opens at the cited sentence, numbers and dates in the locale's
notation, every word of the interface in its language, the system font); the
waiting test asks on both pages at once, and the trash-icon test clears the
second. Each test sets up the state it reads, so they pass in any order.
Leaves out: Stop, hostile document text, copying and the documents list
(tests/test_browser.py) and the real model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from babel import Locale
from conftest import TINY_DOCUMENTS, TINY_SOURCES, ask, fake_config_in, open_chat, serve, write_seeds

from qa.models.extractive import ExtractiveGenerator
from qa.pipeline import Pipeline
from qa.types import Message
from qa.ui import UI_TEXT, texts_for

pytestmark = pytest.mark.browser

PHONE, DESKTOP = (390, 844), (1280, 900)
SCREENS = [pytest.param((locale, size), id=f"{name}-{locale[:2]}")
           for name, size in (("phone", PHONE), ("desktop", DESKTOP)) for locale in ("de-DE", "en-US")]

GERMAN_QUESTION, ENGLISH_QUESTION = "Wann wurde die NATO gegründet?", "Which countries backed Rutte's candidacy?"
CITED_SENTENCE = "Die NATO wurde im Jahr 1949 in Washington gegründet."
# The NATO chronicle is long here, so the document viewer has to scroll to the cited sentence and the text
# around it is there to read.
BEFORE = "\n\n".join(f"Kapitel {n}: Das Stadtarchiv verzeichnete {n * 37} Akten und {n * 11} Karten."
                     for n in range(1, 31))
AFTER = "\n\n".join(f"Anhang {n}: Die Bibliothek lieh {n * 13} Bücher an Schulen aus." for n in range(1, 11))
DOCUMENTS = {**TINY_DOCUMENTS, "de_nato.txt": f"{BEFORE}\n\n{TINY_DOCUMENTS['de_nato.txt']}\n\n{AFTER}"}
# Publishers are shown on the page but are no words of the interface: none of theirs is one ("Test Press" was).
SOURCES = TINY_SOURCES.replace('"Test Press"', '"Harbour Books"')
EXAMPLES = {"de": ["Wann wurde die NATO gegründet?", "Welche Länder unterstützten Ruttes Kandidatur?"],
            "en": ["When was NATO founded?", "Which countries backed Rutte's candidacy?"]}
EXAMPLES_TOML = "".join(f'[[example]]\ndocument = "{document}"\nde = "{de}"\nen = "{en}"\n\n' for document, de, en
                        in zip(("de_nato.txt", "en_rutte.txt"), EXAMPLES["de"], EXAMPLES["en"], strict=True))

# Numbers and dates as a reader of each locale expects them (hand-written, not computed by the code under test).
TIMING = {"de": re.compile(r"^Suche \d+,\d\d s · (erstes Wort \d+,\d s · )?gesamt \d+,\d s$"),
          "en": re.compile(r"^retrieval \d+\.\d\d s · (first word \d+\.\d s · )?total \d+\.\d s$")}
NATO_DATE = {"de": "1. Januar 2024", "en": "January 1, 2024"}
TOO_LONG = {"de": "Die Frage hat 1.500 Zeichen; erlaubt sind höchstens 1.000.",
            "en": "The question has 1,500 characters; at most 1,000 are allowed."}
LONG_QUESTION = "Wort " * 299 + "Wort?"  # 1,500 characters; the default limit is 1,000

# The element lies wholly inside the window and inside every box that clips it (the sources panel or the
# document viewer scroll on their own); a hidden element (no box) is not in view.
IN_VIEW = """(selector) => {
  const element = document.querySelector(selector);
  if (!element) return false;
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return false;
  if (box.top < 0 || box.left < 0 || box.bottom > window.innerHeight || box.right > window.innerWidth) return false;
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    const style = getComputedStyle(parent);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const clip = parent.getBoundingClientRect();
    if (box.top < clip.top - 1 || box.bottom > clip.bottom + 1 || box.left < clip.left - 1
        || box.right > clip.right + 1) return false;
  }
  return true;
}"""
# The page is no wider than the window (a wider page scrolls sideways and hides the chat's right edge).
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# The words a reader sees that belong to the interface: every rendered text node, the placeholders and the
# tooltips, without what the user, the model or a document wrote (questions, answers, passages, titles) and
# without the language switch, which names both languages on purpose.
CONTENT = [".qa-question", ".qa-body", ".qa-understood", ".qa-card-text", ".qa-card-title", ".qa-doc-title",
           ".qa-doc-file", ".qa-viewer-text", ".qa-viewer-title", ".qa-turn-question", ".qa-copy-text",
           "#qa-ui-language", "#qa-message textarea"]
INTERFACE_TEXT = """(content) => {
  const skip = content.join(', ');
  const seen = (element) => element.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true});
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, ' + skip) || !seen(parent)) continue;
    parts.push(node.textContent);
  }
  // (Gradio labels a whole message with its text: only the question box's, the citations' and buttons' labels)
  document.querySelectorAll('#qa-message textarea, a.qa-cite, button').forEach((element) => {
    if (!seen(element)) return;
    for (const name of ['placeholder', 'title', 'aria-label']) parts.push(element.getAttribute(name) || '');
  });
  return parts.join('\\n');
}"""
# The first family of each element's computed font, and the families the page declares as web fonts.
FONTS = """(selectors) => ({
  web: Array.from(document.fonts).map((face) => face.family.replace(/["']/g, '')),
  first: selectors.map((selector) => {
    const element = document.querySelector(selector);
    return element ? getComputedStyle(element).fontFamily.split(',')[0].trim().replace(/["']/g, '') : null;
  }),
})"""
# Where the chat's trash icon and every message bubble lie across the chat (x from, x to).
TRASH_AND_BUBBLES = """() => {
  const across = (element) => { const box = element.getBoundingClientRect(); return [box.left, box.right]; };
  const trash = document.querySelectorAll('#qa-chatbot .icon-button-wrapper');  // the drawn box around the icon
  const bubbles = document.querySelectorAll('#qa-chatbot .message-row .user.message, #qa-chatbot .message-row .bot.message');
  return {trash: Array.from(trash).map(across), bubbles: Array.from(bubbles).map(across)};
}"""
WORD = re.compile(r"[^\W\d_]+")


class GatedGenerator(ExtractiveGenerator):
    """The extractive fake, which waits before answering while its gate is closed (a pending answer, on demand)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Any:
        self.gate.wait(timeout=30)  # a test that forgets to open it slows down, it does not hang
        yield from super().stream(messages, max_tokens=max_tokens, stop=stop)


@dataclass
class ChatApp:
    url: str
    generator: GatedGenerator


@dataclass
class Screen:
    """Two browser pages at one viewport and locale: `page` with a German and an English question answered
    (and what it showed as it loaded), `other` for a second user and the trash icon."""

    page: Any
    other: Any
    locale: str
    size: tuple[int, int]
    requests: list[str] = field(default_factory=list)  # every address `page` asked for
    loaded: dict[str, Any] = field(default_factory=dict)  # `page` before the first question

    @property
    def language(self) -> str:
        return self.locale[:2]


def interface_words(language: str) -> set[str]:
    """Every word of the interface's strings in `language`, and its month names (dates are written out)."""
    words: set[str] = set()
    strings = [text for key, text in UI_TEXT[language].items() if key != "locale"]
    for text in [*strings, *Locale(language).months["format"]["wide"].values()]:
        words |= set(WORD.findall(re.sub(r"\{[^}]*\}|<[^>]*>", " ", text).casefold()))
    return words


# Words only the other language's interface uses: "Quellen" on an English page, "Sources" on a German one.
FOREIGN = {language: interface_words(other) - interface_words(language)
           for language, other in (("de", "en"), ("en", "de"))}


def foreign_words(text: str, language: str) -> list[str]:
    return sorted(set(WORD.findall(text.casefold())) & FOREIGN[language])


def in_view(page: Any, selector: str) -> bool:
    return bool(page.evaluate(IN_VIEW, selector))


@pytest.fixture(scope="module")
def chat_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatApp]:
    folder = tmp_path_factory.mktemp("screens")
    seeds = write_seeds(folder / "seeds", DOCUMENTS, SOURCES)
    (seeds / "examples.toml").write_text(EXAMPLES_TOML, encoding="utf-8")
    generator = GatedGenerator()
    pipeline = Pipeline(fake_config_in(folder, seeds), generator=generator)
    pipeline.ensure_index()
    demo, url = serve(pipeline)
    try:
        yield ChatApp(url, generator)
    finally:
        generator.gate.set()
        demo.close()


@pytest.fixture(scope="module", params=SCREENS)
def screen(request: pytest.FixtureRequest, chromium: Any, chat_app: ChatApp) -> Iterator[Screen]:
    from playwright.sync_api import expect

    locale, size = request.param
    page = chromium.new_page(viewport={"width": size[0], "height": size[1]}, locale=locale)
    shown = Screen(page, open_chat(chromium, chat_app.url, locale, size), locale, size)
    page.on("request", lambda sent: shown.requests.append(sent.url))
    page.goto(chat_app.url)
    page.wait_for_selector("#qa-header [lang]")
    expect(page.locator("#qa-chatbot").get_by_text(EXAMPLES[locale[:2]][0], exact=True)).to_be_visible()
    shown.loaded = {"sideways": page.evaluate(NO_SIDEWAYS_SCROLL), "chat": page.locator("#qa-chatbot").inner_text(),
                    "interface": page.evaluate(INTERFACE_TEXT, CONTENT)}
    ask(page, GERMAN_QUESTION)
    ask(page, ENGLISH_QUESTION)
    yield shown
    page.close()
    shown.other.close()


def test_the_page_never_scrolls_sideways(screen: Screen) -> None:
    from playwright.sync_api import expect

    assert screen.loaded["sideways"]  # as it loaded
    page, texts = screen.page, texts_for(screen.language)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    page.get_by_text(texts["settings"], exact=True).click()  # the settings open below the chat
    expect(page.get_by_text(texts["answer_language"], exact=True)).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    page.get_by_text(texts["settings"], exact=True).click()
    page.locator("#qa-chatbot .qa-msg").first.locator("a.qa-cite").first.click()
    page.locator("#qa-src-0-1").get_by_role("button", name=texts["open_document"]).click()
    viewer = page.locator("#qa-viewer")
    expect(viewer.locator("#qa-viewer-target")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.evaluate("(() => { const text = document.querySelector('.qa-viewer-text');"
                         " return text.scrollWidth <= text.clientWidth; })()")
    viewer.get_by_role("button", name=texts["close"]).click()
    expect(viewer).to_be_hidden()
    page.get_by_role("tab", name=texts["documents_tab"]).click()
    expect(page.locator("#qa-documents li.qa-doc").first).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    page.get_by_role("tab", name=texts["chat_tab"]).click()
    expect(page.locator("#qa-chatbot")).to_be_visible()


def test_a_citation_brings_its_source_card_into_view(screen: Screen) -> None:
    from playwright.sync_api import expect

    page = screen.page
    answers = page.locator("#qa-chatbot .qa-msg")
    # The second answer's card, out of view: on a desktop the sources panel beside the chat is scrolled to the
    # end of its uncited passages, on a phone the panel lies below the chat and the page is at the top.
    answers.nth(1).locator("a.qa-cite").first.click()
    more = page.locator("#qa-turn-1 details.qa-more")
    if more.get_attribute("open") is None:
        more.locator("> summary").click()
    page.evaluate("document.querySelector('#qa-sources .qa-sources').scrollTop = 1e6; window.scrollTo(0, 0)")
    assert not in_view(page, "#qa-src-1-1")
    answers.nth(1).locator("a.qa-cite").first.click()
    page.wait_for_function(IN_VIEW, arg="#qa-src-1-1", timeout=5_000)
    expect(page.locator("#qa-src-1-1")).to_have_class(re.compile(r"\bqa-selected\b"))
    # The first answer's card is hidden while the panel shows the second answer's sources, until its [1] is tapped.
    page.evaluate("window.scrollTo(0, 0)")
    assert not in_view(page, "#qa-src-0-1")
    answers.nth(0).locator("a.qa-cite").first.click()
    page.wait_for_function(IN_VIEW, arg="#qa-src-0-1", timeout=5_000)
    expect(page.locator("#qa-src-0-1")).to_have_class(re.compile(r"\bqa-selected\b"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_open_in_document_shows_the_cited_sentence_in_its_context(screen: Screen) -> None:
    from playwright.sync_api import expect

    page, texts = screen.page, texts_for(screen.language)
    page.locator("#qa-chatbot .qa-msg").nth(0).locator("a.qa-cite").first.click()
    card = page.locator("#qa-src-0-1")
    expect(card.locator(".qa-card-text mark").first).to_have_text(CITED_SENTENCE)
    card.get_by_role("button", name=texts["open_document"]).click()
    viewer = page.locator("#qa-viewer")
    expect(viewer.locator(".qa-viewer-title")).to_have_text("Kleine NATO-Chronik")
    expect(viewer.locator("#qa-viewer-target mark")).to_have_text(CITED_SENTENCE)
    # opened at the sentence: it is in view although thirty paragraphs come before it, and they are all there
    page.wait_for_function(IN_VIEW, arg="#qa-viewer-target mark", timeout=5_000)
    expect(viewer.locator(".qa-viewer-text")).to_contain_text("Kapitel 1: Das Stadtarchiv")
    expect(viewer.locator(".qa-viewer-text")).to_contain_text("Kapitel 30: Das Stadtarchiv")
    expect(viewer.locator(".qa-viewer-text")).to_contain_text("Anhang 10: Die Bibliothek")
    viewer.get_by_role("button", name=texts["close"]).click()
    expect(viewer).to_be_hidden()


def test_numbers_and_dates_follow_the_locale(screen: Screen) -> None:
    from playwright.sync_api import expect

    page, language = screen.page, screen.language
    timings = page.locator("#qa-chatbot .qa-timing").all_inner_texts()
    assert len(timings) >= 2 and all(TIMING[language].match(line) for line in timings), timings
    page.locator("#qa-chatbot .qa-msg").nth(0).locator("a.qa-cite").first.click()
    expect(page.locator("#qa-src-0-1 .qa-card-meta")).to_contain_text(NATO_DATE[language])
    page.fill("#qa-message textarea", LONG_QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator("#qa-notice .qa-notice")).to_contain_text(TOO_LONG[language])
    page.fill("#qa-message textarea", "")


def test_every_message_is_in_the_interface_language(screen: Screen) -> None:
    from playwright.sync_api import expect

    page, language = screen.page, screen.language
    texts = texts_for(language)
    foreign_quote = {"de": "”", "en": "„"}[language]  # German quotes close with “, English ones with ”
    page.fill("#qa-message textarea", LONG_QUESTION)  # the long-question notice, shown in the UI language
    page.keyboard.press("Enter")
    expect(page.locator("#qa-notice .qa-notice")).to_contain_text(texts["invalid_title"])
    page.fill("#qa-message textarea", "")
    page.locator("#qa-chatbot .qa-msg").nth(0).locator("a.qa-cite").first.click()
    page.locator("#qa-src-0-1").get_by_role("button", name=texts["open_document"]).click()
    expect(page.locator("#qa-viewer .qa-viewer-title")).to_be_visible()
    chat = page.evaluate(INTERFACE_TEXT, CONTENT)
    page.keyboard.press("Escape")
    page.get_by_role("tab", name=texts["documents_tab"]).click()
    expect(page.locator("#qa-documents li.qa-doc").first).to_be_visible()
    documents = page.evaluate(INTERFACE_TEXT, CONTENT)
    page.get_by_role("tab", name=texts["chat_tab"]).click()
    for shown in (chat, documents):
        assert texts["title"] in shown  # the interface's own words are there to be read
        assert not foreign_words(shown, language), foreign_words(shown, language)
        assert foreign_quote not in shown
    assert "qa.toml" not in chat and "max_question_chars" not in chat  # operator hints stay in the log
    assert texts["checked"] in chat and texts["close"] in chat and texts["open_document"] in chat
    assert texts["documents_open"] in documents

    # the page as it loaded: the example questions in its language, and no other word of the other language
    for question in EXAMPLES[language]:
        assert question in screen.loaded["chat"]
    assert not any(question in screen.loaded["chat"] for question in EXAMPLES["en" if language == "de" else "de"]
                   if question not in EXAMPLES[language])
    assert not foreign_words(screen.loaded["interface"], language)


def test_the_chat_uses_the_system_font(screen: Screen) -> None:
    """A web font whose files lack glyphs draws those letters in another font (Gradio's bundled Source Sans Pro
    SemiBold has only "A", "B" and Cyrillic, so a bold "NATO" mixed two fonts): the text uses the system's."""
    page = screen.page
    selectors = ["#qa-chatbot .qa-msg p", "#qa-chatbot .qa-question", "#qa-send", "#qa-header h1",
                 "#qa-sources .qa-turn-label", "#qa-sources .qa-card-title"]
    fonts = page.evaluate(FONTS, selectors)
    assert None not in fonts["first"], dict(zip(selectors, fonts["first"], strict=True))
    web = set(fonts["web"])
    assert not web & set(fonts["first"]), (fonts, selectors)
    app = screen.requests[0].split("/", 3)[:3]
    assert all(url.split("/", 3)[:3] == app for url in screen.requests if url.startswith("http"))  # nothing fetched


def test_a_pending_answer_shows_its_phase_and_its_place_in_the_queue(screen: Screen, chat_app: ChatApp) -> None:
    from playwright.sync_api import expect

    texts, first, second = texts_for(screen.language), screen.page, screen.other
    phases = [texts[key] for key in ("queued", "loading_model", "searching", "writing")]
    phases += [texts["reading"].format(count=count) for count in range(1, 16)]
    answered = [page.locator("#qa-chatbot .qa-timing").count() for page in (first, second)]
    chat_app.generator.gate.clear()  # the model holds the first answer; the second waits in the queue
    try:
        first.fill("#qa-message textarea", GERMAN_QUESTION)
        first.keyboard.press("Enter")
        phase = first.locator("#qa-chatbot .qa-phase")
        expect(phase).to_be_visible()
        expect(phase.locator(".qa-elapsed")).to_have_text(re.compile(r"^[1-9]\d* s$"), timeout=5_000)  # counting
        label = phase.inner_text()
        assert any(label.startswith(text) for text in phases) and not foreign_words(label, screen.language), label
        assert in_view(first, "#qa-chatbot .qa-phase")
        expect(phase.locator(".qa-queue")).to_be_hidden()  # answering, not waiting: no place in the queue

        second.fill("#qa-message textarea", ENGLISH_QUESTION)
        second.keyboard.press("Enter")
        waiting = second.locator("#qa-chatbot .qa-phase")
        expect(waiting).to_contain_text(texts["queued"])
        # the place comes from Gradio's queue status (qa.ui.assets reads its status line; this pins that)
        expect(waiting.locator(".qa-queue")).to_have_text(texts["queue_place"].format(place=1))
        assert in_view(second, "#qa-chatbot .qa-phase")
    finally:
        chat_app.generator.gate.set()
    for page, before in zip((first, second), answered, strict=True):
        expect(page.locator("#qa-chatbot .qa-timing")).to_have_count(before + 1)
        expect(page.locator("#qa-chatbot .qa-phase")).to_have_count(0)


def test_the_trash_icon_clears_the_chat(screen: Screen) -> None:
    from playwright.sync_api import expect

    page, texts = screen.other, texts_for(screen.language)
    if page.locator("#qa-chatbot .qa-msg").count() == 0:
        ask(page, GERMAN_QUESTION)
    # The icon floats over the top right corner of the scrolling chat: a bubble that reaches under it would be
    # covered when it is scrolled up there.
    across = page.evaluate(TRASH_AND_BUBBLES)
    assert len(across["trash"]) == 1 and len(across["bubbles"]) >= 2, across
    (trash_left, _), = across["trash"]
    assert all(right + 4 <= trash_left for _, right in across["bubbles"]), across  # and a little room between
    page.locator("#qa-chatbot .icon-button-wrapper button").click()
    expect(page.locator("#qa-chatbot .qa-msg")).to_have_count(0)
    expect(page.locator("#qa-sources")).to_contain_text(texts["sources_empty"])
    ask(page, ENGLISH_QUESTION)  # a new conversation: the answer is turn 0 again, with no history
    expect(page.locator("#qa-chatbot .qa-msg")).to_have_count(1)
    expect(page.locator("#qa-src-0-1")).to_contain_text("backed Rutte's candidacy")
