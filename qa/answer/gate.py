"""The refusal gate: evidence too weak to answer, and places the question names that the evidence lacks.

A retrieval score below a calibrated threshold refuses before the model runs;
an answer whose cited passages never mention a country the question asks about
is refused too (the country backstop). The country table is data
(countries.toml). Leaves out: refusals the model states itself
(qa.answer.output) and answers without a supported sentence (qa.answer.answerer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from qa.answer.data import load_table
from qa.types import Hit


def evidence_too_weak(hits: Sequence[Hit], min_dense_score: float) -> bool:
    """The calibrated gate: no hit, or the best dense similarity below `min_dense_score`."""
    best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
    return best is None or best < min_dense_score


@cache
def country_patterns() -> dict[str, re.Pattern[str]]:
    """Per country code, the pattern of its names, adjectives, capital and leaders (at word beginnings)."""
    return {country: re.compile(r"\b(" + "|".join(alternatives) + r")", re.I)
            for country, alternatives in load_table("countries.toml").items()}


def countries(text: str) -> set[str]:
    """The codes of the countries `text` mentions."""
    return {country for country, pattern in country_patterns().items() if pattern.search(text)}


def missing_places(question: str, evidence: Sequence[str]) -> set[str]:
    """Countries the question names that none of the evidence texts mentions (ISO-like codes).

    An answer about Finland's accession cannot rest on passages that never
    mention Finland, however well they support its sentences.
    """
    found: set[str] = set()
    for text in evidence:
        found |= countries(text)
    return countries(question) - found
