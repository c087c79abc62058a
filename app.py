"""Start the web chat: `python app.py [--host H] [--port P] [--share] [--generator G] [--embedder E]`.

Thin edge: parses flags into Config overrides, builds the one Pipeline,
makes sure the index is fresh, starts loading the models in the background
and launches the Gradio app from qa.ui. Who may sign in and re-index is
decided by qa.ui.access before anything loads: on an address other than
127.0.0.1 the app refuses to start without credentials (QA_AUTH or
auth_file). A QAError at start is printed with its hint and becomes the exit
code. Everything the app shows lives in qa.ui.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from qa.cli import add_model_flags
from qa.config import load_config
from qa.errors import QAError, format_error


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line flags."""
    parser = argparse.ArgumentParser(description="Web chat over the indexed documents (German and English).")
    parser.add_argument("--host", help="address to listen on (default: 127.0.0.1, this computer only)")
    parser.add_argument("--port", type=int, help="port to listen on (default: 7860)")
    parser.add_argument("--share", action="store_true", help="also create a public gradio.live link (off by default)")
    add_model_flags(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until interrupted; returns the process exit code."""
    args = parse_args(argv)
    overrides = {"host": args.host, "port": args.port, "generator": args.generator, "embedder": args.embedder}
    try:
        config = load_config(Path.cwd(), overrides=overrides)
        from qa import ui
        from qa.pipeline import Pipeline
        from qa.ui.access import decide_access

        access = decide_access(config, os.environ, share=args.share)
        pipeline = Pipeline(config)
        status = pipeline.status()
        for reason in status.reasons:
            print(f"Index: {reason}")
        from qa.cli.common import progress_bar

        report = pipeline.ensure_index(progress=progress_bar("Embedding"),
                                       translate_progress=progress_bar("Translating sentences"))
        if report is not None:
            print(f"Rebuilt the index: {report.documents} documents, {report.chunks} chunks "
                  f"({report.embedded} embedded, {report.reused} reused), {report.translated} sentences translated "
                  f"({report.translated_now} now) in {report.seconds:.1f} s")
        else:
            index = pipeline.index
            print(f"Index is up to date: {len(index.documents)} documents, {len(index.chunks)} chunks")
        warmup = ui.ModelWarmup(pipeline).start()
        demo = ui.build_app(pipeline, warmup=warmup, allow_reindex=access.allow_reindex)
        print(f"Starting the chat on http://{config.host}:{config.port} (models load in the background; "
              f"sign-in {'on' if access.auth else 'off'}, re-index {'on' if access.allow_reindex else 'off'})")
        demo.launch(server_name=config.host, server_port=config.port, share=args.share, auth=access.auth,
                    **ui.launch_options())
    except QAError as error:
        print(format_error(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
