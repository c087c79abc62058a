"""Does a cited passage back one answer sentence? Key items against the cited sentence, the question's focus, its kind.

A citation vouches only for what the cited sentence itself says. For each
claim and cited passage the check looks for one sentence (or two adjacent
ones) of the passage, or the document's source line, that

- holds every key item the claim adds to the question: its numbers and dates
  (normalised across languages, qa.answer.key_items), its countries, and its
  names; a name found only in another passage is a wrong entity taken from
  the context, an English proper name found nowhere is invented;
- talks about what the question asks (its focus words, or across languages
  a clear embedding similarity to the question), so that "Rutte served 14
  years" does not answer "how many children does he have";
- backs the rest of the claim by shared words or embedding similarity.

`answers_kind` tells whether an answer holds an item of the kind its question
asks for (a number for "how many", a date for "when", ...). Constants are
cosine similarities of multilingual-e5 query vectors against passage
sentence vectors; `FOCUS_COSINE` was calibrated on the dev set (README).

Leaves out: parsing markers and deciding what to do with the verdicts
(qa.answer.citations, qa.answer.answerer).
Over 250 lines: the claim-support rules share private helpers (name keys, windows,
topic tests); splitting them would export those helpers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache, lru_cache

import numpy as np

from qa.answer.data import load_table
from qa.answer.gate import centuries, plain_years
from qa.answer.key_items import (
    POSSESSIVE,
    KeyItems,
    appositive_countries,
    counts_back_in_time,
    dates_agree,
    figures_and_next_words,
    find_countries,
    find_full_names,
    find_names,
    fold,
    key_items,
    names_continent,
    number_words,
    plural_magnitudes,
    spelled_out_abbreviations,
    without_ordinals,
)
from qa.answer.prompts import WEB_ADDRESS
from qa.answer.support import content_words_both, naming_verbs, naming_words, semantic_support
from qa.text.markers import strip_markers

# A window the question's focus words miss still counts as on topic at this similarity to the question.
FOCUS_COSINE = 0.81
# Within one language words can be compared, so similarity alone must be higher to count as on topic.
SAME_LANGUAGE_FOCUS_COSINE = 0.86
# A window anchored to the question (a name the question gives that no other prompt passage names, or a figure it
# gives) is on topic at a similarity this much below those bars: "Twigg schlug vor, dass die Ursache eine Form von
# Anthrax war" answers "Was schlägt Graham Twigg über die Ausbreitung der Krankheiten vor?" in other words (0.845
# within one language). Chosen on 16 replayed sets of session 30: 0.03 and 0.045 backed the same 6 right answers
# and no wrong one (README, session 30).
ANCHORED_COSINE_MARGIN = 0.03
# Support given to a claim in another language than its cited sentence when its new key items all stand
# in that on-topic sentence and the two are at least KEY_ITEM_COSINE similar.
KEY_ITEM_SUPPORT = 0.6
KEY_ITEM_COSINE = 0.84
# An answer citing only passages after the closest one must cite a sentence sharing at least this share of the focus
# words the best prompt sentence shares (chosen on the 27 replayed sets of session 25: 0.6 stopped 12 answers that
# were wrong or are now quoted right and cost 4 right ones; "as many as the best" stopped 16 and cost 10).
LEAD_FOCUS_SHARE = 0.6
# Support of a claim that fails a key-item or focus test: below any threshold.
FAILED_SUPPORT = 0.1
_NAME_PREFIX = 5  # names compare on their first letters: "Brüssel" ~ "Brussels", "Stoltenbergs" ~ "Stoltenberg"


@dataclass(frozen=True)
class PassageEvidence:
    """What a passage offers as evidence: its sentences (with vectors), language and the document's source line."""

    sentences: tuple[str, ...]
    vectors: np.ndarray | None
    language: str
    source_line: str = ""
    # the document's title: a country it names is the one a sentence refers to as "the country" ("… entschied sich
    # US-Präsident Barack Obama, das Land … nicht zu besuchen" in the article "Kenya"; _title_country)
    title: str = ""


@dataclass(frozen=True)
class QuestionFacts:
    """What the question asks: its kind of answer, key items, content words, focus words and vector."""

    text: str
    language: str
    kind: str | None
    items: KeyItems
    words: frozenset[str]
    focus: frozenset[str]
    vector: np.ndarray | None
    counted: frozenset[str] = frozenset()  # for "how many X": the stems of X, which the evidence must be about
    also: tuple[str, ...] = ()  # further kinds a question joining two asks ("wann und wo") wants answered
    wordings: tuple[QuestionFacts, ...] = ()  # the question translated into other languages, analysed alike

    def wordings_for(self, language: str) -> list[QuestionFacts]:
        """The question itself, and its wording in `language` when a translation gives one."""
        wording = self.in_language(language)
        return [self] if wording is self else [self, wording]

    def in_language(self, language: str) -> QuestionFacts:
        """The question as worded in `language` (its translation, when there is one), to compare with
        evidence in that language word for word and by same-language similarity."""
        return next((wording for wording in self.wordings if wording.language == language), self)


@dataclass(frozen=True)
class PromptNames:
    """In how many of the prompt's passages each name occurs (by folded prefix)."""

    counts: dict[str, int]
    passages: int
    best_focus: int = 0  # the most question focus words any single prompt sentence shares (see best_focus_hits)
    best_dated_focus: int = 0  # the same among the prompt sentences that hold a date or a year
    # for a "how much"/"when" question: (language, focus words shared, figures) of each prompt sentence holding
    # such a figure
    figured_focus: tuple[tuple[str, frozenset[str], frozenset], ...] = ()

    @classmethod
    def of(cls, texts: Sequence[str]) -> PromptNames:
        counts: dict[str, int] = {}
        for text in texts:
            for stem in name_stems(text):
                counts[stem] = counts.get(stem, 0) + 1
        return cls(counts, len(texts))

    def topical(self, stem: str) -> bool:
        """A name in most passages (the collection's topic, e.g. the organisation) is not an answer's key item."""
        return self.passages >= 3 and self.counts.get(stem, 0) >= 0.8 * self.passages


@dataclass(frozen=True)
class ClaimSupport:
    """The verdict for one claim and one passage: a score, the backing window (sentence indexes) and why."""

    score: float
    window: tuple[int, ...] = ()
    reason: str = ""


@cache
def _kind_patterns() -> list[tuple[str, dict[str, re.Pattern[str]]]]:
    table = load_table("question_kinds.toml")
    # Whole words only: "wann" must not match inside "gewann".
    return [(kind, {language: re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns), re.I)
                    for language, patterns in table[kind].items()}) for kind in table]


@cache
def _clause_patterns() -> dict[str, tuple[frozenset[str], re.Pattern[str] | None]]:
    """Per language: the question words that also join clauses, and a pattern of the question words that,
    standing before one, make it a conjunction (question_clauses.toml)."""
    table = load_table("question_clauses.toml")
    return {language: (frozenset(word.lower() for word in table["joining"].get(language, [])),
                       re.compile(r"(?<!\w)(?:" + "|".join(asking) + r")(?!\w)", re.I) if asking else None)
            for language, asking in table["asking"].items()}


def _joins_a_clause(match: re.Match[str], question: str, language: str) -> bool:
    """Whether the matched question word only joins a clause: "when" after "What happened" or "Who was", or
    opening a clause that a comma and the question's own question word follow ("When many people are arrested,
    what is a common tactic?"; not "When did it end, and who won?")."""
    joining, asking = _clause_patterns().get(language, (frozenset(), None))
    if match.group(0).lower() not in joining or asking is None:
        return False
    comma = question.find(",", match.end())
    return (asking.search(question[:match.start()]) is not None
            or (comma >= 0 and asking.match(question[comma + 1:].lstrip()) is not None))


def _kind_matches(question: str, language: str) -> Iterator[tuple[str, re.Match[str]]]:
    """(kind, match) of the question words in the question, in the order of the kinds; a word that only
    joins a clause does not count."""
    for kind, patterns in _kind_patterns():
        for match in patterns[language if language in patterns else "en"].finditer(question):
            if (not _joins_a_clause(match, question, language) and not _in_a_name(match, question)
                    and not _in_an_indirect_question(match, question, language)):
                yield kind, match
                break


def _in_an_indirect_question(match: re.Match[str], question: str, language: str) -> bool:
    """The matched question word opens a clause after a comma, and before the comma the question asks for one of a
    class ("welcher Metrik", "which metric"; function_words.toml's interrogative determiners): "Mit welcher Metrik
    wird bestimmt, wie groß ein Flughafen ist?" asks for a metric, not a size. Not after a question word alone ("Wer
    weiß, wann …?" asks when), nor in a second question joined by "and"/"und" ("Where …, and in which year …?")."""
    comma = question.rfind(",", 0, match.start())
    if comma < 0 or re.search(r"(?<!\w)(?:and|und|or|oder)(?!\w)", question[comma:match.start()], re.I):
        return False
    return bool(_words_after(question[:comma], language, "interrogative_determiners"))


def _in_a_name(match: re.Match[str], question: str) -> bool:
    """The matched question word is capitalised right after a capitalised word inside the question: part of a name
    ("… of Doctor Who's companion?"), not the question's own word ("Und Wer …?" opens with two capitals)."""
    before = list(re.finditer(r"[^\W\d_][\w'’-]*", question[:match.start()]))
    return (match.group(0)[:1].isupper() and len(before) > 1 and before[-1].group(0)[:1].isupper()
            and not question[before[-1].end():match.start()].strip())  # "Mark Rutte: Who …?" asks


def _kind_match(question: str, language: str) -> re.Match[str] | None:
    return next((match for _, match in _kind_matches(question, language)), None)


def question_kind(question: str, language: str) -> str | None:
    """The kind of item the question asks for: "number", "date", "place", "person", "name", or None."""
    return next((kind for kind, _ in _kind_matches(question, language)), None)


