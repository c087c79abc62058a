"""Property-based tests (hypothesis) of the parts that take arbitrary text.

Cleaning, chunking, sentence splitting, citation-marker parsing and chat
rendering get generated text: random Unicode mixed with the pieces that break
text code (markers, markup, hidden and bidirectional characters, abbreviations,
blank lines, Markdown headings). They must never raise, every offset must lie
inside the text it points into, and rendered output must never hold a tag
from the input. Examples are kept few (100 per property) so the suite stays
fast; hypothesis shrinks any failure to a small example.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from qa import ui
from qa.ingest.chunking import chunk_document
from qa.ingest.documents import clean_text
from qa.text.markers import MARKER, marker_numbers, markers, strip_markers
from qa.text.sentences import split_answer_sentences, split_sentences
from qa.types import Document

FRAGMENTS = (
    "[1]", "[7]", "[1][2]", "[1, 3]", "[12; 4]", "[", "]", "(", ")", "<script>alert(1)</script>", "<b>", "</p>",
    "<img src=x onerror=alert(1)>", "[link](http://evil.example)", "![x](y)", "**", "_", "`", "&amp;", "&#60;",
    "\u200b", "\u202e", "\u2066", "\u00ad", "\ufeff", "\x00", "\x07", "\r\n", "\n", "\n\n", "\t", "  ",
    "z. B. ", "Nr. 5", "1. Oktober", "Dr. ", "e.V.", ". ", "? ", "! ", "…", "# ", "## Heading\n", "Sou-\nveränität",
    "NATO-\nStaaten", "1 Fußnote\n", "Quelle: tagesschau\n", "mehr", "🙂", "ß", "Ä", "“", "„", "»",
)
hostile_text = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS)), max_size=40).map("".join)
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "qa-bot-hypothesis")  # its caches stay out of the checkout
PROPERTY = settings(max_examples=100, deadline=None, database=None)
ALLOWED_TAGS = re.compile(r'<br>|<a class="qa-cite" href="#qa-src-\d+-\d+" title="[^"<>]*">|</a>')


@PROPERTY
@given(hostile_text)
def test_cleaning_never_raises_and_blocks_lie_inside_the_text(raw: str) -> None:
    text, blocks, _ = clean_text(raw)
    for block in blocks:
        assert 0 <= block.start <= block.end <= len(text)
        assert text[block.start:block.end].strip()
    assert not MARKER.search(text)  # forged markers are disarmed
    assert not any(unicodedata.category(char) in ("Cf", "Cc") and char not in "\n\t" for char in text)


@PROPERTY
@given(hostile_text, st.sampled_from(["de", "en"]), st.integers(1, 30), st.integers(0, 2))
def test_chunks_lie_inside_the_document(raw: str, language: str, target: int, overlap: int) -> None:
    text, blocks, _ = clean_text(raw)
    document = Document(id="doc.txt", title="t", text=text, blocks=blocks, language=language, content_hash="h")
    max_words = target + 10
    for chunk in chunk_document(document, target, overlap, max_words):
        assert 0 <= chunk.start <= chunk.end <= len(text) and text[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip() and len(chunk.text.split()) <= max_words


@PROPERTY
@given(hostile_text, st.sampled_from(["de", "en", "fr"]), st.integers(0, 1000))
def test_sentences_lie_inside_the_text(text: str, language: str, offset: int) -> None:
    for sentence in split_sentences(text, language, offset):
        assert offset <= sentence.start <= sentence.end <= offset + len(text)
        assert text[sentence.start - offset:sentence.end - offset] == sentence.text
    for piece in split_answer_sentences(text, language):
        assert piece.strip()


@PROPERTY
@given(hostile_text)
def test_marker_parsing_never_raises_and_finds_only_real_markers(text: str) -> None:
    numbers = markers(text)
    assert len(numbers) == len(set(numbers)) and all(number >= 0 for number in numbers)
    for match in MARKER.finditer(text):
        assert set(marker_numbers(match.group(1))) <= set(numbers)
    assert not MARKER.search(strip_markers(text))


@PROPERTY
@given(hostile_text, st.dictionaries(st.integers(0, 20), st.text(max_size=20), max_size=4))
def test_rendering_never_emits_a_tag_from_the_input(text: str, titles: dict[int, str]) -> None:
    escaped = ui.escape_chat_text(text)
    assert "<" not in escaped.replace("<br>", "")
    rendered = ui.render_markers(text, 0, titles)
    assert "<" not in ALLOWED_TAGS.sub("", rendered)
    chat = ui.render_chat(ui.Conversation((ui.Turn(text, status="error", error=text),)), ui.texts_for("de"))
    assert "<script" not in chat[0]["content"] + chat[1]["content"]
    assert "<img" not in chat[0]["content"] + chat[1]["content"]
