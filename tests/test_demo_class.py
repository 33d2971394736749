"""The demo class, graded end to end by the README's first command: every student's score."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[1]

# Each demo student's expected score, worked out by hand from their files (see the comment
# at the top of each answer sheet or the first cell of each notebook).
EXPECTED = {
    # hw2 (18 points): dropout p 1 + four 2.5-point matrices, 4 regularisers, 3 true/false
    ("hw2", "98411387"): (18, "graded"),  # ASCII sheet, all right
    ("hw2", "98411402"): (
        12,
        "graded",
    ),  # Persian sheet: p as drop prob (std test), inverted test ×p, exp4 L2
    ("hw2", "98411555"): (
        16.125,
        "graded",
    ),  # numpy notebook: inverted train not divided by p (its 4 zero cells still right)
    ("hw2", "98411610"): (18, "graded"),  # torch notebook, float32 tensors, all right
    ("hw2", "98411777"): (10.5, "error"),  # NameError in cell 4; later cells ran, count
    ("hw2", "98411888"): (0, "timeout"),  # never ends
    ("hw2", "98411999"): (9.46875, "graded"),  # JSON sheet: p as drop prob, a blank cell, labels
    # hw3 (10 points): z 1, loss 1, grad 3, weights 5
    ("hw3", "98412001"): (10, "graded"),  # ASCII sheet, all right
    ("hw3", "98412002"): (
        1,
        "graded",
    ),  # Persian sheet: z as ۰/۷ right; (y−ŷ)² convention elsewhere
    ("hw3", "98412003"): (5, "graded"),  # torch autograd notebook: λ applied without η
    ("hw3", "98412004"): (10, "graded"),  # numpy notebook, all right
    # hw4 (10 points): momentum 1+2, Adam 1+2, distillation 1+1+2
    ("hw4", "98413001"): (10, "graded"),  # ASCII sheet, all right
    ("hw4", "98413002"): (8, "graded"),  # torch.optim + F notebook: T² forgotten in the KD loss
    ("hw4", "98413003"): (
        4,
        "graded",
    ),  # Persian sheet: EMA momentum form, Adam without bias correction
    # hw5 (13 points): mlp 1, conv 1+1, landmarks 1+1+1, price 1+1+1, descent 2+2
    ("hw5", "98415001"): (
        13,
        "graded",
    ),  # Persian sheet, labels as خطی / MSELoss / CrossEntropyLoss
    ("hw5", "98415002"): (
        5.333333,
        "graded",
    ),  # biases/channels forgotten, 5 units, sigmoid, sign(0)=1 (2 of 3 cells)
    ("hw5", "98415003"): (13, "graded"),  # notebook measuring real torch models
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "rubrics", work / "rubrics")
    shutil.copytree(ROOT / "submissions", work / "submissions")
    out = work / "reports"
    import os

    cwd = os.getcwd()
    os.chdir(work)
    try:
        assert main(["submissions/", "--out", "reports/", "--jobs", "2"]) == 0
    finally:
        os.chdir(cwd)
    return out


def stored(out: Path, assignment: str, student: str) -> dict:
    (path,) = (out / ".dlgrade" / "results" / assignment).glob(f"{student}-*.json")
    data = json.loads(path.read_text())
    return data["result"]


@pytest.mark.slow
@pytest.mark.parametrize(("key", "want"), sorted(EXPECTED.items()))
def test_every_demo_student_gets_the_expected_score(graded: Path, key, want) -> None:
    assignment, student = key
    score, status = want
    result = stored(graded, assignment, student)
    assert result["status"] == status
    assert result["score"] == pytest.approx(score, abs=1e-9)


@pytest.mark.slow
def test_demo_class_writes_every_report(graded: Path) -> None:
    assert (graded / "index.html").is_file()
    assert (graded / "grades.csv").is_file()
    assert (graded / "results.json").is_file()
    for _, student in EXPECTED:
        assert (graded / f"{student}.html").is_file(), student


@pytest.mark.slow
def test_broken_and_endless_notebooks_are_reported_with_their_error(graded: Path) -> None:
    broken = stored(graded, "hw2", "98411777")
    assert broken["error"]["ename"] == "NameError"
    assert broken["error"]["cell_index"] == 3
    assert "dropuot_p" in broken["error"]["evalue"]
    endless = stored(graded, "hw2", "98411888")
    assert endless["error"]["kind"] == "timeout"
    assert endless["error"]["cell_index"] == 1
    html = (graded / "98411777.html").read_text(encoding="utf-8")
    assert "NameError" in html
