"""What the chat says about its collection: the one-line summary under the title and the example questions.

The summary is generated from the indexed documents' metadata (which comes
from `seeds/sources.toml`): how many documents, from which publishers, the
years, the languages and the names several titles share ("NATO", "Rutte").
The examples come from `examples.toml` in the seeds folder, in the interface
language, and only for documents that are indexed; a missing file means no
examples, a broken file or entry is logged (naming the file and what is wrong)
and left out, so the chat still starts. Lists, language names and numbers are
formatted with Babel for the interface's locale. Leaves out: the header's HTML
(qa.ui.layout) and choosing good examples (a person does; tests/test_ui.py
checks that each example's facts stand in its document).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.lists import format_list

from qa.types import Document
from qa.ui.localize import format_number, locale_for

log = logging.getLogger(__name__)

EXAMPLES_FILE = "examples.toml"
_WORD = re.compile(r"[^\W\d_][\w]*")
_MOST_TOPICS = 3


@dataclass(frozen=True)
class Example:
    """An example question: the document that answers it, its German and English wording, the facts it needs."""

    document: str
    de: str
    en: str
    facts: tuple[str, ...] = ()

    def question(self, language: str) -> str:
        """The question in `language` ("de"; anything else gives English)."""
        return self.de if language == "de" else self.en


def _example(entry: object, position: int, path: Path) -> Example | None:
    """The example in one `[[example]]` table, or None (logged) when a required key is missing."""
    if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in ("document", "de", "en")):
        log.warning("%s: example %d left out: it needs the text keys document, de and en", path, position)
        return None
    facts = entry.get("facts", [])
    facts = [facts] if isinstance(facts, str) else facts if isinstance(facts, list) else []
    return Example(entry["document"], entry["de"], entry["en"], tuple(str(fact) for fact in facts))


def read_examples(seeds_dir: Path) -> tuple[Example, ...]:
    """The examples from `seeds_dir/examples.toml`.

    None when the file is missing; when it cannot be read or parsed, none and
    a warning in the log that names the file and the error (the chat works
    without examples).
    """
    path = Path(seeds_dir) / EXAMPLES_FILE
    if not path.is_file():
        log.info("no example questions: %s does not exist", path)
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        log.warning("no example questions: %s cannot be read (%s); fix or delete the file", path, error)
        return ()
    entries = data.get("example", [])
    if not isinstance(entries, list):
        log.warning("no example questions: %s needs [[example]] tables", path)
        return ()
    examples = (_example(entry, position, path) for position, entry in enumerate(entries, start=1))
    return tuple(example for example in examples if example is not None)


def example_questions(examples: tuple[Example, ...], documents: Mapping[str, Document], language: str) -> list[str]:
    """The questions in `language` whose document is indexed."""
    return [example.question(language) for example in examples if example.document in documents]


def shared_title_names(documents: Mapping[str, Document]) -> list[str]:
    """Capitalised words (not a title's first word) found in at least two titles, most frequent first."""
    counts: Counter[str] = Counter()
    for document in documents.values():
        words = [match.group(0) for match in _WORD.finditer(document.title.replace("-", " "))]
        counts.update({word for word in words[1:] if word[0].isupper() and len(word) > 2})
    return [word for word, count in counts.most_common(_MOST_TOPICS) if count >= 2]


def _years(documents: Mapping[str, Document]) -> str:
    years = sorted({document.date[:4] for document in documents.values() if document.date[:4].isdigit()})
    if not years:
        return ""
    return years[0] if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def collection_summary(documents: Mapping[str, Document], texts: Mapping[str, str], language: str) -> str:
    """One line on what the collection holds, in the interface `language` (empty without documents)."""
    if not documents:
        return ""
    locale = locale_for(language)
    publishers = list(dict.fromkeys(d.publisher for d in documents.values() if d.publisher))
    languages = [locale.languages.get(code, code) for code in sorted({d.language for d in documents.values()})]
    details = [part for part in (_years(documents), format_list(languages, locale=locale)) if part]
    key = ("collection_one" if len(documents) == 1 else "collection") + ("" if publishers else "_anonymous")
    line = texts[key].format(count=format_number(len(documents), language),
                             publishers=format_list(publishers, locale=locale), details=", ".join(details))
    topics = shared_title_names(documents)
    if topics:
        line += " " + texts["collection_topics"].format(topics=format_list(topics, locale=locale))
    return line