def question_kinds(question: str, language: str) -> tuple[str, ...]:
    """Every kind of item the question asks for, when it joins several asks ("Wo und wann …?", "How many …,
    and since when?"): the kinds whose question words stand on both sides of an "and"/"und"."""
    joined = re.search(r"\b(?:and|und)\b", question, re.I)
    if not joined:
        return tuple(filter(None, [question_kind(question, language)]))
    before, after = question[:joined.start()], question[joined.end():]
    kinds = [question_kind(before, language), question_kind(after, language)]
    if None in kinds:
        return tuple(filter(None, [question_kind(question, language)]))
    return tuple(dict.fromkeys(kinds))  # type: ignore[arg-type]


def question_facts(question: str, language: str, vector: np.ndarray | None,
                   translations: Sequence[tuple[str, str, np.ndarray | None]] = ()) -> QuestionFacts:
    """Analyse the question once per answer; `translations` are (text, language, vector) of its wordings
    in other languages (translate-test), analysed alike."""
    items = key_items(question, language)
    words = content_words_both(question, language)
    kind = question_kind(question, language)
    # The focus: what the question asks about, without the question phrase ("wie viele", "how many") and
    # without its proper names (the answer repeats them anyway): in English every capitalised word inside
    # the sentence, in German, which capitalises every noun, full names only ("Jens Stoltenberg"), so that
    # a sentence that merely names the person is not on topic (of a longer run of capitalised words only the
    # first two: "Mark Ruttes Lieblingsessen"); see _on_topic for how many words it needs.
    names = ({fold(name) for name in items.names} if language == "en"
             else {name for run in find_full_names(question, language) for name in run[:2]})
    phrase = _kind_match(question, language)
    asked = content_words_both(question[:phrase.start()] + " " + question[phrase.end():], language) if phrase else words
    # nor the countries it names: "In which year will Ukraine join?" is not answered by any sentence on Ukraine
    country_words = {stem for word in re.findall(r"[^\W\d_]\w*", question)
                     if (found := find_countries(word, nouns_only=True)) and found <= items.countries
                     for stem in content_words_both(word, language)}
    focus = frozenset(word for word in asked if not word.isdigit() and word not in country_words
                      and not any(name.startswith(fold(word)) or fold(word).startswith(name[:4]) for name in names))
    wordings = tuple(question_facts(text, target, target_vector) for text, target, target_vector in translations)
    if language != "en":
        # German capitalises every noun, English only names: what the question's English wording writes as a name
        # ("Interstate Highway System", "England") is no focus word of the German one either
        focus -= {stem for wording in wordings if wording.language == "en"
                  for stem in content_words_both(" ".join(wording.items.names), "en")}
    return QuestionFacts(question, language, kind, items, words, focus, vector,
                         _counted(question, language) if kind == "number" else frozenset(),
                         tuple(k for k in question_kinds(question, language) if k != kind), wordings)


_COUNTING = re.compile(r"\b(?:how many|wie viele[n]?|wieviele[n]?)\s+([^\W\d_][\w-]*)", re.I)


def _counted(question: str, language: str) -> frozenset[str]:
    """The stems of the thing a "how many X" question counts (X), the words of the measure a "how old"
    question asks for (asked_measures.toml), or nothing for other questions."""
    match = _COUNTING.search(question)
    if match:
        return content_words_both(match.group(1), language)
    for pattern, words in _asked_measures():
        if pattern.search(question):
            return words
    return frozenset()


@lru_cache(maxsize=256)
def _asks_day(question: str, language: str) -> bool:
    """The date question asks for a day (asked_precision.toml), not a month or a year."""
    return _asks_precisely("day", question, language)


@lru_cache(maxsize=256)
def _asks_settlement(question: str, language: str) -> bool:
    """The place question asks for a city, town or village (asked_precision.toml), not a country."""
    return _asks_precisely("settlement", question, language)


@lru_cache(maxsize=256)
def _asks_country(question: str, language: str) -> bool:
    """The place question asks for a country (asked_precision.toml), not a city."""
    return _asks_precisely("country", question, language)


def _asks_precisely(table_name: str, question: str, language: str) -> bool:
    table = load_table("asked_precision.toml")[table_name]
    return any(re.search(rf"(?<!\w)(?:{pattern})(?!\w)", question, re.I)
               for pattern in table[language if language in table else "en"])


def asks_measure(question: QuestionFacts) -> bool:
    """The question asks for a figure of one measure (an age: asked_measures.toml), whose words it counts."""
    return bool(question.counted) and _asks_measure(question.text)


@lru_cache(maxsize=256)
def _asks_measure(question: str) -> bool:
    return any(pattern.search(question) for pattern, _ in _asked_measures())


@cache
def _asked_measures() -> list[tuple[re.Pattern[str], frozenset[str]]]:
    return [(pattern, words) for pattern, words, _ in _measures_table()]


@cache
def _measures_table() -> list[tuple[re.Pattern[str], frozenset[str], bool]]:
    """Per measure of asked_measures.toml: its questions' pattern, its words' stems, and whether a span counted
    back from now ("515 million years ago") names it (`counted_back`)."""
    table = load_table("asked_measures.toml")
    return [(re.compile("|".join(rf"(?<!\w){p}(?!\w)" for patterns in measure["questions"].values()
                                 for p in patterns), re.I),
             frozenset(stem for words_language, words in measure["words"].items() for word in words
                       for stem in content_words_both(word, words_language)),
             bool(measure.get("counted_back", False)))
            for measure in table.values()]


def _names_measure(question: QuestionFacts, text: str, language: str) -> bool:
    """`text` names the measure the question asks for: one of its words, or for an age a span counted back from
    now ("… about 515 million years ago" tells how old the fossils are)."""
    if question.counted & content_words_both(text, language):
        return True
    return counts_back_in_time(text, language) and any(
        back and pattern.search(question.text) for pattern, _, back in _measures_table())


@lru_cache(maxsize=2048)
def _items(text: str, language: str) -> KeyItems:
    return key_items(text, language)


def _stem(folded: str) -> str:
    """A folded name's comparison key: its first letters, with umlauts spelled out reduced to the vowel
    ("bruessel" and "brussels" both give "bruss"), so that German and English spellings of a place meet."""
    return folded.replace("ae", "a").replace("oe", "o").replace("ue", "u")[:_NAME_PREFIX]


def name_stem(name: str) -> str:
    """The key by which a name is matched loosely (a folded prefix): "Ruttes" and "Rutte" meet."""
    return _stem(fold(POSSESSIVE.sub("", name)))


def name_stems(text: str) -> set[str]:
    """Folded word prefixes of every word of `text`, for loose name matching."""
    return {_stem(fold(word)) for word in re.findall(r"[^\W\d_]+", text)}


@dataclass(frozen=True)
class _NewItems:
    """The key items a claim adds to the question."""

    numbers: tuple[frozenset, ...]
    dates: tuple[tuple[int | None, int | None, int | None], ...]
    countries: frozenset[str]
    names: frozenset[str]
    full_names: tuple[tuple[str, ...], ...] = ()  # runs of names ("jens stoltenberg"): surely a person

    def count(self) -> int:
        return len(self.numbers) + len(self.dates) + len(self.countries) + len(self.names)


def new_items(claim: str, language: str, question: QuestionFacts) -> _NewItems:
    """The numbers, dates, countries and names of `claim` that its question does not already name."""
    items = _items(claim, language)
    asked = question.items.number_values()
    question_names = name_stems(question.text)
    return _NewItems(
        numbers=tuple(readings for readings in items.numbers if not readings & asked),
        dates=tuple(date for date in items.dates if not any(dates_agree(date, d) for d in question.items.dates)),
        # a country that only locates the place before it ("Brüssel, Belgium") is no claim of its own
        countries=frozenset(items.countries - question.items.countries - find_countries(question.text)
                            - appositive_countries(claim)),
        names=frozenset(name for name in items.names if not _names_question_name(name, question_names)),
        full_names=tuple(run for run in _claim_full_names(claim, language, items.names)
                         if not all(_names_question_name(name, question_names) for name in run)),
    )


def _claim_full_names(claim: str, language: str, names: frozenset[str]) -> list[tuple[str, ...]]:
    """The claim's full names (find_full_names), with a name that opens it: every sentence starts with a capital, so
    its first word counts as a name only where a name follows it and it is no function word of either language
    ("Thomas Sowell is known …", not "The Sowell papers …" or "Der Generalsekretär …")."""
    runs = find_full_names(claim, language)
    words = re.findall(r"[^\W\d_][\w'’-]*", claim)
    if len(words) < 2 or not words[0][:1].isupper() or fold(words[1]) not in names:
        return runs
    # in German, where nouns are capitalised too, the two words must read as a full name inside a sentence
    # ("Generalsekretär Rutte" does not)
    if not content_words_both(words[0], language) or (language == "de" and not find_full_names(
            "x " + " ".join(words[:2]), language)):
        return runs
    first, second = fold(words[0]), fold(words[1])
    rest = next((run for run in runs if run[0] == second), None)
    return [(first, *rest) if run is rest else run for run in runs] if rest else [(first, second), *runs]


def _names_question_name(name: str, question_names: set[str]) -> bool:
    """The claim's name (or a part of a full name) is one the question names (`question_names`: name_stems of the
    question). The question's words are compared one by one, so a hyphenated name is the question's when each of its
    parts is: "Die Indo-Pazifik-Partnern …" adds no name to "Welche Indo-Pazifik-Partner …?", "NATO-Gipfel" does to a
    question about the "NATO-Generalsekretär"."""
    parts = [part for part in name.split("-") if part]
    return _stem(name) in question_names or (len(parts) > 1 and all(_stem(part) in question_names for part in parts))


def answers_kind(claims: Sequence[str], language: str, question: QuestionFacts,
                 known: frozenset[str] | None = None, common: frozenset[str] = frozenset()) -> bool:
    """True when the claims hold an item of the kind the question asks for (always true for other questions)."""
    return missing_kind(claims, language, question, known, common) is None


