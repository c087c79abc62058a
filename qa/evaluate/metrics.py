"""Scoring of evaluation results: fact matching, metrics on plain values and the verdict of one record.

Facts are matched after normalising case, Unicode, whitespace, thousands
separators and decimal commas; every metric is a small function on plain
values, and `compute_metrics` / `group_metrics` apply them to the result
records (qa.evaluate.records). `score_record` attaches the gold data of a question to a result
and judges it. Leaves out: running the questions and writing files
(qa.evaluate.run) and rendering the numbers (qa.evaluate.report).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np

from qa.answer.data import load_table
from qa.answer.key_items import Date, fold, key_items, month_names, multiplicative_words, number_words
from qa.evaluate.questions import Question
from qa.evaluate.records import ResultRecord
from qa.text.markers import strip_markers
from qa.types import Document

GROUPS = ("overall", "de", "en", "cross_lingual", "same_language")


# ---------------------------------------------------------------------------- fact matching

_CHAR_MAP = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                           "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-", "\u00ad": None})
# 1-3 digits, then groups of exactly three after one repeated separator ("1 352", "1.352.000");
# not inside a longer number, so "2023 1 352" only joins "1 352".
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}([ .,])\d{3}(?:\1\d{3})*(?!\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def normalise(text: str) -> str:
    """Text for fact matching: NFKC, casefolded, quotes/dashes unified, whitespace collapsed,
    thousands separators dropped ("1.352" -> "1352") and decimal commas made points ("3,6" -> "3.6")."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_MAP)
    text = " ".join(text.split())
    text = _THOUSANDS.sub(lambda match: re.sub(r"[ .,]", "", match.group()), text)
    return _DECIMAL_COMMA.sub(".", text)


# Punctuation at the edges of a gold span is no part of the fact: XQuAD's "water-cooled undergarment." or
# "„Wir sind Bettler”," is found in an answer that ends the sentence or quotes otherwise.
_EDGE_PUNCTUATION = " .,;:!?\"'()"


def _alternative_pattern(alternative: str) -> re.Pattern[str]:
    body = normalise(alternative).strip(_EDGE_PUNCTUATION) or normalise(alternative)
    # Numbers match whole ("1949" not in "19490" or "1949.5"). Words may sit inside longer
    # words (German compounds: "Flugabwehr" in "Flugabwehrsysteme"), except short ones
    # such as "EU" or "USA", which would otherwise match almost anywhere.
    short = len(body) <= 3
    before = r"(?<!\d)(?<!\d[.,])" if body[:1].isdigit() else (r"(?<!\w)" if short and body[:1].isalnum() else "")
    after = r"(?!\d)(?![.,]\d)" if body[-1:].isdigit() else (r"(?!\w)" if short and body[-1:].isalnum() else "")
    return re.compile(before + re.escape(body) + after)


def fact_hits(text: str, facts: Sequence[Sequence[str]]) -> list[bool]:
    """Per fact, whether `text` (citation markers removed) contains one of its alternatives; an alternative that is a
    full date is also found written in another form ("28 February 2008" in "February 28, 2008", "28.02.2008"), one
    that is a count alone in figures or in words ("sechs" in "6-mal", "12" in "zwölf"), any alternative in
    another inflection of its words ("sechs Jahren" in "sechs Jahre"), and any alternative with other articles or
    none ("Das Embargo" in "Der Embargo")."""
    plain = strip_markers(text)
    normalised = normalise(plain)
    bare = _articles().sub("", normalised)
    return [any(_alternative_pattern(a).search(normalised) or _same_date(a, plain) or _same_count(a, plain)
                or _same_stems(a, normalised) or _same_without_articles(a, bare) for a in fact if a.strip())
            for fact in facts]


@lru_cache(maxsize=1)
def _articles() -> re.Pattern[str]:
    words = {word for kind in load_table("function_words.toml")["articles"].values() for forms in kind.values()
             for word in forms}
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b\s*")


def _same_without_articles(alternative: str, bare_text: str) -> bool:
    """The alternative, its articles left out, stands in the normalised text without its articles (`bare_text`), in
    either language, as MLQA's evaluation script leaves them out ("Das Embargo" in "der embargo", "the University of
    Chicago campus" in "auf der University of Chicago Campus"). An alternative of articles only is not matched
    this way."""
    bare = _articles().sub("", normalise(alternative)).strip()
    return bool(bare.strip(_EDGE_PUNCTUATION)) and bool(_alternative_pattern(bare).search(bare_text))


_WORD = re.compile(r"\w+")


