"""`grade validate --suggest`: parameters at which a rubric can tell its known mistakes apart.

Every claim is checked again here from the solver's values with the tolerance written out
(|mistake − key| > atol + rtol·|key| in some cell of some part), not with the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sympy

import grader
from grader.cli import main
from grader.distinguish import filter_variants, report, suggest, verdict
from grader.rubric import Rubric, parse_rubric
from grader.tolerance import same_within
from grader.yamlio import loads
from reference import get_solver
from reference.core import Misconception, Solution

ROOT = Path(__file__).resolve().parents[2]


def cells(value: Any) -> list[sympy.Expr]:
    if isinstance(value, list):
        return [c for v in value for c in cells(v)]
    return [value]


def detectable(mistake: Any, key: Any, rtol: sympy.Rational, atol: sympy.Rational) -> bool:
    """Some cell of the mistake's value lies outside the tolerance around the key's."""
    return any(
        abs(m - k) > atol + rtol * abs(k) for m, k in zip(cells(mistake), cells(key), strict=True)
    )


def listed(rubric: Rubric, question: str) -> list[str]:
    """The mistakes the solver names at the rubric's parameters for values parts ask for."""
    asked = {p.expect for p in rubric.parts if p.question == question}
    return [m.id for m in rubric.solutions[question].misconceptions if asked & set(m.values)]


def assert_every_mistake_detectable(rubric: Rubric, question: str, params: dict) -> None:
    q = next(q for q in rubric.model.questions if q.id == question)
    solution = get_solver(q.solver)(**params)
    named = {m.id: m for m in solution.misconceptions}
    parts = [p for p in rubric.parts if p.question == question]
    for mid in listed(rubric, question):
        assert mid in named, f"{mid} is not produced at {params}"
        assert any(
            p.expect in named[mid].values
            and detectable(named[mid].values[p.expect], solution.values[p.expect], p.rtol, p.atol)
            for p in parts
        ), f"{question}: {mid} is within tolerance of the key in every part at {params}"


@pytest.fixture(scope="module")
def hw4() -> Rubric:
    return grader.load_rubric(ROOT / "rubrics" / "hw4.yaml")


def test_hw4_adam_hides_eps_inside_the_square_root_at_its_own_parameters(hw4: Rubric) -> None:
    (adam,) = [v for v in report(hw4) if v.question == "adam"]
    assert "eps_inside_sqrt" in adam.undetectable
    part = hw4.part("adam.weights")
    wrong = next(m for m in hw4.solutions["adam"].misconceptions if m.id == "eps_inside_sqrt")
    assert not detectable(wrong.values["weights"], part.expected, part.rtol, part.atol)


@pytest.mark.parametrize("question", ["momentum", "adam", "kd"])
def test_suggested_parameters_make_every_listed_hw4_mistake_detectable(
    hw4: Rubric, question: str
) -> None:
    found = suggest(hw4, question)
    assert found.after.ok, found.after
    q = next(q for q in hw4.model.questions if q.id == question)
    params = {**q.params, **{k: new for k, (_, new) in found.changes.items()}}
    assert_every_mistake_detectable(hw4, question, params)
    if question == "adam":
        assert "eps" in found.changes  # ε = 1e-8 hides ε inside √ whatever else changes


ADAPTIVE = """\
assignment: a
defaults: {rtol: 0.01, atol: 0.0001}
questions:
  - id: q
    solver: SOLVER
    params: {weights: [1, -2], grads: [[2, -12], [1.5, -6]], lr: 0.01, eps: 1e-8}
    parts:
      - {id: weights, expect: weights, points: 1, check: matrix}
"""


@pytest.mark.parametrize("solver", ["optim.adagrad", "optim.rmsprop", "optim.adam"])
def test_eps_inside_the_root_becomes_detectable_for_every_adaptive_optimiser(solver: str) -> None:
    text = ADAPTIVE.replace("SOLVER", solver)
    rubric = parse_rubric(loads(text, "a.yaml"), Path("a.yaml"))
    (before,) = report(rubric)
    assert "eps_inside_sqrt" in before.undetectable
    found = suggest(rubric, "q")
    assert found.after.ok and "eps" in found.changes
    params = {**rubric.model.questions[0].params, "eps": found.changes["eps"][1]}
    params.update({k: new for k, (_, new) in found.changes.items()})
    assert_every_mistake_detectable(rubric, "q", params)


