"""Translate-test: the question in the collection's other languages, so that each passage meets a question in its own language.

Multilingual embeddings rank passages in the question's language above
passages in another language that answer it better, and BM25 cannot match
across languages at all. Translating the question into the other languages of
the collection (the well-known "translate-test" remedy) lets retrieval and
passage choice compare like with like. The translation is used for finding
and choosing passages only: the model answers the question as it was asked.

A translation the small model garbled (an answer instead of a translation,
the wrong language, a text far longer or shorter than the question) is
dropped, and the question is searched as before. One that carries the worked
example's subject into the question ("narrow bridges" for "Schmalspurbahnen")
is asked again with another example.

The same model also translates single sentences: a passage sentence that a
claim across languages is checked against once more (qa.answer.evidence's
translated_support) and, with the pivot option, an answer's checked sentences
(qa.answer.pivot); such a translation is judged on the words it does not copy.

Leaves out: the prompt wording (qa.answer.prompts) and how the wordings are
fused (qa.retrieval).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from qa.answer.prompts import (
    SENTENCE_TRANSLATE_EXAMPLE,
    TRANSLATE_EXAMPLES,
    sentence_translate_messages,
    translate_messages,
)
from qa.models.generator import Generator, text_of
from qa.text.language import SUPPORTED, detect_language

MAX_TOKENS = 80
SENTENCE_MAX_TOKENS = 160
# A translation between German and English is rarely under half or over twice the question's length.
MIN_LENGTH_RATIO = 0.5
MAX_LENGTH_RATIO = 2.0
_TAGS = re.compile(r"</?q>", re.I)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def target_languages(question_language: str, document_languages: Collection[str]) -> list[str]:
    """The languages of the collection other than the question's that the model can translate into."""
    return sorted(language for language in set(document_languages) - {question_language} if language in SUPPORTED)


def plausible_translation(source: str, output: str, target: str, min_ratio: float, max_ratio: float,
                          joined_lines: int = 1, any_language: bool = False) -> str | None:
    """The model's translation of `source` into `target` from its raw `output` (tags removed; up to
    `joined_lines` lines joined, else the first), or None when it is empty, `source` itself, a worked example
    of the translation prompts repeated (`_copies_example`), in another language (not checked with
    `any_language`: the caller judges it), or outside `min_ratio`..`max_ratio` times the source's length."""
    lines = [line.strip() for line in _TAGS.sub("", output).strip().splitlines() if line.strip()]
    if not lines:
        return None
    text = " ".join(lines) if len(lines) <= joined_lines else lines[0]
    if text == source.strip() or _copies_example(text, source) or (
            not any_language and detect_language(text, default="") != target):
        return None
    ratio = len(text) / max(1, len(source.strip()))
    return text if min_ratio <= ratio <= max_ratio else None


def clean_translation(question: str, output: str, target: str) -> str | None:
    """The model's translation of `question` into `target`, or None when it is not a plausible one."""
    text = plausible_translation(question, output, target, MIN_LENGTH_RATIO, MAX_LENGTH_RATIO)
    if text is not None and question.rstrip().endswith("?") and not text.endswith("?"):
        return None  # the model answered instead of translating
    return text


def _copies_example(text: str, source: str) -> bool:
    """Whether `text` is a worked example of the translation prompts (a question's or a sentence's, either side, word
    for word) that `source` is not: the model repeated its example ("What university won the award for Most IT
    enabled organisation?" came back as "Wann wurde die neue Brücke eröffnet, und wer hat sie gebaut?", which found
    passages about a bridge and backed an answer on topic with those)."""
    tables = (*(table for table, _ in TRANSLATE_EXAMPLES), SENTENCE_TRANSLATE_EXAMPLE)
    examples = {_plain(part) for table in tables for pair in table.values() for part in pair}
    return _plain(text) in examples and _plain(source) not in examples


def _plain(text: str) -> tuple[str, ...]:
    """The words of `text` without tags, case folded: "gebaut?" and "gebaut ?" are one."""
    return tuple(_WORD.findall(_TAGS.sub("", text).casefold()))


def translate_question(generator: Generator, question: str, target: str) -> str | None:
    """`question` translated into `target` ("de"/"en") by the answer model, or None when that failed. A translation
    that carries its worked example's subject into the question (_borrows_subject) is asked again with the next
    example; when every example's is borrowed, or the translation is garbled, there is none."""
    for example, (_, subject) in enumerate(TRANSLATE_EXAMPLES):
        output, _ = text_of(generator.stream(translate_messages(question, target, example), max_tokens=MAX_TOKENS))
        text = clean_translation(question, output, target)
        if text is None or not _borrows_subject(text, question, subject):
            return text
    return None


def _borrows_subject(text: str, question: str, subject: tuple[str, ...]) -> bool:
    """Whether the translation `text` names a worked example's `subject` (its words in both languages, also inside a
    compound: "Unterseebrücken", "Rheinbrücke") while the `question` names it in neither language."""
    def names(words: str) -> bool:
        folded = words.casefold()
        return any(word in folded for word in subject)
    return names(text) and not names(question)


def translated_sentence(sentence: str, output: str, target: str) -> str | None:
    """The model's translation of a `sentence` (an answer's or a passage's) from its raw `output`, or None when it is
    no plausible translation into `target`: empty, the sentence itself, far longer or shorter, or not in `target`.
    The language is judged on the words the translation does not copy from the sentence: an answer naming
    "An Unearthly Child" or the "Federal Energy Office" is German by its other words."""
    text = plausible_translation(sentence, output, target, MIN_LENGTH_RATIO, MAX_LENGTH_RATIO, any_language=True)
    if text is None:
        return None
    copied = {word.casefold() for word in _WORD.findall(sentence)}
    new = " ".join(word for word in _WORD.findall(text) if word.casefold() not in copied)
    return text if new and detect_language(new, default="") == target else None


def translate_sentence(generator: Generator, sentence: str, target: str) -> str | None:
    """`sentence` translated into `target` ("de"/"en") by the answer model, or None when that failed."""
    output, _ = text_of(generator.stream(sentence_translate_messages(sentence, target), max_tokens=SENTENCE_MAX_TOKENS))
    return translated_sentence(sentence, output, target)
