"""Key items of a text, normalised so that German and English forms compare equal: numbers, dates, countries, names.

An answer is only as good as its key items: the figure, the date, the country,
the person. Everything here turns their many spellings into one comparable
form:

- numbers: "1.352" (German) = "1,352" (English) = "1 352"; "40 Milliarden" =
  "40 billion" = "40 Mrd."; "zehn" = "ten" = "10" (number words from
  num2words, magnitude words from magnitudes.toml). A separator that is
  ambiguous ("1.352" in an English text) yields both readings;
- dates: "1. Oktober 2024" = "1 October 2024" = "October 1, 2024" =
  "01.10.2024" = "2024-10-01", with month names from CLDR (Babel); a date
  without a year or day keeps those parts open;
- countries: CLDR territory names in German and English ("Südkorea" = "South
  Korea" = KR), nationality adjectives derived from CLDR language names
  ("niederländische" = "Dutch" = NL), and a few common short forms
  (country_aliases.toml);
- names: capitalised words that do not start a sentence (in English text
  these are proper names; German capitalises every noun, so callers treat
  German "names" with care).

Leaves out: deciding what a match means for a citation (qa.answer.support).
Over 250 lines: numbers, dates, countries and names are read in one pass over the text with shared CLDR data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from qa.answer.data import load_table

Date = tuple[int | None, int | None, int | None]  # (year, month, day); None where the text leaves it open

LANGUAGES = ("de", "en")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# A numeral: digit groups with thousands separators (".", ",", space, narrow space), optional decimals.
_NUMERAL = re.compile(r"(?<![\w.,])\d{1,3}(?:(?:[.,](?: (?=\d{3}))?|[ \u00a0\u202f])\d{3})+(?:[.,]\d+)?(?![\d])"
                      r"|(?<![\w])\d+(?:[.,]\d+)?(?![\d])")


@dataclass(frozen=True)
class KeyItems:
    """The key items of one text. Each number mention is the set of its readings (usually one)."""

    numbers: tuple[frozenset[Decimal], ...]
    dates: tuple[Date, ...]
    countries: frozenset[str]
    names: frozenset[str]

    def number_values(self) -> frozenset[Decimal]:
        """Every reading of every number, including the years, months and days of the dates."""
        values = {value for readings in self.numbers for value in readings}
        values |= {Decimal(part) for date in self.dates for part in date if part is not None}
        return frozenset(values)


def fold(word: str) -> str:
    """Lower case without accents and with German umlauts and ß spelled out, for loose comparison."""
    word = word.lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


# --- months and dates ----------------------------------------------------------------------------------


@cache
def month_names() -> dict[str, int]:
    """Folded month names and abbreviations of German and English (CLDR through Babel) -> month number."""
    from babel import Locale

    names: dict[str, int] = {}
    for language in LANGUAGES:
        months = Locale(language).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    names[fold(name).rstrip(".")] = number
    return names


@cache
def _date_patterns() -> list[tuple[re.Pattern[str], str]]:
    month = "(?P<month>" + "|".join(sorted(map(re.escape, month_names()), key=len, reverse=True)) + r")\.?"
    day = r"(?P<day>[0-3]?\d)"
    year = r"(?P<year>[12]\d{3})"
    return [(re.compile(pattern, re.I), kind) for pattern, kind in (
        (rf"\b{year}-(?P<mnum>[01]\d)-{day}\b", "iso"),
        # a range's first day takes the month of the date after it: "3 and 4 December", "3.–4. Dezember 2024"
        (rf"\b(?P<first>[0-3]?\d)(?:\.|st|nd|rd|th)?\s*(?:-|–|/|\band\b|\bund\b|\bbis\b|\bto\b)\s*"
         rf"{day}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?{month}(?:,?\s+{year}\b)?", "day range"),
        (rf"\b{month}\s+(?P<first>[0-3]?\d)(?:st|nd|rd|th)?\s*(?:-|–|\band\b|\bto\b)\s*{day}(?:st|nd|rd|th)?\b"
         rf"(?!\.\d)(?:,?\s+{year}\b)?", "month day range"),
        (rf"\b{day}\.(?P<mnum>[01]?\d)\.{year}\b", "numeric"),
        (rf"\b{day}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?{month}(?:,)?\s+{year}\b", "day month year"),
        (rf"\b{month}\s+{day}(?:st|nd|rd|th)?,?\s+{year}\b", "month day year"),
        (rf"\b{day}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?{month}(?![\w])", "day month"),
        (rf"\b{month}\s+{day}(?:st|nd|rd|th)?\b(?!\.\d)", "month day"),
        (rf"\b{month}\s+(?:of\s+)?{year}\b", "month year"),
    )]


def _find_dates(text: str) -> tuple[list[Date], str]:
    """The dates in `text` and the text with them blanked out (so their parts are not read as numbers)."""
    dates: list[Date] = []
    for pattern, _ in _date_patterns():
        def take(match: re.Match[str]) -> str:
            groups = match.groupdict()
            month_name = groups.get("month")
            month = month_names().get(fold(month_name).rstrip(".")) if month_name else int(groups["mnum"])
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            if not month or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                return match.group(0)
            if groups.get("first"):
                if not 1 <= int(groups["first"]) <= 31:
                    return match.group(0)
                dates.append((year, month, int(groups["first"])))
            dates.append((year, month, day))
            return " " * len(match.group(0))
        text = pattern.sub(take, text)
    return dates, text


def dates_agree(claim: Date, evidence: Date) -> bool:
    """True when every part both dates give is equal (an open part agrees with anything)."""
    return all(a is None or b is None or a == b for a, b in zip(claim, evidence)) and claim[1] == evidence[1]


# --- numbers ------------------------------------------------------------------------------------------------


@cache
def number_words() -> dict[str, int]:
    """Folded German and English number words 2..100 (num2words) -> value. "ein"/"one" are left out:
    they are articles and pronouns far more often than figures."""
    from num2words import num2words

    words: dict[str, int] = {}
    for language in LANGUAGES:
        for value in range(2, 101):
            words[fold(num2words(value, lang=language))] = value
    return words


@cache
def multiplicative_words() -> dict[str, int]:
    """Adverbs of repetition that are a count ("twice" -> 2; number_compounds.toml)."""
    table = load_table("number_compounds.toml")["multiplicatives"]
    return {fold(word): int(value) for language in LANGUAGES for word, value in table.get(language, {}).items()}


@cache
def plural_counts() -> dict[str, int]:
    """Plural magnitude words that are a vague count without a numeral ("hundreds" -> 100, "Tausenden" -> 1000;
    number_compounds.toml)."""
    table = load_table("number_compounds.toml")["plural_counts"]
    return {fold(word): int(value) for language in LANGUAGES for word, value in table.get(language, {}).items()}


def plural_magnitudes(text: str) -> set[int]:
    """The magnitudes of the vague plural counts `text` gives, in either language ("hundreds of channels",
    "Hunderten von Kanälen": {100}); none for one that only scales the next ("hundreds of thousands", "Hunderte von
    Millionen"). No figure: "dozens" is not 12, and "thousands of years ago" no year."""
    words = [fold(word) for word in _WORD.findall(text)]
    scales = set(plural_counts()) | {word for table in magnitudes().values() for word in table}
    linking = load_table("number_compounds.toml")["plural_counts"]["linking"]
    found: set[int] = set()
    for position, word in enumerate(words):
        link, scaled = (words[position + 1:position + 3] + ["", ""])[:2]
        if word in plural_counts() and not (link in linking and scaled in scales):
            found.add(plural_counts()[word])
    return found


def _is_ratio(following: str) -> bool:
    """Whether an adverb of repetition before the (folded) words `following` is a ratio ("twice as many", "twice the
    size"), not a count ("twice as well"; number_compounds.toml)."""
    ratio, count = _ratio_phrases()
    return bool(ratio.match(following)) and not count.match(following)


@cache
def _ratio_phrases() -> tuple[re.Pattern[str], re.Pattern[str]]:
    table = load_table("number_compounds.toml")["multiplicatives"]
    ratio, count = (re.compile("(?:" + "|".join(map(re.escape, table[key])) + r")(?!\w)")
                    for key in ("ratio_before", "count_before"))
    return ratio, count


@cache
def ordinal_words() -> dict[str, int]:
    """Folded German and English ordinal words 2..100 (num2words), German with its adjective endings ->
    value: "zum dritten Mal" and "the third time" both name 3. "erste"/"first" are left out, as "ein"/"one"."""
    from num2words import num2words

    words: dict[str, int] = {}
    for value in range(2, 101):
        words[fold(num2words(value, lang="en", to="ordinal"))] = value
        german = fold(num2words(value, lang="de", to="ordinal"))
        words.update({german + ending: value for ending in ("", "n", "r", "s", "m")})
    return words


@cache
def magnitudes() -> dict[str, dict[str, int]]:
    """Per language, folded magnitude words -> power of ten ("milliarden" -> 9 in German, "billion" -> 9)."""
    table = load_table("magnitudes.toml")
    return {language: {fold(word): int(power) for power, words in table[language].items() for word in words}
            for language in LANGUAGES}


@cache
def _compound_number() -> re.Pattern[str]:
    """German count+unit compounds ("zweitägigen" -> 2): a number word, then a unit ending (number_compounds.toml)."""
    words = sorted(number_words(), key=len, reverse=True)
    endings = sorted((fold(e) for e in load_table("number_compounds.toml")["de"]), key=len, reverse=True)
    return re.compile(f"({'|'.join(map(re.escape, words))})(?:{'|'.join(map(re.escape, endings))})\\w*")


def time_unit_names(language: str, units: tuple[str, ...]) -> list[str]:
    """The folded singular names of CLDR's duration units in `language` ("year" -> "jahr" in German)."""
    from babel.units import format_unit

    return [fold(format_unit(1, f"duration-{unit}", locale=language).split(" ", 1)[1]) for unit in units]


@cache
def _one_time_unit() -> dict[str, re.Pattern[str]]:
    """Per language: an indefinite article (or "one") before a unit of time, which names the figure 1."""
    ones = load_table("number_compounds.toml")["one_before_time_unit"]
    patterns = {}
    for language in LANGUAGES:
        units = time_unit_names(language, ("year", "month", "week", "day", "hour", "minute"))
        patterns[language] = re.compile(f"\\b(?:{'|'.join(map(re.escape, ones[language]))}) "
                                        f"(?:{'|'.join(map(re.escape, units))})(?:e?s|e)?\\b")
    return patterns


@cache
def _time_ago() -> dict[str, re.Pattern[str]]:
    """Per language: a figure with a unit of time counted back from now ("74,000 years ago", "vor 74.000 Jahren",
    "vor etwa 65 Millionen Jahren") or a figure of years before present ("13.000 BP"); number_compounds.toml's
    marker words, CLDR's unit names."""
    table = load_table("number_compounds.toml")
    patterns = {}
    for language in LANGUAGES:
        units = time_unit_names(language, ("century", "year", "month", "week", "day", "hour", "minute"))
        span = rf"\d[\d.,]*(?:\s+[^\W\d_]+)?\s+(?:{'|'.join(map(re.escape, units))})\w*"
        after, before = table["time_ago_after"].get(language, []), table["time_ago_before"].get(language, [])
        present = [re.escape(fold(mark)).replace(r"\ ", r"\s*") for mark in table["time_before_present"]["marks"]]
        alternatives = ([rf"{span}\s+(?:{'|'.join(map(re.escape, after))})\b"] if after else []) + (
            [rf"\b(?:{'|'.join(map(re.escape, before))})\s+(?:[^\W\d_]+\s+)?{span}"] if before else []) + (
            [rf"\d[\d.,]*\s+(?:{'|'.join(present)})(?!\w)"])
        patterns[language] = re.compile("|".join(alternatives) or r"(?!)")
    return patterns


def counts_back_in_time(text: str, language: str) -> bool:
    """Whether `text` gives a time as a span counted back from now ("74,000 years ago", "vor 74.000 Jahren")."""
    return bool(_time_ago().get(language, _time_ago()["en"]).search(fold(text)))


def _readings(numeral: str, language: str) -> set[Decimal]:
    """The values a numeral can mean: "1.352" is 1352 in German, 1.352 or 1352 in English."""
    compact = numeral.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    separators = re.findall(r"[.,]", compact)
    readings: set[Decimal] = set()
    groups = re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", compact)
    if groups and len(set(separators)) == 1:
        readings.add(Decimal(re.sub(r"[.,]", "", compact)))  # thousands separators
        if len(separators) == 1 and language == ("de" if separators[0] == "," else "en"):
            readings.add(Decimal(compact.replace(",", ".")))  # or one decimal separator
        return readings
    last = max(compact.rfind("."), compact.rfind(","))
    whole, fraction = (compact[:last], compact[last + 1:]) if last >= 0 else (compact, "")
    try:
        readings.add(Decimal(re.sub(r"[.,]", "", whole) + ("." + fraction if fraction else "")))
    except InvalidOperation:
        pass
    return readings


def without_ordinals(text: str) -> str:
    """`text` with its ordinal words ("dritten", "third") blanked: they name a position, not an amount."""
    return _WORD.sub(lambda match: " " if fold(match.group(0)) in ordinal_words() else match.group(0), text)


def _find_numbers(text: str, language: str) -> list[frozenset[Decimal]]:
    """Every number mention in `text` (dates already blanked), with magnitude words applied."""
    scale = {**magnitudes()["en" if language == "de" else "de"], **magnitudes()[language]}
    found: list[frozenset[Decimal]] = []
    for match in _NUMERAL.finditer(text):
        readings = _readings(match.group(0), language)
        following = _WORD.match(text, match.end() + (1 if text[match.end():match.end() + 1] == " " else 0))
        power = scale.get(fold(following.group(0)).rstrip(".")) if following else None
        if power:
            readings = {value * (Decimal(10) ** power) for value in readings}
        found.append(frozenset(value.normalize() for value in readings))
    words = _WORD.findall(text)
    for position, word in enumerate(words):
        parts = fold(word).split("-")
        value = (number_words().get(fold(word)) or ordinal_words().get(fold(word))
                 or (number_words().get(parts[0]) if len(parts) > 1 else None))
        compound = _compound_number().fullmatch(fold(word)) if not value and language == "de" else None
        value = value or (number_words()[compound.group(1)] if compound else None)
        if not value and fold(word) in multiplicative_words():
            value = None if _is_ratio(" ".join(map(fold, words[position + 1:position + 3]))) else (
                multiplicative_words()[fold(word)])
        if value:
            found.append(frozenset({Decimal(value)}))
    found.extend(frozenset({Decimal(1)}) for _ in _one_time_unit()[language].finditer(fold(text)))
    return found


_FIGURE_OR_WORD = re.compile(rf"{_NUMERAL.pattern}|[^\W\d_][\w'’-]*")


def figures_and_next_words(text: str, language: str) -> list[tuple[frozenset[Decimal], str]]:
    """Each figure of `text` (a numeral, with a magnitude word applied, or a number word) and the folded word right
    after it, which tells what it counts or measures: "drei Jahre … bis zu zehn Jahren" gives ({3}, "jahre") and
    ({10}, "jahren"). A word across a full stop, colon or semicolon is none. No figures here: a plain four-digit
    year ("In 2019 …"), a numeral joined to letters or a full stop ("19th", "3. Mai", a list's "2."); a number word
    keeps its own value before a magnitude, as key_items reads it ("drei Millionen" is 3)."""
    scale = {**magnitudes()["en" if language == "de" else "de"], **magnitudes()[language]}
    tokens = list(_FIGURE_OR_WORD.finditer(text))
    found: list[tuple[frozenset[Decimal], str]] = []
    for index, match in enumerate(tokens):
        token = match.group(0)
        following = [found_word for found_word in tokens[index + 1:index + 3]
                     if not re.search(r"[.;:]", text[match.end():found_word.start()])]
        if token[:1].isdigit():
            if text[match.end():match.end() + 1].isalpha() or text[match.end():match.end() + 1] == ".":
                continue
            if re.fullmatch(r"\d{4}", token) and 1000 <= int(token) <= 2100:
                continue
            readings = _readings(token, language)
            if following and (power := scale.get(fold(following[0].group(0)))):
                readings = {value * (Decimal(10) ** power) for value in readings}
                following = following[1:]
        elif value := number_words().get(fold(token)):
            readings = {Decimal(value)}
        else:
            continue
        if readings:
            found.append((frozenset(value.normalize() for value in readings),
                          fold(following[0].group(0)) if following else ""))
    return found


# --- countries and names -----------------------------------------------------------------------------------


# German nationality adjectives are formed from the country name's stem ("Somalia" -> "somalisch",
# "Südkorea" -> "südkoreanisch", "Norwegen" -> "norwegisch"); English ones by "-n" ("South Korea" ->
# "South Korean"). Inflected German forms take the usual endings.
_GERMAN_STEM_ENDINGS = ("ien", "en", "ia", "a", "e")
_GERMAN_ADJECTIVE_SUFFIXES = ("isch", "anisch", "esisch", "ianisch")
_GERMAN_INFLECTIONS = ("", "e", "en", "er", "es", "em")
_MIN_STEM = 4
# A country's inhabitants: the name or its stem + "er" ("Norwegen" -> "Norweger", "Japan" -> "Japaner"),
# with the noun's endings ("Norwegerin", "Norwegern", "Norwegers").
_GERMAN_INHABITANT_ENDINGS = ("er", "erin", "erinnen", "ern", "ers")


def _derived_adjectives(name: str, language: str) -> list[str]:
    """Nationality adjectives and (German) inhabitant nouns formed from a (folded) country name by the
    language's usual rules."""
    if language == "en":
        return [name + "n@"] if name.endswith("a") else []
    if " " in name:
        return []
    stems = {name} | {name[: -len(e)] for e in _GERMAN_STEM_ENDINGS if name.endswith(e)}
    usable = sorted(stem for stem in stems if len(stem) >= _MIN_STEM)
    return ([stem + suffix + ending for stem in usable
             for suffix in _GERMAN_ADJECTIVE_SUFFIXES for ending in _GERMAN_INFLECTIONS]
            + [stem + ending for stem in usable for ending in _GERMAN_INHABITANT_ENDINGS])


# UN M49 regions that are continents or their parts (CLDR names them: "Afrika", "South America"), Antarctica, and
# Australia, a continent that CLDR lists as a country.
_CONTINENT_CODES = ("002", "009", "019", "142", "150", "005", "003", "013", "053", "AQ", "AU")


@cache
def continent_names() -> frozenset[str]:
    """Folded German and English one-word names of the continents (CLDR), English plurals also without their "s"
    ("Americas" -> "america"; a name of two words, "South America", ends in one of them)."""
    from babel import Locale

    names = {fold(Locale(language).territories[code]) for language in LANGUAGES for code in _CONTINENT_CODES}
    return frozenset(name.removesuffix("s") if name.endswith("as") else name for name in names if " " not in name)


def names_continent(text: str) -> bool:
    """`text` names a continent, also in a derived form ("Afrikas", "afrikanischen", "African", "South American")."""
    return any(fold(word).startswith(name) for word in re.findall(r"[^\W\d_]+", text) for name in continent_names())


@cache
def country_names() -> dict[str, str]:
    """Folded country names (CLDR, German and English), nationality adjectives and aliases -> ISO code.

    Adjectives come from the names of a country's official languages ("Niederländisch" -> NL; only
    official ones, so that a minority language's name such as "Seri" cannot stand for Mexico) and
    from the country's own name by the usual derivation rules (see _derived_adjectives).
    """
    from babel import Locale

    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names[fold(name)] = code
                if language == "de" and code != "ZZ":  # ZZ: CLDR's "Unbekannte Region", no country
                    names.setdefault(fold(_declined(name)), code)
    homes = _language_homes()
    for language in LANGUAGES:
        for code, name in Locale(language).languages.items():
            territory = homes.get(code)
            if territory and " " not in name:
                adjective = fold(name)
                # English adjectives count only when capitalised ("Polish", not "polish"): see find_countries
                names.setdefault(adjective + ("@" if language == "en" else "e"), territory)
                if language == "de":
                    for ending in ("en", "er", "es", "em"):
                        names.setdefault(adjective + ending, territory)
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                for adjective in _derived_adjectives(fold(name), language):
                    names.setdefault(adjective, code)
    for code, aliases in _aliases().items():
        for alias in aliases:
            if not alias.replace(".", "").isupper():  # "USA", "UK": only written in capitals, see below
                names[fold(alias)] = code.upper()
    for code, adjectives in load_table("country_aliases.toml")["adjectives"].items():
        for adjective in adjectives:
            # an English demonym counts only when capitalised, as the ones derived above ("swiss chard" is none)
            names.setdefault(fold(adjective) + ("@" if adjective[:1].isupper() else ""), code.upper())
    return names


def _aliases() -> dict[str, list[str]]:
    """country_aliases.toml's names by ISO code, without its table of adjectives."""
    return {code: aliases for code, aliases in load_table("country_aliases.toml").items() if code != "adjectives"}


# A language official in more countries than this, none of which it is named after ("English": 91), is the adjective
# of none of them; CLDR's likely territory (the US) is only where most of its speakers live.
_MAX_OFFICIAL_WITHOUT_NAMESAKE = 10


@cache
def _language_homes() -> dict[str, str]:
    """Language code -> the country its name stands for as an adjective: CLDR's likely territory where the language is
    official there and the territory is named like it or no official one is ("Französisch" ~ "Frankreich", "Polish"
    -> Poland, "Hindi" -> India); else the one country named like it where it is official ("Portugiesisch" ~
    "Portugal", not Brazil); none for a language official in many countries none of which is named like it
    ("English"), or in several named like it but not its likely one ("Arabic": Saudi Arabia, the United Arab
    Emirates; not Egypt)."""
    from babel import Locale
    from babel.core import get_global
    from babel.languages import get_official_languages

    territories: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                territories.setdefault(code, set()).add(fold(name))
    official: dict[str, set[str]] = {}
    for territory in territories:
        for code in get_official_languages(territory, de_facto=True):
            official.setdefault(code, set()).add(territory)
    likely = get_global("likely_subtags")
    homes: dict[str, str] = {}
    for code in map(str, Locale("en").languages):
        territory = str(likely.get(code, "")).split("_")[-1]
        if "_" in code or territory not in official.get(code, ()):
            continue
        names = {fold(Locale(language).languages[code]) for language in LANGUAGES if code in Locale(language).languages}
        namesakes = {other for other in official[code] for name in names for country in territories[other]
                     if len(name) >= 4 and (country.startswith(name[:4]) or name[:5] in country)}
        if territory in namesakes or (not namesakes and len(official[code]) <= _MAX_OFFICIAL_WITHOUT_NAMESAKE):
            homes[code] = territory
        elif len(namesakes) == 1:
            homes[code] = namesakes.pop()
    return homes


def _declined(name: str) -> str:
    """A German name of several words with its adjectives declined after an article ("Vereinte Nationen" -> "Vereinten
    Nationen", "Vereinigtes Königreich" -> "Vereinigten Königreich"): "der Vereinten Nationen", "in der
    Dominikanischen Republik"."""
    words = name.split(" ")
    return " ".join(re.sub(r"(isch|lich|[bcdfghklmnpqrsvwxzß]t)es?$", r"\1en", word) if index < len(words) - 1 else word
                    for index, word in enumerate(words))


@cache
def _language_names() -> dict[str, frozenset[str]]:
    """Each language's folded German and English names (CLDR; one word): "nl" -> {"dutch", "niederlaendisch"}."""
    from babel import Locale

    names: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for tag, name in Locale(language).languages.items():
            if "_" not in tag and " " not in name:
                names.setdefault(tag, set()).add(fold(name))
    return {tag: frozenset(found) for tag, found in names.items()}


def same_language_names(word: str) -> frozenset[str]:
    """The names, in German and English, of the language `word` names ("Dutch" -> {"dutch", "niederlaendisch"});
    none when it names no language."""
    folded = fold(word)
    return frozenset(name for names in _language_names().values() if folded in names for name in names)


@cache
def _acronyms() -> dict[str, str]:
    """Country aliases written in capitals ("US", "UK"), matched only in capitals: "us" is a pronoun."""
    return {alias.replace(".", ""): code.upper() for code, aliases in _aliases().items() for alias in aliases
            if alias.replace(".", "").isupper()}


@cache
def _longest_country_name() -> int:
    return max(len(name.split()) for name in country_names())


@cache
def _country_name_words() -> frozenset[str]:
    """The words of multi-word country names ("vereinigten", "staaten", "korea"): parts of a country, not names."""
    return frozenset(word for name in country_names() if " " in name for word in name.split())


@cache
def _country_nouns() -> dict[str, str]:
    """Folded country names and aliases (CLDR "Deutschland", "Germany", "USA") -> ISO code, without the
    adjectives of country_names()."""
    from babel import Locale

    nouns = {fold(name) for language in LANGUAGES for code, name in Locale(language).territories.items()
             if len(code) == 2 and code.isalpha()}
    nouns |= {fold(_declined(name)) for code, name in Locale("de").territories.items()
              if len(code) == 2 and code.isalpha()}
    nouns |= {fold(alias) for aliases in _aliases().values() for alias in aliases}
    return {noun: country_names()[noun] for noun in nouns if noun in country_names()}


def find_countries(text: str, nouns_only: bool = False) -> set[str]:
    """ISO codes of the countries `text` names, by name, adjective or alias (German genitive -s and dative -n included);
    with `nouns_only` by name or alias only ("Frankreich", "the US"), not by adjective ("German city")."""
    originals = _WORD.findall(re.sub(r"['’]s\b", "", text).replace("-", " "))  # "Germany's" -> "Germany"
    words = [fold(word) for word in originals]
    names = _country_nouns() if nouns_only else country_names()
    found = {_acronyms()[word.replace(".", "")] for word in originals if word.replace(".", "") in _acronyms()}
    for start in range(len(words)):
        for length in range(min(_longest_country_name(), len(words) - start), 0, -1):
            phrase = " ".join(words[start:start + length])
            # German genitive -s ("Deutschlands") and dative plural -n ("in den Niederlanden")
            code = names.get(phrase) or (names.get(phrase[:-1]) if phrase[-1:] in "sn" and length == 1 else None)
            if not code and not nouns_only and length == 1 and originals[start][:1].isupper():
                code = names.get(phrase + "@")
            if code:
                found.add(code)
                break
    return found


@cache
def _measures() -> frozenset[str]:
    """Abbreviations of measures ("GDP", "BIP") that qualify a figure and are no names (measures.toml)."""
    return frozenset(load_table("measures.toml")["abbreviations"])


@cache
def _known_cities() -> dict[str, str]:
    """Folded city names -> ISO country code, from CLDR's time zone cities (zone ids and their German and
    English names: "Brussels", "Brüssel" -> BE). A few hundred cities; most towns are not in it."""
    from babel import Locale
    from babel.core import get_global

    locales = [Locale(language) for language in LANGUAGES]
    cities: dict[str, str] = {}
    for zone, territory in get_global("zone_territories").items():
        if "/" in zone and len(territory) == 2:
            cities[fold(zone.rsplit("/", 1)[1].replace("_", " "))] = territory
            for locale in locales:
                city = locale.time_zones.get(zone, {}).get("city")
                if city:
                    cities[fold(city)] = territory
    return cities


def appositive_countries(text: str) -> set[str]:
    """Countries named only to locate the place before them ("in Brüssel, Belgium", "Wiesbaden, Germany"):
    ISO codes of a country name right after a capitalised place name and a comma, unless CLDR knows the
    place and puts it in another country."""
    found: set[str] = set()
    for match in re.finditer(r"([^\W\d_][\w'’.-]*), (?=((?:[^\W\d_][\w'’-]*)(?: [^\W\d_][\w'’-]*){0,2}))", text):
        place = fold(match.group(1))
        if not match.group(1)[0].isupper() or place in country_names() or place in _country_name_words():
            continue  # a list of countries ("Japan, South Korea, Australia"), not a place and its country
        words = match.group(2).split()
        for length in range(len(words), 0, -1):
            code = _country_nouns().get(fold(" ".join(words[:length])))  # a country's name, not an adjective
            if code:
                if _known_cities().get(place, code) == code:
                    found.add(code)
                break
    return found


# German capitalises every noun: a capitalised word after an article, a number or an inflected adjective
# ("der Posten", "57 Jahre", "neuer Generalsekretär") is read as a noun, not a name.
_GERMAN_NOUN_BEFORE = re.compile(r"^(?:der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines|kein|keine|keinen|"
                                 r"im|am|zum|zur|vom|beim|ins|\w+(?:e|en|er|es|em)|\d[\d.,]*)$")


# A possessive's ending ("Rutte's", "Who’s", "Jesus'"): no part of the name it ends.
POSSESSIVE = re.compile(r"['’]s?$")


@cache
def _multiword_countries() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The multi-word country names and adjectives (CLDR, "south korea", "st. martin", "vereinigte staaten") as
    word tuples (without full stops), by first word."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for name in country_names():
        words = tuple(name.rstrip("@").replace(".", "").split())
        if len(words) > 1:
            for ending in _CASE_ENDINGS:
                found.setdefault(words[0] + ending, set()).add(words)
    return {first: tuple(names) for first, names in found.items()}


_CASE_ENDINGS = ("", "n", "s", "en", "es")


def _inflected(word: str, base: str) -> bool:
    """`word` is `base` or `base` with a German case ending ("vereinigten" of "vereinigte", "staates")."""
    return word.startswith(base) and word[len(base):] in _CASE_ENDINGS


def _country_phrase_starts(text: str) -> frozenset[int]:
    """Where in `text` the words of multi-word country names start ("South" and "Korea" of "South Korea", also
    declined: "den Vereinigten Staaten"): parts of a country, not names. Elsewhere such a word is a name like any
    other: "Martin" of "Trevor Martin" (CLDR's "St. Martin"), "Cook" of "James Cook" (the "Cook Islands")."""
    matches = list(_WORD.finditer(text))
    words = [fold(POSSESSIVE.sub("", match.group(0))) for match in matches]
    starts: set[int] = set()
    for index, word in enumerate(words):
        for name in _multiword_countries().get(word, ()):
            if len(name) <= len(words) - index and all(
                    _inflected(words[index + offset], part) for offset, part in enumerate(name)):
                starts.update(match.start() for match in matches[index:index + len(name)])
    return frozenset(starts)


def _in_a_run(text: str, match: re.Match[str], previous: str) -> bool:
    """Whether the word `match` stands between capitalised words ("Trevor Martin", "James Cook said"), as a
    person's name does; a word of a country's name alone ("Arab leaders", "the Western world") is none."""
    following = re.match(r"\s+([^\W\d_])", text[match.end():])
    return previous[:1].isupper() or bool(following and following.group(1).isupper())


def find_names(text: str, language: str = "en") -> set[str]:
    """Folded capitalised words that do not start a sentence, and acronyms anywhere: proper names (in German, a
    capitalised word after an article, a number or an inflected adjective counts as a noun instead)."""
    names: set[str] = set()
    country_words = _country_phrase_starts(text)
    sentence_start = True
    previous = ""
    previous_end = 0
    for match in re.finditer(r"[^\W\d_][\w'’-]*|\d[\d.,]*|[.!?:]", text):
        token = match.group(0)
        if token in ".!?:":
            # the full stop of an initial ("John F. Kennedy", "T. T. Tsui Gallery") ends no sentence
            if not (token == "." and len(previous) == 1 and previous.isupper()):
                sentence_start, previous = True, ""
            continue
        folded = fold(POSSESSIVE.sub("", token))  # "Who's" of "Doctor Who's companion" is the name "Who"
        noun = language == "de" and bool(previous) and previous[0].islower() and bool(_GERMAN_NOUN_BEFORE.match(previous))
        # a figure makes the next word a noun only right before it ("32 Meter"), not across markup ('1"> Hinnerk')
        noun = noun or (language == "de" and previous[:1].isdigit() and not text[previous_end:match.start()].strip())
        # every sentence opens with a capital, but an acronym is a name there too ("HIV uses antigenic variation")
        acronym = token.isalpha() and token.isupper()
        if _particle_name(token):
            names.add(folded)  # "al-Biruni": a name wherever it stands, the sentence's first word too
        elif ((not sentence_start or acronym) and token[0].isupper() and len(token) > 1 and not noun
                and folded not in month_names() and folded not in country_names()
                and folded + "@" not in country_names() and token not in _acronyms() and token not in _measures()
                and match.start() not in country_words
                and (folded not in _country_name_words() or _in_a_run(text, match, previous))):
            names.add(folded)
        sentence_start = False
        previous, previous_end = token, match.end()
    return names


def _particle_name(token: str) -> bool:
    """A lower-case name particle joined by a hyphen to a capitalised name: "al-Biruni", "ibn-Saud"
    (function_words.toml's hyphenated_name_particles)."""
    particle, _, rest = token.partition("-")
    return len(rest) > 1 and rest[0].isupper() and particle in _name_particles()


@cache
def _name_particles() -> frozenset[str]:
    return frozenset(load_table("function_words.toml")["hyphenated_name_particles"])


_ADJECTIVE_ENDING = re.compile(r"(?:e|en|er|es|em)$")


def _initial(tokens: list[str], index: int) -> bool:
    """Whether tokens[index] is an initial: one capital letter, then a full stop and a capitalised word."""
    return (0 <= index < len(tokens) - 2 and len(tokens[index]) == 1 and tokens[index].isupper()
            and tokens[index + 1] == "." and tokens[index + 2][:1].isupper())


def find_full_names(text: str, language: str = "en") -> list[tuple[str, ...]]:
    """Runs of two or more proper names in a row ("Jens Stoltenberg", "Mark Rutte"), folded.

    In German, where every noun is capitalised, this is the reliable sign of a person's name: a noun
    phrase of two capitalised words starts with an inflected adjective ("Internationalen Sekretariat"),
    which does not count.
    """
    names = find_names(text, language)
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    tokens = [*re.findall(r"[^\W\d_][\w'’-]*|[^\w\s]", text), "."]
    for index, token in enumerate(tokens):
        if run and (_initial(tokens, index) or (token == "." and _initial(tokens, index - 1))):
            continue  # a middle initial ("John F. Kennedy", "George W. Bush") is part of the name
        folded = fold(token)
        if folded in names and not (language == "de" and not run and _ADJECTIVE_ENDING.search(folded)):
            run.append(folded)
            continue
        if len(run) >= 2:
            runs.append(tuple(run))
        run = []
    return runs


def key_items(text: str, language: str) -> KeyItems:
    """All key items of `text`, written in `language` ("de" or "en")."""
    dates, rest = _find_dates(text)
    return KeyItems(tuple(_find_numbers(rest, language)), tuple(dates), frozenset(find_countries(text)),
                    frozenset(find_names(text, language)))


# the longest lower-case word that may stand between the words an abbreviation abbreviates ("of", "für", "and")
_SMALL_WORD_LENGTH = 4
_SPELLED_OUT = re.compile(r"(?<![\w'’.&-])((?:[^\W\d_][\w'’.&-]*\s+){1,10})\(([^\W\d_][\w&]{1,9})\)")


@lru_cache(maxsize=1024)
def spelled_out_abbreviations(text: str) -> tuple[tuple[str, str], ...]:
    """The abbreviations `text` spells out, as (abbreviation, long form) pairs: "Corruption Perception Index (CPI)",
    "General Pharmaceutical Council (GPhC)", "Engineering News-Record (ENR)" - an abbreviation of two or more
    capitals in brackets right after capitalised words whose initials are its capitals (small words between them,
    "of", "für", may stand there; "Human Rights Watch annual report (HRW)" spells out nothing)."""
    found = []
    for match in _SPELLED_OUT.finditer(text):
        abbreviation = match.group(2)
        capitals = [letter for letter in abbreviation if letter.isupper()]
        if len(capitals) < 2:
            continue
        parts = [part for word in match.group(1).split() for part in word.split("-") if part]
        initials: list[str] = []
        for part in reversed(parts):
            if len(initials) == len(capitals):
                break
            if part[0].isupper():
                initials.insert(0, part)
            elif not initials or len(part) > _SMALL_WORD_LENGTH:
                break  # a lower-case word before the bracket, or a content word between: no long form
        if len(initials) == len(capitals) and all(
                word[0].casefold() == letter.casefold() for word, letter in zip(initials, capitals)):
            found.append((abbreviation, " ".join(initials)))
    return tuple(found)
