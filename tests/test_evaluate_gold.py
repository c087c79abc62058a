"""Gold checks for the project's evaluation question set `eval/questions.jsonl`.

The file is JSON Lines, one question per line:

    {"id": "q01", "question": "...", "lang": "de"|"en", "answerable": true,
     "sources": ["<seed file name>", ...], "facts": [["alternative", ...], ...],
     "history": [{"role": "user"|"assistant", "content": "..."}],   # optional
     "answer": "reference answer", "tags": ["number", "002", ...]}  # optional

A fact is a list of acceptable alternative strings; a correct answer contains at
least one alternative of every fact. These tests check that the set is well
formed, that every gold fact really occurs in the *cleaned* text of one of its
source documents (as produced by `qa.ingest.documents.load_documents`, footnotes
included), and that the set is large and varied enough to be a useful benchmark.

Comparison uses `normalise()` below on both sides: Unicode NFKC, casefold,
typographic quotes/dashes unified, whitespace collapsed and thousands
separators removed ("1 352", "1.352", "1,352" -> "1352"). The evaluation
module has its own answer matcher; this one only guards the gold data.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pytest

from qa.ingest.documents import load_documents

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS_FILE = ROOT / "eval" / "questions.jsonl"
SEEDS_DIR = ROOT / "seeds"

LANGS = {"de", "en"}
ROLES = {"user", "assistant"}
REQUIRED_KEYS: dict[str, type] = {
    "id": str,
    "question": str,
    "lang": str,
    "answerable": bool,
    "sources": list,
    "facts": list,
}
OPTIONAL_KEYS: dict[str, type] = {"history": list, "answer": str, "tags": list, "group": str}

# Questions the brief asks for verbatim.
REQUIRED_QUESTIONS = {
    "Welche Aufgaben hat der NATO-Generalsekretär?",
    "Which countries backed Rutte's candidacy?",
    "Was ist der Hub for the South?",
    "What did Stoltenberg say about Germany's defence spending?",
}

# The long FES study (002) must be covered across all of its sections.
STUDY_PREFIX = "002"
STUDY_SECTIONS = {
    "sec:einleitung",  # Einleitung
    "sec:trump",  # Internationales Sekretariat und Umgang mit Trump
    "sec:verteidigung",  # Angriffskrieg und kollektive Verteidigung
    "sec:ukraine",  # Verhältnis zur Ukraine
    "sec:china",  # Verhältnis zu China
    "sec:partner",  # Partnerschaften
    "sec:sueden",  # südliche Nachbarschaft
    "sec:hybrid",  # hybride Bedrohungen
    "sec:nuklear",  # nukleare Abschreckung
    "sec:werte",  # Wertegemeinschaft
}

MIN_QUESTIONS = 60
MIN_UNANSWERABLE = 12
MIN_LANG_SHARE = 0.40
MIN_STUDY_QUESTIONS = 20
MIN_CROSS_LINGUAL = 8
MIN_WITH_HISTORY = 3
MIN_MULTI_FACT = 10
MIN_FOOTNOTE = 3
MIN_NEAR_TOPIC_UNANSWERABLE = 5


# --------------------------------------------------------------------------- normalisation

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2039": '"', "\u203a": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00ad": None,  # soft hyphen
    }
)
# A number written with thousands separators: 1-3 digits, then groups of exactly
# three digits after a space, dot or comma. Not preceded by a digit or separator
# (so "2023 1 352" only joins "1 352") and not followed by a further digit
# (so decimals such as "1.15" or "3,6" stay as they are).
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ .,]\d{3})+(?!\d)")
_SEPARATORS = re.compile(r"[ .,]")
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Normalise text for fact matching: NFKC, casefold, unify quotes/dashes, collapse
    whitespace and drop thousands separators."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_MAP)
    text = _WHITESPACE.sub(" ", text).strip()
    return _THOUSANDS.sub(lambda match: _SEPARATORS.sub("", match.group()), text)


def fact_in(fact: list[str], normalised_text: str) -> bool:
    """True when at least one alternative of `fact` occurs in the (normalised) text."""
    return any(normalise(alternative) in normalised_text for alternative in fact)


# --------------------------------------------------------------------------- loading

def _read_lines() -> list[tuple[int, str]]:
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [(number, line) for number, line in enumerate(lines, start=1)]


def _parse_questions() -> list[dict[str, Any]]:
    """Parse what can be parsed (for parametrisation); malformed lines fail in the tests."""
    questions = []
    if not QUESTIONS_FILE.is_file():
        return questions
    for _, line in _read_lines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            questions.append(item)
    return questions


QUESTIONS = _parse_questions()
ANSWERABLE = [q for q in QUESTIONS if q.get("answerable") is True]


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


@lru_cache(maxsize=1)
def _documents() -> dict[str, Any]:
    documents, _skipped = load_documents(SEEDS_DIR)
    return {document.id: document for document in documents}


@cache
def _normalised_text(doc_id: str) -> str:
    return normalise(_documents()[doc_id].text)


@cache
def _normalised_footnotes(doc_id: str) -> str:
    document = _documents()[doc_id]
    parts = [document.text[block.start:block.end] for block in document.blocks if block.kind == "footnote"]
    return normalise("\n".join(parts))


def _doc_tag(doc_id: str) -> str:
    return doc_id[:3]


def _is_cross_lingual(question: dict[str, Any]) -> bool:
    """A question is cross-lingual when none of its sources is in the question's language."""
    documents = _documents()
    languages = {documents[source].language for source in question["sources"] if source in documents}
    return bool(languages) and question["lang"] not in languages


