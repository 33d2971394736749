"""The ``written`` check: an explanation in words, graded by a TA with rubric items.

Nothing is compared here: a written answer is kept as the student wrote it and waits
for a TA (``grade serve``'s grading by question, or an ``overrides.yaml`` line). Its
score until then is 0 with status ``ungraded``; a blank answer is ``missing`` as for
every other kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy

from grader.checkers import base
from grader.results import PartResult
from reference.messages import msg

if TYPE_CHECKING:
    from grader.rubric import ResolvedPart

WAITING = msg("waiting for a TA to grade this written answer")


class Written(base.CheckKind):
    """A text answer a TA grades by ticking the part's rubric items."""

    name = "written"

    def key_problem(self, expected: Any) -> str | None:
        return None if expected is None else "'written' parts have no key; give 'items'"

    def check(self, part: ResolvedPart, got: Any) -> PartResult:
        if base.is_blank(got):
            return base.result(part, base.ZERO, "missing", base.NO_ANSWER, None)
        if not isinstance(got, str):
            feedback = msg("expected a written answer (text), got {value}", value=repr(got))
            return base.result(part, base.ZERO, "invalid", feedback, base.show_raw(got))
        return base.result(part, sympy.Integer(0), "ungraded", WAITING, got.strip())


def item_score(part: ResolvedPart, ticked: dict[str, sympy.Rational], adjust: float = 0) -> float:
    """A written part's score from the points of the items ticked (item id → points, as
    the TA last set them) and a free adjustment, kept within ``[0, points]``."""
    total = float(sum(ticked.values(), sympy.Integer(0))) + adjust
    return min(max(total, 0.0), float(part.points))
