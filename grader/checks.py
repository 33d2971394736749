"""Checkers: one function per kind, ``check(part, got) -> PartResult``.

A checker compares a student's raw answer (text, number, list, bool — as an answer sheet
or a notebook gave it) with a part's exact key. Numbers are compared exactly with the
rubric's tolerance, |got − key| ≤ atol + rtol·|key| (the key is always the reference
side). A wrong answer equal to a known misconception gets that misconception's
explanation as feedback. Checkers never raise for anything a student wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import sympy

from grader.extract.variables import Unsupported
from grader.numbers import NumberError, Reading, clean, readings
from grader.results import PartResult, Status
from grader.rubric import KnownMistake, ResolvedPart
from reference.architecture import ACTIVATION_SYNONYMS, LOSS_SYNONYMS
from reference.core import decimal_text, fmt

Checker = Callable[[ResolvedPart, Any], PartResult]


def is_blank(got: Any) -> bool:
    """No answer: nothing, an empty string, only whitespace and direction marks, or a lone
    dash (Canvas and Moodle write ``-`` for "no answer"; :mod:`grader.numbers` agrees)."""
    if got is None:
        return True
    if isinstance(got, str):
        return clean(got) in ("", "-")
    return False


def close(got: sympy.Expr, expected: sympy.Expr, rtol: sympy.Expr, atol: sympy.Expr) -> bool:
    """|got − expected| ≤ atol + rtol·|expected|, evaluated exactly (expected is the key)."""
    return bool(abs(got - expected) <= atol + rtol * abs(expected))


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


def _result(
    part: ResolvedPart,
    fraction: sympy.Rational,
    status: Status,
    feedback: str,
    got: Any,
    **extra: Any,
) -> PartResult:
    return PartResult(
        id=part.id,
        score=float(part.points * fraction),
        max_score=float(part.points),
        status=status,
        feedback=feedback,
        got=got,
        expected=show(part.expected) if part.reveal else None,
        **extra,
    )


def _status(fraction: sympy.Rational) -> Status:
    if fraction == 1:
        return "correct"
    return "partial" if fraction > 0 else "wrong"


def _readings_or_error(got: Any) -> list[Reading] | str:
    if isinstance(got, Unsupported):
        return f"cannot compare a value of type {got.type_name}; store a number"
    try:
        return readings(got)
    except NumberError as exc:
        return str(exc)


def _matching_mistake(values: list[sympy.Expr], part: ResolvedPart) -> KnownMistake | None:
    for mistake in part.mistakes:
        if isinstance(mistake.value, (list, str, bool)):
            continue
        if any(close(v, mistake.value, part.rtol, part.atol) for v in values):
            return mistake
    return None


def check_numeric(part: ResolvedPart, got: Any) -> PartResult:
    """One number within tolerance; Persian slash answers are tried under both readings."""
    if is_blank(got):
        return _result(part, sympy.Integer(0), "missing", "no answer", None)
    shown = got if isinstance(got, str) else show(got)
    options = _readings_or_error(got)
    if isinstance(options, str):
        return _result(part, sympy.Integer(0), "invalid", options, shown)
    for option in options:
        if close(option.value, part.expected, part.rtol, part.atol):
            note = f"correct ({option.how})" if option.how and len(options) > 1 else "correct"
            return _result(part, sympy.Integer(1), "correct", note, shown, reading=option.how)
    mistake = _matching_mistake([o.value for o in options], part)
    if mistake:
        return _result(
            part, sympy.Integer(0), "wrong", mistake.explanation, shown, misconception=mistake.id
        )
    feedback = "not within tolerance of the key"
    if part.reveal:
        feedback = f"expected {show(part.expected)}"
    return _result(part, sympy.Integer(0), "wrong", feedback, shown)


def _grid(value: Any) -> list[list[Any]] | None:
    """A value as rows of cells: a vector becomes one row; None if it is not a list."""
    if not isinstance(value, (list, tuple)):
        return None
    if value and all(isinstance(row, (list, tuple)) for row in value):
        return [list(row) for row in value]
    if any(isinstance(cell, (list, tuple)) for cell in value):
        return None
    return [list(value)]


def _shape(grid: list[list[Any]]) -> tuple[int, int] | None:
    widths = {len(row) for row in grid}
    return (len(grid), widths.pop()) if len(widths) == 1 else None


def _cell_value(cell: Any) -> sympy.Expr | None:
    """A cell's first reading, or None for a blank or unreadable cell."""
    if is_blank(cell):
        return None
    options = _readings_or_error(cell)
    return None if isinstance(options, str) else options[0].value


