"""Fast tests of the benchmark scripts: the naive-RAG baseline and the unseen XQuAD collection.

The baseline runs on the fakes (hashing embedder, extractive or scripted
generator) over the tiny seeds; the collection is built from the XQuAD files
in ../shared/datasets/xquad (skipped when they are absent). Everything is
written under tmp_path. Leaves out: runs on the real models (the user runs
those; see the scripts' docstrings).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from qa.answer.prompts import REFUSAL
from qa.config import Config
from qa.evaluate.metrics import fact_hits, is_cross_lingual
from qa.evaluate.questions import load_questions
from qa.evaluate.run import run_eval
from qa.ingest.documents import load_documents, read_metadata
from qa.models.embedders import HashingEmbedder
from qa.models.generator import Stream, Usage
from qa.text.markers import strip_markers
from qa.types import Document, Message

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import answers_xquad  # noqa: E402
import naive_rag  # noqa: E402
import retrieval_xquad  # noqa: E402
import translation_xquad  # noqa: E402
import unseen_collection  # noqa: E402

XQUAD = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "xquad"


class ScriptedGenerator:
    """Answers every prompt with a fixed draft, so the baseline's reading of the model's text is tested."""

    name = "scripted"

    def __init__(self, draft: str) -> None:
        self.draft = draft
        self.messages: list[Message] = []

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to release."""

    def stream(self, messages: Sequence[Message], *, max_tokens: int, stop: Sequence[str] = ()) -> Stream:
        self.messages = list(messages)
        if self.draft:
            yield self.draft
        yield Usage(10, len(self.draft.split()), 0.0, 0.0)


