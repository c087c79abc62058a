"""The model smoke test behind `qa check` and `make install`: load the model in a child process and generate.

For generator "openai" it asks each model server for a few tokens instead.

A build of llama.cpp that cannot run on this CPU (an illegal instruction, a
crash in a kernel) fails here, at install, with the CPU's features and the
fix, instead of in the middle of a test run or a user's first question.

Leaves out: packages, index and model-file checks (the CLI's `check` does those).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.config import Config
from qa.errors import QAError
from qa.models.cpu import describe_cpu
from qa.models.generator import text_of
from qa.types import Message


@dataclass(frozen=True)
class GenerationCheck:
    """The outcome of the smoke test; speeds are None when the model did not run."""

    ok: bool
    generator: str
    cpu: str
    prompt_tokens_per_s: float | None = None
    generation_tokens_per_s: float | None = None
    sample: str = ""
    error: str | None = None
    hint: str = ""


def check_generation(config: Config) -> GenerationCheck:
    """Start the configured model in its own process, measure its speed and generate a few tokens."""
    cpu = describe_cpu()
    if config.generator == "openai":
        return _check_servers(config, cpu)
    if config.generator != "llama":
        return GenerationCheck(True, config.generator, cpu, sample="(a fake generator: nothing to load)")
    from qa.models.model_files import ensure_model
    from qa.models.process import ProcessGenerator

    try:
        generator = ProcessGenerator(ensure_model(config), n_ctx=1024, n_threads=config.n_threads)
    except QAError as error:
        return GenerationCheck(False, config.generator, cpu, error=error.message, hint=error.hint)
    try:
        speed = generator.speed()
        sample, _ = text_of(generator.stream([Message("user", "Sag Hallo auf Deutsch.")], max_tokens=8))
    except QAError as error:
        return GenerationCheck(False, config.generator, cpu, error=error.message, hint=error.hint)
    finally:
        generator.close()
    if not sample.strip():
        return GenerationCheck(False, config.generator, cpu, speed["prompt_tokens_per_s"],
                               speed["generation_tokens_per_s"], error="The model generated no text.",
                               hint="Delete the assembled model in the cache folder and run `make install` again.")
    return GenerationCheck(True, config.generator, cpu, round(speed["prompt_tokens_per_s"], 1),
                           round(speed["generation_tokens_per_s"], 1), sample.strip())


def _check_servers(config: Config, cpu: str) -> GenerationCheck:
    """Generate a few tokens on each model server of generator "openai", one by one, so a dead one shows."""
    from qa.models.generator import build_generator
    from qa.models.server_pool import split_urls

    samples = []
    try:
        for url in split_urls(config.openai_base_url, "openai_base_url"):
            generator = build_generator(config.replace(openai_base_url=url, openai_retries=0))
            samples.append(text_of(generator.stream([Message("user", "Sag Hallo auf Deutsch.")], max_tokens=8))[0])
            generator.close()
    except QAError as error:
        return GenerationCheck(False, config.generator, cpu, error=error.message, hint=error.hint)
    return GenerationCheck(True, config.generator, cpu, sample=" | ".join(sample.strip() for sample in samples))