def _cell_ok(cell: Any, expected: sympy.Expr, part: ResolvedPart) -> bool:
    if is_blank(cell):
        return False
    options = _readings_or_error(cell)
    return not isinstance(options, str) and any(
        close(o.value, expected, part.rtol, part.atol) for o in options
    )


def _grid_matches(values: list[list[Any]], key: list[list[Any]], part: ResolvedPart) -> bool:
    return all(_cell_ok(c, k, part) for row, krow in zip(values, key) for c, k in zip(row, krow))


def check_matrix(part: ResolvedPart, got: Any) -> PartResult:
    """Per-cell partial credit; wrong cells (blank included) listed as zero-based [row, col]."""
    key = _grid(part.expected)
    assert key is not None  # the rubric loader guarantees a list key
    rows, cols = len(key), len(key[0])
    every_cell = [[r, c] for r in range(rows) for c in range(cols)]
    if is_blank(got) or (isinstance(got, (list, tuple)) and not got):
        return _result(part, sympy.Integer(0), "missing", "no answer", None, wrong_cells=every_cell)
    grid = _grid(got)
    if grid is None or _shape(grid) is None:
        return _result(
            part,
            sympy.Integer(0),
            "invalid",
            "expected a matrix: a list of rows of equal length",
            show_raw(got),
            wrong_cells=every_cell,
        )
    shape = _shape(grid)
    if shape != (rows, cols):
        transposed = [list(col) for col in zip(*grid)]
        feedback = f"shape {shape[0]}×{shape[1]}, expected {rows}×{cols}"
        if _shape(transposed) == (rows, cols) and _grid_matches(transposed, key, part):
            feedback = (
                f"{feedback}: your matrix is the transpose of the key (rows and columns swapped)"
            )
        return _result(
            part, sympy.Integer(0), "wrong", feedback, show_raw(grid), wrong_cells=every_cell
        )
    wrong = [
        [r, c]
        for r in range(rows)
        for c in range(cols)
        if not _cell_ok(grid[r][c], key[r][c], part)
    ]
    fraction = sympy.Rational(rows * cols - len(wrong), rows * cols)
    shown = show_raw(grid)
    if not wrong:
        return _result(part, fraction, "correct", "correct", shown)
    feedback, misconception = _matrix_feedback(grid, key, wrong, part)
    return _result(
        part,
        fraction,
        _status(fraction),
        feedback,
        shown,
        wrong_cells=wrong,
        misconception=misconception,
    )


def _matrix_feedback(
    grid: list[list[Any]], key: list[list[Any]], wrong: list[list[int]], part: ResolvedPart
) -> tuple[str, str | None]:
    total = len(key) * len(key[0])
    blanks = sum(1 for r, c in wrong if is_blank(grid[r][c]))
    base = f"{total - len(wrong)} of {total} cells correct"
    if blanks:
        base += f"; {blanks} blank"
    for mistake in part.mistakes:
        mgrid = _grid(mistake.value)
        if mgrid is None or _shape(mgrid) != _shape(key):
            continue
        if all(_cell_ok(grid[r][c], mgrid[r][c], part) for r, c in wrong):
            return f"{base}. {mistake.explanation}", mistake.id
    if len(key) == len(key[0]) and _grid_matches([list(c) for c in zip(*grid)], key, part):
        return f"{base}: the cells are transposed (rows and columns swapped)", "transposed"
    return base, None


def show_raw(value: Any) -> Any:
    """Display form of a student's value, keeping their text as written."""
    if isinstance(value, (list, tuple)):
        return [show_raw(v) for v in value]
    if isinstance(value, str):
        return value
    return show(value)


