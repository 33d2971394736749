"""The ``choice`` check: a label or true/false, through the synonyms of
:mod:`reference.labels` (English and Persian, and names copied from code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.checkers.base import (
    CORRECT,
    NO_ANSWER,
    ONE,
    ZERO,
    CheckKind,
    explained,
    is_blank,
    result,
    show_raw,
)
from grader.results import PartResult
from reference.core import fmt
from reference.labels import same_label
from reference.messages import msg

if TYPE_CHECKING:
    from grader.rubric import ResolvedPart


class Choice(CheckKind):
    """Right when the answer spells the key's label (or one of its synonyms)."""

    name = "choice"

    def key_problem(self, expected: Any) -> str | None:
        if isinstance(expected, (str, bool)):
            return None
        return f"'choice' needs a label or true/false key, the key is {expected!r}"

    def check(self, part: ResolvedPart, got: Any) -> PartResult:
        if is_blank(got):
            return result(part, ZERO, "missing", NO_ANSWER, None)
        shown = show_raw(got)
        if not isinstance(got, (str, bool)):
            feedback = msg("expected a label or true/false, got {value}", value=repr(shown))
            return result(part, ZERO, "invalid", feedback, shown)
        if same_label(got, part.expected, part.synonyms):
            return result(part, ONE, "correct", CORRECT, shown)
        matches = [m for m in part.mistakes if same_label(got, m.value, part.synonyms)]
        if matches:
            return explained(part, ZERO, [], shown, matches)
        feedback = msg("not the expected answer")
        if part.reveal:
            feedback = msg("expected {value}", value=fmt(part.expected))
        return result(part, ZERO, "wrong", feedback, shown)
