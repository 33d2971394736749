"""Can a rubric tell its known mistakes apart? And at which parameters could it?

A misconception is *detectable* in a question when at least one of the question's parts
asks for a value it changes by more than that part's tolerance; two misconceptions are
*confused* when every part of the question gives them values within tolerance of each
other (then feedback cannot say which one a student holds). :func:`report` says both for
each question at the rubric's own parameters (for every variant's parameters with
variants); :func:`suggest` searches the question's numeric parameters — one "nice" value
at a time, greedily, for a few rounds — for parameters at which every mistake the solver
names at the rubric's parameters is detectable and no two are confused, changing as
little as it can. ε = 1e-8 in Adam, for instance, hides "ε inside the square root"
behind any course tolerance; the search proposes an ε that shows it.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from grader import variants
from grader.rubric import ResolvedPart, Rubric
from grader.tolerance import same_within
from reference import ParamError, Solution, exact, get_solver

#: Rounds of the greedy search (each may change one more parameter).
ROUNDS = 3


@dataclass(frozen=True)
class Verdict:
    """What a question's parts can tell apart at one set of parameters."""

    question: str
    params: Mapping[str, Any]
    #: Mistakes the solver names at the rubric's parameters that no part can detect here
    #: (within tolerance of the key, or not produced at all at these parameters).
    undetectable: tuple[str, ...] = ()
    #: Pairs of detectable mistakes that every part gives the same value (within tolerance).
    confused: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.undetectable and not self.confused

    @property
    def cost(self) -> tuple[int, int]:
        return (len(self.undetectable), len(self.confused))


@dataclass(frozen=True)
class Suggestion:
    """Parameters proposed for a question: the changes, and the verdict at them."""

    question: str
    before: Verdict
    after: Verdict
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name → (old, new)


def _question_parts(rubric: Rubric, question: str) -> list[ResolvedPart]:
    return [p for p in rubric.parts if p.question == question and p.expect is not None]


def verdict(
    question: str,
    parts: Sequence[ResolvedPart],
    solution: Solution,
    targets: Sequence[str],
    params: Mapping[str, Any],
) -> Verdict:
    """Which of ``targets`` (misconception ids) ``parts`` cannot detect or tell apart in
    ``solution``, judged at each part's tolerance."""
    named = {m.id: m for m in solution.misconceptions}

    def value(mid: str | None, part: ResolvedPart) -> Any:
        key = solution.values[part.expect or ""]
        if mid is None:
            return key
        return named[mid].values.get(part.expect or "", key)

    def same(a: str | None, b: str | None) -> bool:
        return all(same_within(value(a, p), value(b, p), p.rtol, p.atol, p.sigfigs) for p in parts)

    undetectable = tuple(m for m in targets if m not in named or same(m, None))
    seen = [m for m in targets if m not in undetectable]
    confused = tuple((a, b) for i, a in enumerate(seen) for b in seen[i + 1 :] if same(a, b))
    return Verdict(question, dict(params), undetectable, confused)


def _targets(solution: Solution, parts: Sequence[ResolvedPart]) -> list[str]:
    """The mistakes a question lists: those that change a value one of its parts asks for
    (a mistake in a value nobody asks for is not the rubric's concern)."""
    asked = {p.expect for p in parts}
    return [m.id for m in solution.misconceptions if asked & set(m.values)]


def report(rubric: Rubric) -> list[Verdict]:
    """One verdict per solver question at the rubric's parameters (the base variant's)."""
    out = []
    for q in rubric.model.questions:
        solution = rubric.solutions.get(q.id)
        parts = _question_parts(rubric, q.id)
        if solution is None or not parts:
            continue
        targets = _targets(solution, parts)
        out.append(verdict(q.id, parts, solution, targets, q.params))
    return out


def ladder(value: Any) -> list[str]:
    """Nice values to try for a numeric parameter (decimal text, exact): its own powers
    of ten around it and the round numbers a question would use."""
    x = exact(value)
    candidates = {x * sympy.Integer(10) ** k for k in range(-3, 4)} if x != 0 else set()
    candidates |= {sympy.Rational(n, 10) for n in (1, 2, 5, 9)}
    candidates |= {sympy.Rational(1, 100), sympy.Integer(1), sympy.Integer(2)}
    candidates.discard(x)
    return [variants.decimal(c) for c in sorted(candidates)]


def _defaults(func: Any) -> dict[str, Any]:
    """The solver's numeric keyword defaults (``eps="1e-8"``), as a rubric would write them."""
    found = {}
    for name, info in inspect.signature(func).parameters.items():
        if info.default is not inspect.Parameter.empty and info.default is not None:
            found[name] = info.default
    return {k: found[k] for k in _numeric_params(found)}


def _numeric_params(params: Mapping[str, Any]) -> list[str]:
    names = []
    for name, value in params.items():
        if isinstance(value, (bool, list, dict)):
            continue
        try:
            exact(value)
        except (ParamError, ValueError):
            continue
        names.append(name)
    return names


