"""Reading the model's output: refusals, loops, sentences about the passages, sources named up front, split figures,
country names copied from a passage in the other language.

The counterpart of qa.answer.prompts (the text that goes to the model). The
refusal phrases are data (refusal_signals.toml). Leaves out: checking what the
sentences claim (qa.answer.citations, qa.answer.support).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

from babel.numbers import format_decimal

from qa.answer.data import load_table
from qa.answer.key_items import key_items


@cache
def refusal_signals() -> dict[str, tuple[str, ...]]:
    """Phrases by which the model says the passages do not cover the question, per language."""
    return {language: tuple(phrases) for language, phrases in load_table("refusal_signals.toml").items()}


# Sentences about the passages rather than the question ("This is supported by passage [2].").
META_SENTENCE = re.compile(r"^\W*((this|that|it) (is|was) (supported|stated|mentioned)|(passages?|passagen?)\s*\[?\d|"
                           r"(laut|gemäß|according to) (passage|passagen?)\s*\[?\d*\]?\s*[.:]?$|"
                           r"(dies|das) (wird|ist) (in|durch) passage)", re.I)
META_PREFIX = re.compile(r"^\s*(antwort|answer|passage|passagen)\s*\[?\d*\]?\s*:\s*", re.I)
# A sentence led in by its source ("Passage [2]: Die NATO ..."): a citation in the wrong place, not meta talk.
SOURCE_LEAD_IN = re.compile(r"^\s*(?:laut\s+|gemäß\s+|according to\s+)?(?:passage|passagen)\s*\[?(\d+)\]?\s*[:,]\s*(?=\S)", re.I)


def is_refusal(text: str, language: str) -> bool:
    """True when the model's text says the passages do not answer the question."""
    lowered = " ".join(text.lower().split())
    signals = refusal_signals()
    return any(signal in lowered for lang in (language, "en", "de") for signal in signals[lang])


# A draft that says the same three words this often has run into a loop ("die Beiträge von Beiträgen von
# Beiträgen von …", greedy decoding until max_tokens): it is no answer, however well its words match a passage.
# An answer of one to three sentences repeats a phrase at most three times ("X was born in …. Y was born in …").
LOOP_REPEATS = 5


def repeats_itself(text: str) -> bool:
    """Whether some run of three words stands at least LOOP_REPEATS times in `text` (a generation loop), or a
    span of three words or more is said twice in a row, with at most a comma or a list joiner between ("um die
    deutsche Beziehungen zu verändern und die deutsche Beziehungen zu verändern"): no sentence says that."""
    words = re.findall(r"\w+", text.casefold())
    runs = Counter(zip(words, words[1:], words[2:]))
    return bool(runs) and (max(runs.values()) >= LOOP_REPEATS or bool(_stammer().search(text)))


@cache
def list_joiners() -> str:
    """function_words.toml's words that join a list's items ("and", "sowie", "&"), as a regex alternation."""
    joiners = sorted(load_table("function_words.toml")["list_joiners"], key=len, reverse=True)
    return "|".join(re.escape(joiner) for joiner in joiners)


@cache
def _stammer() -> re.Pattern[str]:
    """A span of three words or more followed at once by itself (a comma or a list joiner between)."""
    return re.compile(rf"\b(\w+(?:\s+\w+){{2,}})\s*,?\s*(?:(?:{list_joiners()})\s+)?\1\b", re.I)


# A figure the model's tokenizer broke apart: "800, 000" or "1, 352" (a group of three digits after ", ").
_SPLIT_FIGURE = re.compile(r"(?<![\d.,])(\d{1,3})((?:, \d{3})+)(?![\d]|[.,]\d)")


def join_split_figures(text: str, language: str, evidence: list[tuple[str, str]]) -> str:
    """ "800, 000 soldiers" -> "800,000 soldiers" (German: "800.000 Soldaten", CLDR's grouping via Babel) where
    the evidence (texts with their languages) holds the figure 800000: the small model writes a figure's
    groups apart, and the user must see the figure whole. Anything else ("in 2, 000 cases") is left alone."""
    if not _SPLIT_FIGURE.search(text):
        return text
    figures = {value for passage, passage_language in evidence
               for value in key_items(passage, passage_language).number_values()}

    def join(match: re.Match[str]) -> str:
        value = int(match.group(1) + match.group(2).replace(", ", ""))
        return format_decimal(value, locale=language) if value in figures else match.group(0)

    return _SPLIT_FIGURE.sub(join, text)


@cache
def _foreign_country_names() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """Per answer language: a pattern of the other language's CLDR country names that differ from the answer
    language's ("Morocco" for German, "Marokko" for English), and each such name's name in the answer language."""
    from babel import Locale

    names = {language: Locale(language).territories for language in ("de", "en")}
    codes = [code for code in names["en"] if isinstance(code, str) and len(code) == 2 and code.isalpha()
             and code in names["de"]]
    found: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}
    for language, other in (("de", "en"), ("en", "de")):
        # German inflects the adjective of a name of several words ("die Vereinigten Staaten"): those stay as written
        own = {names[other][code]: names[language][code] for code in codes if names[other][code] != names[language][code]
               and (language != "de" or " " not in names[language][code])}
        alternatives = "|".join(re.escape(name) for name in sorted(own, key=len, reverse=True))
        # alone: not part of a compound ("Südkorea-Modell") nor of a longer name ("Corps Italy", "Republik Kenya",
        # "Kenya Airways"): no hyphen and no capitalised word right before or after it
        found[language] = (re.compile(rf"(?<![\w-])({alternatives})(?![\w-])(?! [A-ZÄÖÜ])"), own)
    return found


_WORD_BEFORE = re.compile(r"(\S+)\s+$")
_OPENING_PUNCTUATION = "\"'„“‚‘«»‹›([{"


def localise_countries(text: str, language: str, evidence: Sequence[str]) -> str:
    """A country the answer names by its name in the other language, copied from a cited passage in that language
    ("Kenia konkurriert mit Morocco und Ethiopia"), named as the answer's language names it (CLDR via Babel: "mit
    Marokko und Äthiopien"). A name inside a longer name or a compound is left as written, and so is one that the
    cited passages (`evidence`) do not write alone as well: "Jordan" of "Michael Jordan" is no country."""
    if language not in ("de", "en"):
        return text
    pattern, own = _foreign_country_names()[language]
    countries = {match.group(1) for passage in evidence for match in pattern.finditer(passage)
                 if _stands_alone(match, passage)}
    return pattern.sub(lambda match: own[match.group(1)] if match.group(1) in countries and _stands_alone(match, text)
                       else match.group(0), text)


def _stands_alone(match: re.Match[str], text: str) -> bool:
    """The matched name has no capitalised word right before it (a sentence's end aside): not "Corps Italy", nor
    a title's "„Fantasy Island“" (an opening quotation mark before the word does not hide its capital)."""
    before = _WORD_BEFORE.search(text[:match.start()])
    if before is None:
        return True
    word = before.group(1).lstrip(_OPENING_PUNCTUATION)
    return not word[:1].isupper() or word[-1] in ".:!?"
