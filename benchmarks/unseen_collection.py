"""A document collection the product was never tuned on: 36 XQuAD paragraphs, 44 questions, run by `qa eval`'s code.

From the public bilingual XQuAD set (read in place from ../shared/datasets/xquad,
never copied into the repo) it writes into --out:

- `seeds/`: 36 Wikipedia paragraphs from 12 articles, 3 per article, each its own
  `xq_<article>_<n>.txt` (n = the paragraph's number in the article), plus a
  `sources.toml` in the product's format. The articles alternate between the
  German and the English text, so 18 documents are German and 18 English.
- `questions.jsonl` in the format of eval/questions.jsonl: one answerable
  question per paragraph (one with a short answer span, at most 6 words, where
  the paragraph has one); in each document language half are asked in the other
  language (XQuAD is parallel: question i of xquad.de.json is question i of
  xquad.en.json), tagged "cross-lingual" or "same-language"; the facts are the
  answer span in the paragraph's language and in the other one. Plus 8
  unanswerable questions from 8 other articles that are not in the collection.
- with --near-misses N, `near_misses.jsonl`: N unanswerable questions per article
  of the collection, on its topic but about one of its paragraphs that is not
  in the collection (XQuAD questions whose answer, in either language, stands
  in no document of the collection, nor does any number of it). These are the
  hard refusals: the passages are on the question's topic and do not hold the
  answer. Unless --prepare-only they are answered too, into out/run-near-misses.

The choice is deterministic (--seed). Then, unless --prepare-only, it indexes
the collection in out/index and runs the evaluation through
`qa.evaluate.run.run_eval` into out/run: with the product's Pipeline, or with
--naive the naive-RAG baseline of benchmarks/naive_rag.py (into out/naive).

    python benchmarks/unseen_collection.py --out runs/unseen                 # the product
    python benchmarks/unseen_collection.py --out runs/unseen --naive         # the naive baseline
    python benchmarks/unseen_collection.py --out /tmp/unseen --prepare-only  # only write seeds and questions
    python benchmarks/unseen_collection.py --out /tmp/unseen --embedder hashing --generator extractive

Leaves out: SQuAD exact match / F1 of short answers (benchmarks/answers_xquad.py)
and retrieval over the whole XQuAD pool (benchmarks/retrieval_xquad.py).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from naive_rag import add_model_arguments, as_pipeline, build_naive, print_summary  # noqa: E402

from qa.config import load_config  # noqa: E402

DEFAULT_XQUAD = ROOT.parent / "shared" / "datasets" / "xquad"
LANGUAGES = ("de", "en")
SEED = 12
ARTICLES = 12
PARAGRAPHS_PER_ARTICLE = 3
UNANSWERABLE = 8
MAX_ANSWER_WORDS = 6
NEAR_MISSES_FILE = "near_misses.jsonl"
PUBLISHER = "Wikipedia (XQuAD)"
PARAGRAPH_WORD = {"de": "Absatz", "en": "paragraph"}


@dataclass(frozen=True)
class ParallelQuestion:
    """One XQuAD question with its answer span, in both languages."""

    id: str
    question: dict[str, str]
    answer: dict[str, str]

    def short(self) -> bool:
        return all(len(self.answer[language].split()) <= MAX_ANSWER_WORDS for language in LANGUAGES)


@dataclass(frozen=True)
class ParallelParagraph:
    """One XQuAD paragraph in both languages; `number` counts from 1 within its article."""

    article: str
    number: int
    text: dict[str, str]
    questions: tuple[ParallelQuestion, ...]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.article.lower()).strip("_")

    def file_name(self) -> str:
        return f"xq_{self.slug}_{self.number}.txt"

    def answerable_questions(self) -> list[ParallelQuestion]:
        """Questions whose answer span occurs in the paragraph in both languages; short ones when there are any."""
        found = [q for q in self.questions if all(q.answer[lang] in self.text[lang] for lang in LANGUAGES)]
        return [q for q in found if q.short()] or found


def load_parallel(folder: Path) -> list[list[ParallelParagraph]]:
    """XQuAD's articles, each a list of its paragraphs in German and English (checked to be parallel)."""
    data = {lang: json.loads((folder / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"]
            for lang in LANGUAGES}
    articles: list[list[ParallelParagraph]] = []
    for de_article, en_article in zip(data["de"], data["en"], strict=True):
        paragraphs = []
        for number, (de, en) in enumerate(zip(de_article["paragraphs"], en_article["paragraphs"], strict=True), 1):
            questions = tuple(
                ParallelQuestion(id=q_en["id"], question={"de": q_de["question"], "en": q_en["question"]},
                                 answer={"de": q_de["answers"][0]["text"], "en": q_en["answers"][0]["text"]})
                for q_de, q_en in zip(de["qas"], en["qas"], strict=True) if q_de["id"] == q_en["id"])
            paragraphs.append(ParallelParagraph(en_article["title"].replace("_", " "), number,
                                                {"de": de["context"], "en": en["context"]}, questions))
        articles.append(paragraphs)
    return articles


@dataclass(frozen=True)
class Collection:
    """The chosen documents (paragraph and the language it is written out in) and the question lines."""

    documents: tuple[tuple[ParallelParagraph, str], ...]
    questions: tuple[dict[str, Any], ...]


def _question_line(qid: str, item: ParallelQuestion, language: str, tags: list[str],
                   source: tuple[ParallelParagraph, str] | None) -> dict[str, Any]:
    facts: list[list[str]] = []
    if source is not None:
        spans = [item.answer[source[1]], item.answer[_other(source[1])]]
        facts = [[span for n, span in enumerate(spans) if span.casefold() not in map(str.casefold, spans[:n])]]
    return {"id": qid, "question": item.question[language], "lang": language, "answerable": source is not None,
            "sources": [source[0].file_name()] if source else [], "facts": facts,
            "answer": item.answer[language] if source else "", "tags": tags}


def _other(language: str) -> str:
    return "en" if language == "de" else "de"


def choose_collection(articles: Sequence[Sequence[ParallelParagraph]], seed: int = SEED) -> Collection:
    """Pick the articles, paragraphs and questions (deterministic for `seed`).

    Articles alternate German / English; within each document language every
    second paragraph gets its question in the other language.
    """
    rng = random.Random(seed)
    order = list(range(len(articles)))
    rng.shuffle(order)
    usable = [i for i in order
              if sum(bool(p.answerable_questions()) for p in articles[i]) >= PARAGRAPHS_PER_ARTICLE]
    if len(usable) < ARTICLES + UNANSWERABLE:
        raise ValueError(f"XQuAD has only {len(usable)} usable articles; {ARTICLES + UNANSWERABLE} are needed")
    documents: list[tuple[ParallelParagraph, str]] = []
    questions: list[dict[str, Any]] = []
    asked = {language: 0 for language in LANGUAGES}
    for position, article in enumerate(usable[:ARTICLES]):
        language = LANGUAGES[position % 2]
        candidates = [p for p in articles[article] if p.answerable_questions()]
        for paragraph in sorted(rng.sample(candidates, PARAGRAPHS_PER_ARTICLE), key=lambda p: p.number):
            cross = asked[language] % 2 == 1
            asked[language] += 1
            item = rng.choice(paragraph.answerable_questions())
            documents.append((paragraph, language))
            questions.append(_question_line(
                f"xq-{len(questions) + 1:02d}", item, _other(language) if cross else language,
                ["cross-lingual" if cross else "same-language", "xquad", paragraph.slug], (paragraph, language)))
    for position, article in enumerate(usable[ARTICLES:ARTICLES + UNANSWERABLE]):
        paragraph = rng.choice([p for p in articles[article] if p.answerable_questions()])
        item = rng.choice(paragraph.answerable_questions())
        questions.append(_question_line(f"xq-none-{position + 1}", item, LANGUAGES[position % 2],
                                        ["unanswerable", "xquad", paragraph.slug], None))
    return Collection(tuple(documents), tuple(questions))


def near_miss_questions(articles: Sequence[Sequence[ParallelParagraph]], collection: Collection,
                        per_article: int = 1, seed: int = SEED) -> list[dict[str, Any]]:
    """Unanswerable questions on the collection's topics: per article of the collection, `per_article` XQuAD
    questions about its paragraphs that are left out, whose answer span (German or English, any case) stands
    in no document of the collection, nor any number of it (deterministic for `seed`). The asked language
    alternates between the article's document language and the other."""
    rng = random.Random(seed * 7919 + per_article)
    written = " ".join(paragraph.text[language] for paragraph, language in collection.documents).casefold()
    numbers = set(re.findall(r"\d+", written))
    chosen = {paragraph.file_name() for paragraph, _ in collection.documents}
    article_language = {paragraph.article: language for paragraph, language in collection.documents}
    questions: list[dict[str, Any]] = []
    for article in articles:
        language = article_language.get(article[0].article)
        if language is None:
            continue
        candidates = [item for paragraph in article if paragraph.file_name() not in chosen for item in paragraph.questions
                      if not any(item.answer[lang].casefold() in written for lang in LANGUAGES)
                      and not set(re.findall(r"\d+", " ".join(item.answer.values()))) & numbers]
        for item in rng.sample(candidates, min(per_article, len(candidates))):
            asked = language if len(questions) % 2 == 0 else _other(language)
            line = _question_line(f"nm-{len(questions) + 1:02d}", item, asked,
                                  ["unanswerable", "near-miss", "xquad", article[0].slug], None)
            questions.append(line | {"xquad_answer": item.answer[asked]})
    return questions


def collection_articles(articles: Sequence[Sequence[ParallelParagraph]], seed: int = SEED) -> set[str]:
    """The slugs of the articles the collection of `seed` uses, those of its unanswerable questions included
    (other benchmarks leave them out, so the collection stays unseen)."""
    return {line["tags"][-1] for line in choose_collection(articles, seed).questions}


def write_collection(collection: Collection, out: Path) -> tuple[Path, Path]:
    """Write seeds/ (documents and sources.toml) and questions.jsonl into `out`; return both paths."""
    seeds = out / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    names = {paragraph.file_name() for paragraph, _ in collection.documents}
    for stale in seeds.glob("xq_*.txt"):
        if stale.name not in names:
            stale.unlink()  # from a run with another seed
    entries = []
    for paragraph, language in collection.documents:
        (seeds / paragraph.file_name()).write_text(paragraph.text[language] + "\n", encoding="utf-8")
        title = f"{paragraph.article} ({PARAGRAPH_WORD[language]} {paragraph.number})"
        # A JSON string is a valid TOML basic string.
        entries.append(f'["{paragraph.file_name()}"]\ntitle = {json.dumps(title, ensure_ascii=False)}\n'
                       f'publisher = "{PUBLISHER}"\ndate = ""\nlanguage = "{language}"\n')
    header = "# Written by benchmarks/unseen_collection.py from XQuAD (CC BY-SA 4.0); do not edit.\n\n"
    (seeds / "sources.toml").write_text(header + "\n".join(entries), encoding="utf-8")
    questions_file = out / "questions.jsonl"
    questions_file.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in collection.questions),
                              encoding="utf-8")
    return seeds, questions_file


