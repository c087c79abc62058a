"""Answering one question: follow-up rewrite, retrieval, evidence gate, passages, generation, verified citations.

`Answerer.stream` yields events as they happen (the rewritten question and the
sources as soon as retrieval is done, then tokens, then the final Answer), so
the CLI and the web chat can show progress. Refusal is decided from evidence:
a retrieval score below a calibrated threshold refuses before the model runs
(qa.answer.gate); a model that says the passages do not cover the question, or
an answer with no supported sentence, is refused too. This module only
orchestrates the steps; each lives in its own module of qa.answer (the
question is also translated into the collection's other languages for
retrieval: qa.answer.translate). Leaves out: index management (qa.pipeline)
and rendering.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from collections.abc import Generator as EventStream
from dataclasses import dataclass, replace

import numpy as np

from qa.answer.citations import attach_markers, check_citations
from qa.answer.events import Done, Event, Redrafting, Retrieved, Token
from qa.answer.evidence import (
    PassageEvidence,
    QuestionFacts,
    common_words,
    falls_short_of_best,
    missing_kind,
    new_items,
    passage_names,
    question_facts,
    talks_about_question,
)
from qa.answer.fallback import Quote, extractive_answer, located_quote
from qa.answer.followups import refers_back, standalone_question
from qa.answer.gate import (
    acronym_found,
    evidence_too_weak,
    missing_places,
    missing_source,
    missing_years,
    publishers_by_word,
)
from qa.answer.output import is_refusal, join_split_figures, localise_countries, repeats_itself
from qa.answer.passages import choose_passages
from qa.answer.pivot import MODES as PIVOT_MODES
from qa.answer.pivot import pivot_language, translate_sentences
from qa.answer.prompts import (
    ANSWER_STYLES,
    REFUSAL,
    SAME_SOURCE,
    answer_messages,
    rewrite_messages,
    source_label,
    source_line,
)
from qa.answer.short import find_span, read_short_answer, short_answer
from qa.answer.support import is_echo
from qa.answer.translate import target_languages, translate_question, translate_sentence
from qa.config import Config
from qa.errors import ConfigError
from qa.index.load import SearchIndex
from qa.models.embedders import Embedder
from qa.models.generator import Generator, Usage, text_of
from qa.retrieval import Retriever
from qa.text.language import detect_language
from qa.text.markers import MARKER, marker_numbers, strip_markers
from qa.text.sentences import split_sentences
from qa.types import Answer, Chunk, Message, Passage, Query, Timings

# How a second draft sees the passages (Config.second_draft); "off" asks no second draft.
SECOND_DRAFTS = ("off", "reversed", "top2")


@dataclass
class _Draft:
    """What one generation produced: the pieces of text, the usage and when the first piece came."""

    pieces: list[str]
    usage: Usage
    first_token_at: float | None = None


SHORT_MAX_TOKENS = 40  # a name, a date, a figure or a short phrase with its marker
MAX_KEPT_TRANSLATIONS = 10_000  # passage sentences translated for checks, kept between questions


class Answerer:
    """Answers questions over a loaded index with an embedder and a generator."""

    def __init__(self, config: Config, index: SearchIndex, retriever: Retriever, embedder: Embedder,
                 generator: Generator) -> None:
        if config.answer_style not in ANSWER_STYLES:
            raise ConfigError(f"Unknown answer_style {config.answer_style!r}.",
                              hint=f"Set answer_style to one of: {', '.join(ANSWER_STYLES)}.")
        if config.worked_examples not in (1, 2):
            raise ConfigError(f"Unknown worked_examples {config.worked_examples!r}.",
                              hint="Set worked_examples to 1 (one worked example) or 2 (and one on the asked role).")
        if config.second_draft not in SECOND_DRAFTS:
            raise ConfigError(f"Unknown second_draft {config.second_draft!r}.",
                              hint=f"Set second_draft to one of: {', '.join(SECOND_DRAFTS)}.")
        if config.pivot not in PIVOT_MODES:
            raise ConfigError(f"Unknown pivot {config.pivot!r}.", hint=f"Set pivot to one of: {', '.join(PIVOT_MODES)}.")
        self.config = config
        self.index = index
        self.retriever = retriever
        self.embedder = embedder
        self.generator = generator
        self._positions = {chunk.id: position for position, chunk in enumerate(index.chunks)}
        self._languages = {document.language for document in index.documents.values()}
        self._common: frozenset[str] | None = None
        self._publisher_words: dict[str, tuple[str, frozenset[str]]] | None = None
        # passage sentences translated for checks across languages (qa.answer.evidence.translated_support)
        self._sentence_translations: dict[tuple[str, str], str | None] = {}

    def rewrite(self, question: str, history: Sequence[Message], language: str) -> str:
        """A standalone version of a follow-up question (the question itself when it stands alone)."""
        if not refers_back(question, history, language):
            return question
        text, _ = text_of(self.generator.stream(rewrite_messages(question, history, language), max_tokens=60))
        return standalone_question(text, question, history, language)

    def translate(self, question: str, language: str, languages: Collection[str] | None = None) -> list[tuple[str, str]]:
        """(language, text) of the question in each other language of the collection (or of `languages`);
        nothing when switched off, when there is no other language, or when a translation failed."""
        if not self.config.translate_questions:
            return []
        wordings = []
        for target in target_languages(language, self._languages if languages is None else languages):
            text = translate_question(self.generator, question, target)
            if text:
                wordings.append((target, text))
        return wordings

    def stream(self, question: str, history: Sequence[Message] = (), language: str | None = None,
               top_k: int | None = None) -> EventStream[Event, None, None]:
        """Answer `question` (already validated), yielding Retrieved, Token... and finally Done."""
        started = time.perf_counter()
        language = language or detect_language(question)
        standalone = self.rewrite(question, history, language)
        rewritten_at = time.perf_counter()
        # With index-time translations (qa.index.translations) every passage is found in the question's language;
        # the question's own translation then serves only the checks, and is made after the answer is drafted,
        # so it no longer delays the first token. Without them it also finds the passages (translate-test).
        late = self.index.translations is not None
        wordings = [] if late else self.translate(standalone, language)
        translated_at = time.perf_counter()
        vectors = self.embedder.embed_queries([standalone, *(text for _, text in wordings)])
        query_vector = vectors[0]
        translations = tuple(Query(text, target, vector) for (target, text), vector in zip(wordings, vectors[1:]))
        hits = self.retriever.search(standalone, top_k=max(top_k or self.config.top_k, self.config.passages_in_prompt),
                                     language=language, query_vector=query_vector, translations=translations)
        passages = choose_passages(self.index, self.config, hits, standalone, language, query_vector, translations)
        retrieved_at = time.perf_counter()
        yield Retrieved(standalone, tuple(passages), tuple(hits))
        base = Answer(question=question, standalone_question=standalone, language=language, text="", refused=True,
                      citations=(), passages=tuple(passages), hits=tuple(hits),
                      translations=tuple(t.text for t in translations))
        timings = Timings(rewrite_s=rewritten_at - started, translate_s=translated_at - rewritten_at,
                          retrieval_s=retrieved_at - translated_at)
        if (evidence_too_weak(hits, self.config.min_dense_score, language, self.config.cross_lingual_gate_drop)
                and not acronym_found(standalone, hits)):
            yield self._refuse(base, "retrieval found nothing relevant enough", timings, started)
            return
        # Pivot (qa.answer.pivot): with every passage in one other language the model answers in that language,
        # and only the checked sentences are translated into the question's.
        pivot = self._pivot(language, passages)
        drafted_in = pivot or language
        asked = standalone
        if pivot and self.config.pivot == "translation":
            asked = next((t.text for t in translations if t.language == pivot), standalone)
        messages = answer_messages(asked, passages, drafted_in, self._labels(passages, drafted_in),
                                   self.config.answer_style, self.config.worked_examples)
        prompt_built = time.perf_counter()
        draft = _Draft([], Usage(0, 0, 0.0, 0.0))
        yield from self._generate(messages, draft)
        finished_at = time.perf_counter()
        first_token_at = draft.first_token_at or finished_at
        timings = replace(timings, prompt_s=prompt_built - retrieved_at, first_token_s=first_token_at - started,
                          generation_s=finished_at - first_token_at)
        base = replace(base, prompt_tokens=draft.usage.prompt_tokens, completion_tokens=draft.usage.completion_tokens)
        if late:
            translations = self._late_translations(standalone, language, passages)
            base = replace(base, translations=tuple(t.text for t in translations))
            timings = replace(timings, translate_s=time.perf_counter() - finished_at)
        text = "".join(draft.pieces).strip()
        if pivot and text:  # the small model does not always write the language it is asked for: check the one it wrote
            drafted_in = detect_language(strip_markers(text), default=pivot)
        evidence = [self._evidence(passage, self._source_line(passage, drafted_in)) for passage in passages]
        facts = question_facts(standalone, language, query_vector,
                               [(t.text, t.language, t.vector) for t in translations])
        base = replace(base, draft=text, answered_in="" if drafted_in == language else drafted_in)
        done = self._verdict(base, passages, evidence, facts, timings, started, drafted_in)
        if (done.answer.refused or done.answer.extractive) and not pivot and base.draft:
            second = self._second_passages(passages)
            if second:
                yield Redrafting(tuple(second))
                done = self._second_draft(done, base, second, facts, timings, started, passages, evidence)
        if drafted_in != language and not done.answer.refused and not done.answer.extractive:
            done = self._translated(done, drafted_in, started)
        yield done

    def _pivot(self, language: str, passages: Sequence[Passage]) -> str | None:
        """The language the model answers in when it is not the question's (qa.answer.pivot), else None."""
        if self.config.pivot == "off" or self.config.answer_style != "sentences":
            return None
        return pivot_language(language, passages)

    def _translated(self, done: Done, source: str, started: float) -> Done:
        """The checked answer drafted in `source` with each sentence translated into the question's language
        (a sentence whose translation fails keeps its checked original), markers and verdicts unchanged."""
        answer = done.answer
        results = translate_sentences(self.generator, [check.sentence for check in answer.sentences], source,
                                      answer.language, self._common_words())
        evidence = [(p.text, p.chunk.language) for p in answer.passages]
        shown = {result.source: join_split_figures(result.shown, answer.language if result.translated else source,
                                                   evidence) for result in results}
        text = " ".join(attach_markers(shown[check.sentence], list(check.cited)) if check.cited
                        else shown[check.sentence] for check in answer.sentences)
        return Done(replace(answer, text=text,
                            sentences=tuple(replace(check, sentence=shown[check.sentence]) for check in answer.sentences),
                            citations=tuple(replace(c, sentence=shown.get(c.sentence, c.sentence))
                                            for c in answer.citations),
                            untranslated=sum(not result.translated for result in results),
                            timings=replace(answer.timings, total_s=time.perf_counter() - started)))

    def _late_translations(self, question: str, language: str, passages: Sequence[Passage]) -> tuple[Query, ...]:
        """The question in the languages of the prompt's passages other than its own, for the checks."""
        wordings = self.translate(question, language, {passage.chunk.language for passage in passages})
        if not wordings:
            return ()
        vectors = self.embedder.embed_queries([text for _, text in wordings])
        return tuple(Query(text, target, vector) for (target, text), vector in zip(wordings, vectors))

    def _generate(self, messages: list[Message], draft: _Draft) -> Iterator[Event]:
        """Stream the model's answer as Token events, collecting its pieces and usage into `draft`."""
        stream = self.generator.stream(messages, max_tokens=self.config.max_tokens)
        try:
            for piece in stream:
                if isinstance(piece, Usage):
                    draft.usage = piece
                    continue
                if draft.first_token_at is None:
                    draft.first_token_at = time.perf_counter()
                draft.pieces.append(piece)
                yield Token(piece)
        finally:
            stream.close()

    def _second_passages(self, passages: Sequence[Passage]) -> list[Passage]:
        """The passages, renumbered, that a second draft sees (`second_draft`: the two best of three or more, or all
        in reverse order); none when it is off or there is nothing to rearrange (the same prompt would give the same
        draft)."""
        mode = self.config.second_draft
        if mode == "off" or len(passages) < (3 if mode == "top2" else 2):
            return []
        chosen = list(passages[:2]) if mode == "top2" else list(reversed(passages))
        return [replace(passage, number=number) for number, passage in enumerate(chosen, 1)]

    def _second_draft(self, first: Done, base: Answer, renumbered: Sequence[Passage], facts: QuestionFacts,
                      timings: Timings, started: float, passages: Sequence[Passage],
                      evidence: Sequence[PassageEvidence]) -> Done:
        """The answer of a second draft on `renumbered` (see _second_passages) when that draft passes the checks by
        itself (not as a quote), else the first verdict with the time the try took. Not streamed.

        The draft is checked against all of the first prompt's `passages` (its markers numbered as there): fewer
        passages must not make the checks laxer. Against the two it saw, a claim that failed the first time could
        pass unchanged ("… appears elsewhere in the passages" cannot fire when those passages are gone); three such
        repeats were wrong answers on the unseen collections (session 20)."""
        language = base.language
        messages = answer_messages(base.standalone_question, renumbered, language, self._labels(renumbered, language),
                                   self.config.answer_style, self.config.worked_examples)
        text, _ = text_of(self.generator.stream(messages, max_tokens=self.config.max_tokens))
        original = {passage.number: next((p.number for p in passages if p.chunk == passage.chunk
                                          and p.start == passage.start), 0) for passage in renumbered}
        text = MARKER.sub(lambda match: "[" + ", ".join(str(original.get(number, 0))
                                                        for number in marker_numbers(match.group(1))) + "]", text)
        second = replace(base, draft=text.strip())
        done = self._verdict(second, passages, evidence, facts, timings, started, language)
        if done.answer.refused or done.answer.extractive:
            return Done(replace(first.answer, timings=replace(first.answer.timings,
                                                              total_s=time.perf_counter() - started)))
        reason = first.answer.refusal_reason.removeprefix("quoted: ").split(" (draft: ")[0]
        seen = tuple(passage for passage in passages if passage.number in original.values())
        return Done(replace(done.answer, redrafted=True, passages=seen,
                            refusal_reason=f"second draft: {reason} (first draft: {base.draft})"))

    def _verdict(self, base: Answer, passages: Sequence[Passage], evidence: Sequence[PassageEvidence],
                 facts: QuestionFacts, timings: Timings, started: float, drafted_in: str) -> Done:
        """The final answer for the model's draft (written in `drafted_in`): verified, quoted from the evidence,
        or refused with the reason."""
        raw = base.draft
        if not raw or is_refusal(raw, drafted_in):
            return self._refuse(base, "the model found no answer in the passages", timings, started)
        if repeats_itself(raw):
            return self._quote_or_refuse(base, "the model's answer runs in a loop", passages, evidence, facts, timings,
                                         started, drafted_in)
        raw = join_split_figures(raw, drafted_in, [(p.text, p.chunk.language) for p in passages])
        if self.config.answer_style == "short":
            return self._short_verdict(base, raw, passages, evidence, facts, timings, started)
        # the question as worded in the draft's language (itself, or its translation for a pivoted draft)
        checked = check_citations(raw, passages, drafted_in, self.embedder.embed_queries, evidence,
                                  self.config.min_support, facts.in_language(drafted_in).text, facts,
                                  self._reread if self.config.translate_evidence else None)
        if not checked.citations:
            return self._quote_or_refuse(base, "no sentence of the answer is backed by the sentence it cites",
                                         passages, evidence, facts, timings, started, drafted_in)
        unanswered = missing_kind([c.sentence for c in checked.sentences if c.supported], drafted_in, facts,
                                  passage_names(evidence), self._common_words(),
                                  [c.evidence for c in checked.citations])
        if unanswered:
            return self._quote_or_refuse(base, f"the answer gives no {unanswered}, which the question asks for",
                                         passages, evidence, facts, timings, started, drafted_in)
        unmentioned = self._unmentioned(base, {c.passage.chunk.id: c.passage for c in checked.citations}.values())
        if unmentioned:
            return self._refuse(base, unmentioned, timings, started)
        # The lead passage holds the sentence closest to the question. An answer drawn only from the others was a
        # distractor's about as often as it was right (27 sets, session 25), unless a sentence it cites says nearly
        # as much of what the question asks as the best sentence of the prompt.
        lead = len(passages) if self.config.best_passage_last else 1
        if all(c.number != lead for c in checked.citations) and falls_short_of_best(
                [(c.evidence, c.passage.chunk.language) for c in checked.citations], evidence, facts):
            return self._quote_or_refuse(base, "the answer cites only passages after the closest one, in sentences that "
                                         "say less of what the question asks than another", passages, evidence, facts,
                                         timings, started, drafted_in)
        if self.config.quote_itemless_answers and not any(
                new_items(strip_markers(check.sentence), drafted_in, facts).count() for check in checked.sentences):
            # The checks verify an answer by its key items; one that adds none to the question ("what", "why", "how")
            # is backed only by shared words and similarity. Where a passage sentence answers the question closely,
            # its own words are shown instead: faithful by construction (README, session 28).
            quote = self._close_quote(facts, passages, evidence)
            if quote is not None:
                return self._quoted(base, quote, "the answer adds no figure, date, place or name that its citation "
                                    "could vouch for, and a passage sentence answers closely", timings, started)
        # a country copied from a passage in the other language is named as the answer's language names it; the
        # checks read the draft's own words (countries are matched by code across languages anyway)
        text = localise_countries(checked.text, drafted_in, [citation.passage.text for citation in checked.citations])
        return Done(replace(base, text=text, refused=False, citations=checked.citations,
                            sentences=checked.sentences, support_score=checked.support_score,
                            invalid_citations=checked.invalid_markers,
                            timings=replace(timings, total_s=time.perf_counter() - started)))

    def _unmentioned(self, base: Answer, cited: Iterable[Passage]) -> str | None:
        """Why the cited passages cannot answer: a publisher the question names that none of them is from, or a
        place or year the question names that neither they, the chunks around them nor their documents' dates
        mention; None when there is none."""
        cited = list(cited)
        context = [(text, p.chunk.language) for p in cited for text in self._context(p.chunk)]
        missing = missing_places(base.standalone_question, [text for text, _ in context],
                                 [self.index.documents[d].text for d in {p.chunk.document_id for p in cited}])
        absent = missing_years(base.standalone_question, base.language,
                               context + [(self._source_line(p, base.language), base.language) for p in cited])
        source = missing_source(base.standalone_question, self._publishers(), [p.chunk.document_id for p in cited],
                                [text for text, _ in context])
        if source:
            return f"the cited passages are not from {source}, which the question names"
        if not missing and not absent:
            return None
        named = ", ".join([*sorted(missing), *map(str, sorted(absent))])
        return f"the cited passages do not mention {named}, which the question asks about"

    def _short_verdict(self, base: Answer, raw: str, passages: Sequence[Passage],
                       evidence: Sequence[PassageEvidence], facts: QuestionFacts, timings: Timings,
                       started: float) -> Done:
        """The final short answer: the model's words where a prompt sentence about the question holds them
        and they are an item of the asked kind; otherwise a refusal with the reason."""
        span, numbers = read_short_answer(raw)
        found = find_span(span, numbers, passages, evidence)
        if found is None:
            return self._refuse(base, "the short answer's words stand in no sentence of the passages",
                                timings, started)
        which, position, span = found  # the words as the passage writes them
        reason = None
        language = evidence[which].language
        if any(is_echo(span, asked.text, language) for asked in facts.wordings_for(language)):
            reason = "the short answer only repeats the question's words"
        elif not talks_about_question(evidence, which, position, facts):
            reason = "the sentence that holds the short answer is not about what the question asks"
        elif unanswered := missing_kind([span], base.language, facts, passage_names(evidence), self._common_words()):
            reason = f"the answer gives no {unanswered}, which the question asks for"
        else:
            reason = self._unmentioned(base, [passages[which]])
        if reason:
            return self._refuse(base, reason, timings, started)
        short = short_answer(span, passages[which], evidence[which].sentences[position])
        return Done(replace(base, text=short.text, refused=False, citations=(short.citation,),
                            sentences=(short.check,), support_score=1.0,
                            timings=replace(timings, total_s=time.perf_counter() - started)))

    def _quote_or_refuse(self, base: Answer, reason: str, passages: Sequence[Passage],
                         evidence: Sequence[PassageEvidence], facts: QuestionFacts, timings: Timings,
                         started: float, drafted_in: str | None = None) -> Done:
        """Quote the passage sentence that clearly answers the question, or the one the draft (written in
        `drafted_in`) answered from (Config.located_quote), or refuse for `reason`."""
        quote = self._close_quote(facts, passages, evidence)
        if quote is None and self.config.located_quote and base.draft:
            quote = located_quote(base.draft, drafted_in or base.language, facts, passages, evidence,
                                  self._common_words())
            if quote is not None and self._unmentioned(base, [quote.citation.passage]):
                quote = None  # the quoted passage lacks a place, year or publisher the question names
            reason += "; the quoted sentence states the draft's key items" if quote is not None else ""
        if quote is None:
            if self.config.short_fallback and self.config.answer_style == "sentences":
                return self._short_or_refuse(base, reason, passages, evidence, facts, timings, started)
            return self._refuse(base, reason, timings, started)
        return self._quoted(base, quote, reason, timings, started)

    def _close_quote(self, facts: QuestionFacts, passages: Sequence[Passage],
                     evidence: Sequence[PassageEvidence]) -> Quote | None:
        """The passage sentence that clearly answers the question (qa.answer.fallback.extractive_answer), if any."""
        return extractive_answer(facts, passages, evidence, self.config.min_quote_score, self._common_words(),
                                 self.config.figure_quote_score)

    def _quoted(self, base: Answer, quote: Quote, reason: str, timings: Timings, started: float) -> Done:
        """The answer that shows `quote` (the source's own words with its citation) instead of the draft, for `reason`."""
        return Done(replace(base, text=quote.text, refused=False, extractive=True, citations=(quote.citation,),
                            sentences=(quote.check,), support_score=1.0, refusal_reason=f"quoted: {reason}",
                            timings=replace(timings, total_s=time.perf_counter() - started)))

    def _short_or_refuse(self, base: Answer, reason: str, passages: Sequence[Passage],
                         evidence: Sequence[PassageEvidence], facts: QuestionFacts, timings: Timings,
                         started: float) -> Done:
        """Ask the model for the passage's own words that answer (the short style); give them where the short
        answer's checks pass, else refuse for `reason`."""
        messages = answer_messages(base.standalone_question, passages, base.language,
                                   self._labels(passages, base.language), "short")
        text, _ = text_of(self.generator.stream(messages, max_tokens=SHORT_MAX_TOKENS))
        done = self._short_verdict(replace(base, draft=text.strip()), text, passages, evidence, facts, timings, started)
        if done.answer.refused:
            return self._refuse(base, f"{reason}; short answer: {done.answer.refusal_reason}", timings, started)
        return Done(replace(done.answer, draft=base.draft, extractive=True, refusal_reason=f"short: {reason}"))

    def _publishers(self) -> dict[str, tuple[str, frozenset[str]]]:
        """The collection's publishers by the word a question names them by (read once, on first use)."""
        if self._publisher_words is None:
            self._publisher_words = publishers_by_word({d: document.publisher
                                                        for d, document in self.index.documents.items()})
        return self._publisher_words

    def _common_words(self) -> frozenset[str]:
        """The words the collection also writes in lower case (read once, on the first check that needs them)."""
        if self._common is None:
            self._common = common_words(document.text for document in self.index.documents.values())
        return self._common

    def _labels(self, passages: Sequence[Passage], language: str) -> list[str]:
        """Each passage's source label for the prompt; a document's authors only with its first passage, and with
        `repeat_labels` off its later passages only "ebd." / "ibid."."""
        labels: list[str] = []
        seen: set[str] = set()
        for passage in passages:
            document = self.index.documents.get(passage.chunk.document_id)
            if document is None:
                labels.append("")
                continue
            if document.id in seen and not self.config.repeat_labels:
                labels.append(SAME_SOURCE[language])
                continue
            authors = document.authors if document.id not in seen else ""
            seen.add(document.id)
            labels.append(source_label(document.title, document.publisher, document.date, authors, language))
        return labels

    def _source_line(self, passage: Passage, language: str) -> str:
        """The citable metadata of the passage's document (publisher, date, authors)."""
        document = self.index.documents.get(passage.chunk.document_id)
        return source_line(document.publisher, document.date, document.authors, language) if document else ""

    def _evidence(self, passage: Passage, source: str) -> PassageEvidence:
        """The passage's sentences with their stored vectors (embedded now when the index has none)."""
        document = self.index.documents[passage.chunk.document_id]
        vectors = self.index.sentence_vectors
        rows = [row for row in self.index.chunk_sentences(passage.chunk)
                if passage.start <= self.index.sentences[row].start and self.index.sentences[row].end <= passage.end]
        if vectors is not None and rows:
            texts = tuple(document.text[self.index.sentences[r].start:self.index.sentences[r].end] for r in rows)
            opens = self.index.sentences[rows[0]].start == passage.chunk.start
            return PassageEvidence(_unmarked(texts, passage.chunk.is_footnote and opens), vectors[rows],
                                   passage.chunk.language, source, document.title)
        texts = tuple(s.text for s in split_sentences(passage.text, passage.chunk.language)) or (passage.text,)
        return PassageEvidence(_unmarked(texts, passage.chunk.is_footnote and passage.start == passage.chunk.start),
                               self.embedder.embed_passages(list(texts)), passage.chunk.language, source,
                               document.title)

    def _reread(self, evidence: PassageEvidence, language: str, claim: np.ndarray | None) -> PassageEvidence | None:
        """The passage translated into `language` by the model for checking a claim across languages: the sentence
        closest to the `claim` vector (every sentence without vectors; each translation costs the model a few
        seconds), the others kept as they are, as is a sentence whose translation fails; with the vectors. None
        when nothing could be translated. Translations are kept per sentence between questions."""
        chosen = set(range(len(evidence.sentences)))
        if claim is not None and evidence.vectors is not None and len(evidence.vectors):
            chosen = {int(np.argmax(evidence.vectors @ claim))}
        translated: list[str | None] = []
        for position, sentence in enumerate(evidence.sentences):
            if position not in chosen:
                translated.append(None)
                continue
            key = (sentence, language)
            if key not in self._sentence_translations:
                if len(self._sentence_translations) >= MAX_KEPT_TRANSLATIONS:
                    self._sentence_translations.clear()
                self._sentence_translations[key] = translate_sentence(self.generator, sentence, language)
            translated.append(self._sentence_translations[key])
        if not any(translated):
            return None
        sentences = tuple(text or original for text, original in zip(translated, evidence.sentences))
        return PassageEvidence(sentences, self.embedder.embed_passages(list(sentences)), language, evidence.source_line,
                               evidence.title)

    def _context(self, chunk: Chunk) -> list[str]:
        """The texts of `chunk` and its neighbours in the same document (what a reader sees around a citation)."""
        position = self._positions.get(chunk.id)
        if position is None:
            return [chunk.text]
        around = self.index.chunks[max(0, position - 1): position + 2]
        return [c.text for c in around if c.document_id == chunk.document_id]

    def _refuse(self, base: Answer, reason: str, timings: Timings, started: float) -> Done:
        return Done(replace(base, text=REFUSAL[base.language], refused=True,
                            refusal_reason=reason + (f" (draft: {base.draft})" if base.draft else ""),
                            timings=replace(timings, total_s=time.perf_counter() - started)))


_FOOTNOTE_NUMBER = re.compile(r"^\d{1,3}\s+(?=\D)")


def _unmarked(sentences: tuple[str, ...], footnote: bool) -> tuple[str, ...]:
    """A footnote's sentences without the footnote's own number ("6 NATO Secretary General … 13 January 2025"):
    that number counts notes, it is no figure an answer may cite."""
    if not footnote or not sentences:
        return sentences
    return (_FOOTNOTE_NUMBER.sub("", sentences[0]), *sentences[1:])
