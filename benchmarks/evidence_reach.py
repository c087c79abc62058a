"""Where the evidence gets lost, without generating answers: gold facts in the top chunks and in the prompt.

For every answerable question of a set this runs the product's own steps up
to the prompt (follow-up rewrite, translate-test unless the index holds index-time translations, hybrid retrieval, passage
choice) and reports the share whose gold facts are in the retrieved chunks
and in the passages the model would see, per language pair, with the prompt's
passage words. Several settings can be compared in one run (`--set` once per
setting, `;` between settings); the model is asked only for rewrites and
translations, and with `--draft-cache` those come from an earlier `qa eval`.

    python benchmarks/evidence_reach.py eval/questions.jsonl --draft-cache runs/drafts.jsonl \
        --set "" --set "sentence_score_margin=0.12" --set "passages_in_prompt=6;passage_words=200"

With `--gate 0.80 --gate 0.82` it also counts, over all questions, those the retrieval gate would refuse,
scored by the question's own similarity (the product's gate) and by its wording in each chunk's language.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answer.passages import choose_passages  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.evaluate.metrics import fact_hits, is_cross_lingual  # noqa: E402
from qa.evaluate.questions import Question, load_questions  # noqa: E402
from qa.models.generator import build_generator  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.retrieval import Retriever  # noqa: E402
from qa.text.language import detect_language  # noqa: E402
from qa.types import Query  # noqa: E402


def parse_setting(text: str) -> dict[str, str]:
    """ "a=1;b=2" -> {"a": "1", "b": "2"}; "" -> {} (the configured defaults)."""
    pairs = [part.split("=", 1) for part in text.split(";") if part.strip()]
    return {key.strip(): value.strip() for key, value in pairs}


def prepare(pipeline: Pipeline, questions: list[Question]) -> list[tuple[Question, str, str, Any, tuple[Query, ...]]]:
    """Per question: its language, standalone wording, vector and translations. The model's part (rewrite,
    translation) depends on no setting, so it is asked once per question."""
    answerer = pipeline.answerer
    prepared = []
    for question in questions:
        language = question.language or detect_language(question.question)
        standalone = answerer.rewrite(question.question, question.history, language)
        # with index-time translations the product finds passages without translating the question
        wordings = [] if pipeline.index.translations is not None else answerer.translate(standalone, language)
        vectors = pipeline.embedder.embed_queries([standalone, *(text for _, text in wordings)])
        translations = tuple(Query(text, target, vector) for (target, text), vector in zip(wordings, vectors[1:]))
        prepared.append((question, language, standalone, vectors[0], translations))
    return prepared


def print_gate(pipeline: Pipeline, retriever: Retriever, prepared: list[Any], thresholds: list[float]) -> None:
    """How many answerable and unanswerable questions the gate refuses at each threshold, scored by the best
    hit's similarity to the question itself (the product's gate) or to its wording in the hit's language."""
    index = pipeline.index
    positions = {chunk.id: position for position, chunk in enumerate(index.chunks)}
    scored = []
    for question, language, standalone, vector, translations in prepared:
        hits = retriever.search(standalone, language=language, query_vector=vector, translations=translations)
        wording = {query.language: query.vector for query in translations} | {language: vector}
        own = max((float(index.vectors[positions[hit.chunk.id]] @ wording.get(hit.chunk.language, vector))
                   for hit in hits), default=0.0)
        scored.append((question.answerable, max((hit.dense_score or 0.0 for hit in hits), default=0.0), own))
    answerable, unanswerable = sum(a for a, _, _ in scored), sum(not a for a, _, _ in scored)
    for threshold in thresholds:
        for name, column in (("question's own", 1), ("wording in the chunk's language", 2)):
            gated = [row[0] for row in scored if row[column] < threshold]
            print(f"gate {threshold:.2f} on the {name} similarity: answerable refused {sum(gated)}/{answerable}, "
                  f"unanswerable refused {len(gated) - sum(gated)}/{unanswerable}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--draft-cache", type=Path, help="replay rewrites and translations recorded by qa eval")
    parser.add_argument("--set", dest="settings", action="append", default=None,
                        help='config overrides, e.g. "passages_in_prompt=6;passage_words=200" ("" = defaults)')
    parser.add_argument("--misses", action="store_true", help="list the questions whose facts miss the prompt")
    parser.add_argument("--gate", type=float, action="append", default=[], metavar="T",
                        help="also count the questions the retrieval gate refuses at threshold T, scored by the "
                             "question's own similarity and by its wording in each chunk's language")
    args = parser.parse_args()

    base = load_config()
    generator = build_generator(base)
    if args.draft_cache:
        from qa.models.cached import CachedGenerator

        generator = CachedGenerator(generator, args.draft_cache)
    pipeline = Pipeline(base, generator=generator)
    pipeline.ensure_index()
    questions, problems = load_questions(args.questions)
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    documents = pipeline.index.documents
    answerer = pipeline.answerer
    everything = prepare(pipeline, questions)
    prepared = [item for item in everything if item[0].answerable and item[0].facts]

    print("| setting | facts in top chunks | facts in prompt passages | with source labels "
          "| cross-lingual / same language (passages) | passage words p50 / p90 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for setting in args.settings or [""]:
        config = base.replace(**parse_setting(setting)) if setting else base
        retriever = Retriever(pipeline.index, pipeline.embedder, config)
        in_chunks, in_prompt, with_labels, words, by_pair, misses = [], [], [], [], {True: [], False: []}, []
        for question, language, standalone, vector, translations in prepared:
            hits = retriever.search(standalone, top_k=max(config.top_k, config.passages_in_prompt), language=language,
                                    query_vector=vector, translations=translations)
            passages = choose_passages(pipeline.index, config, hits, standalone, language, vector, translations)
            chunk_text = " ".join(hit.chunk.text for hit in hits)
            prompt_text = " ".join(passage.text for passage in passages)
            labels = " ".join(answerer._labels(passages, language))  # noqa: SLF001 - the prompt's source labels
            found = all(fact_hits(prompt_text, question.facts))
            with_labels.append(all(fact_hits(prompt_text + " " + labels, question.facts)))
            in_chunks.append(all(fact_hits(chunk_text, question.facts)))
            in_prompt.append(found)
            words.append(len(prompt_text.split()))
            by_pair[is_cross_lingual(language, question.sources, documents)].append(found)
            if not found:
                misses.append(question.id + ("" if in_chunks[-1] else "*"))
        share = lambda flags: f"{100 * sum(flags) / len(flags):.1f}%" if flags else "–"  # noqa: E731
        deciles = statistics.quantiles(words, n=10)
        print(f"| {setting or 'defaults'} | {share(in_chunks)} | {share(in_prompt)} | {share(with_labels)} | "
              f"{share(by_pair[True])} / {share(by_pair[False])} | {statistics.median(words):.0f} / {deciles[8]:.0f} |")
        if args.misses:
            print(f"  missing from the prompt ({len(misses)}; * = not in the chunks either): {' '.join(misses)}")
    if args.gate:
        print_gate(pipeline, Retriever(pipeline.index, pipeline.embedder, base), everything, args.gate)
    if hasattr(generator, "hits"):
        print(f"draft cache: {generator.hits} replayed, {generator.misses} generated")


if __name__ == "__main__":
    main()
