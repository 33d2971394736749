"""A variant per student (grader.variants, Rubric.for_student): reproducible, exact, checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from grader import variants
from grader.rubric import RubricError, parse_rubric
from grader.yamlio import loads
from reference import ParamError

ROOT = Path(__file__).resolve().parents[2]

RUBRIC = """\
assignment: v
questions:
  - id: sgd
    solver: optim.sgd
    params:
      weights: [1, -2]
      grads: [[2, -12]]
      lr: {range: [0.01, 0.05], step: 0.01}
    parts:
      - {id: weights, expect: weights, points: 1, check: matrix}
"""


def rubric(text: str = RUBRIC):
    return parse_rubric(loads(text, "v.yaml"), Path("v.yaml"))


def test_range_values_are_exact_decimal_text():
    assert variants.choices({"range": [0.01, 0.05], "step": 0.01}) == [
        "0.01",
        "0.02",
        "0.03",
        "0.04",
        "0.05",
    ]
    assert variants.choices({"range": ["1/3", 1], "step": "1/3"}) == ["1/3", "2/3", "1"]


@given(st.integers(-(10**6), 10**6), st.integers(0, 8))
def test_decimal_text_reads_back_as_the_same_rational(numerator: int, places: int):
    value = sympy.Rational(numerator, 10**places)
    assert sympy.Rational(variants.decimal(value)) == value


def test_a_student_always_gets_the_same_variant_and_the_class_gets_them_all():
    r = rubric()
    assert r.for_student("98416001").variant == r.for_student("98416001").variant
    drawn = {r.for_student(f"s{i}").variant["sgd"]["lr"] for i in range(60)}
    assert drawn == {"0.01", "0.02", "0.03", "0.04", "0.05"}


def test_each_variant_is_solved_with_its_own_parameters():
    r = rubric()
    for student in ("a", "b", "c", "d"):
        mine = r.for_student(student)
        lr = sympy.Rational(mine.variant["sgd"]["lr"])
        assert mine.part("sgd.weights").expected == [1 - 2 * lr, -2 + 12 * lr]


def test_the_base_key_is_the_first_variant_and_no_variant_rubric_is_itself():
    r = rubric()
    assert r.has_variants and r.part("sgd.weights").expected == [
        sympy.Rational(49, 50),
        -sympy.Rational(47, 25),
    ]
    plain = rubric(RUBRIC.replace("{range: [0.01, 0.05], step: 0.01}", "0.1"))
    assert not plain.has_variants and plain.for_student("x") is plain


def test_a_bad_range_is_reported_with_file_and_line():
    with pytest.raises(RubricError) as info:
        rubric(RUBRIC.replace("step: 0.01", "step: 0"))
    assert info.value.problems == ["v.yaml:8 questions[0].params.lr: step must be > 0, got 0"]


def test_a_variant_the_solver_refuses_is_reported():
    with pytest.raises(RubricError) as info:
        rubric(RUBRIC.replace("{range: [0.01, 0.05], step: 0.01}", "{choose: [0.1, -1]}"))
    (problem,) = info.value.problems
    assert problem.startswith("v.yaml:8 questions[0].params.lr: the variant lr=-1 cannot be solved")


def test_too_many_range_values_are_refused():
    with pytest.raises(ParamError):
        variants.choices({"range": [0, 1], "step": "1e-6"})


def test_grade_answers_for_a_student_uses_their_variant_as_grade_serve_does():
    from grader.grading import grade_answers

    r = rubric()
    for student in ("a", "b", "c"):
        lr = sympy.Rational(r.for_student(student).variant["sgd"]["lr"])
        theirs = [str(1 - 2 * lr), str(-2 + 12 * lr)]
        (result,) = grade_answers(r, {"sgd.weights": theirs}, student=student)
        assert result.status == "correct"
    # "a" has lr 0.01 and "c" lr 0.05: a's key is wrong for c.
    assert r.for_student("a").variant["sgd"]["lr"] != r.for_student("c").variant["sgd"]["lr"]
    (result,) = grade_answers(r, {"sgd.weights": ["0.98", "-1.88"]}, student="a")
    assert result.status == "correct"
    (result,) = grade_answers(r, {"sgd.weights": ["0.98", "-1.88"]}, student="c")
    assert result.status == "wrong"
