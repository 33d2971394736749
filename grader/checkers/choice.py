"""The ``choice`` check: a label or true/false, through the synonyms of
:mod:`reference.labels` (English and Persian, and names copied from code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.checkers import base
from grader.results import PartResult
from reference.core import fmt
from reference.labels import same_label
from reference.messages import msg

if TYPE_CHECKING:
    from grader.rubric import ResolvedPart


class Choice(base.CheckKind):
    """Right when the answer spells the key's label (or one of its synonyms)."""

    name = "choice"

    def key_problem(self, expected: Any) -> str | None:
        if isinstance(expected, (str, bool)):
            return None
        return f"'choice' needs a label or true/false key, the key is {expected!r}"

    def check(self, part: ResolvedPart, got: Any) -> PartResult:
        if base.is_blank(got):
            return base.result(part, base.ZERO, "missing", base.NO_ANSWER, None)
        shown = base.show_raw(got)
        if not isinstance(got, (str, bool)):
            feedback = msg("expected a label or true/false, got {value}", value=repr(shown))
            return base.result(part, base.ZERO, "invalid", feedback, shown)
        if same_label(got, part.expected, part.synonyms):
            return base.result(part, base.ONE, "correct", base.CORRECT, shown)
        matches = [m for m in part.mistakes if same_label(got, m.value, part.synonyms)]
        if matches:
            return base.explained(part, base.ZERO, [], shown, matches)
        feedback = msg("not the expected answer")
        if part.reveal:
            feedback = msg("expected {value}", value=fmt(part.expected))
        return base.result(part, base.ZERO, "wrong", feedback, shown)
