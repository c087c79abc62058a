"""The refusal gate: evidence too weak to answer, and places the question names that the evidence lacks.

A retrieval score below a calibrated threshold refuses before the model runs;
an answer whose cited passages never mention a country the question asks about
is refused too (the country backstop); countries are recognised with CLDR's
names (qa.answer.key_items), and a leader's name is no evidence of a country. Leaves out: refusals the model states itself
(qa.answer.output) and answers without a supported sentence (qa.answer.answerer).
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.key_items import find_countries
from qa.types import Hit


def evidence_too_weak(hits: Sequence[Hit], min_dense_score: float) -> bool:
    """The calibrated gate: no hit, or the best dense similarity below `min_dense_score`."""
    best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
    return best is None or best < min_dense_score


def missing_places(question: str, evidence: Sequence[str], documents: Sequence[str] = ()) -> set[str]:
    """Countries the question names that the evidence does not mention (ISO-like codes).

    An answer about Finland's accession cannot rest on passages that never
    mention Finland, however well they support its sentences. A country the
    question names only by adjective ("Which German city …?") qualifies what
    is asked; the cited documents as a whole (`documents`) must mention it.
    """
    found: set[str] = set()
    for text in evidence:
        found |= find_countries(text)
    asked = find_countries(question)
    nouns = find_countries(question, nouns_only=True)
    qualifiers = asked - nouns - found
    for text in documents if qualifiers else ():
        qualifiers -= find_countries(text)
    return (nouns - found) | qualifiers
