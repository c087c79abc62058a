"""Reading the model's output: refusals, sentences about the passages, sources named up front.

The counterpart of qa.answer.prompts (the text that goes to the model). The
refusal phrases are data (refusal_signals.toml). Leaves out: checking what the
sentences claim (qa.answer.citations, qa.answer.support).
"""

from __future__ import annotations

import re
from functools import cache

from qa.answer.data import load_table


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
