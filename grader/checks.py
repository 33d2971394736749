"""The check kinds, registered by name: ``check(part, got) -> PartResult``.

A checker compares a student's raw answer (text, number, list, bool — as an answer sheet
or a notebook gave it) with a part's exact key. Numbers are compared exactly with the
rubric's tolerance, |got − key| ≤ atol + rtol·|key| (the key is always the reference
side). A wrong answer equal to a known misconception gets that misconception's
explanation as feedback. Checkers never raise for anything a student wrote.

Adding a kind is one class in :mod:`grader.checkers` and one line in :data:`CHECKS`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from grader.checkers.base import CheckKind, is_blank, show, show_raw
from grader.checkers.choice import Choice
from grader.checkers.matrix import Matrix
from grader.checkers.numeric import Numeric
from grader.checkers.written import Written
from grader.results import PartResult

if TYPE_CHECKING:
    from grader.rubric import ResolvedPart

#: Every check kind a rubric may name, by name.
CHECKS: dict[str, CheckKind] = {
    kind.name: kind for kind in (Numeric(), Matrix(), Choice(), Written())
}

__all__ = [
    "CHECKS",
    "CheckKind",
    "check",
    "check_choice",
    "check_matrix",
    "check_numeric",
    "is_blank",
    "kind_of",
    "prefer_consistent",
    "show",
    "show_raw",
]


def kind_of(name: str) -> CheckKind:
    """The registered kind ``name``; raises KeyError listing the kinds there are."""
    try:
        return CHECKS[name]
    except KeyError:
        raise KeyError(f"unknown check {name!r}; known: {', '.join(CHECKS)}") from None


def check(part: ResolvedPart, got: Any) -> PartResult:
    """Check ``got`` against ``part`` with the kind its rubric names."""
    return CHECKS[part.check].check(part, got)


def check_numeric(part: ResolvedPart, got: Any) -> PartResult:
    return CHECKS["numeric"].check(part, got)


def check_matrix(part: ResolvedPart, got: Any) -> PartResult:
    return CHECKS["matrix"].check(part, got)


def check_choice(part: ResolvedPart, got: Any) -> PartResult:
    return CHECKS["choice"].check(part, got)


def prefer_consistent(results: list[PartResult], parts: list[ResolvedPart]) -> list[PartResult]:
    """Where a wrong answer fits several misconceptions, name the one that fits most parts.

    Two misconceptions can give the same value for one part (with p = ½, "p taken as the
    drop probability" changes nothing); the student's other answers to the same question
    tell which one they hold. Ties keep the solver's order.
    """
    question = {p.id: p.question for p in parts}
    support: dict[tuple[str, str], int] = {}
    for r in results:
        for mid in ([r.misconception] if r.misconception else []) + r.alternatives:
            key = (question.get(r.id, ""), mid)
            support[key] = support.get(key, 0) + 1
    out = []
    for r in results:
        if not r.alternatives or r.misconception is None:
            out.append(r)
            continue
        options = [r.misconception, *r.alternatives]
        best = max(options, key=lambda m: (support[(question.get(r.id, ""), m)], -options.index(m)))
        if best == r.misconception:
            out.append(r)
            continue
        by_id = {m.id: m for m in next(p for p in parts if p.id == r.id).mistakes}
        old, new = by_id[r.misconception].explanation, by_id[best].explanation
        out.append(
            dataclasses.replace(
                r,
                misconception=best,
                messages=tuple(new if m == old else m for m in r.messages),
                alternatives=[m for m in options if m != best],
            )
        )
    return out