# Built-in labels: the course's regulariser names and true/false in English and Persian.
BUILTIN_SYNONYMS: dict[str, list[str]] = {
    "L1": [
        "l1",
        "ℓ1",
        "lasso",
        "l1 regularization",
        "l1 regularisation",
        "l1 norm",
        "منظم سازی l1",
    ],
    "L2": [
        "l2",
        "ℓ2",
        "ridge",
        "weight decay",
        "l2 regularization",
        "l2 regularisation",
        "l2 norm",
        "tikhonov",
        "منظم سازی l2",
    ],
    "none": [
        "none",
        "no regularization",
        "no regularisation",
        "no regulariser",
        "no regularizer",
        "without regularization",
        "unregularized",
        "بدون",
        "بدون منظم سازی",
        "هیچ",
        "هیچکدام",
    ],
    "true": ["true", "t", "yes", "y", "correct", "درست", "صحیح", "بله", "آری", "ص", "د"],
    "false": [
        "false",
        "f",
        "no",
        "n",
        "incorrect",
        "wrong",
        "غلط",
        "نادرست",
        "خیر",
        "نه",
        "غ",
        "ن",
    ],
}


def normalise_label(text: str) -> str:
    """Case-, space- and script-insensitive form of a label (ي→ی, ك→ک; spaces, ZWNJ and
    punctuation dropped, since Persian writes هیچ‌کدام, هیچ کدام and هیچکدام alike)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.replace("ي", "ی").replace("ك", "ک").casefold()
    return re.sub(r"[\W_]+", "", text)


def _tables(part: ResolvedPart) -> list[dict[str, Any]]:
    """Synonym tables for a part: the rubric's own first, then the built-in ones."""
    return [part.synonyms, BUILTIN_SYNONYMS, ACTIVATION_SYNONYMS, LOSS_SYNONYMS]


def canonical_label(value: Any, table: dict[str, Any]) -> str | None:
    """``value``'s canonical name in one synonym table, or None if the table lacks it."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    if not isinstance(value, str):
        return None
    wanted = normalise_label(value)
    for canonical, names in table.items():
        if wanted in {normalise_label(canonical), *(normalise_label(n) for n in names)}:
            return canonical
    return None


def labels_match(got: Any, expected: Any, tables: list[dict[str, Any]]) -> bool:
    """True when two labels are the same word or synonyms in one table.

    Tables are consulted separately because a word can mean different things in different
    ones ("none" is no regularisation, and also the linear activation).
    """
    as_text = [("true" if v else "false") if isinstance(v, bool) else v for v in (got, expected)]
    if all(isinstance(v, str) for v in as_text) and normalise_label(as_text[0]) == normalise_label(
        as_text[1]
    ):
        return True
    for table in tables:
        mine, key = canonical_label(got, table), canonical_label(expected, table)
        if key is not None and mine == key:
            return True
    return False


def check_choice(part: ResolvedPart, got: Any) -> PartResult:
    """A label or true/false, compared through synonyms in English and Persian."""
    if is_blank(got):
        return _result(part, sympy.Integer(0), "missing", "no answer", None)
    if not isinstance(got, (str, bool)):
        return _result(
            part,
            sympy.Integer(0),
            "invalid",
            f"expected a label or true/false, got {show_raw(got)!r}",
            show_raw(got),
        )
    shown = show_raw(got)
    tables = _tables(part)
    if labels_match(got, part.expected, tables):
        return _result(part, sympy.Integer(1), "correct", "correct", shown)
    for mistake in part.mistakes:
        if labels_match(got, mistake.value, tables):
            return _result(
                part,
                sympy.Integer(0),
                "wrong",
                mistake.explanation,
                shown,
                misconception=mistake.id,
            )
    feedback = f"expected {fmt(part.expected)}" if part.reveal else "not the expected answer"
    return _result(part, sympy.Integer(0), "wrong", feedback, shown)


CHECKERS: dict[str, Checker] = {
    "numeric": check_numeric,
    "matrix": check_matrix,
    "choice": check_choice,
}


def check(part: ResolvedPart, got: Any) -> PartResult:
    """Check ``got`` against ``part`` with the checker its rubric names."""
    return CHECKERS[part.check](part, got)
