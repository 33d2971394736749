"""What every check kind is, and the pieces of a result they share.

A check kind is one object that knows everything about comparing one shape of answer:
whether a rubric's key suits it (:meth:`CheckKind.key_problem`), the key's exact form
(:meth:`CheckKind.prepare_key`), the comparison itself (:meth:`CheckKind.check`) and which
fields its results carry in ``grade check --json`` (:meth:`CheckKind.json_fields`).
Nothing outside its module says ``kind == "matrix"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sympy

from grader.extract.variables import Unsupported
from grader.numbers import NumberError, Reading, clean, readings
from grader.results import PartResult, Status
from reference.core import decimal_text
from reference.messages import Msg, msg

if TYPE_CHECKING:
    from grader.rubric import KnownMistake, ResolvedPart

ZERO, ONE = sympy.Integer(0), sympy.Integer(1)
NO_ANSWER = msg("no answer")
CORRECT = msg("correct")


class CheckKind:
    """One kind of check. Subclasses set :attr:`name` and implement :meth:`check`."""

    name: ClassVar[str]
    #: Result fields that only this kind fills (listed in its JSON, left out for others).
    own_fields: ClassVar[tuple[str, ...]] = ()

    def key_problem(self, expected: Any) -> str | None:
        """Why this kind cannot compare against ``expected``, or None when it can."""
        return None

    def prepare_key(self, expected: Any) -> Any:
        """The key in the exact form :meth:`check` compares against."""
        return expected

    def check(self, part: ResolvedPart, got: Any) -> PartResult:
        """Compare a student's raw answer with ``part``'s key; never raises for ``got``."""
        raise NotImplementedError

    def json_fields(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A part result's JSON with the fields of other kinds left out."""
        others = set(OWN_FIELDS) - set(self.own_fields)
        return {k: v for k, v in entry.items() if k not in others}


#: Fields some kind fills only for itself (the union of every kind's ``own_fields``).
OWN_FIELDS = ("wrong_cells",)


def is_blank(got: Any) -> bool:
    """No answer: nothing, an empty string, only whitespace and direction marks, or a lone
    dash (Canvas and Moodle write ``-`` for "no answer"; :mod:`grader.numbers` agrees)."""
    if got is None:
        return True
    if isinstance(got, str):
        return clean(got) in ("", "-")
    return False


def show(value: Any) -> Any:
    """Display form of a value for reports: decimals for numbers, nested lists for grids."""
    if isinstance(value, list):
        return [show(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, sympy.Basic) and value.is_number:
        return decimal_text(value)
    if value is None:
        return ""
    return str(value)


def show_raw(value: Any) -> Any:
    """Display form of a student's value, keeping their text as written."""
    if isinstance(value, (list, tuple)):
        return [show_raw(v) for v in value]
    if isinstance(value, str):
        return value
    return show(value)


def status_of(fraction: sympy.Rational) -> Status:
    """``correct`` for full marks, ``partial`` for some, ``wrong`` for none."""
    if fraction == 1:
        return "correct"
    return "partial" if fraction > 0 else "wrong"


def result(
    part: ResolvedPart,
    fraction: sympy.Rational,
    status: Status,
    feedback: Msg | list[Msg],
    got: Any,
    **extra: Any,
) -> PartResult:
    """The part's result for ``fraction`` of its points."""
    messages = (feedback,) if isinstance(feedback, Msg) else tuple(feedback)
    return PartResult(
        id=part.id,
        score=float(part.points * fraction),
        max_score=float(part.points),
        status=status,
        messages=messages,
        got=got,
        expected=show(part.expected) if part.reveal else None,
        **extra,
    )


def explained(
    part: ResolvedPart,
    fraction: sympy.Rational,
    lead: list[Msg],
    got: Any,
    matches: list[KnownMistake],
    **extra: Any,
) -> PartResult:
    """A wrong/partial result explained by the first matching misconception.

    The others that match too are kept in ``alternatives``, so grading can prefer the one
    that explains most of the student's other answers (:func:`grader.checks.prefer_consistent`).
    """
    first = matches[0]
    return result(
        part,
        fraction,
        status_of(fraction),
        [*lead, first.explanation],
        got,
        misconception=first.id,
        alternatives=[m.id for m in matches[1:]],
        **extra,
    )


def readings_or_problem(got: Any) -> list[Reading] | Msg:
    """Every reading of a number, or why it cannot be read as one."""
    if isinstance(got, Unsupported):
        return msg("cannot compare a value of type {type}; store a number", type=got.type_name)
    try:
        return readings(got)
    except NumberError as exc:
        return exc.message
