"""Principle 7 on the server: no key value of a ``reveal: false`` part reaches a browser.

The checkers already leave ``expected`` out of such parts' results and word their
feedback without the key; but a misconception's explanation may quote a value of the
solution that is another part's key ("multiplied by p = 3/4"). :class:`KeyGuard` knows
the text forms of every hidden key value of a rubric and blanks them out of every string
a student's page shows, in ASCII and in Persian digits.

Values that are no secret are left alone: those given in the question's own parameters
(the page shows them) and small whole numbers (|v| < 10), which a page shows as counts
and scores anyway. A ``choice`` key is one of the labels a student picks from, not a
value to hide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sympy

from grader.report.i18n import digits
from grader.rubric import Rubric
from reference import exact
from reference.core import decimal_text

HIDDEN = "…"


def _cells(value: Any) -> Iterable[Any]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _cells(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _cells(item)
    else:
        yield value


def _exact_or_none(value: Any) -> sympy.Rational | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, sympy.Basic):
        return value if value.is_number else None
    try:
        return exact(value)
    except (ValueError, TypeError):
        return None


def text_forms(value: sympy.Expr) -> set[str]:
    """How a number may be written on a page: its exact form (``3/4``), its decimal forms
    at 2–6 decimals (``0.75``, ``2.1333``), with and without a leading zero."""
    forms = {decimal_text(value)}
    if isinstance(value, sympy.Rational) and not isinstance(value, sympy.Integer):
        forms.add(str(value))
    as_float = float(value)
    for places in range(2, 7):
        text = f"{as_float:.{places}f}".rstrip("0").rstrip(".")
        if text not in ("", "-0", "0"):
            forms.add(text)
    forms |= {f.replace("0.", ".", 1) for f in forms if f.startswith("0.")}
    return {f.lstrip("-") for f in forms if f.lstrip("-")}


def hidden_values(rubric: Rubric) -> list[sympy.Expr]:
    """The exact key values of ``rubric``'s hidden parts that are secrets (see module)."""
    given: dict[str, set[Any]] = {}
    for question in rubric.model.questions:
        given[question.id] = {
            abs(v) for v in map(_exact_or_none, _cells(question.params)) if v is not None
        }
    secrets: list[sympy.Expr] = []
    for part in rubric.parts:
        if part.reveal or part.check == "choice":
            continue
        for cell in _cells(part.expected):
            value = _exact_or_none(cell)
            if value is None or abs(value) in given.get(part.question, set()):
                continue
            if value.is_integer and abs(value) < 10:
                continue
            secrets.append(value)
    return secrets


class KeyGuard:
    """Blanks a rubric's hidden key values out of text shown to students."""

    def __init__(self, rubric: Rubric):
        forms: set[str] = set()
        for value in hidden_values(rubric):
            for form in text_forms(value):
                forms.add(form)
                forms.add(digits(form, "fa"))
        self.forms = frozenset(forms)
        if forms:
            # Longest first, so that "2.1333" goes whole rather than leaving "33" behind.
            alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            self._pattern: re.Pattern[str] | None = re.compile(
                rf"(?<![\d.۰-۹٫/])(?:{alternatives})(?![\d۰-۹]|[.٫/][\d۰-۹])"
            )
        else:
            self._pattern = None

    def text(self, text: str) -> str:
        """``text`` with every hidden key value replaced by ``…``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(HIDDEN, text)

    def value(self, value: Any) -> Any:
        """:meth:`text` applied to every string inside ``value`` (lists and dicts too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value
