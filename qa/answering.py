"""Answering one question: follow-up rewrite, retrieval, evidence gate, tight passages, generation, verified citations.

`answer_stream` yields events as they happen (the rewritten question and the
sources as soon as retrieval is done, then tokens, then the final Answer), so
the CLI and the web chat can show progress. Refusal is decided from evidence:
a retrieval score below a calibrated threshold refuses before the model runs;
a model that says the passages do not cover the question, or an answer with no
supported sentence, is refused too. Leaves out: index management (qa.pipeline)
and rendering.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator as EventStream
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from qa.chunking import split_sentences as split_passage_sentences
from qa.citations import CheckedAnswer, check_citations, missing_places
from qa.config import Config
from qa.models.embedders import Embedder
from qa.models.generator import Generator, Usage, text_of
from qa.index import SearchIndex
from qa.language import detect_language
from qa.lexical import tokenize
from qa.prompts import REFUSAL, answer_messages, is_refusal, rewrite_messages
from qa.retrieval import Retriever
from qa.types import Answer, Chunk, Hit, Message, Passage, Timings


@dataclass(frozen=True)
class Retrieved:
    """Retrieval is done: the standalone question and the passages the model will see."""

    standalone_question: str
    passages: tuple[Passage, ...]
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Token:
    """A piece of generated text."""

    text: str


@dataclass(frozen=True)
class Done:
    """The final, verified answer."""

    answer: Answer


Event = Retrieved | Token | Done

_REFERS_BACK = {
    "de": re.compile(r"\b(er|sie|es|ihm|ihn|ihr|ihre[mnrs]?|sein[emnrs]?|dies[emnrs]?|das|dort|damals|dabei|davon|"
                     r"dafür|darüber|denn|noch|auch|und|vorgänger|nachfolger)\b", re.I),
    "en": re.compile(r"\b(he|she|it|they|him|her|his|hers|its|their|them|this|that|these|those|there|then|"
                     r"what about|and|also|predecessor|successor)\b", re.I),
}


def refers_back(question: str, history: Sequence[Message], language: str) -> bool:
    """True when a question with history needs the history to be understood (pronouns, "and", very short)."""
    if not any(m.role == "user" for m in history):
        return False
    words = question.split()
    return len(words) <= 3 or bool(_REFERS_BACK[language].search(question))


def trim_passage(text: str, language: str, question_tokens: set[str], max_sentences: int) -> tuple[str, int, int]:
    """The window of at most `max_sentences` sentences of `text` that shares most words with the question.

    Returns the window text and its offsets relative to `text`.
    """
    sentences = split_passage_sentences(text, language)
    if len(sentences) <= max_sentences:
        return text, 0, len(text)
    overlaps = [len(question_tokens & set(tokenize(s.text, language))) for s in sentences]
    windows = range(len(sentences) - max_sentences + 1)
    best = max(windows, key=lambda i: (sum(overlaps[i:i + max_sentences]), -i))
    start, end = sentences[best].start, sentences[best + max_sentences - 1].end
    return text[start:end], start, end


class Answerer:
    """Answers questions over a loaded index with an embedder and a generator."""

    def __init__(self, config: Config, index: SearchIndex, retriever: Retriever, embedder: Embedder,
                 generator: Generator) -> None:
        self.config = config
        self.index = index
        self.retriever = retriever
        self.embedder = embedder
        self.generator = generator
        self._positions = {chunk.id: position for position, chunk in enumerate(index.chunks)}

    def rewrite(self, question: str, history: Sequence[Message], language: str) -> str:
        """A standalone version of a follow-up question (the question itself when it stands alone)."""
        if not refers_back(question, history, language):
            return question
        text, _ = text_of(self.generator.stream(rewrite_messages(question, history, language), max_tokens=60))
        candidate = " ".join(text.strip().strip('"„“').split())
        candidate = re.sub(r"^(frage|question|standalone question)\s*:\s*", "", candidate, flags=re.I)
        if 3 <= len(candidate) <= 300 and not is_refusal(candidate, language) and "[" not in candidate:
            return candidate
        previous = next(m.content for m in reversed(history) if m.role == "user")
        return f"{previous} {question}"  # the model gave no usable rewrite: retrieve with both turns

    def passages(self, hits: Sequence[Hit], question: str, language: str, query_vector: np.ndarray) -> list[Passage]:
        """The sentences that matter from the top hits, within a word budget, as numbered passages.

        Sentences are scored by embedding similarity to the question (plus a
        little for shared words and for the chunk's rank) and picked greedily
        until `passage_words` is reached; the picked sentences of one chunk
        form one passage. Without sentence vectors, each hit is trimmed to its
        best window of `passage_sentences` sentences by shared words.
        """
        question_tokens = set(tokenize(question, language)) | set(tokenize(question, "de" if language == "en" else "en"))
        top = list(hits[: self.config.passages_in_prompt])
        vectors = self.index.sentence_vectors
        rows_by_hit = [self.index.chunk_sentences(hit.chunk) for hit in top]
        if vectors is None or not len(vectors) or not all(rows_by_hit):
            return [self._passage(n, hit.chunk, *trim_passage(hit.chunk.text, hit.chunk.language, question_tokens,
                                                                  self.config.passage_sentences))
                    for n, hit in enumerate(top, 1)]
        scored: dict[int, tuple[float, int]] = {}  # sentence row -> (score, hit position)
        for position, rows in enumerate(rows_by_hit):
            similarities = vectors[rows] @ query_vector
            for row, similarity in zip(rows, similarities):
                span = self.index.sentences[row]
                text = self.index.documents[span.document_id].text[span.start:span.end]
                overlap = len(question_tokens & set(tokenize(text, top[position].chunk.language)))
                score = float(similarity) + 0.01 * min(overlap, 4) - 0.005 * position
                if row not in scored or scored[row][0] < score:
                    scored[row] = (score, position)
        picked: dict[int, list[int]] = {}
        words = 0
        for row, (_, position) in sorted(scored.items(), key=lambda item: -item[1][0]):
            span = self.index.sentences[row]
            length = len(self.index.documents[span.document_id].text[span.start:span.end].split())
            if picked and words + length > self.config.passage_words:
                continue
            picked.setdefault(position, []).append(row)
            words += length
        order = sorted(picked, key=lambda position: -max(scored[row][0] for row in picked[position]))
        return [self._sentences_passage(number, top[position].chunk, sorted(picked[position]))
                for number, position in enumerate(order, 1)]

    def _passage(self, number: int, chunk: Chunk, text: str, start: int, end: int) -> Passage:
        document = self.index.documents.get(chunk.document_id)
        return Passage(number, chunk, text, chunk.start + start, chunk.start + end,
                       document.title if document else chunk.document_id, chunk.section)

    def _sentences_passage(self, number: int, chunk: Chunk, rows: list[int]) -> Passage:
        """A passage of the given sentences of `chunk`; gaps between them are shown as " … "."""
        spans = [self.index.sentences[row] for row in rows]
        text = self.index.documents[chunk.document_id].text
        parts = [text[spans[0].start:spans[0].end]]
        for previous, span in zip(spans, spans[1:]):
            gap = text[previous.end:span.start]
            parts.append(gap if not gap.strip() else " … ")
            parts.append(text[span.start:span.end])
        passage = self._passage(number, chunk, "".join(parts), 0, 0)
        return replace(passage, start=spans[0].start, end=spans[-1].end)

    def evidence_too_weak(self, hits: Sequence[Hit]) -> bool:
        """The calibrated gate: no hit, or the best dense similarity below `min_dense_score`."""
        best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
        return best is None or best < self.config.min_dense_score

    def stream(self, question: str, history: Sequence[Message] = (), language: str | None = None,
               top_k: int | None = None) -> EventStream[Event, None, None]:
        """Answer `question` (already validated), yielding Retrieved, Token... and finally Done."""
        started = time.perf_counter()
        language = language or detect_language(question)
        standalone = self.rewrite(question, history, language)
        rewritten_at = time.perf_counter()
        query_vector = self.embedder.embed_queries([standalone])[0]
        hits = self.retriever.search(standalone, top_k=max(top_k or self.config.top_k, self.config.passages_in_prompt),
                                     query_vector=query_vector)
        passages = self.passages(hits, standalone, language, query_vector)
        retrieved_at = time.perf_counter()
        yield Retrieved(standalone, tuple(passages), tuple(hits))
        base = Answer(question=question, standalone_question=standalone, language=language, text="", refused=True,
                      citations=(), passages=tuple(passages), hits=tuple(hits))
        timings = Timings(rewrite_s=rewritten_at - started, retrieval_s=retrieved_at - rewritten_at)
        if self.evidence_too_weak(hits):
            yield from self._refuse(base, "retrieval found nothing relevant enough", timings, started)
            return
        pieces: list[str] = []
        first_token_at = None
        usage = Usage(0, 0, 0.0, 0.0)
        messages = answer_messages(standalone, passages, language)
        prompt_built = time.perf_counter()
        stream = self.generator.stream(messages, max_tokens=self.config.max_tokens)
        try:
            for piece in stream:
                if isinstance(piece, Usage):
                    usage = piece
                    continue
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                pieces.append(piece)
                yield Token(piece)
        finally:
            stream.close()
        finished_at = time.perf_counter()
        timings = replace(timings, prompt_s=prompt_built - retrieved_at,
                          first_token_s=(first_token_at or finished_at) - started,
                          generation_s=finished_at - (first_token_at or finished_at))
        raw = "".join(pieces).strip()
        base = replace(base, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
        if not raw or is_refusal(raw, language):
            yield from self._refuse(base, "the model found no answer in the passages", timings, started)
            return
        checked = self._check(raw, passages, language, standalone)
        if not checked.citations:
            yield from self._refuse(base, "no sentence of the answer is supported by a passage", timings, started,
                                    draft=raw)
            return
        missing = missing_places(standalone, [text for c in checked.citations for text in self._context(c.passage.chunk)])
        if missing:
            yield from self._refuse(base, f"the cited passages do not mention {', '.join(sorted(missing))}, which the "
                                    "question asks about", timings, started, draft=raw)
            return
        answer = replace(base, text=checked.text, refused=False, citations=checked.citations,
                         sentences=checked.sentences, support_score=checked.support_score,
                         invalid_citations=checked.invalid_markers,
                         timings=replace(timings, total_s=time.perf_counter() - started))
        yield Done(answer)

    def _check(self, raw: str, passages: Sequence[Passage], language: str, question: str) -> CheckedAnswer:
        passage_vectors = [self._passage_vectors(p) for p in passages]
        return check_citations(raw, passages, language, self.embedder.embed_queries, passage_vectors,
                               self.config.min_support, question)

    def _context(self, chunk: Chunk) -> list[str]:
        """The texts of `chunk` and its neighbours in the same document (what a reader sees around a citation)."""
        position = self._positions.get(chunk.id)
        if position is None:
            return [chunk.text]
        around = self.index.chunks[max(0, position - 1): position + 2]
        return [c.text for c in around if c.document_id == chunk.document_id]

    def _passage_vectors(self, passage: Passage) -> np.ndarray:
        """The stored vectors of the passage's sentences (or of its chunk, when it has none)."""
        vectors = self.index.sentence_vectors
        rows = [row for row in self.index.chunk_sentences(passage.chunk)
                if passage.start <= self.index.sentences[row].start and self.index.sentences[row].end <= passage.end]
        if vectors is not None and rows:
            return vectors[rows]
        position = self._positions.get(passage.chunk.id)
        if position is not None:
            return self.index.vectors[position : position + 1]
        return self.embedder.embed_passages([passage.text])

    def _refuse(self, base: Answer, reason: str, timings: Timings, started: float, draft: str = "") -> Iterator[Event]:
        text = REFUSAL[base.language]
        yield Done(replace(base, text=text, refused=True, refusal_reason=reason + (f" (draft: {draft})" if draft else ""),
                           timings=replace(timings, total_s=time.perf_counter() - started)))

