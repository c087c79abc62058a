"""Answer latency on this machine: the full pipeline against raw llama.cpp on the same prompt.

For a fixed list of German and English questions about the seeds it prints,
per question and as p50/p95: retrieval time (sources available), prompt
tokens, time to first token, generation tokens/s, total time; the peak memory
of both processes; and the raw llama.cpp time for the very same messages
without our pipeline, so the pipeline's overhead is visible. With an index
built without translations the pipeline's first token includes translating the
question (translate-test, `translate_s`), which raw llama.cpp on the answer
prompt does not do; with index-time translations (qa.index.translations) the
question is translated after the draft, for the checks only, so `translate_s`
then counts in the total time, not in the first token. The pipeline
runs the model as the product does, in its own process
(`qa.models.process`); raw llama.cpp runs in this process through the
in-process adapter (`qa.models.llama_cpp`), with the same settings and the
same fixed-prefix cache. Before every measured
call a short priming call leaves only the shared fixed prefix (system prompt
and worked example) in the KV cache, the steady state of a running chat, so
neither side profits from the other's cache.

    python benchmarks/answer_latency.py [--json FILE] [--questions N]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.answer.events import Done, Retrieved  # noqa: E402
from qa.answer.prompts import answer_messages  # noqa: E402
from qa.config import load_config  # noqa: E402
from qa.models.generator import Generator, Usage  # noqa: E402
from qa.models.llama_cpp import LlamaCppGenerator  # noqa: E402
from qa.models.process import ProcessGenerator  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.text.language import detect_language  # noqa: E402
from qa.types import Message  # noqa: E402

QUESTIONS = [
    "Was ist der Hub for the South?",
    "What did Stoltenberg say about Germany's defence spending?",
    "Welche Aufgaben hat der NATO-Generalsekretär?",
    "Which countries backed Rutte's candidacy?",
    "Wie viele Soldaten sieht das New Force Model insgesamt vor?",
    "How much military aid did NATO pledge to Ukraine in early 2025?",
    "Wann wurde die NATO gegründet?",
    "How long was Mark Rutte prime minister of the Netherlands?",
]


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _prime(generator: Generator, language: str) -> None:
    """Leave only the fixed prefix (system prompt and worked example, shared by every question) in the KV cache."""
    messages = answer_messages("-", [], language)
    for _ in generator.stream(messages, max_tokens=1):
        pass


def _raw(generator: LlamaCppGenerator, messages: list[Message], max_tokens: int) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = None
    tokens = 0
    for item in generator.stream(messages, max_tokens=max_tokens):
        if isinstance(item, Usage):
            tokens = item.completion_tokens
        else:
            first = first or time.perf_counter()
    end = time.perf_counter()
    return (first or end) - started, end - started, tokens


def _peak_rss_mb(pid: int) -> float:
    """The peak resident memory of process `pid` (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS), help="ask only the first N questions")
    args = parser.parse_args(argv)
    pipeline = Pipeline(load_config())
    pipeline.ensure_index()
    model = pipeline.generator
    assert isinstance(model, ProcessGenerator), "the benchmark measures the product's generator (generator = llama)"
    raw = LlamaCppGenerator(model.model_path, n_ctx=pipeline.config.n_ctx, n_threads=pipeline.config.n_threads)
    load_started = time.perf_counter()
    _prime(model, "de")
    print(f"model load + first call (model process): {time.perf_counter() - load_started:.1f} s")
    _prime(raw, "de")
    rows = []
    for question in QUESTIONS[: args.questions]:
        language = detect_language(question)
        _prime(model, language)
        retrieved_at = None
        started = time.perf_counter()
        for event in pipeline.answer_stream(question):
            if isinstance(event, Retrieved):
                retrieved_at = time.perf_counter() - started
                # the very prompt the pipeline sends: the same passages with the same source labels
                labels = pipeline.answerer._labels(event.passages, language)  # noqa: SLF001
                messages = answer_messages(event.standalone_question, event.passages, language, labels)
            elif isinstance(event, Done):
                answer = event.answer
        total = time.perf_counter() - started
        _prime(raw, language)
        raw_first, raw_total, raw_tokens = _raw(raw, messages, pipeline.config.max_tokens)
        t = answer.timings
        generation_rate = answer.completion_tokens / t.generation_s if t.generation_s > 0 else 0.0
        rows.append({
            "question": question, "refused": answer.refused, "sources_s": retrieved_at,
            "retrieval_s": t.retrieval_s, "translate_s": t.translate_s, "prompt_tokens": answer.prompt_tokens,
            "first_token_s": t.first_token_s, "tokens_per_s": generation_rate, "total_s": total,
            "completion_tokens": answer.completion_tokens, "raw_first_token_s": raw_first, "raw_total_s": raw_total,
            "raw_completion_tokens": raw_tokens,
        })
        print(f"{question[:58]:58} sources {retrieved_at:5.2f}s  prompt {answer.prompt_tokens:4d} tok  "
              f"first {t.first_token_s:5.1f}s  {generation_rate:4.1f} tok/s  total {total:5.1f}s  "
              f"raw first {raw_first:5.1f}s raw total {raw_total:5.1f}s{'  (refused)' if answer.refused else ''}")
    ratios = sorted(row["first_token_s"] / row["raw_first_token_s"] for row in rows if row["raw_first_token_s"] > 0)
    summary = {}
    for key in ("sources_s", "translate_s", "first_token_s", "total_s", "raw_first_token_s", "raw_total_s",
                "tokens_per_s", "prompt_tokens"):
        p50, p95 = _percentiles([float(row[key]) for row in rows])
        summary[key] = {"p50": p50, "p95": p95}
    answered = [row for row in rows if not row["refused"]]
    overhead = (sum(r["total_s"] for r in answered) / sum(r["raw_total_s"] for r in answered) - 1) if answered else None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the app side plus the raw model
    model_peak_mb = _peak_rss_mb(model.pid) if model.pid else 0.0
    print(f"\n{'figure':22} {'p50':>8} {'p95':>8}")
    for key, values in summary.items():
        print(f"{key:22} {values['p50']:8.2f} {values['p95']:8.2f}")
    if ratios:
        print(f"first token / raw llama.cpp first token, per question: median {statistics.median(ratios):.2f}x")
    if overhead is not None:
        print(f"pipeline overhead over raw llama.cpp (total time, answered questions): {overhead * 100:+.1f}%")
    print(f"peak memory (RSS): benchmark process {peak_mb:.0f} MB (with the raw model), model process "
          f"{model_peak_mb:.0f} MB")
    model.close()
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary, "overhead": overhead,
                                         "first_token_ratio_median": statistics.median(ratios) if ratios else None,
                                         "peak_rss_mb": peak_mb, "model_process_peak_rss_mb": model_peak_mb},
                                        indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
