"""The quality floor: a fixed slice of the dev set on the real models must not fall below its recorded baseline.

`eval/floor.json` names the questions (about 20, spread over the dev set),
the baseline figures of the run that recorded them, and the tolerance. A
change that makes answers worse fails here, in `make test`. Update the
baseline only in a commit that says why (the file holds the reason too).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.evaluate.metrics import compute_metrics
from qa.evaluate.questions import load_questions
from qa.evaluate.records import read_results
from qa.evaluate.run import run_eval

REPO = Path(__file__).resolve().parent.parent
FLOOR = REPO / "eval" / "floor.json"


def test_the_floor_file_names_existing_dev_questions() -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))
    questions, problems = load_questions(REPO / floor["question_file"])
    ids = {question.id for question in questions}
    assert not problems and set(floor["questions"]) <= ids and len(floor["questions"]) >= 20
    assert floor["why"] and 0 < floor["tolerance"] <= 0.15
    assert {"answer_correct", "refusal_correct", "citation_precision", "wrong_answered"} <= set(floor["baseline"])


@pytest.mark.integration
def test_answer_quality_does_not_fall_below_the_recorded_floor(real_pipeline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))
    questions, _ = load_questions(REPO / floor["question_file"])
    chosen = [question for question in questions if question.id in set(floor["questions"])]
    run_eval(real_pipeline, chosen, tmp_path / "run", progress=False)
    metrics = compute_metrics(read_results(tmp_path / "run" / "results.jsonl"))
    baseline, tolerance = floor["baseline"], floor["tolerance"]
    report = {key: (metrics[key], baseline[key]) for key in baseline}
    for key in ("answer_correct", "refusal_correct", "citation_precision"):
        assert metrics[key] is not None and metrics[key] >= baseline[key] - tolerance, report
    assert metrics["wrong_answered"] <= baseline["wrong_answered"] + tolerance, report