def test_mistakes_with_the_same_value_in_every_part_are_reported_as_confused() -> None:
    rubric = parse_rubric(
        loads(ADAPTIVE.replace("SOLVER", "optim.adagrad"), "a.yaml"), Path("a.yaml")
    )
    R = sympy.Rational
    solution = Solution(
        solver="x",
        params={},
        values={"weights": [R(1), R(2)]},
        steps=(),
        misconceptions=(
            Misconception("a", "", {"weights": [R(3), R(2)]}),
            Misconception("b", "", {"weights": [R(3), R(2) + R(1, 10**6)]}),
            Misconception("c", "", {"weights": [R(1), R(2) + R(1, 10**6)]}),
        ),
    )
    found = verdict("q", rubric.parts, solution, ["a", "b", "c"], {})
    assert found.undetectable == ("c",)
    assert found.confused == (("a", "b"),)
    assert not found.ok


def test_grade_validate_suggest_prints_the_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--suggest", str(ROOT / "rubrics" / "hw4.yaml")]) == 0
    out = capsys.readouterr().out
    assert "note: adam: " in out and "eps_inside_sqrt" in out
    (line,) = [x for x in out.splitlines() if x.startswith("suggest adam: ")]
    assert "eps: " in line and "(was 1e-8)" in line
    assert line.endswith("then every known mistake is detectable and none are confused")
    assert "suggest momentum: keep its parameters" in out
    json.dumps([str(v) for v in report(grader.load_rubric(ROOT / "rubrics" / "hw4.yaml"))])


L2_MISTAKES = ("l2_term_left_out", "l2_gradient_two_lambda", "l2_sign_error")


def test_hw6_variants_at_lr_001_to_003_all_hide_the_three_l2_mistakes() -> None:

    rubric = grader.load_rubric(ROOT / "rubrics" / "hw6.yaml")
    found = filter_variants(rubric, "gd")
    assert [v.params for v in found.failing] == [
        {"x": x, "lr": lr} for x in (1, 2) for lr in ("0.01", "0.02", "0.03")
    ]
    assert {v.undetectable for v in found.failing} == {L2_MISTAKES}
    assert found.keep == {}
    assert filter_variants(rubric, "dropout").failing == ()


def test_suggest_restricts_a_wide_lr_range_to_variants_that_detect_every_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    text = (ROOT / "rubrics" / "hw6.yaml").read_text("utf-8")
    wide = tmp_path / "hw6.yaml"
    wide.write_text(text.replace("range: [0.01, 0.03]", "range: [0.01, 0.2]"), "utf-8")
    rubric = grader.load_rubric(wide)
    found = filter_variants(rubric, "gd")
    assert found.keep == {"x": [1], "lr": [f"{k / 100:g}" for k in range(8, 21)]}
    by_params = {(v.params["x"], v.params["lr"]): v for v in found.verdicts}
    for x in found.keep["x"]:
        for lr in found.keep["lr"]:
            assert by_params[(x, lr)].ok
            # Each mistake's value differs from the key beyond tolerance at these parameters.
            solution = grader.solve("gd.l2_step", **{**_gd_params(rubric), "x": x, "lr": lr})
            named = {m.id: m for m in solution.misconceptions}
            for mid in L2_MISTAKES:
                assert any(
                    not same_within(
                        named[mid].values.get(p.expect, solution.values[p.expect]),
                        solution.values[p.expect],
                        p.rtol,
                        p.atol,
                        p.sigfigs,
                    )
                    for p in rubric.parts
                    if p.question == "gd"
                )
    assert main(["validate", "--suggest", str(wide)]) == 0
    out = capsys.readouterr().out
    assert "variants gd: at x = 2, lr = 0.2: " in out
    assert "suggest gd: restrict the variants to x: 1; lr: 0.08, 0.09, 0.1," in out


def _gd_params(rubric: grader.Rubric) -> dict:
    (q,) = [q for q in rubric.declared.questions if q.id == "gd"]
    return dict(q.params)
