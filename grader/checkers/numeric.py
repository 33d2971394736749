"""The ``numeric`` check: one number within the rubric's tolerance of an exact key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy

from grader.checkers import base
from grader.results import PartResult
from grader.tolerance import close
from reference.core import exact
from reference.messages import Msg, msg

if TYPE_CHECKING:
    from grader.rubric import KnownMistake, ResolvedPart


def number_mistakes(values: list[sympy.Expr], part: ResolvedPart) -> list[KnownMistake]:
    """The part's misconceptions whose (scalar) value one of ``values`` matches."""
    return [
        m
        for m in part.mistakes
        if not isinstance(m.value, (list, str, bool))
        and any(close(v, m.value, part.rtol, part.atol, part.sigfigs) for v in values)
    ]


class Numeric(base.CheckKind):
    """|got − key| ≤ atol + rtol·|key|; Persian slash answers are tried under both readings."""

    name = "numeric"

    def key_problem(self, expected: Any) -> str | None:
        problem = f"'numeric' needs a number key, the key is {expected!r}"
        if isinstance(expected, (list, bool)):
            return problem
        if isinstance(expected, sympy.Basic):
            return None if expected.is_number else problem
        try:
            exact(expected)
        except ValueError:
            return problem
        return None

    def prepare_key(self, expected: Any) -> Any:
        return expected if isinstance(expected, sympy.Basic) else exact(expected)

    def check(self, part: ResolvedPart, got: Any) -> PartResult:
        if base.is_blank(got):
            return base.result(part, base.ZERO, "missing", base.NO_ANSWER, None)
        shown = got if isinstance(got, str) else base.show(got)
        options = base.readings_or_problem(got)
        if isinstance(options, Msg):
            return base.result(part, base.ZERO, "invalid", options, shown)
        for option in options:
            if close(option.value, part.expected, part.rtol, part.atol, part.sigfigs):
                note = base.CORRECT
                if option.how and len(options) > 1:
                    note = msg("correct ({reading})", reading=option.how)
                return base.result(part, base.ONE, "correct", note, shown, reading=option.how)
        matches = number_mistakes([o.value for o in options], part)
        if matches:
            return base.explained(part, base.ZERO, [], shown, matches)
        feedback = [msg("not within tolerance of the key")]
        if part.sigfigs is not None:
            feedback = [msg("not correct to {n} significant figures of the key", n=part.sigfigs)]
        if part.reveal:
            # Said beside the sigfigs note: a student must see how many figures were asked.
            shown_key = msg("expected {value}", value=base.show(part.expected))
            feedback = [*feedback, shown_key] if part.sigfigs is not None else [shown_key]
        return base.result(part, base.ZERO, "wrong", feedback, shown)
