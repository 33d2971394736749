"""Checkers: one function per kind, ``check(part, got) -> PartResult``.

A checker compares a student's raw answer (text, number, list, bool — as an answer sheet
or a notebook gave it) with a part's exact key. Numbers are compared exactly with the
rubric's tolerance, |got − key| ≤ atol + rtol·|key| (the key is always the reference
side). A wrong answer equal to a known misconception gets that misconception's
explanation as feedback. Checkers never raise for anything a student wrote.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import sympy

from grader.extract.variables import Unsupported
from grader.numbers import NumberError, Reading, clean, readings
from grader.results import PartResult, Status
from grader.rubric import KnownMistake, ResolvedPart
from grader.tolerance import close
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


def _explained(
    part: ResolvedPart,
    fraction: sympy.Rational,
    prefix: str,
    got: Any,
    matches: list[KnownMistake],
    **extra: Any,
) -> PartResult:
    """A wrong/partial result explained by the first matching misconception.

    The others that match too are kept in ``alternatives``, so grading can prefer the one
    that explains most of the student's other answers (:func:`prefer_consistent`).
    """
    first = matches[0]
    feedback = f"{prefix}. {first.explanation}" if prefix else first.explanation
    return _result(
        part,
        fraction,
        _status(fraction),
        feedback,
        got,
        misconception=first.id,
        alternatives=[m.id for m in matches[1:]],
        **extra,
    )


def _numeric_mistakes(values: list[sympy.Expr], part: ResolvedPart) -> list[KnownMistake]:
    return [
        m
        for m in part.mistakes
        if not isinstance(m.value, (list, str, bool))
        and any(close(v, m.value, part.rtol, part.atol) for v in values)
    ]


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
    matches = _numeric_mistakes([o.value for o in options], part)
    if matches:
        return _explained(part, sympy.Integer(0), "", shown, matches)
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
    vector_key = rows == 1 and not isinstance(part.expected[0], list)
    notes: dict[str, Any] = {}
    if vector_key and _shape(grid) == (cols, 1) and cols > 1:
        # numpy's column vector (n×1) for a vector question: the same numbers, read as a vector.
        grid = [[row[0] for row in grid]]
        notes["reading"] = "a column vector, read as a vector"
    shape = _shape(grid)
    shown = show_raw(grid[0] if vector_key and shape[0] == 1 else grid)
    if shape != (rows, cols):
        feedback = f"shape {shape[0]}×{shape[1]}, expected {rows}×{cols}"
        transposed = [list(col) for col in zip(*grid)]
        if _shape(transposed) == (rows, cols) and _grid_matches(transposed, key, part):
            feedback += ": your matrix is the transpose of the key (rows and columns swapped)"
        same_shape = [
            m
            for m in part.mistakes
            if (mgrid := _grid(m.value)) is not None
            and _shape(mgrid) == shape
            and _grid_matches(grid, mgrid, part)
        ]
        if same_shape:
            return _explained(
                part, sympy.Integer(0), feedback, shown, same_shape, wrong_cells=every_cell
            )
        return _result(part, sympy.Integer(0), "wrong", feedback, shown, wrong_cells=every_cell)
    wrong = [
        [r, c]
        for r in range(rows)
        for c in range(cols)
        if not _cell_ok(grid[r][c], key[r][c], part)
    ]
    fraction = sympy.Rational(rows * cols - len(wrong), rows * cols)
    if not wrong:
        return _result(part, fraction, "correct", "correct", shown, **notes)
    total = rows * cols
    blanks = sum(1 for r, c in wrong if is_blank(grid[r][c]))
    base = f"{total - len(wrong)} of {total} cells correct" + (
        f"; {blanks} blank" if blanks else ""
    )
    matches = _matrix_mistakes(grid, key, wrong, part)
    if matches:
        return _explained(part, fraction, base, shown, matches, wrong_cells=wrong, **notes)
    if rows == cols and _grid_matches([list(c) for c in zip(*grid)], key, part):
        base += ": the cells are transposed (rows and columns swapped)"
        return _result(
            part,
            fraction,
            _status(fraction),
            base,
            shown,
            wrong_cells=wrong,
            misconception="transposed",
            **notes,
        )
    return _result(part, fraction, _status(fraction), base, shown, wrong_cells=wrong, **notes)


def _matrix_mistakes(
    grid: list[list[Any]], key: list[list[Any]], wrong: list[list[int]], part: ResolvedPart
) -> list[KnownMistake]:
    """Misconceptions that every wrong cell agrees with (whole-grid matches first)."""
    whole, partly = [], []
    for mistake in part.mistakes:
        mgrid = _grid(mistake.value)
        if mgrid is None or _shape(mgrid) != _shape(key):
            continue
        if all(_cell_ok(grid[r][c], mgrid[r][c], part) for r, c in wrong):
            everywhere = _grid_matches(grid, mgrid, part)
            (whole if everywhere else partly).append(mistake)
    return whole + partly


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
    matches = [m for m in part.mistakes if labels_match(got, m.value, tables)]
    if matches:
        return _explained(part, sympy.Integer(0), "", shown, matches)
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
        feedback = r.feedback.replace(by_id[r.misconception].explanation, by_id[best].explanation)
        out.append(
            dataclasses.replace(
                r,
                misconception=best,
                feedback=feedback,
                alternatives=[m for m in options if m != best],
            )
        )
    return out