def missing_kind(claims: Sequence[str], language: str, question: QuestionFacts,
                 known: frozenset[str] | None = None, common: frozenset[str] = frozenset(),
                 cited: Sequence[str] = ()) -> str | None:
    """The first kind of item the question asks for that the claims do not hold ("Wie viele …, und wann?"
    wants a count and a date), or None. With `known`, the prompt's names (passage_names), a capitalised
    word that opens a claim counts as a name only when the passages write it as one (inside a sentence);
    a word of `common` (see common_words) names no person. With `cited`, the passage sentences the claims cite:
    a vague count ("several years") answers "how many"/"how long" where one of them gives a vague count too.
    A question for a preposition's object ("Wofür …?", "What is it used for?") wants that preposition too: the
    missing one is returned quoted ("“für …”")."""
    missing = next((kind for kind, distinct in _asked_kinds(question)
                    if not _answers(kind, claims, language, question, distinct, known, common, cited)), None)
    if missing is None and (preposition := _missing_preposition(claims, language, question)):
        return f"“{preposition} …”"
    return missing


_OPENING_WORD = re.compile(r"^\W*(\w+)")
_CLOSING_WORD = re.compile(r"(\w+)\W*$")
_ENGLISH_ASKING = re.compile(r"^\W*(?:what|which|who|whom)\b", re.I)


def _asked_preposition(question: str, language: str) -> tuple[str, frozenset[str]] | None:
    """The preposition whose object the question asks for, with the words that carry it in an answer
    (question_prepositions.toml): "Wofür …?" -> ("für", {"für", "um", …}), "What is it used for?" -> ("for", …);
    for "Warum …?" / "Why …?" the words of a reason ("weil", "because", …)."""
    table = load_table("question_prepositions.toml")
    opening = _OPENING_WORD.match(question)
    first = opening.group(1).casefold() if opening else ""
    reasons = table["reasons"].get(language, {})
    if first in reasons.get("asks", ()):
        forms = reasons["answers"]
    elif language == "de":
        forms = table["de"].get(first, [])
    else:
        closing = _CLOSING_WORD.search(question) if _ENGLISH_ASKING.match(question) else None
        forms = table.get(language, {}).get(closing.group(1).casefold() if closing else "", [])
    return (forms[0], frozenset(forms)) if forms else None


def _missing_preposition(claims: Sequence[str], language: str, question: QuestionFacts) -> str | None:
    """The preposition the question asks the object of (_asked_preposition), when no claim carries it: each claim
    restates the question (shares a word of it) without it. None when the question asks for none, or the claims
    are in another language than the question."""
    asked = _asked_preposition(question.text, question.language) if language == question.language else None
    if asked is None or not claims:
        return None
    preposition, forms = asked
    for claim in claims:
        words = {word.casefold() for word in re.findall(r"\w+", claim)}
        if words & forms or not content_words_both(claim, language) & question.words:
            return None
    return preposition


def answers_some_kind(claims: Sequence[str], language: str, question: QuestionFacts,
                      known: frozenset[str] | None = None, common: frozenset[str] = frozenset()) -> bool:
    """True when the claims hold an item of at least one kind the question asks for ("Wo und wann …?" by a place
    or a date; always true for other questions)."""
    kinds = _asked_kinds(question)
    return not kinds or any(_answers(kind, claims, language, question, distinct, known, common)
                            for kind, distinct in kinds)


def _asked_kinds(question: QuestionFacts) -> list[tuple[str, bool]]:
    """The kinds the question asks for, each with whether its figure must be distinct: a year answers "when", so
    when a count is asked too, the count must be another figure."""
    kinds = [kind for kind in (question.kind, *question.also) if kind]
    return [(kind, kind == "number" and "date" in kinds) for kind in kinds]


def passage_names(evidence: Sequence[PassageEvidence]) -> frozenset[str]:
    """The name keys of the proper names inside the passages' sentences (a sentence's first word aside, unless it is
    an English possessive: "Gandhi's acts …"), and their runs of two or more capitalised words, folded and joined by
    a space ("new holland": see name_runs)."""
    return frozenset({_stem(name) for e in evidence for sentence in e.sentences
                      for name in find_names(sentence, e.language)}
                     | {" ".join(run) for e in evidence for sentence in e.sentences for run in name_runs(sentence)}
                     | {_stem(fold(POSSESSIVE.sub("", match.group(1)))) for e in evidence if e.language == "en"
                        for sentence in e.sentences if (match := _OPENING_POSSESSIVE.match(sentence))})


# an English sentence that opens with a possessive opens with a name: "Gandhi's acts have been described as …"
_OPENING_POSSESSIVE = re.compile(r"^\W*([A-ZÄÖÜ][\w-]*['’]s)\b")


def name_runs(sentence: str) -> list[tuple[str, ...]]:
    """Runs of two or more capitalised words inside a sentence (its first word aside), folded: a name written in
    several words, even where each word alone is a common word or a country ("New Holland", "Red Cross")."""
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    for index, token in enumerate([*re.findall(r"[^\W\d_][\w'’-]*|[^\w\s]", sentence), "."]):
        if index and token[0].isupper() and len(token) > 1:
            run.append(fold(token))
            continue
        if len(run) >= 2:
            runs.append(tuple(run))
        run = []
    return runs


def _calls(claim: str, language: str, question: QuestionFacts) -> bool:
    """A naming verb of the claim ("called", "known as", "heißt", "namens", "genannt") stands next to a content word
    the question does not say (up to two words before it, three after): the name given."""
    words = re.findall(r"[^\W\d_][\w'’-]*", strip_markers(claim))
    for index, word in enumerate(words):
        if word.lower() not in naming_verbs():
            continue
        for near in [*words[max(0, index - 2):index], *words[index + 1:index + 4]]:
            stems = content_words_both(near, language) - naming_words()
            if stems and not stems & question.words:
                return True
    return False


def _term_after_copula(claim: str, language: str, question: QuestionFacts) -> bool:
    """After a copula ("ist", "war", "is"; function_words.toml) the claim gives a content word no wording of the
    question has: the term a "Wie heißt …?" question asks for ("Gandhis Vorgehensweise war die Satyagraha"; a naming
    verb's term is _calls'). A name is definite: after an indefinite article comes a description ("The first network
    was a fast one"). A term with a country in it is a place or an office ("… war der Präsident von Amerika"), not
    the name asked for."""
    words = re.findall(r"[^\W\d_][\w'’-]*", strip_markers(claim))
    table = load_table("function_words.toml")
    copulas = table["copulas"].get(language, ())
    indefinite = table["articles"]["indefinite"].get(language, ())
    asked = frozenset().union(*(content_words_both(wording.text, wording.language)
                                for wording in (question, *question.wordings)))
    for index, word in enumerate(words):
        if word.lower() in copulas and not (
                index + 1 < len(words) and words[index + 1].lower() in indefinite):
            term = " ".join(words[index + 1:])
            if content_words_both(term, language) - naming_words() - asked and not find_countries(term):
                return True
    return False


def _names_a_run(claims: Sequence[str], question: QuestionFacts, known: frozenset[str]) -> bool:
    """A claim holds a multi-word name the passages write (a run of `known`) that the question does not name."""
    asked = {fold(word) for word in re.findall(r"[^\W\d_][\w'’-]*", question.text)}
    for claim in claims:
        words = [fold(word) for word in re.findall(r"[^\W\d_][\w'’-]*", claim)]
        for size in range(2, len(words) + 1):
            for start in range(len(words) - size + 1):
                run = words[start:start + size]
                if " ".join(run) in known and not set(run) <= asked:
                    return True
    return False


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """The folded words the texts also write in lower case: common words, even where a capital opens them
    ("Secretary General", "Prime Minister" before a name), not the names of people."""
    return frozenset(fold(word) for text in texts for word in re.findall(r"(?<![\w'’-])[^\W\d_A-Z]\w+", text)
                     if word[0].islower())


