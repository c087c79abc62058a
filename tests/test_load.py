"""Smoke versions of the load and memory benchmarks: several users at once through `/ask`.

The app runs in a child process as in `benchmarks/load_test.py` (tiny seeds, hashing
embedder, the model's process on the extractive fake with a fixed time per token), so the
queue is real: one answer at a time, the others wait and are told their place. Leaves out:
the figures (the benchmarks print them; see the README) and the real model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import write_seeds

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import load_test  # noqa: E402


def test_three_users_at_once_all_get_answers_and_the_waiting_ones_see_their_place(tmp_path: Path) -> None:
    seeds = write_seeds(tmp_path / "seeds")
    with load_test.running_server(seeds, delay_s=0.05) as server:
        asked = load_test.load_test(server.url, users=3, questions_per_user=2, timeout_s=120,
                                    questions=["Wann wurde die NATO gegründet?", "Which countries backed Rutte's candidacy?"])
        peak = server.memory_kb("VmHWM")
    figures = load_test.summary(asked, 0.0, peak)
    assert figures["errors"] == 0 and figures["busy"] == 0, figures["error_messages"]
    assert figures["answered"] == 6
    # one answer at a time: whoever came second or later was told a place in the queue
    assert figures["waited_in_queue"] >= 1 and figures["highest_queue_position"] >= 1
    nato = [a for a in asked if a.question == "Wann wurde die NATO gegründet?"]
    assert nato and all(a.refused is False for a in nato)  # the tiny seeds hold this answer
    assert peak["app"] > 0 and peak["model"] > 0  # the model ran in its own process


def test_memory_is_read_after_the_first_and_the_last_question(tmp_path: Path) -> None:
    import memory_growth

    seeds = write_seeds(tmp_path / "seeds")
    with load_test.running_server(seeds, delay_s=0.0) as server:
        figures = memory_growth.measure(server.url, questions=4, first=2, rss_kb=server.memory_kb)
    assert set(figures["growth_percent"]) == {"app", "model"}  # type: ignore[arg-type]
    assert figures["rss_mb_after_2"]["app"] > 50  # type: ignore[index]  # a Python process with Gradio loaded


def test_past_the_queue_limit_a_user_is_told_busy_at_once(tmp_path: Path) -> None:
    seeds = write_seeds(tmp_path / "seeds")
    # one answer at a time, one place to wait: of 5 users asking at once at least 3 find the queue full
    with load_test.running_server(seeds, delay_s=0.3, max_queue=1) as server:
        asked = load_test.load_test(server.url, users=5, questions_per_user=1, timeout_s=120,
                                    questions=["Wann wurde die NATO gegründet?"])
    figures = load_test.summary(asked, 0.0, {"app": 1, "model": 1})
    busy = [a for a in asked if a.error]
    assert figures["errors"] == 0, figures["error_messages"]  # every failure is the "busy" answer, nothing else
    assert figures["busy"] == len(busy) >= 2, figures
    answered = [a for a in asked if not a.error]
    assert answered and all(a.refused is False for a in answered)
    # told at once, not after waiting for the answers ahead
    assert max(a.seconds for a in busy) < min(a.seconds for a in answered), [(a.seconds, a.error) for a in asked]
