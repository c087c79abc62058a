"""Answering in the sources' language, then translating the checked answer ("pivot").

On every question set answers across languages are right less often than
answers within one language, while the facts reach the prompt about as often.
The classic remedy, translate-test taken to the end: when every passage of the
prompt is in one language other than the question's, the model answers in that
language, the draft is checked there (like with like), and only the
*checked* sentences are translated into the question's language, each keeping
its citation markers. A translation must keep the checked sentence's key
items: its numbers and dates (by value, "1. Oktober 2024" = "1 October 2024"),
its countries (by CLDR code) and the people's names it gives; a sentence whose
translation fails is shown as checked, in the sources' language, so nothing
unchecked is ever shown as checked. Measured in session 13 (README) it gave
fewer right answers on three of four sets, so `pivot` is off by default.

Leaves out: the checks themselves (qa.answer.citations, qa.answer.evidence) and the
prompts' wording (qa.answer.prompts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer.key_items import find_countries, find_full_names, fold, key_items
from qa.answer.translate import translate_sentence
from qa.models.generator import Generator
from qa.text.language import SUPPORTED
from qa.types import Passage

MODES = ("off", "question", "translation")


def pivot_language(question_language: str, passages: Sequence[Passage]) -> str | None:
    """The one language of all `passages` when it is not the question's (and the model writes it), else None."""
    languages = {passage.chunk.language for passage in passages}
    if len(languages) != 1:
        return None
    (language,) = languages
    return language if language != question_language and language in SUPPORTED else None


@dataclass(frozen=True)
class Translated:
    """One checked sentence and what the reader sees: its translation, or the sentence itself when that failed."""

    source: str
    shown: str
    translated: bool


def translate_sentences(generator: Generator, sentences: Sequence[str], source: str, target: str,
                        common: frozenset[str] = frozenset()) -> list[Translated]:
    """Each of `sentences` (markers removed) translated from `source` into `target` by the model, kept as it is
    where the translation is implausible or loses a key item."""
    results = []
    for sentence in sentences:
        text = translate_sentence(generator, sentence, target)
        if text is not None and keeps_key_items(sentence, source, text, target, common):
            results.append(Translated(sentence, text, True))
        else:
            results.append(Translated(sentence, sentence, False))
    return results


def keeps_key_items(original: str, source: str, translation: str, target: str,
                    common: frozenset[str] = frozenset()) -> bool:
    """Whether `translation` states the same numbers and dates (by value), countries and people's names as
    `original`. A person's name is a run of two or more proper names in `original` ("Mark Rutte") of which no
    word is also written in lower case in the collection (`common`: "Secretary General" is no person); each of
    its words must stand in the translation."""
    before, after = key_items(original, source), key_items(translation, target)
    if set(before.dates) != set(after.dates):
        return False
    if not (_all_read(before.numbers, after.numbers) and _all_read(after.numbers, before.numbers)):
        return False
    if find_countries(original) != find_countries(translation):
        return False
    words = {fold(word) for word in translation.replace("-", " ").split()}
    words |= {word.strip(".,;:!?()\"'„“”‚‘’«»") for word in words}
    for run in find_full_names(original, source):
        if any(part in common for part in run):
            continue
        if not all(piece in words for part in run for piece in part.split("-")):
            return False
    return True


def _all_read(numbers: Sequence[frozenset], others: Sequence[frozenset]) -> bool:
    """Whether every number mention (the set of its readings) shares a reading with one of `others`."""
    return all(any(readings & other for other in others) for readings in numbers)
