"""A student's enormous answer or output is cut, with a note, in every report
(grader.bounds, applied by grader.grading)."""

from __future__ import annotations

import json
from pathlib import Path

from grader import check_json
from grader.bounds import MAX_RESULT_BYTES, bound_result
from grader.grading import grade_run
from grader.report import write_reports
from grader.results import PartResult, RunError, SubmissionResult
from grader.rubric import load_rubric
from grader.runner.base import NotebookRun
from grader.submissions import Submission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HUGE = 20 * 1024 * 1024


def test_a_small_result_is_returned_unchanged():
    result = SubmissionResult("s", "hw", "x", [PartResult("q.a", 1.0, 1.0, "correct", "ok", "1")])
    assert bound_result(result) is result


def test_huge_answer_traceback_and_notes_are_cut_with_notes_and_scores_kept():
    parts = [
        PartResult("q.a", 0.0, 1.0, "wrong", "f" * HUGE, got="x" * HUGE),
        PartResult("q.b", 1.0, 1.0, "correct", "ok", got=[["1"] * 1000] * 1000),
        PartResult("q.c", 1.0, 1.0, "correct", "ok", got="0.5"),
    ]
    error = RunError("error", "m" * HUGE, 3, "ValueError", "v" * HUGE, "t" * HUGE, "s" * HUGE)
    result = SubmissionResult("s", "hw", "x", parts, error=error, notes=["n" * 100] * 5000)
    bounded = bound_result(result)
    assert len(json.dumps(bounded.to_json(), ensure_ascii=False)) <= MAX_RESULT_BYTES
    assert bounded.score == result.score == 2.0
    assert [p.status for p in bounded.parts] == ["wrong", "correct", "correct"]
    assert bounded.parts[2].got == "0.5"
    assert bounded.parts[0].got.startswith("xxx") and "[cut: " in bounded.parts[0].got
    assert bounded.error.traceback.endswith(f"[cut: {HUGE - 50_000} more characters]")
    assert "4950 more notes were left out" in bounded.notes
    cut_notes = [n for n in bounded.notes if n.startswith("the answer to ")]
    assert [n.split()[3] for n in cut_notes] == ["q.a", "q.b"]


def test_a_notebooks_20_mb_answer_is_cut_in_every_report(tmp_path: Path):
    rubric = load_rubric(FIXTURES / "rubrics" / "small_dropout_and_choices.yaml")
    sub = Submission("s1", "small", tmp_path / "s1" / "hw.ipynb", "notebook", tmp_path / "s1")
    values = {
        "literal_label": "conv " * (HUGE // 5),
        "literal_vector": [["1"] * 2000] * 2000,
        "literal_tight": 100,
    }
    crash = RunError("error", "m" * HUGE, 5, "ValueError", "v" * HUGE, "t" * HUGE, "s" * HUGE)
    run = NotebookRun(values=values, error=crash, notes=["n" * HUGE], output="o" * HUGE)
    result = grade_run(rubric, sub, run)
    assert result.error.traceback.endswith(f"[cut: {HUGE - 50_000} more characters]")
    by_id = {p.id: p for p in result.parts}
    assert by_id["literal.tight"].score == 1.0
    assert by_id["literal.label"].status == "invalid"
    assert by_id["literal.label"].feedback == (
        "the answer is longer than 100000 characters; it was not checked"
    )
    paths = write_reports(
        tmp_path / "out",
        [(rubric, [result])],
        formats=("html", "csv", "json", "gradescope"),
    )
    sizes = {p.name: p.stat().st_size for p in paths}
    assert set(sizes) == {"index.html", "s1.html", "grades.csv", "results.json", "s1.json"}
    assert max(sizes.values()) < 1.2 * MAX_RESULT_BYTES
    assert len(json.dumps(check_json(result, rubric))) < 1.2 * MAX_RESULT_BYTES
