"""A small class, made by hand, that the report tests render.

Two assignments: ``hw2`` (Persian, a dropout question computed by the solver and two
literal-answer parts) and ``hw3`` (English, literal answers). The students show one of each
outcome: full marks, a known misconception, a transposed matrix, a notebook that raised,
and a student whose name, answers and outputs are HTML meant to run in the TA's browser.
"""

from __future__ import annotations

from pathlib import Path

from grader.results import PartResult, RunError, SubmissionResult
from grader.rubric import Rubric, parse_rubric
from grader.yamlio import loads

HW2_YAML = """\
assignment: hw2
lang: fa
title: {en: "HW2 — Regularization and dropout", fa: "تمرین ۲ — منظم‌سازی و Dropout"}
questions:
  - id: dropout
    title: {en: "Dropout during training and test", fa: "Dropout در آموزش و آزمون"}
    solver: dropout
    show_solution: true
    params:
      output: [[1.6, -0.7, -0.2, 1.9], [-2.3, 2.5, 2.5, -0.9], [-0.5, 3.2, 3.7, -0.4], [1.3, -0.4, -2.6, 1.2]]
      mask:   [[1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]]
    parts:
      - {id: p, expect: p, points: 1, check: numeric, title: {fa: "احتمال نگه‌داشتن"}}
      - {id: standard_train, expect: standard.train, points: 2.5, check: matrix}
      - {id: inverted_train, expect: inverted.train, points: 2.5, check: matrix, reveal: false}
  - id: regularizer
    title: {en: "Which regulariser?", fa: "کدام منظم‌ساز؟"}
    parts:
      - {id: exp1, answer: L2, points: 1, check: choice}
"""

HW3_YAML = """\
assignment: hw3
title: "HW3 — Optimisers"
questions:
  - id: adam
    parts:
      - {id: m1, answer: 0.1, points: 2, check: numeric}
"""

EVIL = "<script>document.title='pwned';window.__pwned=1</script>"

STANDARD = [
    ["1.6", "0", "0", "1.9"],
    ["0", "2.5", "2.5", "0"],
    ["0", "3.2", "3.7", "0"],
    ["1.3", "0", "0", "1.2"],
]
INVERTED = [
    ["3.2", "0", "0", "3.8"],
    ["0", "5", "5", "0"],
    ["0", "6.4", "7.4", "0"],
    ["2.6", "0", "0", "2.4"],
]
TRANSPOSED = [list(col) for col in zip(*STANDARD)]
TRANSPOSED[0][1] = "-0.7"  # one cell the transpose does not explain either


def rubric(text: str, name: str) -> Rubric:
    return parse_rubric(loads(text, name), Path(name))


def part(
    id: str,
    score: float,
    max_score: float,
    status: str,
    feedback: str,
    got=None,
    expected=None,
    **extra,
) -> PartResult:
    return PartResult(
        id=id,
        score=score,
        max_score=max_score,
        status=status,
        messages=feedback,
        got=got,
        expected=expected,
        **extra,
    )


def hw2_results() -> list[SubmissionResult]:
    full = SubmissionResult(
        student="98411387",
        assignment="hw2",
        source="98411387/hw2.ipynb",
        parts=[
            part("dropout.p", 1, 1, "correct", "correct", "0.5", "0.5"),
            part("dropout.standard_train", 2.5, 2.5, "correct", "correct", STANDARD, STANDARD),
            part("dropout.inverted_train", 2.5, 2.5, "correct", "correct", INVERTED),
            part("regularizer.exp1", 1, 1, "correct", "correct", "L2", "L2"),
        ],
        duration=1.25,
    )
    misconception = SubmissionResult(
        student="سارا احمدی",
        assignment="hw2",
        source="answers.yaml",
        parts=[
            part("dropout.p", 0, 1, "wrong", "expected the keep probability", "0.6", "0.5"),
            part("dropout.standard_train", 2.5, 2.5, "correct", "correct", STANDARD, STANDARD),
            part(
                "dropout.inverted_train",
                1.25,
                2.5,
                "partial",
                "8 of 16 cells correct. Inverted dropout divides the kept units by p = 1/2 "
                "while training; out ⊙ mask alone is standard dropout.",
                STANDARD,
                misconception="inverted_train_not_scaled",
                wrong_cells=[[0, 0], [0, 3], [1, 1], [1, 2], [2, 1], [2, 2], [3, 0], [3, 3]],
            ),
            part("regularizer.exp1", 0, 1, "wrong", "expected L2", "L1", "L2"),
        ],
        notes=["no sandbox: ran without isolation"],
        duration=0.5,
    )
    transposed = SubmissionResult(
        student="99100200",
        assignment="hw2",
        source="99100200/hw2.ipynb",
        parts=[
            part("dropout.p", 1, 1, "correct", "correct", "۰٫۵", "0.5", reading="۰٫۵ read as 0.5"),
            part(
                "dropout.standard_train",
                1.875,
                2.5,
                "partial",
                "12 of 16 cells correct",
                TRANSPOSED,
                STANDARD,
                wrong_cells=[[0, 1], [1, 0], [1, 2], [2, 1]],
            ),
            part(
                "dropout.inverted_train",
                1.25,
                2.5,
                "partial",
                "8 of 16 cells correct. Inverted dropout divides the kept units by p = 1/2 "
                "while training; out ⊙ mask alone is standard dropout.",
                STANDARD,
                misconception="inverted_train_not_scaled",
                wrong_cells=[[0, 0], [0, 3], [1, 1], [1, 2], [2, 1], [2, 2], [3, 0], [3, 3]],
            ),
            part("regularizer.exp1", 1, 1, "correct", "correct", "L2", "L2"),
        ],
        duration=2.0,
    )
    evil = SubmissionResult(
        student=f"mallory{EVIL}",
        assignment="hw2",
        source=f"<b>{EVIL}.ipynb",
        parts=[
            part("dropout.p", 0, 1, "error", "the notebook stopped before this part"),
            part(
                "dropout.standard_train", 0, 2.5, "error", "the notebook stopped before this part"
            ),
            part(
                "dropout.inverted_train", 0, 2.5, "error", "the notebook stopped before this part"
            ),
            part("regularizer.exp1", 0, 1, "wrong", f"expected L2, got {EVIL}", EVIL, "L2"),
        ],
        error=RunError(
            kind="error",
            message=f"cell 3 raised ValueError: {EVIL}",
            cell_index=2,
            ename="ValueError",
            evalue=EVIL,
            traceback=f"Traceback (most recent call last):\n  ValueError: {EVIL}",
            source=f"print('{EVIL}')\nraise ValueError('{EVIL}')",
        ),
        notes=[f"output: {EVIL}"],
        duration=0.75,
    )
    return [full, misconception, transposed, evil]


def hw3_results() -> list[SubmissionResult]:
    return [
        SubmissionResult(
            student="98411387",
            assignment="hw3",
            source="hw3.yaml",
            parts=[part("adam.m1", 2, 2, "correct", "correct", "0.1", "0.1")],
            duration=0.25,
        ),
        SubmissionResult(
            student="99100200",
            assignment="hw3",
            source="hw3.yaml",
            parts=[part("adam.m1", 0, 2, "missing", "no answer")],
            duration=0.25,
        ),
    ]


def classes() -> list[tuple[Rubric, list[SubmissionResult]]]:
    return [
        (rubric(HW2_YAML, "hw2.yaml"), hw2_results()),
        (rubric(HW3_YAML, "hw3.yaml"), hw3_results()),
    ]