def _answers(kind: str, claims: Sequence[str], language: str, question: QuestionFacts, distinct: bool,
             known: frozenset[str] | None = None, common: frozenset[str] = frozenset(),
             cited: Sequence[str] = ()) -> bool:
    found = [new_items(claim, language, question) for claim in claims]
    if kind == "number":
        # an ordinal is a position, not an amount: "Er reist zum dritten Mal …" tells no salary
        found = [new_items(without_ordinals(claim), language, question) for claim in claims]
        figures = [readings for item in found for readings in item.numbers]
        return (any(not _is_year(r) for r in figures) or (len(figures) > 1 if distinct else bool(figures))
                or any(_counts_none(claim, language) for claim in claims)
                or (any(_counts_vaguely(claim, (language,)) for claim in claims)
                    and any(_counts_vaguely(text, ("de", "en")) for text in cited))
                or (_asks_frequency(question.text, question.language)
                    and bool(_frequencies(claims) & _frequencies(cited)))
                # "hundreds of channels" where a cited sentence says "Hunderten von Kanälen"
                or bool(set().union(*map(plural_magnitudes, claims)) & set().union(*map(plural_magnitudes, cited))))
    if kind == "date" and _asks_day(question.text, question.language):
        # "On what date …?": a month or a year is not the day asked for
        return any(date[2] is not None for item in found for date in item.dates)
    if kind == "date":
        # a year or a date, a span counted back from now ("around 74,000 years ago"), or a century ("Mitte des 18.
        # Jahrhunderts") the question does not name, in either language (a German claim may keep its English
        # passage's words: "… begann im mid-18th century")
        return any(item.dates or any(_is_year(r) for r in item.numbers) for item in found) or any(
            counts_back_in_time(claim, language)
            or set().union(*(centuries(claim, other) for other in ("de", "en"))) - centuries(question.text, question.language)
            for claim in claims)
    # place, person: a name or country, also one that opens the sentence ("Pistorius befürwortete ...");
    # not the person the question names: "Who succeeded Stoltenberg?" is not answered by "Jens Stoltenberg …"
    asked = name_stems(question.text)
    # the rest of a name the question names ("Jens" of "Jens Stoltenberg"); a common noun of the question names no
    # one: "The T. T. Tsui Gallery" answers "What is the name of the gallery …?"
    asked |= _rest_of_asked_names(claims, language, {_stem(name) for name in question.items.names}
                                  if kind == "name" else asked)
    # the opening word, unless the next one is the question's name ("Jens Stoltenberg resigned ...")
    openers = [words[0].strip(",.;:") for words in (claim.split() for claim in claims)
               if words and not (len(words) > 1 and words[1][:1].isupper()
                                 and _stem(fold(words[1].strip(",.;:'’s"))) in asked)]
    # a country answers "where", not "who": "Who cleared the way for Sweden?" is not answered by "Turkey …";
    # nor "In which city …?" ("born in the Netherlands")
    settlement = kind == "place" and _asks_settlement(question.text, question.language)
    if kind == "place" and _asks_precisely("continent", question.text, question.language):
        # "Vor der Küste welches Kontinents …?": an ocean's coast does not answer it ("auf der Atlantik-Küste")
        return any(names_continent(claim) for claim in claims)
    if kind == "place" and _asks_country(question.text, question.language):
        # "In which country …?": cities do not answer it ("Norfolk, Brunssum and Naples")
        return any(find_countries(claim) for claim in claims)
    countries = kind == "place" and not settlement
    # a person's name is no word the collection also writes in lower case ("the secretary general")
    common = frozenset() if countries else common
    # every sentence opens with a capital ("Last year, …"): the word must be a name the passages use
    named_first = any(word[:1].isupper() and content_words_both(word, language)
                      and _stem(fold(word)) not in asked and (countries or not find_countries(word))
                      and (known is None or _stem(fold(word)) in known) and fold(word) not in common
                      for word in openers)
    # "Welchen Namen erhielt …?": a name of several words the passages write as one ("New Holland") is one, though
    # "new" is a common word and "Holland" a country
    if kind == "name" and known is not None and _names_a_run(claims, question, known):
        return True
    # "What is the name of the property …?" may ask for a term, no proper name: "… is called primality"
    if kind == "name" and any(_calls(claim, language, question) for claim in claims):
        return True
    # "Wie hieß die Periode …?" may ask for a term, no proper name either: "… war die mittelkambrische Periode"
    if kind == "name" and any(_term_after_copula(claim, language, question) for claim in claims):
        return True
    # a noun right after a figure is what it counts ("in den 880er Jahren"), no one's name
    counted = {fold(word) for claim in claims for word in _COUNTED_NOUN.findall(claim)}
    counted |= {fold(noun) for claim in claims for number, noun in _WORD_PAIR.findall(claim)
                if fold(number) in number_words()}
    # German capitalises every noun: a German claim's capitalised word names someone only when the passages name
    # it too ("Der Artikel schrieb über …" answers no "wer")
    return named_first or any((countries and item.countries)
                              or any(_stem(name) not in asked and name not in common and fold(name) not in counted
                                     and not (settlement and find_countries(name))
                                     and (language != "de" or known is None or _stem(name) in known)
                                     for name in item.names)
                              for item in found)


# A capitalised word right after a figure ("880er Jahren", "5 Millionen"), and any two words in a row (a number
# word and the noun after it: "drei Jahre").
_COUNTED_NOUN = re.compile(r"(?<![\w.,])\d[\d.,]*\w*\s+([A-ZÄÖÜ][\w-]*)")
_WORD_PAIR = re.compile(r"(?=\b([^\W\d_]+)\s+([A-ZÄÖÜ][\w-]*))")


def _counts_none(claim: str, language: str) -> bool:
    """The claim opens with a count of zero ("Keiner der Verträge …", "None of the treaties …"; function_words.toml)."""
    opening = " ".join(claim.casefold().split()[:2])
    return opening in load_table("function_words.toml")["zero_counts"].get(language, ())


@lru_cache(maxsize=256)
def _asks_frequency(question: str, language: str) -> bool:
    """The number question asks how often (asked_precision.toml), which a word of how often answers too."""
    return _asks_precisely("frequency", question, language)


def _frequencies(texts: Sequence[str]) -> set[int]:
    """The groups of the words of how often that `texts` hold ("selten" and "rarely" are one; function_words.toml)."""
    words = {word.casefold() for text in texts for word in re.findall(r"\w+", text)}
    groups = load_table("function_words.toml")["frequencies"]["groups"]
    return {number for number, group in enumerate(groups) if words & set(group)}


def _counts_vaguely(text: str, languages: Sequence[str]) -> bool:
    """`text` gives a vague count in one of `languages` ("several years", "mehrere Jahre"; function_words.toml)."""
    words = " " + " ".join(re.findall(r"\w+", text.casefold())) + " "
    table = load_table("function_words.toml")["vague_counts"]
    return any(f" {word} " in words for language in languages for word in table.get(language, ()))


def _rest_of_asked_names(claims: Sequence[str], language: str, asked: set[str]) -> set[str]:
    """The rest of an asked person's name in the claims ("Jens" of "Jens Stoltenberg" for "Stoltenberg"; `asked`: the
    question's word stems): the names of a run up to its last asked one, not those after it ("Costa Rican President
    José María Figueres" names a new person)."""
    return {_stem(name) for claim in claims for run in find_full_names(claim, language)
            for name in run[:max((i + 1 for i, part in enumerate(run) if _stem(part) in asked), default=0)]}


def _year_as_count(claim: str, added: _NewItems, question: QuestionFacts, text: str, language: str) -> bool:
    """A "how many X" answer whose figures are all written as years ("2017 people") while the window does not name
    X in any wording of the question: "Dieser 2017 gegründete Hub" gives a year, not a head count. Other figures
    keep the similarity fallback of _on_topic."""
    if question.kind != "number" or not question.counted or not added.numbers:
        return False
    years = {Decimal(year) for year in plain_years(claim)}  # "2017", not "1,352" or "1.352"
    if not all(readings & years for readings in added.numbers):
        return False
    words = content_words_both(text, language)
    return not any(asked.counted & words for asked in question.wordings_for(language))


def _another_member_described(added: _NewItems, text: str, language: str, question: QuestionFacts,
                               names: PromptNames) -> bool:
    """A list sentence ("… Satya Nadella, der Gründer der Oracle Corporation … Larry Ellison, der CEO von Goldman
    Sachs … Jon Corzine, …") describes each member in its own comma-separated part. An answer that names one member
    took the wrong one when its name stands in a part that shares none of the question's words
    that set one part apart (its focus words and names, found in one part only) while another member's part shares
    some ("What Goldman Sachs CEO is also an alumnus?" is not answered by Larry Ellison), or when another member's
    part shares every question word the answer's part shares, and more ("San Diego International Airport, the
    busiest single runway airport in the world; Van Nuys Airport, the world's busiest general aviation airport": the
    busiest general aviation airport is not San Diego's). Parts without a name belong to the member before them;
    the words before the first member's name are the list's frame ("Zu den Alumni zählen …"). Four members at least:
    fewer are no list; the answer's name must stand whole in one member's part."""
    if not added.names:
        return False
    members: list[tuple[set[str], str]] = []  # (name stems, text) of each member
    frame = ""
    for number, part in enumerate(re.split(r"[,;]", text)):
        # in German, where every noun is capitalised, a member is named by a run of names ("Larry Ellison")
        found = name_stems(" ".join({name for run in find_full_names(part, language) for name in run}
                                    if language == "de" else find_names(part if number == 0 else "x " + part, language)))
        if not found:
            if members:
                members[-1] = (members[-1][0], members[-1][1] + " " + part)
            else:
                frame += " " + part
            continue
        if not members:  # the words before the first member's name are the list's frame
            start = next((match.start() for match in re.finditer(r"[^\W\d_][\w'’-]*", part)
                          if name_stems(match.group(0)) & found), 0)
            frame, part = frame + " " + part[:start], part[start:]
        members.append((found, part))
    answer_stems = {_stem(name) for name in added.names}
    holding = [index for index, (stems, _) in enumerate(members) if answer_stems <= stems]
    if len(members) < 4 or len(holding) != 1:
        return False
    asked = {word for wording in question.wordings_for(language) for word in wording.focus
             if not names.topical(_stem(fold(word)))} | _asked_names(question)
    shared = [asked & content_words_both(part, language) for _, part in members]
    counts = Counter(word for words in shared for word in words)
    distinct = [{word for word in words if counts[word] == 1} - content_words_both(frame, language) for words in shared]
    (index,) = holding
    return (not distinct[index] and any(distinct)) or any(shared[index] < words for words in shared)


def _not_the_extreme(added: _NewItems, text: str, language: str, question: QuestionFacts) -> str | None:
    """Why the claim's figure is not the one a question for the largest or smallest asks (asked_precision.toml:
    "längstmögliche", "at least"), or None: `text` gives another figure of the same thing (the same word after
    it, stemmed) beyond it. "Das Lehrzertifikat gilt in der Regel für drei Jahre, aber … bis zu zehn Jahren" does
    not back "three years" as the longest time a certificate is good for. Plain years, ordinals and figures of other
    things are not compared (figures_and_next_words). A superlative that describes another noun counts too ("the
    population of the largest city"), where the cited sentence gives two populations."""
    extreme = _asks_extreme(question.text, question.language)
    if extreme is None:
        return None
    figures = [(readings, content_words_both(word, language)) for readings, word in figures_and_next_words(text, language)]
    for claimed in added.numbers:
        units = [unit for readings, unit in figures if readings & claimed and unit]
        if any(not readings & claimed and any(unit & own for own in units)
               and (min(readings) > max(claimed) if extreme == "largest" else max(readings) < min(claimed))
               for readings, unit in figures):
            bound = "larger" if extreme == "largest" else "smaller"
            return f"the cited sentence gives a {bound} figure of the same thing, and the question asks for the {extreme}"
    return None


@lru_cache(maxsize=256)
def _asks_extreme(question: str, language: str) -> str | None:
    """"largest" or "smallest" when the question asks for that of several figures (asked_precision.toml), else None."""
    return next((extreme for extreme in ("largest", "smallest") if _asks_precisely(extreme, question, language)), None)


def _is_year(readings: frozenset) -> bool:
    return any(value == int(value) and 1000 <= value <= 2100 for value in readings)