def _same_stems(alternative: str, normalised: str) -> bool:
    """The alternative's words, each reduced to its Snowball stem (German, or English), stand in a row in the
    normalised text: "zusätzlichen Erwärmung der Erdoberfläche" in "zu zusätzlichen Erwärmungen der Erdoberfläche",
    "sechs Jahren" in "etwa sechs Jahre", "primes" in "prime numbers". Whole words, and every word counts, the small
    ones too: "nicht erlaubt" is not found in "erlaubt" (articles aside: _same_without_articles)."""
    alternative = normalise(alternative)
    for language in ("de", "en"):
        wanted = _stems(alternative, language)
        found = _stems(normalised, language)
        if wanted and any(found[i:i + len(wanted)] == wanted for i in range(len(found) - len(wanted) + 1)):
            return True
    return False


@lru_cache(maxsize=8192)
def _stems(normalised: str, language: str) -> tuple[str, ...]:
    from qa.text.tokens import stem_words

    return tuple(stem_words(_WORD.findall(normalised), language))


def _same_count(alternative: str, text: str) -> bool:
    """`alternative` is one count (2..100, a figure or a number word) and `text` mentions it in either form."""
    count = _count(alternative)
    return count is not None and any(
        Decimal(count) in readings for language in ("de", "en") for readings in key_items(text, language).numbers)


@lru_cache(maxsize=4096)
def _count(alternative: str) -> int | None:
    """The count 2..100 that `alternative` consists of ("six", "sechs", "6", "twice"), or None."""
    body = fold(alternative.strip(_EDGE_PUNCTUATION))
    if body.isdigit():
        return int(body) if 2 <= int(body) <= 100 else None
    return number_words().get(body) or multiplicative_words().get(body)


def _same_date(alternative: str, text: str) -> bool:
    """`alternative` is one full date (day, month, year, in either language) and `text` writes that date."""
    date = _full_date(alternative)
    return date is not None and any(date in key_items(text, language).dates for language in ("de", "en"))


@lru_cache(maxsize=4096)
def _full_date(alternative: str) -> Date | None:
    """The date `alternative` consists of (a month's name, figures and punctuation only), or None."""
    if any(fold(word) not in month_names() for word in re.findall(r"[^\W\d_]+", alternative)):
        return None
    for language in ("de", "en"):
        dates = [date for date in key_items(alternative, language).dates if None not in date]
        if len(dates) == 1:
            return dates[0]
    return None


# ---------------------------------------------------------------------------- metrics on plain values

def share(flags: Iterable[bool | None]) -> float | None:
    """Share of true values, ignoring None; None when there is nothing to count."""
    values = [bool(flag) for flag in flags if flag is not None]
    return sum(values) / len(values) if values else None


def first_gold_rank(retrieved_documents: Sequence[str], gold_sources: Collection[str]) -> int | None:
    """1-based rank of the first retrieved passage from a gold document, None when none was retrieved."""
    return next((rank for rank, doc in enumerate(retrieved_documents, 1) if doc in gold_sources), None)


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose first gold rank is at most `k`."""
    return share(rank is not None and rank <= k for rank in ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank (0 for a miss) over the questions."""
    return sum(1 / rank for rank in ranks if rank) / len(ranks) if ranks else None


def citation_validity(valid: Sequence[int], invalid: Sequence[int]) -> float | None:
    """Valid markers over all markers, summed over answers; None without any marker."""
    total = sum(valid) + sum(invalid)
    return sum(valid) / total if total else None


