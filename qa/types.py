"""Typed values passed between the pipeline stages.

Every stage hands the next one frozen dataclasses from this module, never bare
tuples or dicts. The module holds data only (plus the one "Title — Section"
label): no I/O, no model code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "footnote"]


def title_and_section(title: str, section: str) -> str:
    """The label of a source: "Title — Section", or the title alone when there is no section."""
    return title + (f" — {section}" if section else "")


@dataclass(frozen=True)
class Block:
    """A span of a cleaned document text: a heading, a paragraph or a footnote.

    `start`/`end` are character offsets into `Document.text`; `section` is the
    heading the block falls under ("" before the first heading).
    """

    start: int
    end: int
    kind: BlockKind
    section: str = ""


@dataclass(frozen=True)
class Removal:
    """One piece of a raw document that cleaning dropped, for the ingest report."""

    rule: str
    text: str


@dataclass(frozen=True)
class Document:
    """A cleaned source document.

    `id` is the seed file name; `text` is the cleaned text that all chunk
    offsets point into; `content_hash` is the sha256 of the raw file bytes.
    """

    id: str
    title: str
    text: str
    blocks: tuple[Block, ...]
    language: str
    content_hash: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    removed: tuple[Removal, ...] = ()
    authors: str = ""  # "Name One, Name Two" from sources.toml


@dataclass(frozen=True)
class SkippedFile:
    """A file in the seeds folder that could not be loaded, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, the unit that is indexed and retrieved.

    `id` is derived from the document id and the chunk text, so unchanged text
    keeps its id across rebuilds. `start`/`end` are offsets into the cleaned
    document text, so `document.text[start:end] == text`.
    """

    id: str
    document_id: str
    text: str
    start: int
    end: int
    section: str
    language: str
    is_footnote: bool = False


@dataclass(frozen=True, eq=False)
class Query:
    """One wording of the question for retrieval: the question itself, or its translation into a language
    of the collection (translate-test), with its embedding."""

    text: str
    language: str
    vector: Any


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the per-retriever details.

    `dense_rank`/`bm25_rank` are 1-based ranks (None when that retriever did
    not return the chunk); `dense_score`/`bm25_score` are the raw scores.
    """

    chunk: Chunk
    score: float
    rank: int
    dense_score: float | None = None
    dense_rank: int | None = None
    bm25_score: float | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Message:
    """One chat turn: role is "system", "user" or "assistant"."""

    role: str
    content: str


@dataclass(frozen=True)
class Passage:
    """A numbered passage as shown to the model and to the user.

    `number` is the [n] the model cites; `text` is the (possibly trimmed)
    passage text; `start`/`end` are its offsets into the document text.
    """

    number: int
    chunk: Chunk
    text: str
    start: int
    end: int
    title: str
    section: str

    @property
    def where(self) -> str:
        """"Title — Section" of the passage."""
        return title_and_section(self.title, self.section)


@dataclass(frozen=True)
class Citation:
    """A citation marker in the answer, resolved to its passage.

    `sentence` is the answer sentence that carries the marker; `supported` is
    the verdict of the support check (always True today: unsupported citations
    are dropped; kept because results.jsonl carries it) and `support` its score in [0, 1];
    `evidence` is the passage sentence that best supports the answer sentence.
    """

    number: int
    passage: Passage
    sentence: str
    supported: bool
    support: float
    evidence: str = ""


@dataclass(frozen=True)
class SentenceCheck:
    """The support verdict for one answer sentence."""

    sentence: str
    cited: tuple[int, ...]
    supported: bool
    support: float


@dataclass(frozen=True)
class Timings:
    """Seconds spent per stage of one answer."""

    rewrite_s: float = 0.0
    translate_s: float = 0.0
    retrieval_s: float = 0.0
    prompt_s: float = 0.0
    first_token_s: float = 0.0
    generation_s: float = 0.0
    total_s: float = 0.0


@dataclass(frozen=True)
class Answer:
    """The full result of answering one question."""

    question: str
    standalone_question: str
    language: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    hits: tuple[Hit, ...]
    sentences: tuple[SentenceCheck, ...] = ()
    support_score: float = 0.0
    invalid_citations: int = 0
    refusal_reason: str = ""
    timings: Timings = field(default_factory=Timings)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    draft: str = ""  # the model's own text, before the checks
    extractive: bool = False  # the text quotes the evidence because the model's draft failed the checks
    translations: tuple[str, ...] = ()  # the question in the collection's other languages, used for retrieval
    answered_in: str = ""  # the language the model drafted in when it was not the question's (qa.answer.pivot)
    untranslated: int = 0  # checked sentences shown in that language because their translation failed
    redrafted: bool = False  # the first draft failed the checks and a second one (Config.second_draft) passed them
