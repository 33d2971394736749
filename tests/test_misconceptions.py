"""Every solver names at least three misconceptions, and a submission equal to one of them
receives that misconception's explanation from the checkers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sympy

from grader.grading import grade_answers
from grader.rubric import parse_rubric
from grader.yamlio import loads
from reference import SOLVERS
from reference.core import fmt


def check_kind(value: Any) -> str:
    if isinstance(value, list):
        return "matrix"
    if isinstance(value, (str, bool)):
        return "choice"
    return "numeric"


def rubric_for(name: str, keys: list[str], value_of: dict[str, Any]):
    """An in-memory rubric asking for ``keys`` of solver ``name`` with its example params."""
    spec = SOLVERS[name]
    parts = "\n".join(
        f"      - {{id: p{i}, expect: {key!r}, points: 1, check: {check_kind(value_of[key])}}}"
        for i, key in enumerate(keys)
    )
    # Tight tolerances: some mistakes differ from the key by less than a course's 1 %
    # (ε inside the square root); this test is about recognising them, not about tolerance.
    text = (
        "assignment: t\ndefaults: {rtol: 1e-12, atol: 1e-15}\n"
        + f"questions:\n  - id: q\n    solver: {name}\n    params: PARAMS\n    parts:\n{parts}\n"
    )
    import json

    text = text.replace("PARAMS", json.dumps(spec.example, default=str))
    return parse_rubric(loads(text, f"{name}.yaml"), Path(f"{name}.yaml"))


def as_answer(value: Any) -> Any:
    """A misconception's value as a student would type it: decimals, not Rationals."""
    if isinstance(value, list):
        return [as_answer(v) for v in value]
    if isinstance(value, sympy.Basic):
        return str(sympy.Float(value, 30)) if not value.is_Integer else str(value)
    return value


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_solver_names_at_least_three_misconceptions(name: str) -> None:
    spec = SOLVERS[name]
    solution = spec(**spec.example)
    assert len(solution.misconceptions) >= 3, [m.id for m in solution.misconceptions]
    for m in solution.misconceptions:
        assert m.explanation.strip() and m.values, m.id
        # Only the values it changes are listed: each one differs from the key.
        assert all(solution.get(k) != v for k, v in m.values.items()), m.id
    assert solution.steps


CASES = [
    (name, m.id)
    for name, spec in sorted(SOLVERS.items())
    for m in spec(**spec.example).misconceptions
]


@pytest.mark.parametrize(("name", "misconception"), CASES)
def test_submission_equal_to_misconception_gets_its_explanation(
    name: str, misconception: str
) -> None:
    spec = SOLVERS[name]
    solution = spec(**spec.example)
    m = next(m for m in solution.misconceptions if m.id == misconception)
    keys = [k for k, v in m.values.items() if solution.values[k] != v]
    rubric = rubric_for(name, keys, dict(solution.values))
    answers = {f"q.p{i}": as_answer(m.values[k]) for i, k in enumerate(keys)}
    results = grade_answers(rubric, answers)
    flagged = [r for r in results if r.misconception == misconception]
    assert flagged, [(r.id, r.status, r.misconception, r.feedback) for r in results] + [
        fmt(m.values[k]) for k in keys
    ]
    assert all(m.explanation in r.feedback for r in flagged)
    assert all(r.status != "correct" for r in flagged)