def claim_support(claim: str, language: str, evidence: PassageEvidence, question: QuestionFacts,
                  names: PromptNames, claim_vector: np.ndarray | None,
                  items_from: PassageEvidence | None = None) -> ClaimSupport:
    """How well `evidence` backs `claim` (a marker-free answer sentence), judged on its best window.

    Args:
        claim: the answer sentence without markers.
        language: the answer's language.
        evidence: the cited passage.
        question: the analysed question.
        names: where the prompt's names occur (a name from another passage is a wrong entity).
        claim_vector: the claim embedded as a query, or None.
        items_from: the passage whose windows must hold the claim's key items when `evidence` is its translation
            (sentence by sentence): an item is checked where the passage states it, in its own language.
    """
    claim = strip_markers(claim)
    source = evidence if items_from is None else items_from
    foreign = scripts(claim) - scripts(" ".join((*source.sentences, source.source_line)))
    if foreign and source.sentences:
        # the small model slips into another script ("… durch die Renovierte religiösen войны im 1620s"): words the
        # passage cannot have said
        return ClaimSupport(FAILED_SUPPORT, (), f"the answer writes {min(foreign).lower()} letters, which the cited "
                                                "passage does not")
    added = new_items(claim, language, question)
    adds_words = content_words_both(claim, language) - question.words
    claim_words = adds_words or content_words_both(claim, language)
    best: ClaimSupport | None = None
    failure = "the passage has no sentence"
    # Key items must stand in one sentence with what the question asks; only plain claims may span two.
    source_names = asks_about_source(question)
    nationality = asks_nationality(question)
    asked_persons = {_stem(name) for name in question.items.names} if nationality else set()
    if nationality or question.kind == "place" or _asks_country(question.text, question.language):
        # a country the question asks for is the answer: it must stand in the cited sentence, not only in the title
        evidence = replace(evidence, title="")
        items_from = replace(items_from, title="") if items_from is not None else None
    windows = _windows(len(evidence.sentences), pairs=not added.count())
    if added.count():  # a sentence that continues its predecessor ("Dem kam … nach.") is read with it
        windows += [(i - 1, i) for i in range(1, len(evidence.sentences))
                    if continues_previous(evidence.sentences[i], evidence.language)]
    for window in windows:
        text = " ".join(evidence.sentences[i] for i in window)
        stated = evidence if items_from is None else items_from
        stated_text = " ".join(stated.sentences[i] for i in window)
        problem = _key_item_failure(added, stated_text, stated, language, names, source_names,
                                    translation=text if items_from is not None else "",
                                    titled_names=question.kind not in ("person", "name"))
        asked_slot = (_holds_asked_item(added, question, text, evidence.language)
                      and _tied(text, window, evidence, question, names, _english_names(stated_text, stated.language)))
        # a question about the document itself is about its source line: the names it adds stand there
        from_source = source_names and bool(added.names) and _all_present(added, evidence.source_line)
        given = nationalities(text, asked_persons) if nationality else set()
        if problem is None and nationality and added.countries and not added.countries <= given:
            problem = "the cited sentence does not give that country as the person's"
        if problem is None and _yes_against_negation(claim, language, stated_text, stated.language, question):
            problem = "the cited sentence negates what the answer affirms"
        if problem is None and _year_as_count(claim, added, question, text, evidence.language):
            problem = "the figure reads as a year there, not as a count of what the question counts"
        if problem is None and added.numbers:
            problem = _not_the_extreme(added, stated_text, stated.language, question)
        if (problem is None and len(window) == 1
                and _another_member_described(added, stated_text, stated.language, question, names)):
            problem = "the cited sentence lists several, and the question describes another one than the answer's"
        if (problem is None and question.kind is None and added.full_names
                and _asked_class(question.text, question.language)
                and _focus_hits(text, evidence.language, question, names) < names.best_focus):
            problem = "the cited sentence says less of the one the question describes than another sentence does"
        if problem is None and not _reference_on_question(window, evidence, question):
            problem = "the cited sentence refers to a work and says nothing of what the question asks"
        if problem is None and not (asked_slot or from_source or (nationality and given)
                                    or _on_topic(text, window, evidence, question, names)
                                    or _on_topic_in_context(window, evidence, question, names)):
            problem = "the cited sentence is about something else than the question"
        if (problem is None and _adds_figure(added, question.kind)
                and _outshone(_claimed(added), window, stated, question, names)):
            problem = "another sentence of the passages says more of what the question asks, with its own figure"
        if problem is not None:
            if failure == "the passage has no sentence":  # report the first window's problem
                failure = problem
            continue
        # a question about the document itself (its authors) is answered by the source line too
        backing = text + " " + evidence.source_line if source_names else text
        matched = claim_words & content_words_both(backing, evidence.language)
        # a key item the window states, normalised ("France" = "Frankreich", "four" = "vier"), is a matched word;
        # so is "Norway" for "der Norweger Stoltenberg" (a nationality checked above)
        matched |= claim_words & _stated_item_words(claim, language, text, evidence.language)
        if adds_words and not (matched or added.count() or language != evidence.language):
            # a claim that adds no key item is backed by its words: where the cited sentence says none of those it
            # adds to the question ("The 2001 ABC logo was black and white" cited to a sentence on the logo's web
            # campaign; an echo of the question in other words), its similarity comes from the words it shares with
            # the question
            if failure == "the passage has no sentence":
                failure = "the cited sentence states nothing the answer adds to the question"
            continue
        share = len(matched) / len(claim_words) if claim_words else 0.0
        similarity = _similarity(claim_vector, evidence.vectors, window)
        score = max(share, semantic_support(similarity))
        # Across languages words cannot match; key items that all stand in the sentence, and a sentence
        # that says something close to the claim, back it instead.
        if (language != evidence.language and added.count() and similarity >= KEY_ITEM_COSINE
                and _all_present(added, text + " " + evidence.source_line)):
            score = max(score, KEY_ITEM_SUPPORT)
        if best is None or score > best.score:
            best = ClaimSupport(score, window)
    return best or ClaimSupport(FAILED_SUPPORT, (), failure)


def scripts(text: str) -> frozenset[str]:
    """The scripts of the letters of `text` ("LATIN", "CYRILLIC", "CJK", "GREEK"), by their Unicode names."""
    return frozenset(unicodedata.name(char, "?").split(" ")[0] for char in set(text) if char.isalpha())


def translated_support(claim: str, language: str, original: PassageEvidence, translated: PassageEvidence,
                       question: QuestionFacts, names: PromptNames, claim_vector: np.ndarray | None) -> ClaimSupport:
    """How well a passage in another language backs `claim`, read through its sentences' translation into the
    claim's `language` (`translated`, sentence by sentence, so its windows are the original's). Words, topic and
    similarity are judged on the translation; the claim's key items (figures, dates, countries, names) must still
    stand in the original window, so a translation cannot bring in an item the passage does not state."""
    return claim_support(claim, language, translated, question, names, claim_vector, items_from=original)


def _stated_item_words(claim: str, language: str, text: str, text_language: str) -> frozenset[str]:
    """The stems of the claim's words that name a country or a number the window (in `text_language`) names
    too, by CLDR name or numeric value: across languages the words differ where the items agree."""
    window = _items(text, text_language)
    figures = _figures(window)
    stems: set[str] = set()
    for word in re.findall(r"[^\W_][\w'’.,-]*[^\W_]|[^\W_]", claim):
        countries = find_countries(word)
        numbers = _items(word, language).numbers
        if (countries and countries <= window.countries) or (numbers and all(r & figures for r in numbers)):
            stems |= content_words_both(word, language)
    return frozenset(stems)


def continues_previous(sentence: str, language: str) -> bool:
    """The sentence opens with a pronoun or pronominal adverb standing for something of the sentence before
    ("Dem kam der Generalsekretär … nach.", "He was 57."): function_words.toml's anaphors."""
    words = re.findall(r"[^\W\d_]+", sentence[:40])
    return bool(words) and words[0].casefold() in _anaphors().get(language, ())


@cache
def _anaphors() -> dict[str, frozenset[str]]:
    return {language: frozenset(words) for language, words in load_table("function_words.toml")["anaphors"].items()}


def _windows(count: int, pairs: bool) -> list[tuple[int, ...]]:
    """Single sentences, then (if `pairs`) pairs of neighbours (a pronoun may carry the subject over)."""
    return [(i,) for i in range(count)] + ([(i, i + 1) for i in range(count - 1)] if pairs else [])


def asks_about_source(question: QuestionFacts) -> bool:
    """The question asks about a document itself (its authors, publisher, editor: source_terms.toml)."""
    return any(question_words & _source_terms() for question_words in
               (content_words_both(asked.text, asked.language) for asked in (question, *question.wordings)))


@cache
def _source_terms() -> frozenset[str]:
    table = load_table("source_terms.toml")
    return frozenset(stem for language in table for word in table[language]
                     for stem in content_words_both(word, language))


# At most this many words between a person's name and the nationality given to them: "der Norweger
# Stoltenberg", "the Dutch Prime Minister Mark Rutte", "Stoltenberg, who is from Norway".
NATIONALITY_GAP = 3


@cache
def _nationality_patterns() -> dict[str, re.Pattern[str]]:
    table = load_table("question_nationality.toml")
    return {language: re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns), re.I)
            for language, patterns in table.items()}


def asks_nationality(question: QuestionFacts) -> bool:
    """The question asks which country a person it names is from (question_nationality.toml)."""
    return bool(question.items.names) and any(
        _nationality_patterns().get(asked.language, _nationality_patterns()["en"]).search(asked.text)
        for asked in (question, *question.wordings))


