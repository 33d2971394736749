"""The hw6 demo class: a variant per student, error carried forward, credit per mistake.

Each student's expected score is worked out in the comment at the top of their answer
sheet; the class is graded by the README's command, one student by ``grade check``, and
both must agree (one grading core).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import grader
from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "98416001": 10,  # everything right for the student's own variant
    "98416002": 6,  # p miscounted, used consistently (carried forward); (y−ŷ)² half credit
    "98416003": 5.5,  # p = 1: trivial, nothing carried forward
    "98416004": 7.4375,  # another variant's dropout answers, consistent with p = 0.75
    "98416005": 8.5,  # p as the drop probability: half credit, then carried forward
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hw6")
    shutil.copytree(ROOT / "rubrics", work / "rubrics")
    shutil.copytree(ROOT / "submissions" / "hw6", work / "submissions" / "hw6")
    cwd = os.getcwd()
    os.chdir(work)
    try:
        assert main(["submissions/", "--out", "reports/"]) == 0
    finally:
        os.chdir(cwd)
    return work / "reports"


def stored(out: Path, student: str) -> dict:
    (path,) = (out / ".dlgrade" / "results" / "hw6").glob(f"{student}-*.json")
    return json.loads(path.read_text())["result"]


@pytest.mark.parametrize(("student", "score"), sorted(EXPECTED.items()))
def test_every_hw6_student_gets_the_expected_score(graded: Path, student: str, score) -> None:
    result = stored(graded, student)
    assert result["status"] == "graded"
    assert result["score"] == pytest.approx(score, abs=1e-9)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_grade_check_gives_the_class_run_score(student: str) -> None:
    rubric = grader.load_rubric(ROOT / "rubrics" / "hw6.yaml")
    result = grader.check(rubric, ROOT / "submissions" / "hw6" / student / "answers.yaml")
    assert result.score == pytest.approx(EXPECTED[student], abs=1e-9)


def test_students_are_graded_against_their_own_variant(graded: Path) -> None:
    # 98416001 has mask A (p = 3/4); 98416004 mask B (p = 5/8) and handed in 98416001's
    # answers: right for one variant, wrong for the other.
    first, copied = stored(graded, "98416001"), stored(graded, "98416004")
    assert first["variant"]["dropout"]["mask"] == [[1, 0, 1, 1], [1, 1, 0, 1]]
    assert copied["variant"]["dropout"]["mask"] == [[1, 0, 1, 0], [0, 1, 1, 1]]
    p_of = {r["id"]: r for r in copied["parts"]}["dropout.p"]
    assert p_of["status"] == "wrong" and p_of["expected"] == "0.625"
    assert first["variant"]["gd"] == {"x": 2, "lr": "0.03"}


def test_carried_forward_and_named_credit_are_said_in_the_feedback(graded: Path) -> None:
    parts = {r["id"]: r for r in stored(graded, "98416002")["parts"]}
    assert parts["dropout.standard_test"]["score"] == 1.5
    assert "error carried forward, 75% of the points" in parts["dropout.standard_test"]["feedback"]
    assert parts["gd.grad"]["score"] == 1
    assert parts["gd.grad"]["misconception"] == "other_loss_convention"
    assert "Partial credit for this recognised mistake: 50%" in parts["gd.grad"]["feedback"]
    trivial = {r["id"]: r for r in stored(graded, "98416003")["parts"]}["dropout.standard_test"]
    assert trivial["score"] == 0
    assert "makes this part trivial" in trivial["feedback"]


def test_student_page_shows_the_students_own_parameters(graded: Path) -> None:
    html = (graded / "98416002.html").read_text(encoding="utf-8")
    assert "Your parameters" in html
    assert "lr = 0.03" in html and "x = 1" in html
    assert "mask = [[1, 0, 1, 0], [0, 1, 1, 1]]" in html
