"""Serve a GGUF chat model over the OpenAI API with llama-cpp-python's own server (`llama_cpp.server`).

    python -m qa.models.llama_server --port 8001 [--host 127.0.0.1] [any llama_cpp.server flag]

Without `--model` it serves the packaged model (assembled by
qa.models.model_files, as for the in-process generator) under the name of
its file, with n_ctx and n_threads from the Config. It exists because the
Makefile builds llama.cpp with runtime CPU dispatch: `python -m
llama_cpp.server` alone does not find the CPU backends, so this registers
them first (qa.models.llama_internals.load_cpu_backends) and then runs that
server unchanged, except that a request arriving while another streams waits
instead of cutting that one short (`--interrupt_requests false`). One process
generates one answer at a time: start one per answer that should run at once
and give all their URLs to `--openai-base-url`.

Leaves out: the HTTP server itself (llama_cpp.server, uvicorn).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"


def server_arguments(argv: Sequence[str]) -> list[str]:
    """`argv` with the defaults added that it does not set: model, its name, host, n_ctx, n_threads."""
    from qa.config import load_config

    arguments = list(argv)
    given = {argument.split("=", 1)[0] for argument in arguments if argument.startswith("--")}
    config = load_config()
    if "--model" not in given:
        from qa.models.model_files import ensure_model

        model = ensure_model(config)
        arguments += ["--model", str(model)]
    else:
        model = Path(arguments[arguments.index("--model") + 1]) if "--model" in arguments else Path("model")
    # interrupt_requests (llama_cpp.server's default: on) ends a stream early when a second request arrives at
    # the same process (two answers at once on fewer free servers, or a pool shared by several apps): the
    # first answer then fails as cut off (no finish reason) and its server is set aside. Off, the second
    # request waits for the first.
    defaults = {"--model_alias": model.stem, "--host": DEFAULT_HOST, "--n_ctx": str(config.n_ctx),
                "--n_threads": str(config.n_threads), "--n_threads_batch": str(config.n_threads),
                "--interrupt_requests": "false"}
    for flag, value in defaults.items():
        if flag not in given:
            arguments += [flag, value]
    return arguments


def main(argv: Sequence[str] | None = None) -> None:
    """Register the CPU backends, then run llama_cpp.server with `argv` plus the defaults."""
    from qa.errors import QAError, format_error
    from qa.models.llama_internals import load_cpu_backends

    try:
        arguments = server_arguments(sys.argv[1:] if argv is None else argv)
    except QAError as error:
        print(format_error(error), file=sys.stderr)
        raise SystemExit(error.exit_code) from error
    load_cpu_backends()
    from llama_cpp.server.__main__ import main as serve

    sys.argv = ["llama_cpp.server", *arguments]
    serve()


if __name__ == "__main__":
    main()
