"""Can the packaged model judge its own answers? A yes/no self-check measured on an eval run's answers.

For every answered question of one or more `qa eval` run folders, the packaged model is asked whether
the cited sentences state the answer (one of three prompt wordings), and P(yes) is read from the first
token's log-probabilities. Printed: the AUC of P(yes) between right and wrong answers (an answered
unanswerable question counts as wrong), how many of each a threshold would keep, and the prompt
tokens and seconds per check. A check worth adding to the answer path must keep nearly every right
answer while dropping most wrong ones.

    python benchmarks/self_check.py runs/r18-dev runs/r18-test [--wording source|claim|verdict]

Leaves out: running the check inside the pipeline (it was measured here and not built; see README).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.config import load_config  # noqa: E402
from qa.models import llama_internals  # noqa: E402
from qa.models.model_files import ensure_model  # noqa: E402

SYSTEM = {
    "source": "You check answers against a source. Reply with yes or no only.",
    "claim": "You are a careful fact checker. Reply with yes or no only.",
    "verdict": "You are a careful fact checker. Reply with yes or no only.",
}


def prompt(wording: str, source: str, question: str, answer: str) -> str:
    if wording == "source":
        return (f"Source: {source}\n\nQuestion: {question}\nAnswer: {answer}\n\n"
                "Does the source itself state this answer to the question? Reply yes or no.")
    if wording == "claim":
        return (f"Source: {source}\n\nClaim: {answer}\n\nIs every part of the claim stated in the source "
                "(people, places, dates, numbers, and how they relate)? Reply yes or no.")
    return (f"Source: {source}\n\nQuestion: {question}\n\nProposed answer: {answer}\n\nRead the source carefully. "
            "Is the proposed answer correct according to the source alone? Reply yes or no.")


def p_yes(llm: Any, system: str, user: str) -> tuple[float, int]:
    out = llm.create_chat_completion([{"role": "system", "content": system}, {"role": "user", "content": user}],
                                     max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=10)
    mass = {"yes": 0.0, "no": 0.0}
    for top in out["choices"][0]["logprobs"]["content"][0]["top_logprobs"]:
        word = top["token"].strip().lower()
        if word in mass:
            mass[word] += math.exp(top["logprob"])
    return mass["yes"] / (mass["yes"] + mass["no"] + 1e-9), out["usage"]["prompt_tokens"]


def auc(right: list[float], wrong: list[float]) -> float:
    pairs = [(a > b) + 0.5 * (a == b) for a in right for b in wrong]
    return sum(pairs) / len(pairs) if pairs else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="qa eval run folders (with results.jsonl)")
    parser.add_argument("--wording", choices=sorted(SYSTEM), default="source")
    args = parser.parse_args(argv)
    llama_internals.load_cpu_backends()
    from llama_cpp import Llama

    config = load_config(ROOT)
    llm = Llama(model_path=str(ensure_model(config)), n_ctx=2048, n_threads=config.n_threads, verbose=False,
                logits_all=True)
    checked: list[dict[str, Any]] = []
    for run in args.runs:
        for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["refused"]:
                continue
            source = " ".join(dict.fromkeys(citation["text"] for citation in record["citations"]))
            answer = re.sub(r"\s*\[\d+\]", "", record["answer"])
            started = time.perf_counter()
            p, tokens = p_yes(llm, SYSTEM[args.wording], prompt(args.wording, source, record["question"], answer))
            checked.append({"right": bool(record["correct"] and record["answerable"]), "p": p, "tokens": tokens,
                            "s": time.perf_counter() - started})
    right = [c["p"] for c in checked if c["right"]]
    wrong = [c["p"] for c in checked if not c["right"]]
    print(f"wording {args.wording}: {len(right)} right and {len(wrong)} wrong answers; AUC {auc(right, wrong):.2f}")
    for threshold in (0.5, 0.7, 0.8):
        print(f"  P(yes) >= {threshold}: keeps {sum(p >= threshold for p in right)} of {len(right)} right, "
              f"{sum(p >= threshold for p in wrong)} of {len(wrong)} wrong")
    print(f"  prompt tokens p50 {statistics.median(c['tokens'] for c in checked):.0f}, "
          f"seconds per check p50 {statistics.median(c['s'] for c in checked):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