def prepare(xquad: Path, out: Path, seed: int = SEED, near_misses: int = 0) -> tuple[Path, Path]:
    """Choose the collection from the XQuAD files in `xquad` and write it into `out`; with `near_misses` also
    out/near_misses.jsonl (near_miss_questions)."""
    articles = load_parallel(xquad)
    collection = choose_collection(articles, seed)
    if near_misses:
        lines = near_miss_questions(articles, collection, near_misses, seed)
        (out / NEAR_MISSES_FILE).parent.mkdir(parents=True, exist_ok=True)
        (out / NEAR_MISSES_FILE).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in lines),
                                            encoding="utf-8")
    return write_collection(collection, out)


def main(argv: Sequence[str] | None = None) -> int:
    from qa.evaluate.questions import load_questions
    from qa.evaluate.run import run_eval
    from qa.models.cached import CachedGenerator
    from qa.models.generator import build_generator
    from qa.pipeline import Pipeline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="folder for seeds/, questions.jsonl, index/ and runs")
    parser.add_argument("--xquad", type=Path, default=DEFAULT_XQUAD, help=f"XQuAD folder (default {DEFAULT_XQUAD})")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the choice of articles and questions")
    parser.add_argument("--prepare-only", action="store_true", help="write seeds and questions, do not evaluate")
    parser.add_argument("--naive", action="store_true", help="run the naive-RAG baseline instead of the product")
    parser.add_argument("--run-name", help="run folder inside --out (default: run, or naive with --naive)")
    parser.add_argument("--near-misses", type=int, default=0, metavar="N",
                        help=f"also write {NEAR_MISSES_FILE}: N unanswerable questions per article on the collection's "
                             "topic, and answer them into run-near-misses (default 0: none)")
    add_model_arguments(parser)
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if not (args.xquad / "xquad.de.json").is_file():
        print(f"error: no XQuAD files in {args.xquad}; pass --xquad FOLDER", file=sys.stderr)
        return 2
    seeds, questions_file = prepare(args.xquad, out, args.seed, args.near_misses)
    print(f"Wrote {seeds} and {questions_file}" + (f" and {out / NEAR_MISSES_FILE}" if args.near_misses else ""))
    if args.prepare_only:
        return 0
    config = load_config(ROOT, overrides={"seeds_dir": seeds, "index_dir": out / "index",
                                          "generator": args.generator, "embedder": args.embedder})
    run_dir = out / (args.run_name or ("naive" if args.naive else "run"))
    if args.naive:
        pipeline = as_pipeline(build_naive(config, cache_dir=run_dir, draft_cache=args.draft_cache))
    else:
        generator = CachedGenerator(build_generator(config), args.draft_cache) if args.draft_cache else None
        pipeline = Pipeline(config, generator=generator)
        pipeline.ensure_index()
    runs = [(questions_file, run_dir)]
    if args.near_misses:
        runs.append((out / NEAR_MISSES_FILE, run_dir.with_name(run_dir.name + "-near-misses")))
    for asked, folder in runs:
        questions, _ = load_questions(asked)
        questions = questions[: args.limit] if args.limit else questions
        try:
            summary = run_eval(pipeline, questions, folder, resume=not args.no_resume, question_file=asked)
        except KeyboardInterrupt:
            print(f"interrupted; run the same command again to continue in {folder}", file=sys.stderr)
            return 130
        print_summary(summary, pipeline.generator, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
