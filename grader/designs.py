"""More than one right answer: a part's ``accept`` values and a solver's equivalent designs.

An equivalent design covers several parts at once (two softmax units, softmax and
categorical cross-entropy, for a binary task), so its parts are judged together: each
question's answers are matched to the design — the key's or an equivalent one — that agrees
with most of them (the key wins a tie), and every part is then judged against that design.
A student answering 2/softmax/categorical cross-entropy is right on all three parts; one
answering 1/sigmoid/categorical cross-entropy is judged against the key; a lone 2 units
beside the key's sigmoid and binary cross-entropy does not fit the design and stays wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from grader.checkers.base import is_blank
from grader.checks import check
from grader.results import PartResult
from grader.rubric import KnownMistake, ResolvedPart
from reference.core import fmt
from reference.messages import msg


def _fits(part: ResolvedPart, value: Any, got: Any) -> bool:
    """Whether ``got`` is right when ``value`` is the key (the part's own check decides)."""
    if is_blank(got):
        return False
    alone = dataclasses.replace(part, expected=value, mistakes=(), accept=())
    return check(alone, got).status == "correct"


def judge_designs(
    parts: list[ResolvedPart], results: list[PartResult], answers: Mapping[str, Any]
) -> list[PartResult]:
    """``results`` (one per part, in order) with every question judged against the design
    its answers follow; parts without alternatives are returned unchanged.

    A design is followed when it makes more of the parts it covers right than the key does
    (parts it leaves alone count the same either way); the key wins a tie."""
    out = list(results)
    questions = dict.fromkeys(p.question for p in parts if p.accept)
    for question in questions:
        index = [i for i, p in enumerate(parts) if p.question == question]
        designs: dict[str, dict[int, KnownMistake]] = {}
        for i in index:
            for alt in parts[i].accept:
                designs.setdefault(alt.id, {})[i] = alt
        # Designs over other parts do not compete (a rubric's ``accept`` on two parts):
        # apply the best one, then the best of those over parts not yet judged, and so on.
        judged: set[int] = set()
        while True:
            best, gain = None, 0
            for design_id, covered in designs.items():
                if judged & covered.keys():
                    continue
                fits = sum(
                    _fits(parts[i], alt.value, answers.get(parts[i].id))
                    for i, alt in covered.items()
                )
                right = sum(out[i].status == "correct" for i in covered)
                if fits - right > gain:
                    best, gain = design_id, fits - right
            if best is None:
                break
            for i, alt in designs[best].items():
                out[i] = _against(parts[i], out[i], alt, answers.get(parts[i].id))
            judged |= designs.pop(best).keys()
    return out


def _against(part: ResolvedPart, result: PartResult, alt: KnownMistake, got: Any) -> PartResult:
    """One part's result judged against the equivalent design ``alt`` the student follows."""
    if _fits(part, alt.value, got):
        return dataclasses.replace(
            result,
            score=float(part.points),
            status="correct",
            messages=(msg("correct: an equivalent answer"), alt.explanation),
            misconception=None,
            alternatives=[],
        )
    if result.status != "correct":
        return result  # already wrong against the key; its own explanation still holds
    return dataclasses.replace(
        result,
        score=0.0,
        status="wrong",
        messages=(
            msg(
                "This does not fit the rest of your answer, which follows an equivalent "
                "design; with that design this part is {value}.",
                value=fmt(alt.value),
            ),
            alt.explanation,
        ),
    )