def suggest(rubric: Rubric, question: str) -> Suggestion:
    """Parameters of ``question`` at which every mistake its solver names is detectable
    and none are confused, changing as few parameters as it can (the best found when no
    such parameters exist among those tried)."""
    q = next(q for q in rubric.model.questions if q.id == question)
    parts = _question_parts(rubric, question)
    solution = rubric.solutions[question]
    targets = _targets(solution, parts)
    spec = get_solver(q.solver or "")

    def judge(params: Mapping[str, Any]) -> Verdict | None:
        try:
            found = spec(**params)
        except (ParamError, ValueError, TypeError, ArithmeticError):
            return None
        if any(p.expect not in found.values for p in parts):
            return None
        return verdict(question, parts, found, targets, params)

    before = verdict(question, parts, solution, targets, q.params)
    # The solver's defaults are parameters too (Adam's ε is rarely written in a rubric).
    start = {**_defaults(spec.func), **q.params}
    best, best_params = before, start
    for _ in range(ROUNDS):
        if best.ok:
            break
        round_best, round_params = best, best_params
        for name in _numeric_params(best_params):
            for candidate in ladder(best_params[name]):
                params = {**best_params, name: candidate}
                found = judge(params)
                if found is not None and _better(found, params, round_best, round_params, start):
                    round_best, round_params = found, params
        if round_params is best_params:
            break
        best, best_params = round_best, round_params
    changes = {k: (start.get(k), v) for k, v in best_params.items() if start.get(k) != v}
    return Suggestion(question, before, best, changes)


def _distance(params: Mapping[str, Any], original: Mapping[str, Any]) -> tuple[int, float]:
    """How far ``params`` are from the rubric's: parameters changed, then orders of
    magnitude moved in all."""
    changed = [k for k, v in params.items() if original.get(k) != v]
    moved = 0.0
    for k in changed:
        old, new = exact(original[k]), exact(params[k])
        if old > 0 and new > 0:
            moved += abs(float(sympy.log(new / old, 10)))
        else:
            moved += 1.0
    return len(changed), moved


def _better(
    found: Verdict,
    params: Mapping[str, Any],
    best: Verdict,
    best_params: Mapping[str, Any],
    original: Mapping[str, Any],
) -> bool:
    return (found.cost, _distance(params, original)) < (
        best.cost,
        _distance(best_params, original),
    )


@dataclass(frozen=True)
class VariantFilter:
    """What a question's drawn variants can detect: a verdict per variant (combination of
    its ``choose``/``range`` values), and the values of each varying parameter at which
    every variant is clear of undetectable and confused mistakes (``keep``; a parameter
    with no such value makes ``keep`` empty)."""

    question: str
    verdicts: tuple[Verdict, ...]
    keep: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def failing(self) -> tuple[Verdict, ...]:
        """The variants that leave some listed mistake undetectable or confused."""
        return tuple(v for v in self.verdicts if not v.ok)


def filter_variants(rubric: Rubric, question: str) -> VariantFilter:
    """Judge every variant of ``question`` (at most :data:`variants.MAX_CHECKED_VARIANTS`)
    against the mistakes its solver names at the rubric's parameters, and say to which
    values each varying parameter could be restricted. Raises ``StopIteration`` for a
    question the rubric does not declare; a rubric without variants gives no verdicts."""
    declared = rubric.declared or rubric.model
    q = next(q for q in declared.questions if q.id == question)
    parts = _question_parts(rubric, question)
    targets = _targets(rubric.solutions[question], parts)
    spec = get_solver(q.solver or "")
    judged: list[Verdict] = []
    for combo in variants.combinations(q.params):
        params = {**q.params, **combo}
        try:
            found = spec(**params)
        except (ParamError, ValueError, TypeError, ArithmeticError):
            continue
        judged.append(verdict(question, parts, found, targets, combo))
    keep = _restriction(variants.specs(q.params), judged)
    return VariantFilter(question, tuple(judged), keep)


def _restriction(
    values: Mapping[str, list[Any]], judged: Sequence[Verdict]
) -> dict[str, list[Any]]:
    """Values of each varying parameter whose every combination is clear: the value in
    the largest share of failing combinations is dropped, one at a time, until none fails (empty when a
    parameter runs out of values)."""
    keep = {name: list(vals) for name, vals in values.items()}
    while True:
        inside = [v for v in judged if all(v.params.get(k) in keep[k] for k in keep)]
        failing = [v for v in inside if not v.ok]
        if not inside or any(not vals for vals in keep.values()):
            return {}
        if not failing:
            return keep
        # The share of a value's combinations that fail, so that a parameter with two
        # values is not emptied because each of them sits in half the combinations.
        share = {
            (name, i): (
                sum(v.params.get(name) == value for v in failing)
                / sum(v.params.get(name) == value for v in inside),
                len(vals),
            )
            for name, vals in keep.items()
            for i, value in enumerate(vals)
            if any(v.params.get(name) == value for v in inside)
        }
        name, i = max(share, key=lambda k: share[k])
        keep[name].pop(i)


def filter_all(rubric: Rubric) -> list[VariantFilter]:
    """A :class:`VariantFilter` for every solver question with varying parameters."""
    if rubric.declared is None:
        return []
    return [
        filter_variants(rubric, q.id)
        for q in rubric.declared.questions
        if q.id in rubric.solutions and _question_parts(rubric, q.id) and variants.specs(q.params)
    ]


def suggest_all(rubric: Rubric) -> list[Suggestion]:
    """A suggestion for every solver question with parts that ask for its values."""
    return [
        suggest(rubric, q.id)
        for q in rubric.model.questions
        if q.id in rubric.solutions and _question_parts(rubric, q.id)
    ]


__all__ = [
    "Suggestion",
    "VariantFilter",
    "Verdict",
    "filter_all",
    "filter_variants",
    "ladder",
    "report",
    "suggest",
    "suggest_all",
    "verdict",
]
