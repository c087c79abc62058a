"""Passage choice: the sentences of the top hits that the model sees, as numbered passages.

Sentences are scored by embedding similarity to the question, plus a little
for the question's words they share (weighted by how few of the candidate
sentences hold each word) and for the chunk's rank, and picked greedily within
a word budget. Leaves out: retrieval (qa.retrieval) and the prompt (qa.answer.prompts).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa.answer.evidence import continues_previous
from qa.answer.prompts import WEB_ADDRESS
from qa.config import Config
from qa.index.load import SearchIndex
from qa.text.sentences import split_sentences
from qa.text.tokens import tokenize
from qa.types import Chunk, Hit, Passage, Query

# A sentence's score is its cosine similarity to the question, plus OVERLAP_WEIGHT times the summed
# inverse document frequency, among the candidate sentences, of the question's words it holds (a word
# that every candidate holds, such as the topic's name, tells them apart by nothing; "Posten" or
# "übernehmen" do), minus RANK_PENALTY per rank of its chunk below the first and REFERENCE_PENALTY for
# a reference entry (below). The weighted words replaced a flat 0.01 per shared word (at most four): gold
# facts in the prompt 79.3% -> 82.2% (dev), 65.3% -> 68.1% (test); 0.004-0.005 is a plateau, 0.01 and
# more cut the prompt too short (README, session 10).
OVERLAP_WEIGHT = 0.005
RANK_PENALTY = 0.005
# A sentence with a web address is a reference entry: the names and dates in it are those of the work it
# cites ("Press conference by NATO Secretary General …, 14. Juni 2024 (www.nato.int/…)"), decoys for a
# question about events; it loses REFERENCE_PENALTY, so it is picked only when it clearly fits best.
REFERENCE_PENALTY = 0.03


def trim_passage(text: str, language: str, question_tokens: set[str], max_sentences: int) -> tuple[str, int, int]:
    """The window of at most `max_sentences` sentences of `text` that shares most words with the question.

    Returns the window text and its offsets relative to `text`.
    """
    sentences = split_sentences(text, language)
    if len(sentences) <= max_sentences:
        return text, 0, len(text)
    overlaps = [len(question_tokens & set(tokenize(s.text, language))) for s in sentences]
    windows = range(len(sentences) - max_sentences + 1)
    best = max(windows, key=lambda i: (sum(overlaps[i:i + max_sentences]), -i))
    start, end = sentences[best].start, sentences[best + max_sentences - 1].end
    return text[start:end], start, end


def choose_passages(index: SearchIndex, config: Config, hits: Sequence[Hit], question: str, language: str,
                    query_vector: np.ndarray, translations: Sequence[Query] = ()) -> list[Passage]:
    """The sentences that matter from the top hits, within a word budget, as numbered passages.

    Sentences are picked greedily by score until `passage_words` is reached;
    the picked sentences of one chunk form one passage. A sentence is compared
    with the question's wording in its chunk's language when a translation
    gives one (translate-test). Without sentence vectors, each hit is trimmed
    to its best window of `passage_sentences` sentences by shared words.
    """
    question_tokens = set(tokenize(question, language)) | set(tokenize(question, "de" if language == "en" else "en"))
    for translation in translations:
        question_tokens |= set(tokenize(translation.text, translation.language))
    vectors_by_language = {t.language: t.vector for t in translations} | {language: query_vector}
    top = list(hits[: config.passages_in_prompt])
    vectors = index.sentence_vectors
    rows_by_hit = [index.chunk_sentences(hit.chunk) for hit in top]
    if vectors is None or not len(vectors) or not all(rows_by_hit):
        return [_passage(index, n, hit.chunk, *trim_passage(hit.chunk.text, hit.chunk.language, question_tokens,
                                                             config.passage_sentences))
                for n, hit in enumerate(top, 1)]
    scored = _score_sentences(index, vectors, rows_by_hit, top, question_tokens, vectors_by_language, query_vector,
                              config.neighbour_score_drop, language, config.continuation_score_drop)
    picked: dict[int, list[int]] = {}
    words = 0
    ranked = sorted(scored.items(), key=lambda item: -item[1][0])
    floor = ranked[0][1][0] - config.sentence_score_margin if ranked else 0.0
    for row, (score, position) in ranked:
        if picked and score < floor:
            break  # far less similar than the best sentence: a distractor, not evidence
        span = index.sentences[row]
        length = len(index.documents[span.document_id].text[span.start:span.end].split())
        if picked and words + length > config.passage_words:
            continue
        picked.setdefault(position, []).append(row)
        words += length
    order = sorted(picked, key=lambda position: -max(scored[row][0] for row in picked[position]),
                   reverse=config.best_passage_last)
    return [_sentences_passage(index, number, top[position].chunk, sorted(picked[position]))
            for number, position in enumerate(order, 1)]


def _score_sentences(index: SearchIndex, vectors: np.ndarray, rows_by_hit: Sequence[Sequence[int]],
                     top: Sequence[Hit], question_tokens: set[str], vectors_by_language: dict[str, np.ndarray],
                     query_vector: np.ndarray, neighbour_drop: float, language: str,
                     continuation_drop: float = 1.0) -> dict[int, tuple[float, int]]:
    """Sentence row -> (score, position of its hit); a sentence in several hits keeps its best score.

    With index-time translations (qa.index.translations) a sentence in another language than the
    question's is compared through its translation: its vector and its words."""
    translations = index.translations
    shared: dict[int, set[str]] = {}
    texts: dict[int, str] = {}
    for position, rows in enumerate(rows_by_hit):
        for row in rows:
            span = index.sentences[row]
            texts[row] = index.documents[span.document_id].text[span.start:span.end]
            shared[row] = question_tokens & set(tokenize(texts[row], top[position].chunk.language))
            if translations is not None and top[position].chunk.language != language:
                shared[row] |= question_tokens & set(tokenize(translations.sentence_texts[row], language))
    frequency = Counter(word for words in shared.values() for word in words)
    rarity = {word: math.log((len(shared) + 1) / (count + 0.5)) for word, count in frequency.items()}
    scored: dict[int, tuple[float, int]] = {}
    for position, rows in enumerate(rows_by_hit):
        chunk_language = top[position].chunk.language
        if translations is not None and chunk_language != language:  # through its translation
            similarities = translations.sentence_vectors[list(rows)] @ query_vector
        else:
            similarities = vectors[list(rows)] @ vectors_by_language.get(chunk_language, query_vector)
        own = []
        for row, similarity in zip(rows, similarities):
            overlap = OVERLAP_WEIGHT * sum(rarity[word] for word in shared[row])
            reference = REFERENCE_PENALTY if WEB_ADDRESS.search(texts[row]) else 0.0
            own.append(float(similarity) + overlap - reference - RANK_PENALTY * position)
        for i, row in enumerate(rows):
            # a sentence next to a close one carries its context ("Dem kam ... nach", "He was ...")
            near = [own[j] - neighbour_drop for j in (i - 1, i + 1) if 0 <= j < len(rows)]
            if i > 0 and continues_previous(texts[row], chunk_language):
                near.append(own[i - 1] - continuation_drop)
            score = max([own[i], *near])
            if row not in scored or scored[row][0] < score:
                scored[row] = (score, position)
    return scored


def _passage(index: SearchIndex, number: int, chunk: Chunk, text: str, start: int, end: int) -> Passage:
    document = index.documents.get(chunk.document_id)
    return Passage(number, chunk, text, chunk.start + start, chunk.start + end,
                   document.title if document else chunk.document_id, chunk.section)


def _sentences_passage(index: SearchIndex, number: int, chunk: Chunk, rows: list[int]) -> Passage:
    """A passage of the given sentences of `chunk`; gaps between them are shown as " … "."""
    spans = [index.sentences[row] for row in rows]
    text = index.documents[chunk.document_id].text
    parts = [text[spans[0].start:spans[0].end]]
    for previous, span in zip(spans, spans[1:]):
        gap = text[previous.end:span.start]
        parts.append(gap if not gap.strip() else " … ")
        parts.append(text[span.start:span.end])
    passage = _passage(index, number, chunk, "".join(parts), 0, 0)
    return replace(passage, start=spans[0].start, end=spans[-1].end)
