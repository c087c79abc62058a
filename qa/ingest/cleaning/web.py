"""Cleaning rules for web pages: boilerplate around the article text.

Drops "Stand:" timestamps, the trailing run of ads, job ads, comment policy,
newsletter and search prompts, trailing navigation labels, "Source:" credits
and author bios; strips teaser links ("... mehr"); marks the kicker of a title
line that runs into the headline.

Leaves out: line joining, page furniture and footnotes (qa.ingest.cleaning.pdf), the
order in which rules run (qa.ingest.cleaning.rules), and any rule keyed to a particular site.
"""

from __future__ import annotations

import re

from qa.ingest.cleaning.items import Item
from qa.text.sentences import ENDS_SENTENCE
from qa.types import Removal

_TIMESTAMP = re.compile(
    r"\s*\b(?:Stand|Aktualisiert|Updated|Last updated):\s*\d{1,2}\.\d{1,2}\.\d{2,4}(?:,?\s*\d{1,2}:\d{2}(?:\s*Uhr)?)?")
_TEASER_LINK = re.compile(r"\s+(read more|mehr lesen|weiterlesen|mehr|more)$", re.I)
_NAVIGATION = re.compile(r"^[\w-]{1,20}(?: [\w-]{1,20})?$")
_SOURCE_CREDIT = re.compile(r"^(?:Source|Quelle|Via)\s*:\s*[^.!?]{1,80}$", re.I)
_AUTHOR_BIO = re.compile(
    r"^(?:I have been|I've been|I am|I'm|Ich bin|Ich arbeite)\b.*\b(?:journalist|reporter|editor|writer|news|"
    r"Redakteur|Autor)", re.I | re.S)
# Case-sensitive on purpose: "Support also from the USA" is a subheading, not an ad.
_TAIL_START = re.compile("|".join((
    r"^\W*(?:Unterstütze|Unterstützt|Support) (?:uns|us|[A-Z]{2,}\b)",
    r"^(?:Stellenangebote|Stellenanzeigen|Jobangebote|Job offers)$",
    r"^(?:Du willst|Willst du|Sie wollen|Wollen Sie) nichts verpassen",
    r"^Newsletter\b|(?:Sign up|Subscribe) (?:to|for) our newsletter",
    r"Kommentare (?:werden|wird) .{0,20}moderiert|^Du hast einen wertvollen Beitrag oder Kommentar",
    r"^Nutze die Google-Such",
    r"^(?:Das könnte (?:Sie|dich) auch interessieren|Mehr zum Thema|Related articles)\b",
)))
_TAIL_LABELS = (
    ("job ads", re.compile(r"Stellenangebot|Stellenanzeige|\([mwd]/[mwd]/[mwd]\)|Werkstudent|\bJobs?\b", re.I)),
    ("book ads", re.compile(r"\bBuch\b|\bBücher|Bestseller|\bbooks?\b", re.I)),
    ("comment policy", re.compile(r"Kommentar|Diskussion|respektvoll|\bcomment", re.I)),
    ("newsletter", re.compile(r"Newsletter|nichts verpassen|Benachrichtigung|\bFeed\b|abonnier|per e-?mail", re.I)),
    ("search prompt", re.compile(r"Suchmaschine|Google|\bBing\b", re.I)),
    ("ads and promotion", re.compile(r"Unterstütze|\bSupport\b|Patreon|Startseite|Club\b|Directory", re.I)),
)


def drop_web_boilerplate(items: list[Item], removals: list[Removal]) -> None:
    """Mark web boilerplate as dropped: timestamps, the trailing ads/comments run, navigation, credits, bios."""
    for item in items:
        for match in _TIMESTAMP.finditer(item.text):
            removals.append(Removal("timestamp", match.group().strip()))
            item.dated = True
        item.text = _TIMESTAMP.sub("", item.text).strip()
        item.dropped = not item.text
    has_prose = False
    for position, item in enumerate(items):
        if has_prose and _TAIL_START.search(item.text) and _looks_like_tail(items[position:]):
            label = "ads and promotion"
            for tail_item in items[position:]:
                label = _tail_label(tail_item.text) or label
                removals.append(Removal(f"trailing boilerplate: {label}", tail_item.text))
                tail_item.dropped = True
            break
        has_prose = has_prose or len(item.text) >= 200
    live = [item for item in items if not item.dropped]
    trailing = 0
    while trailing < len(live) and _NAVIGATION.match(live[-1 - trailing].text):
        trailing += 1
    if trailing >= 2:
        for item in live[len(live) - trailing:]:
            removals.append(Removal("navigation links", item.text))
            item.dropped = True
        live = live[:-trailing]
    for item in live:
        if _SOURCE_CREDIT.match(item.text):
            removals.append(Removal("source credit", item.text))
            item.dropped = True
    for item in [item for item in live if not item.dropped][-2:]:
        if len(item.text) <= 800 and _AUTHOR_BIO.match(item.text):
            removals.append(Removal("author bio", item.text))
            item.dropped = True


def _tail_label(text: str) -> str:
    return next((name for name, pattern in _TAIL_LABELS if pattern.search(text)), "")


def _looks_like_tail(items: list[Item]) -> bool:
    """Guard against cutting an article short: most of the tail must look like boilerplate by itself."""
    return sum(bool(_tail_label(item.text)) for item in items) * 2 >= len(items)


def strip_teaser_links(items: list[Item], removals: list[Removal]) -> None:
    """Remove "mehr"/"more" link suffixes of teasers: after a full sentence, or in a list of three or more."""
    teasers = sum(1 for item in items if _TEASER_LINK.search(item.text))
    for item in items:
        match = _TEASER_LINK.search(item.text)
        if match and (teasers >= 3 or ENDS_SENTENCE.search(item.text[: match.start()])):
            removals.append(Removal("teaser link", match.group(1)))
            item.text, item.teaser = item.text[: match.start()], True


def split_kicker(title: str, article: str) -> str:
    """Mark the kicker of a title line that runs into the headline: "Nachfolger von Stoltenberg: Rutte ist ...".

    The headline is the longest run of three or more final words that the
    article repeats; the two or more words before it are the kicker.
    """
    words = title.split()
    for cut in range(2, len(words) - 2):
        if " ".join(words[cut:]) in article:
            return f"{' '.join(words[:cut])}: {' '.join(words[cut:])}"
    return title