# --------------------------------------------------------------------------- the normaliser itself

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Im Sekretariat arbeiteten 2023 1 352 Beschäftigte", "im sekretariat arbeiteten 2023 1352 beschäftigte"),
        ("1.352 / 1,352 / 1352", "1352 / 1352 / 1352"),
        ("800 000 Soldaten", "800000 soldaten"),
        ("von 1.15 auf 1,7 Prozent; 3,6 oder 3,7", "von 1.15 auf 1,7 prozent; 3,6 oder 3,7"),
        ("Stand: 01.10.2024", "stand: 01.10.2024"),
        ("  GROSS\n\tund  klein ", "gross und klein"),
        ("Straße", "strasse"),
        ("»Trump-Flüsterer« – People’s", '"trump-flüsterer" - people\'s'),
        ("ﬁnal\u00a0text", "final text"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


# --------------------------------------------------------------------------- format

def test_file_exists_and_every_line_is_a_json_object() -> None:
    assert QUESTIONS_FILE.is_file(), f"{QUESTIONS_FILE} is missing"
    problems = []
    for number, line in _read_lines():
        if not line.strip():
            problems.append(f"line {number}: empty line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: invalid JSON ({error})")
            continue
        if not isinstance(item, dict):
            problems.append(f"line {number}: not a JSON object")
    assert not problems, "\n".join(problems)
    assert len(QUESTIONS) == len(_read_lines())


def _schema_problems(item: dict[str, Any]) -> list[str]:
    problems = []
    for key, kind in REQUIRED_KEYS.items():
        if key not in item:
            problems.append(f"missing key {key!r}")
        elif not isinstance(item[key], kind):
            problems.append(f"{key!r} must be {kind.__name__}")
    for key, kind in OPTIONAL_KEYS.items():
        if key in item and not isinstance(item[key], kind):
            problems.append(f"{key!r} must be {kind.__name__}")
    unknown = set(item) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    if problems:
        return problems

    if not item["id"].strip() or not item["question"].strip():
        problems.append("empty id or question")
    if item["lang"] not in LANGS:
        problems.append(f"lang {item['lang']!r} not in {sorted(LANGS)}")
    if not all(isinstance(source, str) and source for source in item["sources"]):
        problems.append("sources must be non-empty strings")
    if len(set(item["sources"])) != len(item["sources"]):
        problems.append("duplicate sources")
    for fact in item["facts"]:
        if not isinstance(fact, list) or not fact:
            problems.append(f"fact {fact!r} must be a non-empty list of alternatives")
        elif not all(isinstance(alternative, str) and alternative.strip() for alternative in fact):
            problems.append(f"fact {fact!r} has an empty or non-string alternative")
    if item["answerable"]:
        if not item["sources"]:
            problems.append("answerable question without sources")
        if not item["facts"]:
            problems.append("answerable question without facts")
    else:
        if item["sources"] or item["facts"]:
            problems.append("unanswerable question must have empty sources and facts")
    if "answer" in item and not item["answer"].strip():
        problems.append("empty reference answer")
    if "tags" in item and not all(isinstance(tag, str) and tag for tag in item["tags"]):
        problems.append("tags must be non-empty strings")
    if "history" in item:
        history = item["history"]
        if not history:
            problems.append("history, when given, must not be empty")
        for turn in history:
            if not isinstance(turn, dict) or set(turn) != {"role", "content"}:
                problems.append(f"history turn {turn!r} must have exactly role and content")
            elif turn["role"] not in ROLES or not isinstance(turn["content"], str) or not turn["content"].strip():
                problems.append(f"history turn {turn!r} has a bad role or empty content")
        if history and isinstance(history[-1], dict) and history[-1].get("role") != "assistant":
            problems.append("history must end with an assistant turn (the question is the next user turn)")
    return problems


def test_every_question_has_a_valid_schema() -> None:
    problems = [f"{item['id']}: {problem}" for item in QUESTIONS for problem in _schema_problems(item)]
    assert not problems, "\n".join(problems)


def test_ids_and_questions_are_unique() -> None:
    duplicates = [qid for qid, count in Counter(_ids(QUESTIONS)).items() if count > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    keys = Counter(
        (item["question"].strip(), json.dumps(item.get("history", []), ensure_ascii=False)) for item in QUESTIONS
    )
    repeated = [question for (question, _), count in keys.items() if count > 1]
    assert not repeated, f"duplicate questions: {repeated}"


def test_sources_exist_in_seeds() -> None:
    missing = [
        f"{item['id']}: {source}"
        for item in QUESTIONS
        for source in item["sources"]
        if not (SEEDS_DIR / source).is_file()
    ]
    assert not missing, "sources that are not files in seeds/:\n" + "\n".join(missing)


def test_required_questions_are_present() -> None:
    present = {item["question"] for item in QUESTIONS}
    assert REQUIRED_QUESTIONS <= present, f"missing: {sorted(REQUIRED_QUESTIONS - present)}"


# --------------------------------------------------------------------------- gold facts against the documents

def test_every_source_document_loads() -> None:
    documents = _documents()
    needed = {source for item in QUESTIONS for source in item["sources"]}
    assert needed <= set(documents), f"not loaded by load_documents: {sorted(needed - set(documents))}"
    for doc_id in needed:
        assert documents[doc_id].text.strip(), f"{doc_id} has an empty cleaned text"


@pytest.mark.parametrize("question", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_gold_facts_occur_in_cleaned_sources(question: dict[str, Any]) -> None:
    documents = _documents()
    texts = [_normalised_text(source) for source in question["sources"] if source in documents]
    assert texts, f"no loaded source among {question['sources']}"
    missing = [fact for fact in question["facts"] if not any(fact_in(fact, text) for text in texts)]
    assert not missing, (
        f"{question['id']}: no alternative of these facts occurs in the cleaned text of "
        f"{question['sources']}: {missing}"
    )


@pytest.mark.parametrize("question", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_reference_answer_contains_every_fact(question: dict[str, Any]) -> None:
    answer = question.get("answer")
    assert answer, f"{question['id']}: answerable question without a reference answer"
    missing = [fact for fact in question["facts"] if not fact_in(fact, normalise(answer))]
    assert not missing, f"{question['id']}: reference answer lacks facts {missing}"


FOOTNOTE_QUESTIONS = [q for q in ANSWERABLE if "footnote" in q.get("tags", [])]


@pytest.mark.parametrize("question", FOOTNOTE_QUESTIONS, ids=_ids(FOOTNOTE_QUESTIONS))
def test_footnote_questions_have_a_fact_in_a_footnote(question: dict[str, Any]) -> None:
    footnotes = [_normalised_footnotes(source) for source in question["sources"] if source in _documents()]
    assert any(
        fact_in(fact, text) for fact in question["facts"] for text in footnotes
    ), f"{question['id']} is tagged 'footnote' but none of its facts occurs in a footnote block"


# --------------------------------------------------------------------------- tags agree with the data

def test_tags_agree_with_the_data() -> None:
    doc_tags = {_doc_tag(path.name) for path in SEEDS_DIR.glob("*.txt")}
    problems = []
    for item in QUESTIONS:
        tags = set(item.get("tags", []))
        expected_docs = {_doc_tag(source) for source in item["sources"]}
        if tags & doc_tags != expected_docs:
            problems.append(f"{item['id']}: document tags {sorted(tags & doc_tags)} != sources {sorted(expected_docs)}")
        if ("multi-fact" in tags) != (len(item["facts"]) >= 2):
            problems.append(f"{item['id']}: 'multi-fact' tag must be set exactly when there are 2+ facts")
        if ("followup" in tags) != bool(item.get("history")):
            problems.append(f"{item['id']}: 'followup' tag must be set exactly when there is a history")
        if item["answerable"] and ("cross-lingual" in tags) != _is_cross_lingual(item):
            problems.append(f"{item['id']}: 'cross-lingual' tag disagrees with the source languages")
        if not item["answerable"] and not tags & {"near-topic", "off-topic"}:
            problems.append(f"{item['id']}: unanswerable question needs a 'near-topic' or 'off-topic' tag")
        sections = tags & STUDY_SECTIONS
        if sections and not any(source.startswith(STUDY_PREFIX) for source in item["sources"]):
            problems.append(f"{item['id']}: section tag on a question not about the study")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- size and spread

def test_counts_and_spread() -> None:
    total = len(QUESTIONS)
    assert total >= MIN_QUESTIONS, f"only {total} questions"

    unanswerable = [item for item in QUESTIONS if not item["answerable"]]
    assert len(unanswerable) >= MIN_UNANSWERABLE, f"only {len(unanswerable)} unanswerable questions"
    near_topic = [item for item in unanswerable if "near-topic" in item.get("tags", [])]
    assert len(near_topic) >= MIN_NEAR_TOPIC_UNANSWERABLE, f"only {len(near_topic)} near-topic unanswerable"

    languages = Counter(item["lang"] for item in QUESTIONS)
    for lang in sorted(LANGS):
        share = languages[lang] / total
        assert share >= MIN_LANG_SHARE, f"{lang}: {languages[lang]}/{total} = {share:.0%} < {MIN_LANG_SHARE:.0%}"

    per_document = Counter(source for item in QUESTIONS for source in set(item["sources"]))
    uncovered = [path.name for path in sorted(SEEDS_DIR.glob("*.txt")) if per_document[path.name] == 0]
    assert not uncovered, f"documents without a question: {uncovered}"
    study = sum(count for source, count in per_document.items() if source.startswith(STUDY_PREFIX))
    assert study >= MIN_STUDY_QUESTIONS, f"only {study} questions on the study {STUDY_PREFIX}"

    cross = [item for item in ANSWERABLE if _is_cross_lingual(item)]
    assert len(cross) >= MIN_CROSS_LINGUAL, f"only {len(cross)} cross-lingual questions"
    assert any(item["lang"] == "en" for item in cross), "no English question over a German document"
    assert any(item["lang"] == "de" for item in cross), "no German question over an English document"

    with_history = [item for item in QUESTIONS if item.get("history")]
    assert len(with_history) >= MIN_WITH_HISTORY, f"only {len(with_history)} follow-up questions"

    multi = [item for item in ANSWERABLE if len(item["facts"]) >= 2]
    assert len(multi) >= MIN_MULTI_FACT, f"only {len(multi)} multi-fact questions"

    footnote = [item for item in ANSWERABLE if "footnote" in item.get("tags", [])]
    assert len(footnote) >= MIN_FOOTNOTE, f"only {len(footnote)} footnote questions"

    sections = {tag for item in QUESTIONS for tag in item.get("tags", [])} & STUDY_SECTIONS
    assert sections == STUDY_SECTIONS, f"study sections without a question: {sorted(STUDY_SECTIONS - sections)}"