def cited_passage_relevant(document_id: str, text: str, gold_sources: Collection[str],
                           facts: Sequence[Sequence[str]]) -> bool:
    """A cited passage counts as relevant when it is from a gold document or holds a gold fact."""
    return document_id in gold_sources or any(fact_hits(text, facts))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), None for no values."""
    return float(np.percentile(values, q)) if len(values) else None


def tokens_per_second(completion_tokens: int, generation_s: float) -> float | None:
    """Generation speed, None when the generator reported no tokens or no time."""
    return completion_tokens / generation_s if completion_tokens > 0 and generation_s > 0 else None


def compute_metrics(records: Sequence[ResultRecord]) -> dict[str, Any]:
    """All metrics of a set of result records (the lines of results.jsonl); None where undefined."""
    answerable = [r for r in records if r.answerable]
    answered = [r for r in records if not r.refused and not r.error]
    answered_answerable = [r for r in answered if r.answerable]
    ranks = [first_gold_rank([h["document_id"] for h in r.retrieved], r.gold_sources)
             for r in answerable if r.gold_sources]
    timed = [r.timings for r in records if not r.error]
    first_tokens = [t["first_token_s"] for t in timed if t["first_token_s"] > 0]  # 0: refused before generation
    speeds = [r.tokens_per_s for r in records if r.tokens_per_s]

    def unique_citations(record: ResultRecord) -> list[Mapping[str, Any]]:
        return list({c["n"]: c for c in record.citations}.values())

    return {
        "n": len(records), "n_answerable": len(answerable), "n_unanswerable": len(records) - len(answerable),
        "n_answered": len(answered), "n_errors": sum(1 for r in records if r.error),
        "answer_correct": share(r.correct for r in answerable),
        "wrong_answered": share(not r.refused and not r.error and not r.correct for r in records),
        "facts_in_prompt": share(r.facts_in_prompt for r in answerable),
        "extractive": share(r.extractive for r in answered),
        "redrafted": share(r.redrafted for r in answered),
        "facts_found": share(hit for r in answerable for hit in r.fact_hits),
        "hit@1": hit_at(ranks, 1), "hit@5": hit_at(ranks, 5), "mrr": mean_reciprocal_rank(ranks),
        "citation_validity": citation_validity([len(r.citations) for r in answered],
                                               [r.invalid_citations for r in answered]),
        "citation_precision": share(cited_passage_relevant(c["document_id"], c["text"], r.gold_sources, r.facts)
                                    for r in answered_answerable for c in unique_citations(r)),
        "citation_recall": share(any(c["document_id"] in r.gold_sources for c in r.citations)
                                 for r in answered_answerable if r.gold_sources),
        "supported_sentences": share(flag for r in answered for flag in r.support_flags),
        "refusal_correct": share(r.refused for r in records if not r.answerable),
        "false_refusal": share(r.refused for r in answerable),
        "language_ok": share(r.answer_language_ok for r in answered),
        "first_token_p50": percentile(first_tokens, 50), "first_token_p95": percentile(first_tokens, 95),
        # the answer is checked once it is complete, so its first checked sentence comes with the whole answer
        "first_checked_p50": percentile([r.timings["total_s"] for r in answered], 50),
        "total_p50": percentile([t["total_s"] for t in timed], 50),
        "total_p95": percentile([t["total_s"] for t in timed], 95),
        "tokens_per_s": sum(speeds) / len(speeds) if speeds else None,
        "prompt_tokens_p50": percentile([r.prompt_tokens for r in records if r.prompt_tokens], 50),
    }


def group_metrics(records: Sequence[ResultRecord]) -> dict[str, dict[str, Any]]:
    """Metrics overall, per question language and, over answerable questions with known
    gold sources, for cross-lingual versus same-language questions."""
    with_sources = [r for r in records if r.answerable and r.gold_sources]
    return {
        "overall": compute_metrics(records),
        "de": compute_metrics([r for r in records if r.question_language == "de"]),
        "en": compute_metrics([r for r in records if r.question_language == "en"]),
        "cross_lingual": compute_metrics([r for r in with_sources if r.cross_lingual]),
        "same_language": compute_metrics([r for r in with_sources if not r.cross_lingual]),
        "paraphrase_groups": paraphrase_consistency(records),
    }


def paraphrase_consistency(records: Sequence[ResultRecord]) -> dict[str, Any]:
    """Over the paraphrase groups (questions asking for one fact in other words): how many groups there
    are, the share whose phrasings were all answered correctly, and the share judged alike (all right or
    all wrong)."""
    groups: dict[str, list[bool]] = {}
    for record in records:
        if record.group:
            groups.setdefault(record.group, []).append(record.correct)
    verdicts = list(groups.values())
    return {"n": len(verdicts), "all_correct": share(all(v) for v in verdicts),
            "consistent": share(all(v) or not any(v) for v in verdicts)}


# ---------------------------------------------------------------------------- scoring one record

def is_cross_lingual(question_language: str, sources: Sequence[str], documents: Mapping[str, Document]) -> bool:
    """True when the question's language differs from the language of every known gold document."""
    languages = [documents[source].language for source in sources if source in documents]
    return bool(languages) and all(language != question_language for language in languages)


def _gold_fields(question: Question, documents: Mapping[str, Document]) -> dict[str, Any]:
    """The fields of a ResultRecord that come from the question file."""
    return {"id": question.id, "question": question.question, "question_language": question.language,
            "answerable": question.answerable, "gold_sources": list(question.sources),
            "facts": [list(fact) for fact in question.facts], "reference_answer": question.reference,
            "cross_lingual": is_cross_lingual(question.language, question.sources, documents),
            "tags": list(question.tags), "group": question.group}


def score_record(record: ResultRecord, question: Question, documents: Mapping[str, Document]) -> ResultRecord:
    """`record` with its gold data and verdict taken from `question`, so that a resumed
    result is judged by the current question file (a fixed fact counts at once)."""
    failed = bool(record.error)
    text = "" if record.refused or failed else strip_markers(record.answer)
    hits = fact_hits(text, question.facts)
    # An error is always wrong; for an unanswerable question the correct outcome is a refusal.
    correct = not failed and ((not record.refused and all(hits)) if question.answerable else record.refused)
    in_prompt = (all(fact_hits(" ".join(record.prompt_passages), question.facts))
                 if question.answerable and question.facts and record.prompt_passages else None)
    return replace(record, **_gold_fields(question, documents), fact_hits=hits, correct=correct,
                   facts_in_prompt=in_prompt)
