"""Locale facts for the chat: numbers and dates from Babel's CLDR data ("1,10", "1. Januar 2024"), quotation marks.

Babel does not carry CLDR's quotation marks, so they are data in qa.ui.texts
(`QUOTATION_MARKS`). Leaves out: the words themselves (qa.ui.texts) and where
they go (qa.ui.render).
"""

from __future__ import annotations

import datetime
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from qa.ui.texts import QUOTATION_MARKS


@cache
def locale_for(language: str | None) -> Locale:
    """Babel's Locale for the interface language ("de"; anything else is English)."""
    return Locale("de" if language == "de" else "en")


def language_name(code: str, language: str | None) -> str:
    """The name of the language `code` in the reader's `language` (CLDR via Babel): "de" -> "German" / "Deutsch"."""
    return str(locale_for(language).languages.get(code, code.upper()))


def format_number(value: float, language: str | None, decimals: int = 0) -> str:
    """`value` with exactly `decimals` decimals in the locale's notation (German: decimal comma)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale_for(language))


def quote(text: str, language: str | None) -> str:
    """`text` between the locale's quotation marks („…“ in German, “…” in English)."""
    opening, closing = QUOTATION_MARKS["de" if language == "de" else "en"]
    return f"{opening}{text}{closing}"


def format_document_date(date: str, language: str) -> str:
    """An ISO date ("2024-10-01", "2025-06", "2025") in the locale's words; other text as it is."""
    parts = date.split("-")
    try:
        if len(parts) == 3:
            return format_date(datetime.date.fromisoformat(date), format="long", locale=locale_for(language))
        if len(parts) == 2:
            value = datetime.date(int(parts[0]), int(parts[1]), 1)
            return format_date(value, format="MMMM y", locale=locale_for(language))
    except ValueError:
        return date
    return date
