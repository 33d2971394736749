"""What a part earns beyond its own check: credit for a named mistake, error carried forward.

Both run after every part has been checked, because both look at more than one answer or
at the rubric's policy rather than at the comparison itself:

* **Credit per named mistake.** A rubric's ``credit: {other_loss_convention: 0.5}`` (per
  question or per part) gives a wrong answer recognised as that misconception that
  share of the points, and says so.
* **Error carried forward.** A part that ``follows`` an earlier part, answered wrongly, is
  checked again against the key the solver computes from the student's own earlier value;
  a consistent answer earns the rubric's ``carried_forward`` share. An earlier answer of 0
  or 1, or one that makes the recomputed key all zeros, makes the later part trivial
  (multiplying by 1 or by 0) and earns nothing carried forward — the feedback says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import sympy

from grader.checkers.base import is_blank, readings_or_problem, status_of
from grader.checks import CHECKS, check
from grader.designs import judge_designs
from grader.results import PartResult
from grader.rubric import ResolvedPart, Rubric
from reference import ParamError, get_solver
from reference.core import decimal_text
from reference.messages import Msg, msg


def apply_policies(
    rubric: Rubric, results: list[PartResult], answers: Mapping[str, Any]
) -> list[PartResult]:
    """``results`` (one per part of ``rubric``, in order) with credit for named mistakes
    and error carried forward applied; ``answers`` maps answer ids to raw answers.
    Equivalent designs are judged first (:mod:`grader.designs`): a part right in the
    student's design is not a mistake to credit or to carry forward."""
    results = judge_designs(list(rubric.parts), results, answers)
    by_id = {r.id: r for r in results}
    out = []
    for part, result in zip(rubric.parts, results, strict=True):
        credited = _named_mistake_credit(part, result)
        if part.follows is not None:
            # Judged on the checker's own result: the better of the two policies counts,
            # and the feedback names only the one that did.
            carried = _carried_forward(rubric, part, result, by_id.get(part.follows), answers)
            if carried.score > credited.score:
                credited = carried
            elif carried.messages != result.messages and credited.score == result.score:
                credited = carried  # keeps the note on why nothing was carried forward
        out.append(credited)
    return out


def _named_mistake_credit(part: ResolvedPart, result: PartResult) -> PartResult:
    share = part.credit.get(result.misconception or "")
    if share is None or result.status == "correct":
        return result
    score = float(part.points * share)
    if score <= result.score:
        return result
    note = msg(
        "Partial credit for this recognised mistake: {share} of the points.",
        share=_share(share),
    )
    return dataclasses.replace(
        result,
        score=score,
        status=status_of(share),
        messages=(*result.messages, note),
    )


def _carried_forward(
    rubric: Rubric,
    part: ResolvedPart,
    result: PartResult,
    earlier: PartResult | None,
    answers: Mapping[str, Any],
) -> PartResult:
    if earlier is None or earlier.status == "correct" or result.status == "correct":
        return result
    raw_earlier, raw = answers.get(earlier.id), answers.get(part.id)
    if is_blank(raw_earlier) or is_blank(raw):
        return result
    readings = readings_or_problem(raw_earlier)
    if isinstance(readings, Msg) or not readings:
        return result
    value = readings[0].value
    shown = decimal_text(value)
    if value in (0, 1):
        return _add(
            result,
            msg(
                "No credit carried forward: your answer to {earlier} ({value}) makes this "
                "part trivial (multiplying by {value}), so it cannot show the method.",
                earlier=earlier.id,
                value=shown,
            ),
        )
    key = _recomputed(rubric, part, value)
    if key is None:
        return result
    if all(v == 0 for v in _cells(key)):
        return _add(
            result,
            msg(
                "No credit carried forward: with your answer to {earlier} ({value}) every "
                "value of this part is 0, so it cannot show the method.",
                earlier=earlier.id,
                value=shown,
            ),
        )
    kind = CHECKS[part.check]
    if kind.key_problem(key):
        return result
    again = check(
        dataclasses.replace(part, expected=kind.prepare_key(key), mistakes=(), reveal=False), raw
    )
    earned = part.points * _fraction(again, key) * part.carried_forward
    if earned <= 0 or float(earned) <= result.score:
        return result
    note = msg(
        "Consistent with your own answer to {earlier} ({value}): error carried forward, "
        "{share} of the points.",
        earlier=earlier.id,
        value=shown,
        share=_share(part.carried_forward),
    )
    return dataclasses.replace(
        result,
        score=float(earned),
        status=status_of(earned / part.points),
        messages=(*result.messages, note),
        wrong_cells=again.wrong_cells,
    )


def _recomputed(rubric: Rubric, part: ResolvedPart, value: sympy.Expr) -> Any:
    """The part's key had the followed value been ``value``; None when the solver refuses."""
    question = next(q for q in rubric.model.questions if q.id == part.question)
    followed = rubric.part(part.follows or "")
    assert question.solver is not None and followed.expect is not None and part.expect
    try:
        solution = get_solver(question.solver)(**{**question.params, followed.expect: value})
    except (ParamError, ValueError, ArithmeticError):
        return None
    return solution.values.get(part.expect)


def _fraction(again: PartResult, key: Any) -> sympy.Rational:
    """The exact share of the points a check earned (cells right, for a matrix)."""
    if again.status == "correct":
        return sympy.Integer(1)
    if again.status == "partial" and isinstance(key, list):
        total = len(_cells(key))
        return sympy.Rational(total - len(again.wrong_cells), total)
    return sympy.Integer(0)


def _cells(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [c for v in value for c in _cells(v)]
    return [value]


def _share(share: sympy.Rational) -> str:
    return f"{decimal_text(share * 100)}%"


def _add(result: PartResult, note: Msg) -> PartResult:
    return dataclasses.replace(result, messages=(*result.messages, note))


__all__ = ["apply_policies"]