class CountingEmbedder(HashingEmbedder):
    """The hashing fake, counting the passages it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.passages_embedded = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return super().embed_passages(texts)


def test_word_chunks_are_overlapping_slices_of_the_cleaned_text() -> None:
    text = " ".join(f"w{i}" for i in range(50)) + "\n\nEnde."
    document = Document(id="d.txt", title="d", text=text, blocks=(), language="de", content_hash="")
    chunks = naive_rag.word_chunks(document, words=20, overlap=5)
    assert [len(c.text.split()) for c in chunks] == [20, 20, 20, 6]
    assert all(document.text[c.start:c.end] == c.text for c in chunks)
    assert chunks[1].text.split()[:5] == chunks[0].text.split()[-5:]
    assert chunks[-1].text.endswith("Ende.")


@pytest.mark.parametrize(("question", "fact", "document_id"), [
    ("Wann wurde die NATO gegründet?", "1949", "de_nato.txt"),
    ("How many years was Mark Rutte Prime Minister of the Netherlands?", "13 years", "en_rutte.txt"),
])
def test_naive_baseline_answers_and_cites_the_right_document(fake_config: Config, tmp_path: Path, question: str,
                                                             fact: str, document_id: str) -> None:
    naive = naive_rag.NaiveRag(fake_config, cache_dir=tmp_path / "run")
    answer = naive.answer(question)
    assert not answer.refused
    assert fact in answer.text
    assert {c.passage.chunk.document_id for c in answer.citations} == {document_id}
    assert all(c.supported for c in answer.citations)
    assert [h.rank for h in answer.hits] == [1, 2, 3]  # three tiny documents: one word chunk each
    scores = [h.dense_score or 0.0 for h in answer.hits]
    assert scores == sorted(scores, reverse=True)
    assert [p.number for p in answer.passages] == [1, 2, 3]
    assert answer.hits[0].chunk.document_id == document_id
    assert 0 < answer.timings.first_token_s <= answer.timings.total_s


def test_naive_baseline_takes_markers_on_trust_and_refuses_only_on_the_refusal_phrase(fake_config: Config) -> None:
    wrong = ScriptedGenerator("Die NATO wurde 1950 gegründet [2]. Sie hat 30 Mitglieder [9].")
    answer = naive_rag.NaiveRag(fake_config, generator=wrong).answer("Wann wurde die NATO gegründet?")
    assert not answer.refused  # no check: a wrong figure with a citation passes
    assert [c.number for c in answer.citations] == [2]
    assert answer.invalid_citations == 1
    system, user = wrong.messages
    assert system.role == "system" and REFUSAL["de"] in system.content
    assert "Frage: Wann wurde die NATO gegründet?" in user.content and "[1] " in user.content

    for draft in ("", REFUSAL["en"]):
        refused = naive_rag.NaiveRag(fake_config, generator=ScriptedGenerator(draft)).answer("Who leads NATO?")
        assert refused.refused and not refused.citations


def test_run_eval_scores_the_naive_baseline_and_vectors_are_cached(fake_config: Config, tmp_path: Path) -> None:
    questions_file = tmp_path / "questions.jsonl"
    lines = [
        {"id": "de1", "question": "Wann wurde die NATO gegründet?", "lang": "de", "answerable": True,
         "sources": ["de_nato.txt"], "facts": [["1949"]]},
        {"id": "en1", "question": "How many years was Mark Rutte Prime Minister of the Netherlands?", "lang": "en",
         "answerable": True, "sources": ["en_rutte.txt"], "facts": [["13 years"]]},
    ]
    questions_file.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    questions, problems = load_questions(questions_file)
    assert not problems
    out = tmp_path / "run"
    embedder = CountingEmbedder()
    naive = naive_rag.NaiveRag(fake_config, embedder=embedder, cache_dir=out)
    summary = run_eval(naive_rag.as_pipeline(naive), questions, out, progress=False, question_file=questions_file)
    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["de1", "en1"]
    assert all(r["correct"] for r in records)
    assert [r["citations"][0]["document_id"] for r in records] == ["de_nato.txt", "en_rutte.txt"]
    assert summary["overall"]["answer_correct"] == 1.0
    assert summary["model"] == {"generator": "extractive", "generator_name": "extractive", "model_path": "",
                                "embedder": "hashing-256"}
    assert (out / "summary.json").is_file() and (out / "report.html").is_file()

    embedded = embedder.passages_embedded
    assert embedded == 3 and len(list(out.glob("naive-vectors-*.npy"))) == 1
    again = naive_rag.NaiveRag(fake_config, embedder=embedder, cache_dir=out)
    assert len(again.index.chunks) == 3 and embedder.passages_embedded == embedded  # read from the .npy file


@pytest.fixture(scope="module")
def unseen(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"the XQuAD data set is not at {XQUAD}")
    return unseen_collection.prepare(XQUAD, tmp_path_factory.mktemp("unseen"))


def test_unseen_collection_has_the_planned_split(unseen: tuple[Path, Path]) -> None:
    seeds, questions_file = unseen
    metadata = read_metadata(seeds / "sources.toml")
    assert len(list(seeds.glob("xq_*.txt"))) == 36 and set(metadata) == {p.name for p in seeds.glob("xq_*.txt")}
    assert Counter(entry["language"] for entry in metadata.values()) == {"de": 18, "en": 18}
    assert {entry["publisher"] for entry in metadata.values()} == {"Wikipedia (XQuAD)"}
    articles = Counter(name.rsplit("_", 1)[0] for name in metadata)
    assert len(articles) == 12 and set(articles.values()) == {3}

    questions, problems = load_questions(questions_file)
    assert not problems and len(questions) == 44
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    assert len(answerable) == 36 and len(unanswerable) == 8
    assert all(not q.sources and not q.facts for q in unanswerable)
    assert not {q.tags[-1] for q in unanswerable} & {f"{name[3:]}" for name in articles}  # other articles
    documents = {d.id: d for d in load_documents(seeds)[0]}
    assert sorted(q.sources[0] for q in answerable) == sorted(documents)  # one question per paragraph
    assert sum("cross-lingual" in q.tags for q in answerable) == 18
    for question in answerable:
        assert ("cross-lingual" in question.tags) == is_cross_lingual(question.language, question.sources, documents)
    assert Counter(q.language for q in questions) == {"de": 22, "en": 22}


def test_unseen_collection_facts_occur_in_their_cleaned_paragraph(unseen: tuple[Path, Path]) -> None:
    seeds, questions_file = unseen
    documents = {d.id: d for d in load_documents(seeds)[0]}
    questions, _ = load_questions(questions_file)
    for question in (q for q in questions if q.answerable):
        assert len(question.facts) == 1
        assert fact_hits(documents[question.sources[0]].text, question.facts) == [True], question.id


def test_unseen_collection_is_deterministic() -> None:
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"the XQuAD data set is not at {XQUAD}")
    articles = unseen_collection.load_parallel(XQUAD)
    assert unseen_collection.choose_collection(articles) == unseen_collection.choose_collection(articles)
    assert unseen_collection.choose_collection(articles, seed=1) != unseen_collection.choose_collection(articles)


def test_near_misses_ask_about_the_collections_articles_what_no_document_answers(tmp_path: Path) -> None:
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"the XQuAD data set is not at {XQUAD}")
    seeds, _ = unseen_collection.prepare(XQUAD, tmp_path, near_misses=2)
    questions, problems = load_questions(tmp_path / unseen_collection.NEAR_MISSES_FILE)
    assert not problems and 12 < len(questions) <= 2 * unseen_collection.ARTICLES
    documents = load_documents(seeds)[0]
    written = " ".join(document.text for document in documents).casefold()
    slugs = {document.id[3:].rsplit("_", 1)[0] for document in documents}
    lines = [json.loads(line) for line in (tmp_path / unseen_collection.NEAR_MISSES_FILE).read_text().splitlines()]
    assert all(not q.answerable and not q.facts and "near-miss" in q.tags for q in questions)
    assert {q.tags[-1] for q in questions} <= slugs and len({q.tags[-1] for q in questions}) > 6  # on the topics
    for line in lines:
        assert line["xquad_answer"].casefold() not in written, line  # no document holds the answer
    assert min(Counter(q.language for q in questions).values()) >= len(questions) // 3  # asked in both languages
    again = unseen_collection.near_miss_questions(unseen_collection.load_parallel(XQUAD), unseen_collection.choose_collection(
        unseen_collection.load_parallel(XQUAD)), 2)
    assert [line["question"] for line in again] == [line["question"] for line in lines]  # deterministic


def test_unseen_collection_answers_its_near_misses_into_their_own_run(tmp_path: Path) -> None:
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"the XQuAD data set is not at {XQUAD}")
    assert unseen_collection.main(["--out", str(tmp_path), "--near-misses", "1", "--limit", "2",
                                   "--embedder", "hashing", "--generator", "extractive"]) == 0
    answered = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    near = [json.loads(line) for line in (tmp_path / "run-near-misses" / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in answered] == ["xq-01", "xq-02"] and [r["id"] for r in near] == ["nm-01", "nm-02"]
    assert all(r["answerable"] is False for r in near)


def test_xquad_benchmark_gives_the_same_figures_on_milvus_as_on_faiss(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`retrieval_xquad.py --store milvus` on the hashing fake and 40 questions per language: every figure of
    every retriever equals the FAISS run (both ask with the cached vectors), plus the milvus-rrf rows."""
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"the XQuAD data set is not at {XQUAD}")
    monkeypatch.chdir(tmp_path)
    common = ["--embedder", "hashing", "--limit", "40", "--cache", str(tmp_path / "cache")]
    assert retrieval_xquad.main([*common, "--json", str(tmp_path / "faiss.json")]) == 0
    assert retrieval_xquad.main([*common, "--json", str(tmp_path / "milvus.json"), "--store", "milvus",
                                 "--milvus-uri", str(tmp_path / "xquad.db")]) == 0
    faiss, milvus = (json.loads((tmp_path / f"{store}.json").read_text()) for store in ("faiss", "milvus"))
    assert faiss["store"] == "faiss" and milvus["store"] == "milvus"
    for mode in ("hybrid", "dense", "bm25"):
        assert milvus[mode] == faiss[mode], mode
    assert set(milvus["milvus-rrf"]) == set(faiss["hybrid"]) and "milvus-rrf" not in faiss