def nationalities(text: str, asked: set[str]) -> set[str]:
    """The countries `text` gives the persons whose name stems (_stem) are `asked`: an adjective or inhabitant noun
    just before the name ("der Norweger Stoltenberg"), or any country just after it ("Stoltenberg, from
    Norway"); a country's own name before it ("Germany backed Stoltenberg") gives none."""
    words = text.split()
    found: set[str] = set()
    for position, word in enumerate(words):
        if _stem(fold(word.strip(",.;:!?()'’s"))) not in asked:
            continue
        before = " ".join(words[max(0, position - NATIONALITY_GAP - 1):position])
        after = " ".join(words[position + 1:position + 2 + NATIONALITY_GAP])
        found |= (find_countries(before) - find_countries(before, nouns_only=True)) | find_countries(after)
    return found


def _key_item_failure(added: _NewItems, text: str, evidence: PassageEvidence, language: str,
                      names: PromptNames, source_names: bool = True, translation: str = "",
                      titled_names: bool = False) -> str | None:
    """Why the window (with the source line) lacks one of the claim's new key items; None when it has them all.
    `translation`: the window in the model's translation into the claim's language, where the claim is read through
    one; a name of several words the translation writes too ("Second World War" / "World War II" for "Zweiten
    Weltkrieg") is the passage's own thing under a translated name, not an invented person. With `titled_names` (a
    question that asks for no person or name), a name of several words the document's title gives is its subject."""
    window = _items(text, evidence.language)
    source = _items(evidence.source_line, evidence.language) if evidence.source_line else None
    if source is not None and not source_names:
        # a news item dated to the day reports that day's events; a study or book dated to a month or a year does
        # not date what it reports ("Finnland trat im Juni 2025 bei" from a study of June 2025)
        source = replace(source, dates=tuple(date for date in source.dates if date[2] is not None))
    # a figure stands as a number or as a date's year, not as a date's month or day ("6 years" is not June)
    figures = _figures(window) | (_figures(source) if source else frozenset())
    for readings in added.numbers:
        if not readings & figures:
            return f"the figure {min(readings)} is not in the cited sentence"
    dates = window.dates + (source.dates if source else ())
    for date in added.dates:
        if not any(dates_agree(date, d) for d in dates) or (date[0] is not None and date[0] not in figures):
            return "the date is not in the cited sentence"
    countries = window.countries | (source.countries if source else frozenset())
    # the source line's names (authors, publisher) back only questions about the document itself
    present = name_stems(text + " " + evidence.source_line if source_names else text)
    if added.countries - countries:
        countries |= _title_country(added, text, window, evidence)
    if added.countries - countries:
        return f"the cited sentence does not name {', '.join(sorted(added.countries - countries))}"
    present |= _spelled_out(text, evidence.sentences)
    given = _given_names_of_window(added, present, evidence)
    for name in added.names:
        stem = _stem(name)
        if stem in present or names.topical(stem) or stem in given:
            continue
        if names.counts.get(stem):
            return f"{name} appears elsewhere in the passages, not in the cited sentence"
        if language == "en" and evidence.language == "en":
            return f"{name} appears in no passage"
    # German capitalises nouns, so a single unknown capitalised word may be a paraphrase; a person's full
    # name that no passage mentions is invented (or the model's own memory), in any language.
    translated = name_stems(translation) if translation else set()
    # the cited document's title names its subject: "the Black Death" of an answer about "der Schwarze Tod" in the
    # article "Black Death" is the passage's own thing under another language's name, not an invented one; not the
    # answer to "who" ("Mark Twain signed the treaty" is not backed by "… unterzeichnete sein Verleger" in "Mark Twain")
    titled = name_stems(evidence.title) if titled_names and evidence.title else set()
    for run in added.full_names:
        # parts of a hyphenated name count ("NATO-Ukraine Council" meets "NATO-Ukraine-Rat")
        parts = [part for name in run for part in (name, *name.split("-"))]
        if not any(_stem(part) in present or names.counts.get(_stem(part)) or _stem(part) in translated
                   for part in parts) and not {_stem(part) for part in run} <= titled:
            return f"{' '.join(run)} appears in no passage"
    return None


def _title_country(added: _NewItems, text: str, window: KeyItems, evidence: PassageEvidence) -> frozenset[str]:
    """The one country the document's title names (the article "Kenya"), where it is "the country" of the window
    `text` ("… entschied sich US-Präsident Barack Obama, das Land … nicht zu besuchen") for a claim that adds that
    country as context: the window refers to a country without naming it (function_words.toml's
    country_references), names no country the claim does not, and itself states the claim's answer, a figure, date
    or name; else none. The caller leaves the title out where the question asks for a country (claim_support)."""
    titled = frozenset(find_countries(evidence.title, nouns_only=True)) if evidence.title else frozenset()
    references = _country_references().get(evidence.language)
    if len(titled) != 1 or window.countries - added.countries or references is None or not references.search(
            text.casefold()):
        return frozenset()  # "Berg toured Peru; … not to visit the country again" refers to Peru
    figures, named = _figures(window), name_stems(text)
    answered = (any(readings & figures for readings in added.numbers)
                or any(dates_agree(date, other) for date in added.dates for other in window.dates)
                or any(_stem(name) in named for name in added.names))
    return titled if answered else frozenset()


@cache
def _country_references() -> dict[str, re.Pattern[str]]:
    table = load_table("function_words.toml")["country_references"]
    return {language: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)")
            for language, phrases in table.items()}


def _spelled_out(text: str, sentences: tuple[str, ...]) -> set[str]:
    """The name stems of what an abbreviation in `text` stands for where the passage spells it out: "Corruption
    Perception Index" for a window that writes "placed 139th … in the CPI" after "… Corruption Perception Index
    (CPI)". The abbreviation is matched as written: the pronoun "who" stands for no "World Health Organization"."""
    return {stem for abbreviation, long_form in spelled_out_abbreviations(" ".join(sentences))
            if re.search(rf"(?<!\w){re.escape(abbreviation)}(?!\w)", text) for stem in name_stems(long_form)}


def _given_names_of_window(added: _NewItems, present: set[str], evidence: PassageEvidence) -> frozenset[str]:
    """The given names of the claim's full names whose surname the window names, where the cited passage writes
    that full name in another sentence and no other name before that surname: "Jon" of "Jon Pertwee" stands for
    "Während Pertwee krank war, …" when the passage says "… spielten Jon Pertwee und Colin Baker …" before it."""
    runs = [tuple(map(_stem, run)) for sentence in evidence.sentences for run in name_runs(sentence)]
    given: set[str] = set()
    for run in added.full_names:
        stems = tuple(map(_stem, run))
        if len(stems) < 2 or stems[-1] not in present:
            continue
        # every capitalised word right before the surname in the passage is this given name
        before = {other[i - 1] for other in runs for i in range(1, len(other)) if other[i] == stems[-1]}
        if before == {stems[-2]} and any(_contains(other, stems) for other in runs):
            given |= set(stems[:-1])
    return frozenset(given)


