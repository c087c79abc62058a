"""Hybrid retrieval: dense chunk ranks, dense sentence ranks and BM25 ranks fused with reciprocal rank fusion.

Each retriever returns `candidates` chunks; fusion adds `weight / (rrf_k +
rank)` per retriever (the sentence ranking scores a chunk by its best single
sentence, since a fact often sits in one sentence); near-duplicate passages
(overlapping chunks, repeated text) are dropped. Dense vectors are
multilingual, so German questions find English passages and the other way
round; BM25 stems the question in its own language.

With translations of the question (translate-test, qa.answer.translate) each
chunk is ranked by the wording in its own language: dense, BM25 and sentence
rankings per language, merged by score (similarities within one language are
comparable), so a German passage meets a German question. The question's own
cross-lingual rankings still count, with `original_query_weight`.

With index-time translations (qa.index.translations) the collection is
searched in the question's language: a chunk in the other language is ranked
by its translation (dense vector, BM25 tokens, sentence vectors), a chunk in
the question's language by itself; the question needs no translation. These
rankings are exact NumPy products over the loaded vectors (index-time
translation is for collections of up to `translate_index_max_sentences`).

With index-time questions (qa.index.questions, "doc2query") each chunk is also
ranked by the question written for it that is closest to any wording of the
question (query to query), fused at `question_weight`.

The rankings come from the index's store (qa.index.store: FAISS + bm25s, or
Milvus), the fusion is done here for every store, so both rank alike. Leaves out:
how many passages the model sees (qa.answer.passages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from qa.config import Config
from qa.index.load import SearchIndex
from qa.index.store import Ranking, Rankings, StoreQuery
from qa.models.embedders import Embedder
from qa.text.language import detect_language
from qa.text.tokens import tokenize
from qa.types import Chunk, Hit, Query

Mode = Literal["hybrid", "dense", "bm25"]
_WORD = re.compile(r"\w+", re.UNICODE)


def _word_set(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def is_near_duplicate(chunk: Chunk, kept: list[Chunk], threshold: float) -> bool:
    """True when `chunk` is (almost) the same passage as one already kept.

    Two chunks of one document are duplicates when one's span lies inside the
    other's; any two chunks are when their word sets overlap by `threshold`
    (Jaccard), e.g. a teaser repeated in another document.
    """
    words = _word_set(chunk.text)
    for other in kept:
        if other.document_id == chunk.document_id and (
            (other.start <= chunk.start and chunk.end <= other.end)
            or (chunk.start <= other.start and other.end <= chunk.end)
        ):
            return True
        other_words = _word_set(other.text)
        union = words | other_words
        if union and len(words & other_words) / len(union) >= threshold:
            return True
    return False


@dataclass(frozen=True)
class _Ranked:
    position: int
    score: float
    rank: int


class Retriever:
    """Searches a loaded SearchIndex with an embedder, as the Config says."""

    def __init__(self, index: SearchIndex, embedder: Embedder, config: Config) -> None:
        self.index = index
        self.embedder = embedder
        self.config = config
        self._by_language: dict[str, set[int]] = {}
        self._views: dict[str, _View] = {}

    def search(self, question: str, top_k: int | None = None, mode: Mode = "hybrid",
               language: str | None = None, query_vector: np.ndarray | None = None,
               translations: Sequence[Query] = ()) -> list[Hit]:
        """Return up to `top_k` hits for `question`, best first.

        Args:
            question: the question text (already validated).
            top_k: number of hits (default `config.top_k`).
            mode: "hybrid" (default), or one retriever alone for comparison.
            language: language of the question for BM25 stemming (detected if None).
            query_vector: the question's embedding, when the caller already has it.
            translations: the question in other languages of the collection (hybrid mode only).
        """
        top_k = top_k or self.config.top_k
        candidates = max(self.config.candidates, top_k)
        language = language or detect_language(question)
        vector = None
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([question])[0] if query_vector is None else query_vector
        if mode == "hybrid" and self.index.translations is not None and vector is not None:
            viewed = self._fuse_views(Query(question, language, vector), translations, candidates)
            return self._hits(*self._with_questions(*viewed, vector, translations, candidates), {}, top_k)
        if mode == "hybrid" and translations and vector is not None:
            worded = self._fuse_translated(Query(question, language, vector), translations, candidates)
            return self._hits(*self._with_questions(*worded, vector, translations, candidates), {}, top_k)
        tokens = tuple(tokenize(question, language)) if mode in ("hybrid", "bm25") else ()
        with_sentences = mode == "hybrid" and self.config.sentence_weight > 0
        found = self.index.store.search(StoreQuery(vector, tokens, candidates, 2 * candidates if with_sentences else 0))
        dense = _ranked(found.dense)
        lexical = _ranked(found.bm25)
        sentences = self._sentence_ranking(found, candidates)
        weights = {"hybrid": (self.config.dense_weight, self.config.bm25_weight), "dense": (1.0, 0.0), "bm25": (0.0, 1.0)}
        dense_weight, bm25_weight = weights[mode]
        fused: dict[int, float] = {}
        _add_rrf(fused, ((dense, dense_weight), (lexical, bm25_weight), (sentences, self.config.sentence_weight)),
                 self.config.rrf_k)
        if mode == "hybrid" and vector is not None:
            fused, dense = self._with_questions(fused, dense, vector, (), candidates)
        return self._hits(fused, dense, lexical, top_k)

    def _with_questions(self, fused: dict[int, float], dense: dict[int, _Ranked], vector: np.ndarray,
                        translations: Sequence[Query], candidates: int) -> tuple[dict[int, float], dict[int, _Ranked]]:
        """`fused` plus the ranking by index-time questions (qa.index.questions: each chunk by its written question
        closest to any wording of the question) at `question_weight`; a chunk only this ranking brings keeps the
        question's own similarity for the gate."""
        questions = self.index.questions
        if questions is None or self.config.question_weight <= 0:
            return fused, dense
        ranking = questions.ranking([vector, *(query.vector for query in translations)], len(self.index.chunks),
                                    candidates)
        _add_rrf(fused, ((_ranked(tuple(ranking)), self.config.question_weight),), self.config.rrf_k)
        new = [position for position in fused if position not in dense]
        if new:
            scores = self.index.vectors[new] @ np.asarray(vector, dtype=np.float32)
            dense = {**dense, **{p: _Ranked(p, float(score), 0) for p, score in zip(new, scores)}}
        return fused, dense

    def _hits(self, fused: dict[int, float], dense: dict[int, _Ranked], lexical: dict[int, _Ranked],
              top_k: int) -> list[Hit]:
        """The best `top_k` fused chunks without near-duplicates, as Hits."""
        order = sorted(fused, key=lambda p: (-fused[p], p))
        hits: list[Hit] = []
        kept: list[Chunk] = []
        for position in order:
            chunk = self.index.chunks[position]
            if is_near_duplicate(chunk, kept, self.config.dedup_threshold):
                continue
            kept.append(chunk)
            d, b = dense.get(position), lexical.get(position)
            hits.append(
                Hit(
                    chunk=chunk,
                    score=fused[position],
                    rank=len(hits) + 1,
                    dense_score=d.score if d else None,
                    dense_rank=d.rank if d and d.rank else None,
                    bm25_score=b.score if b else None,
                    bm25_rank=b.rank if b else None,
                )
            )
            if len(hits) >= top_k:
                break
        return hits

    def _fuse_translated(self, question: Query, translations: Sequence[Query],
                         candidates: int) -> tuple[dict[int, float], dict[int, _Ranked]]:
        """RRF scores where each chunk is ranked by the wording in its own language, plus the question's own
        (cross-lingual) dense and sentence rankings at `original_query_weight`; and the question's dense ranks."""
        wordings = {query.language: query for query in (*translations, question)}  # the question wins a tie
        dense_by: dict[int, float] = {}
        lexical_by: dict[int, float] = {}
        sentences_by: dict[int, float] = {}
        for query in wordings.values():
            own = self._chunks_in(query.language)
            found = self.index.store.search(StoreQuery(query.vector, tuple(tokenize(query.text, query.language)),
                                                       candidates * 3, candidates * 6))
            for position, score in found.dense:
                if position in own:
                    dense_by[position] = score
            for position, score in found.bm25:
                if position in own:
                    lexical_by[position] = score
            for position, ranked in self._sentence_ranking(found, candidates * 3).items():
                if position in own:
                    sentences_by[position] = ranked.score
        with_sentences = self.config.sentence_weight > 0
        found = self.index.store.search(StoreQuery(question.vector, (), candidates, 2 * candidates if with_sentences else 0))
        dense = _ranked(found.dense)
        original = self._sentence_ranking(found, candidates)
        weight = self.config.original_query_weight
        fused: dict[int, float] = {}
        _add_rrf(fused, ((_by_score(dense_by, candidates), self.config.dense_weight),
                         (_by_score(lexical_by, candidates), self.config.bm25_weight),
                         (_by_score(sentences_by, candidates), self.config.sentence_weight),
                         (dense, weight * self.config.dense_weight),
                         (original, weight * self.config.sentence_weight)), self.config.rrf_k)
        # The gate compares the question's own similarity with its calibrated threshold: keep that score.
        scores = self.index.vectors[list(fused)] @ question.vector if fused else []
        dense_scores = {p: _Ranked(p, float(score), dense[p].rank if p in dense else 0)
                        for p, score in zip(fused, scores)}
        return fused, dense_scores

    def _view(self, language: str) -> _View:
        """The collection in `language`: each chunk and sentence in it, or its translation into it."""
        translations = self.index.translations
        assert translations is not None
        if language not in self._views:
            import bm25s

            from qa.index.format import index_text

            foreign = [p for p, chunk in enumerate(self.index.chunks) if chunk.language != language]
            chunk_vectors = np.array(self.index.vectors, dtype=np.float32, copy=True)
            chunk_vectors[foreign] = translations.chunk_vectors[foreign]
            sentence_vectors = np.array(self.index.sentence_vectors, dtype=np.float32, copy=True)
            foreign_rows = sorted({row for p in foreign for row in self.index.chunk_sentences(self.index.chunks[p])})
            sentence_vectors[foreign_rows] = translations.sentence_vectors[foreign_rows]
            tokens = []
            for chunk, translated in zip(self.index.chunks, translations.chunk_texts):
                text = index_text(chunk) if chunk.language == language else translated
                tokens.append(tokenize(text, language) if text else tokenize(index_text(chunk), chunk.language))
            bm25 = bm25s.BM25()
            bm25.index(tokens, show_progress=False)
            self._views[language] = _View(chunk_vectors, sentence_vectors, bm25)
        return self._views[language]

    def _fuse_views(self, question: Query, translations: Sequence[Query],
                    candidates: int) -> tuple[dict[int, float], dict[int, _Ranked]]:
        """RRF scores where every chunk is ranked in the question's language (and in each translation's, if
        any): the chunk itself or its index-time translation; and the question's own dense scores."""
        fused: dict[int, float] = {}
        for query in {query.language: query for query in (*translations, question)}.values():
            view = self._view(query.language)
            dense = view.chunk_vectors @ np.asarray(query.vector, dtype=np.float32)
            lexical: Ranking = ()
            words = tokenize(query.text, query.language)
            if words:
                ids, scores = view.bm25.retrieve([words], k=min(candidates, len(self.index.chunks)),
                                                 show_progress=False, n_threads=1)
                lexical = tuple((int(i), float(score)) for i, score in zip(ids[0], scores[0]) if score > 0)
            similarities = view.sentence_vectors @ np.asarray(query.vector, dtype=np.float32)
            rows = np.argsort(-similarities)[: 6 * candidates]
            found = Rankings((), (), tuple((int(row), float(similarities[row])) for row in rows))
            _add_rrf(fused, ((_by_score(dict(enumerate(map(float, dense))), candidates), self.config.dense_weight),
                             (_ranked(lexical), self.config.bm25_weight),
                             (self._sentence_ranking(found, candidates), self.config.sentence_weight)),
                     self.config.rrf_k)
        # The gate compares the question's own similarity with its calibrated threshold: keep that score.
        scores = self.index.vectors[list(fused)] @ question.vector if fused else []
        return fused, {p: _Ranked(p, float(score), 0) for p, score in zip(fused, scores)}

    def _chunks_in(self, language: str) -> set[int]:
        """Positions of the chunks written in `language`."""
        if language not in self._by_language:
            self._by_language[language] = {p for p, chunk in enumerate(self.index.chunks) if chunk.language == language}
        return self._by_language[language]

    def _sentence_ranking(self, found: Rankings, candidates: int) -> dict[int, _Ranked]:
        """Chunks ranked by their best-matching single sentence (a fact often sits in one sentence), from
        the store's sentence ranking (which asked for twice as many sentences as chunks)."""
        best: dict[int, float] = {}
        for row, similarity in found.sentences:
            for position in self.index.chunks_with_sentence(row):
                best.setdefault(position, similarity)
        order = sorted(best, key=lambda p: -best[p])[:candidates]
        return {p: _Ranked(p, best[p], rank) for rank, p in enumerate(order, 1)}


@dataclass(frozen=True)
class _View:
    """The collection in one language (index-time translations): vectors of chunks and sentences, BM25."""

    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    bm25: Any


def _ranked(ranking: Ranking) -> dict[int, _Ranked]:
    """A store's ranking with 1-based ranks, by position."""
    return {p: _Ranked(p, s, r) for r, (p, s) in enumerate(ranking, 1)}


def _by_score(scores: dict[int, float], limit: int) -> dict[int, _Ranked]:
    """The best `limit` chunks of one merged ranking, ranked by score."""
    order = sorted(scores, key=lambda p: (-scores[p], p))[:limit]
    return {p: _Ranked(p, scores[p], rank) for rank, p in enumerate(order, 1)}


def _add_rrf(fused: dict[int, float], rankings: Sequence[tuple[dict[int, _Ranked], float]], rrf_k: int) -> None:
    """Add each ranking's reciprocal-rank score, `weight / (rrf_k + rank)`, to `fused`."""
    for ranking, weight in rankings:
        for position, ranked in ranking.items():
            fused[position] = fused.get(position, 0.0) + weight / (rrf_k + ranked.rank)