def test_xquad_answers_in_the_short_style_are_words_of_the_cited_passage(tmp_path: Path) -> None:
    """`answers_xquad.py --answer-style short` on the fakes: the style is recorded with the figures, and every
    answer given is words that stand in the passage it cites (here the extractive fake copies whole sentences)."""
    if not (XQUAD / "xquad.de.json").is_file():
        pytest.skip(f"the XQuAD data set is not at {XQUAD}")
    figures_file, run = tmp_path / "figures.json", tmp_path / "run"
    assert answers_xquad.main(["--embedder", "hashing", "--generator", "extractive", "--n", "3", "--answer-style",
                               "short", "--min-dense-score", "0", "--index-dir", str(tmp_path / "index"),
                               "--out", str(run), "--json", str(figures_file)]) == 0
    result = json.loads(figures_file.read_text(encoding="utf-8"))
    assert result["answer_style"] == "short" and result["overall"]["n"] == 6
    records = [json.loads(line) for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    answered = [record for record in records if not record["refused"]]
    assert answered
    for record in answered:
        words = " ".join(strip_markers(record["answer"]).split()).casefold()
        assert len(record["citations"]) == 1
        assert words in " ".join(record["citations"][0]["text"].split()).casefold(), record["answer"]


def test_translation_benchmark_asks_only_questions_outside_the_unseen_collection() -> None:
    """benchmarks/translation_xquad.py: its question pairs come from articles the unseen collection does not use, and
    word recall is the share of the human translation's content words the model's translation holds."""
    pairs = translation_xquad.sample_pairs(XQUAD, 30, 7)
    articles = unseen_collection.load_parallel(XQUAD)
    unseen = unseen_collection.collection_articles(articles)
    assert len(unseen) == unseen_collection.ARTICLES + unseen_collection.UNANSWERABLE
    unseen_questions = {q.question["en"] for article in articles for p in article if p.slug in unseen
                        for q in p.questions}
    assert len(pairs) == 30 and not {pair["en"] for pair in pairs} & unseen_questions
    assert all(set(pair) == {"de", "en"} for pair in pairs)
    assert translation_xquad.word_recall("Wann wurde die Brücke eröffnet?", "Wann wurde die Brücke gebaut?", "de") == 0.5
    assert translation_xquad.word_recall(None, "Wann wurde die Brücke gebaut?", "de") == 0.0