def _contains(run: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """`part` stands in `run` as consecutive words."""
    return any(run[i:i + len(part)] == part for i in range(len(run) - len(part) + 1))


def states_claim_items(claim: str, language: str, question: QuestionFacts, evidence: PassageEvidence, position: int,
                       names: PromptNames) -> bool:
    """Whether sentence `position` of `evidence` itself (not its source line) states the key items `claim` (in
    `language`) adds to the question, as a cited sentence must (figures, dates and countries in any language, a
    country asked as a person's nationality as that person's; a name the prompt has elsewhere, or any name within
    English), and at least one of them stands there that is not the rest of a name the question asks about ("Jens"
    of "Jens Stoltenberg"). Where a failed draft's items stand, the sentence is the one the model answered from."""
    claim = strip_markers(claim)
    added = new_items(claim, language, question)
    sentence = evidence.sentences[position]
    if _key_item_failure(added, sentence, replace(evidence, source_line="", title=""), language, names,
                         source_names=False) is not None:
        return False
    if asks_nationality(question) and not added.countries <= nationalities(
            sentence, {_stem(name) for name in question.items.names}):
        return False  # "Stoltenberg is Dutch" is not stated by "Dutch Prime Minister Mark Rutte succeeding Stoltenberg"
    present = name_stems(sentence)
    given = _given_names_of_window(added, present, evidence)
    if any(not all(stem in present or stem in given or _spelled_alike(stem, present) for stem in map(_stem, run))
           for run in added.full_names):
        # the whole of a person's name, its opening given name too: "Ögedei Khan led …" is not stated by "…
        # eroberte Dschingis Khan …", where only the surname stands
        return False
    own = {_stem(name) for name in added.names} - _rest_of_asked_names([claim], language, name_stems(question.text))
    return bool(added.numbers or added.dates or added.countries or present & own)


_ALIKE_LENGTH = 4  # letters a name's key needs to be matched with one letter changed


def _spelled_alike(stem: str, present: set[str]) -> bool:
    """A name's key differs from one of `present` in one letter at most, at the same length: the same name in another
    language's spelling ("Vladimir" / "Wladimir", "Mikhail" / "Michail"), not another name ("Ögedei" / "Dschingis")."""
    return len(stem) >= _ALIKE_LENGTH and any(
        len(other) == len(stem) and sum(a != b for a, b in zip(stem, other)) <= 1 for other in present)


def figure_outshone(claim: str, language: str, question: QuestionFacts, evidence: PassageEvidence, position: int,
                    names: PromptNames) -> bool:
    """Whether the figure or date `claim` adds, if it stands in sentence `position`, is that sentence's answer to
    another question than the one asked: a prompt sentence with a figure of its own says more of what is asked
    (see _outshone)."""
    added = new_items(strip_markers(claim), language, question)
    return _adds_figure(added, question.kind) and _outshone(_claimed(added), (position,), evidence, question, names)


def quote_outshone(question: QuestionFacts, evidence: PassageEvidence, position: int, names: PromptNames) -> bool:
    """Whether sentence `position`, quoted for a "how much"/"when" question, gives the figure of another question
    than the one asked (see _outshone)."""
    sentence = evidence.sentences[position]
    return (_holds_figure(sentence, evidence.language, question)
            and _outshone(_figures(_items(sentence, evidence.language)), (position,), evidence, question, names))


def _yes_against_negation(claim: str, language: str, text: str, text_language: str, question: QuestionFacts) -> bool:
    """A claim that opens with "yes" ("Ja, Norwegen wurde 1972 Mitglied …") restates the question, and a window
    that negates ("… und Norwegen im Jahr 1972 (obwohl Norwegen letztendlich nicht beitrat)") shares its words
    all the same: such a window does not back the "yes" (unless the question itself is negated)."""
    opening = re.match(r"\W*([^\W\d_]+)", claim)
    if not opening or opening.group(1).casefold() not in load_table("function_words.toml")["affirmations"].get(
            language, ()):
        return False
    if any(_negates(asked.text, asked.language) for asked in (question, *question.wordings)):
        return False  # "Trat Norwegen nicht bei?": a negation in the question is the question's own
    return _negates(text, text_language)


def _negates(text: str, language: str) -> bool:
    """`text` holds a negation of function_words.toml ("nicht", "kein", "not", "didn't")."""
    negations = load_table("function_words.toml")["negations"].get(language, ())
    words = {word.casefold() for word in re.findall(r"[^\W\d_]+", text)}
    return bool(words & set(negations)) or ("n't" in negations and bool(re.search(r"n[’']t\b", text)))


def _figures(items: KeyItems) -> frozenset:
    """The readings of the numbers and of the dates' years: what a figure of an answer may stand for."""
    return frozenset({value for readings in items.numbers for value in readings}
                     | {Decimal(date[0]) for date in items.dates if date[0] is not None})


def _holds_asked_item(added: _NewItems, question: QuestionFacts, text: str = "", language: str = "en") -> bool:
    """For "how much"/"when" questions: the claim's figure or date (already found in the window) is the answer
    slot itself, so the window is on topic; for "how old", when the window also speaks of an age
    (asked_measures.toml). "How many X" still needs X (see _on_topic)."""
    if question.kind == "number" and asks_measure(question):
        return bool(added.numbers) and _names_measure(question, text, language)
    if question.kind == "number" and not question.counted:
        return bool(added.numbers)
    return question.kind == "date" and bool(added.dates or any(_is_year(r) for r in added.numbers))


def _tied(text: str, window: tuple[int, ...], evidence: PassageEvidence, question: QuestionFacts,
          names: PromptNames, named: frozenset[str] = frozenset()) -> bool:
    """A window holding the asked figure or date still needs a tie to the question: one of its focus words
    (the collection's topic aside; in any wording of the question; for a date, as many as the best dated sentence
    of the prompt shares), or a similarity of at least FOCUS_COSINE (SAME_LANGUAGE_FOCUS_COSINE for a date in the
    question's language).
    "In 2023 the Secretariat employed 1,352 people." holds a year, but does not say when NATO was founded.
    Words the window names as names (`named`) are participants, not the event: "England" of "Wann erklärte
    England Frankreich den Krieg?" does not tie "In 1700 Huguenots migrated from England" to the question."""
    hits = _focus_hits(text, evidence.language, question, names, named)
    if question.kind == "date" and hits < names.best_dated_focus:
        # "When did Pachauri resign as chair?": "… Pachauri, elected in May 2002" shares fewer of the question's
        # words than "… after the resignation of Pachauri in February 2015": the date asked for is that one's,
        # so this one is not tied by its date (the topic test still applies)
        return False
    if hits >= 1 or _names_all_asked(text, question, names):
        return True
    if question.vector is None or evidence.vectors is None:
        # without vectors only words can tell, and across languages (no translation) they cannot
        return question.in_language(evidence.language).language != evidence.language
    # within one language (also through a translation) an asked date or figure needs the topic test's same-language
    # bar: "Wie hoch ist die Zeitspanne der Änderung der elektrischen Ladung?" is not tied to "Die letzte Eiszeitphase
    # erstreckte sich von ~74.000 BP bis …" by a similarity only the cross-language bar allows (unseen-59 nm-12); an
    # age keeps the lower bar, since the window must name the measure anyway (_names_measure)
    same_language = evidence.language == question.language and (question.kind == "date" or not asks_measure(question))
    return _similarity(question.vector, evidence.vectors, window) >= (
        SAME_LANGUAGE_FOCUS_COSINE if same_language else FOCUS_COSINE)


def _names_all_asked(text: str, question: QuestionFacts, names: PromptNames) -> bool:
    """Whether `text` names every one of two or more names the question asks about (the collection's topic aside):
    "He came back to Lahore in 1908." with the "he" of the sentence before is about "When did Iqbal return to
    Lahore?" though "came back" is no word of it."""
    asked = {stem for stem in map(_stem, question.items.names) if not names.topical(stem)}
    return len(asked) >= 2 and asked <= name_stems(text)


def _english_names(text: str, language: str) -> frozenset[str]:
    """The stems of the words an English `text` writes as names (capitalised inside a sentence); none for German,
    which capitalises every noun."""
    return content_words_both(" ".join(_items(text, "en").names), "en") if language == "en" else frozenset()


def _all_present(added: _NewItems, text: str) -> bool:
    """Every new name of the claim stands in `text` (numbers, dates and countries were checked already)."""
    present = name_stems(text)
    return all(_stem(name) in present for name in added.names)


def _focus_hits(text: str, language: str, question: QuestionFacts, names: PromptNames,
                skip: frozenset[str] = frozenset()) -> int:
    """How many of the question's focus words `text` (in `language`) shares, with the question worded in
    `language` where a translation gives one; words of the collection's topic and `skip` do not count."""
    words = content_words_both(text, language) - skip
    return max(len({w for w in asked.focus if not names.topical(_stem(fold(w)))} & words)
               for asked in question.wordings_for(language))


def _focus_shared(text: str, language: str, question: QuestionFacts, names: PromptNames) -> frozenset[str]:
    """The question's focus words (in any of its wordings; the collection's topic aside) and the words of the names
    it asks about that `text` shares."""
    words = content_words_both(text, language)
    return frozenset(w for asked in question.wordings_for(language) for w in asked.focus
                     if w in words and not names.topical(_stem(fold(w)))) | (_asked_names(question) & words)


def _holds_figure(text: str, language: str, question: QuestionFacts) -> bool:
    """Whether `text` holds an item of the asked kind: a date or year for "when", a figure that is no year for
    "how much"; not one the question names itself ("seven" of "How long did the Seven Years' War last?")."""
    items = _items(text, language)
    asked = _asked_figures(question)
    if question.kind == "date":
        return (any(date[0] is not None and Decimal(date[0]) not in asked for date in items.dates)
                or any(_is_year(readings) and not readings & asked for readings in items.numbers))
    return question.kind == "number" and any(not _is_year(readings) and not readings & asked
                                             for readings in items.numbers)


def _asked_figures(question: QuestionFacts) -> frozenset:
    """The figures the question names, in any of its wordings."""
    return frozenset().union(*(_figures(asked.items) for asked in (question, *question.wordings)))


def _adds_figure(added: _NewItems, kind: str | None) -> bool:
    """Whether the claim adds an item of the asked kind: a date or year for "when", a number for "how much"."""
    if kind == "date":
        return bool(added.dates) or any(_is_year(readings) for readings in added.numbers)
    return kind == "number" and bool(added.numbers)


def _claimed(added: _NewItems) -> set:
    """The figures a claim adds: its numbers' readings and its dates' years."""
    return {value for readings in added.numbers for value in readings} | {
        Decimal(date[0]) for date in added.dates if date[0] is not None}


def _outshone(claimed: set | frozenset, window: tuple[int, ...], evidence: PassageEvidence, question: QuestionFacts,
              names: PromptNames) -> bool:
    """Whether another prompt sentence in the window's language, holding a figure of the asked kind and none of the
    claim's (`claimed`), shares every word of the question the window shares and more than the question's names:
    "The average household size was 3.07." does not answer "What was the average family size?" where "… the
    average family size was 3.62." stands. The words compared are the question's focus words and the words of the
    names it asks about (Holden's announcement does not outshine Toyota's). A window that shares none but names is
    tied by its similarity, which words cannot weigh; a sentence of the window with a figure of its own, not the
    claim's, lends the window none of its words."""
    kept = [evidence.sentences[i] for i in window
            if not _holds_figure(evidence.sentences[i], evidence.language, question)
            or _figures(_items(evidence.sentences[i], evidence.language)) & claimed]
    shared = _focus_shared(" ".join(kept), evidence.language, question, names)
    asked_names = _asked_names(question)
    if not shared - asked_names:  # tied by its similarity, its predecessor or a name only: words cannot weigh it
        return False
    return any(language == evidence.language and shared < other and other - shared - asked_names
               and not figures & claimed for language, other, figures in names.figured_focus)


def leads_figures(question: QuestionFacts, evidence: PassageEvidence, position: int, names: PromptNames) -> bool:
    """Whether sentence `position`, for a "how much"/"when" question, holds a figure of the asked kind and shares
    more of the question's words (its names aside; one at least) than any other prompt sentence holding one: the
    one place among the prompt's figures that says what is asked."""
    sentence = evidence.sentences[position]
    if not _holds_figure(sentence, evidence.language, question):
        return False
    asked_names = _asked_names(question)
    shared = len(_focus_shared(sentence, evidence.language, question, names) - asked_names)
    # the sentence itself is among the figured ones: no other may share as many words
    return shared > 0 and sum(shared <= len(other - asked_names) for _, other, _ in names.figured_focus) == 1


def falls_short_of_best(cited: Sequence[tuple[str, str]], evidence: Sequence[PassageEvidence],
                        question: QuestionFacts) -> bool:
    """Every `cited` sentence (text, language) shares fewer than LEAD_FOCUS_SHARE of the question's focus words that
    the best prompt sentence able to answer shares: for a "how much"/"when" question the best one holding a figure
    or a date (for "how many X" one that also names X), else the best of all. (_holds_figure's stricter reading of
    "a figure of the asked kind" let dev q50's wrong amount pass again, session 25's review.) A sentence anchored to
    the question (_anchored: "… die Broncos zum Sieg beim Super Bowl XXXIII führte" for "Welches Team gewann den Super
    Bowl XXXIII?", where the closest passage does not name "XXXIII") does not fall short."""
    names = prompt_names(evidence, question)
    best = names.best_focus
    if question.kind in ("number", "date"):
        counted = question.kind == "number" and bool(question.counted)
        best = best_focus_hits(evidence, question, names, lambda text, language: _holds_figure_or_date(text, language)
                               and (not counted or any(asked.counted & content_words_both(text, language)
                                                       for asked in question.wordings_for(language))))
    return all(_focus_hits(text, language, question, names) < LEAD_FOCUS_SHARE * best
               and not any(_anchored(text, language, asked, names) for asked in question.wordings_for(language))
               for text, language in cited)


def best_focus_hits(evidence: Sequence[PassageEvidence], question: QuestionFacts, names: PromptNames,
                    able: Callable[[str, str], bool] | None = None) -> int:
    """The most focus words of the question that any one sentence of the prompt shares (with `able`, any one for
    which able(sentence, language) holds, e.g. _dated); a reference entry (a sentence with a web address: a footnote
    citing a work, whose title repeats the topic's words) aside."""
    return max((_focus_hits(sentence, e.language, question, names) for e in evidence for sentence in e.sentences
                if not WEB_ADDRESS.search(sentence) and (able is None or able(sentence, e.language))), default=0)


def prompt_names(evidence: Sequence[PassageEvidence], question: QuestionFacts) -> PromptNames:
    """The prompt's names, counted over its passages, with the question's best focus (with_best_focus)."""
    return with_best_focus(PromptNames.of([" ".join(e.sentences) for e in evidence]), evidence, question)


def with_best_focus(names: PromptNames, evidence: Sequence[PassageEvidence], question: QuestionFacts) -> PromptNames:
    """`names` with the most focus words any prompt sentence shares, and for a "when" question any dated one."""
    return replace(names, best_focus=best_focus_hits(evidence, question, names),
                   best_dated_focus=best_focus_hits(evidence, question, names, _dated) if question.kind == "date"
                   else 0,
                   figured_focus=tuple((e.language, _focus_shared(sentence, e.language, question, names),
                                        _figures(_items(sentence, e.language)))
                                       for e in evidence for sentence in e.sentences
                                       if not WEB_ADDRESS.search(sentence)
                                       and _holds_figure(sentence, e.language, question)))


def _holds_figure_or_date(text: str, language: str) -> bool:
    items = _items(text, language)
    return bool(items.numbers or items.dates)


def _dated(text: str, language: str) -> bool:
    items = _items(text, language)
    return bool(items.dates) or any(_is_year(readings) for readings in items.numbers)


def talks_about_question(evidence: Sequence[PassageEvidence], which: int, position: int,
                         question: QuestionFacts, names: PromptNames | None = None) -> bool:
    """Whether sentence `position` of `evidence[which]` talks about what the question asks, judged as a cited
    sentence is (focus words or, across languages, a clear similarity; see _on_topic). `names`: the prompt's names
    with their best focus (with_best_focus), when the caller has them already."""
    if names is None:
        names = prompt_names(evidence, question)
    offered = evidence[which]
    return _on_topic(offered.sentences[position], (position,), offered, question, names)


def _on_topic(text: str, window: tuple[int, ...], evidence: PassageEvidence, question: QuestionFacts,
              names: PromptNames) -> bool:
    """The window shares the question's focus words (one of up to three, two of more; words found in most
    passages, the collection's topic, do not count), and for "how many X" mentions X; across languages,
    where words rarely match, a clear similarity to the question counts too, and a slightly lower one where the
    window is anchored to the question (_anchored). With a translation of the question into the evidence's
    language, that wording is tried as well."""
    if question.kind == "person" and _focus_hits(text, evidence.language, question, names) < names.best_focus:
        # "Who is the new Secretary General?": a sentence about the Secretary General who leaves shares
        # fewer of the question's words than the one about the new one; the person asked for is there.
        return False
    return any(_on_topic_as(text, window, evidence, asked, names) for asked in question.wordings_for(evidence.language))


def _on_topic_in_context(window: tuple[int, ...], evidence: PassageEvidence, question: QuestionFacts,
                         names: PromptNames) -> bool:
    """A sentence that shares a focus word of the question and continues the one before it ("frozen subsoil and
    alpine glaciers began to thaw … Much of the discharge was routed to the Rhine") is on topic when the two are:
    the topic may stand in the sentence before, the claim's key items must still stand in this one. The shared
    word is no name of the question: "Rutte war Regierungschef der Niederlande" shares only "Rutte" with "Wo fand
    die Übergabe von Stoltenberg an Rutte statt?", and the sentence before it ("Die Zeremonie fand im Brüsseler
    Hauptquartier statt") holds the place asked for."""
    if len(window) != 1 or window[0] == 0 or question.kind == "person":
        return False
    sentence = evidence.sentences[window[0]]
    if not _focus_hits(sentence, evidence.language, question, names, skip=_asked_names(question)):
        return False
    pair = (window[0] - 1, window[0])
    return _on_topic(" ".join(evidence.sentences[i] for i in pair), pair, evidence, question, names)


def _asked_names(question: QuestionFacts) -> frozenset[str]:
    """The word stems of the names the question names, in any of its wordings."""
    return frozenset(stem for asked in (question, *question.wordings)
                     for stem in content_words_both(" ".join(asked.items.names), asked.language))


def _reference_on_question(window: tuple[int, ...], evidence: PassageEvidence, question: QuestionFacts) -> bool:
    """A window that holds a reference entry (a footnote citing a work, with its web address) shares a focus word of
    the question that is no name it asks about (in any wording; the entry's sentence before it counts too): the
    entry's names, title words and date are the work's. "NATO Secretary General Mark Rutte at the European
    Parliament's Committee …, 13. Januar 2025 (www…)" shares only names with "When did Mark Rutte take office as NATO
    Secretary General?" and does not say when he took office; "Speech by … Rutte …, 12. Dezember 2024 (www…)" tells
    when he gave the speech a question asks about. Other windows: True."""
    if not any(WEB_ADDRESS.search(evidence.sentences[i]) for i in window):
        return True
    start = max(0, min(window) - 1)
    words = content_words_both(" ".join(evidence.sentences[start:max(window) + 1]), evidence.language)
    skip = _asked_names(question)
    return any((asked.focus - skip) & words for asked in question.wordings_for(evidence.language))


def _on_topic_as(text: str, window: tuple[int, ...], evidence: PassageEvidence, question: QuestionFacts,
                 names: PromptNames) -> bool:
    focus = {word for word in question.focus if not names.topical(_stem(fold(word)))}
    if not focus and not question.counted:
        return True
    words = content_words_both(text, evidence.language)
    measure = asks_measure(question)
    if measure and not _names_measure(question, text, evidence.language):
        return False  # the measure's words stand in both languages: no similarity stands in for an age
    required = 1 if len(focus) <= 3 else 2
    # "What is the name of …?" asks for a name: a sentence that gives one ("eine Enkelin namens Susan Foreman",
    # "called", "known as") says what the question phrase asks, as one focus word
    naming = question.kind == "name" and bool(naming_words() & words)
    if (not question.counted or measure or question.counted & words) and (not focus or len(focus & words) + naming >= required):
        return True
    similarity = _similarity(question.vector, evidence.vectors, window)
    bar = FOCUS_COSINE if evidence.language != question.language else SAME_LANGUAGE_FOCUS_COSINE
    if bar - ANCHORED_COSINE_MARGIN <= similarity < bar:
        # An anchored window passes just below the bar, unless it misses what a "how many X" question counts ("Wie
        # viele Kinder hat Mark Rutte?" is not answered by "Rutte war 14 Jahre lang Regierungschef") or the class a
        # "which X" question asks for ("What enemy of Doctor Who is also a Time Lord?" is not answered by a sentence
        # on the Ninth Doctor, a Time Lord, that names no enemy).
        asked_class = _asked_class(question.text, question.language)
        return (not (question.counted and not question.counted & words) and (not asked_class or bool(asked_class & words))
                and _anchored(text, evidence.language, question, names))
    return similarity >= bar


def _anchored(text: str, language: str, question: QuestionFacts, names: PromptNames) -> bool:
    """`text` holds what singles out the question's subject: a name the question gives that no other passage of the
    prompt names ("Twigg", "LMP", "Energiprojekt AB"; not a name the question gives as the setting, after a
    locative: "in Brüssel"), or a figure the question gives ("565 °C", "2014"; a figure may stand in other passages
    too)."""
    setting = _setting_names(question.text, question.language)
    asked = {stem for stem in map(_stem, question.items.names)
             if names.counts.get(stem, 0) == 1 and stem not in setting}
    return bool(asked & name_stems(text)) or bool(_figures(question.items) & _figures(_items(text, language)))


def _asked_class(text: str, language: str) -> frozenset[str]:
    """The stems of the noun a "which X"/"welches X" question asks for one of ("enemy" of "What enemy of …?", "team"
    of "Welches Team gewann …?"; function_words.toml's interrogative determiners); none for "What is …?"."""
    return next((content_words_both(word, language)
                 for word in _words_after(text, language, "interrogative_determiners")), frozenset())


def _setting_names(text: str, language: str) -> frozenset[str]:
    """The stems of the words of `text` right after a locative preposition (function_words.toml's locatives)."""
    return frozenset(_stem(fold(word)) for word in _words_after(text, language, "locatives"))


@lru_cache(maxsize=1024)
def _words_after(text: str, language: str, table: str) -> tuple[str, ...]:
    """The words of a question `text` that stand right after one of function_words.toml's `table` words (for
    `language`), in order; kept per question, since every window of every claim asks again."""
    markers = load_table("function_words.toml")[table].get(language, ())
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    return tuple(word for before, word in zip(words, words[1:]) if before.casefold() in markers)


def _similarity(vector: np.ndarray | None, vectors: np.ndarray | None, window: tuple[int, ...]) -> float:
    if vector is None or vectors is None or not len(window) or max(window) >= len(vectors):
        return 0.0
    return float(np.max(vectors[list(window)] @ vector))
