"""The ``matrix`` check: a vector or matrix, cell by cell, with per-cell partial credit.

Wrong cells (blank ones included) are listed as zero-based ``[row, col]`` pairs in the
base.result's ``wrong_cells``; a transposed answer and a known misconception's whole grid are
named in the feedback.
"""

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

Grid = list[list[Any]]


def grid(value: Any) -> Grid | None:
    """A value as rows of cells: a vector becomes one row; None if it is not a list."""
    if not isinstance(value, (list, tuple)):
        return None
    if value and all(isinstance(row, (list, tuple)) for row in value):
        return [list(row) for row in value]
    if any(isinstance(cell, (list, tuple)) for cell in value):
        return None
    return [list(value)]


def shape(rows: Grid) -> tuple[int, int] | None:
    """(rows, columns) of a rectangular grid; None when its rows differ in length."""
    widths = {len(row) for row in rows}
    return (len(rows), widths.pop()) if len(widths) == 1 else None


def transpose(rows: Grid) -> Grid:
    return [list(col) for col in zip(*rows)]


def cell_ok(cell: Any, expected: sympy.Expr, part: ResolvedPart) -> bool:
    """Whether one cell is within tolerance of ``expected`` under some reading."""
    if base.is_blank(cell):
        return False
    options = base.readings_or_problem(cell)
    return not isinstance(options, Msg) and any(
        close(o.value, expected, part.rtol, part.atol, part.sigfigs) for o in options
    )


def grid_matches(values: Grid, key: Grid, part: ResolvedPart) -> bool:
    return all(cell_ok(c, k, part) for row, krow in zip(values, key) for c, k in zip(row, krow))


def _is_number(value: Any) -> bool:
    if isinstance(value, sympy.Basic):
        return bool(value.is_number)
    try:
        exact(value)
    except ValueError:
        return False
    return True


def _exact_cells(value: Any) -> Any:
    if isinstance(value, list):
        return [_exact_cells(v) for v in value]
    return value if isinstance(value, sympy.Basic) else exact(value)


class Matrix(base.CheckKind):
    """Per-cell partial credit; the shape must match (a column vector reads as a vector)."""

    name = "matrix"
    own_fields = ("wrong_cells",)

    def key_problem(self, expected: Any) -> str | None:
        need = (
            f"'matrix' needs a vector or a rectangular matrix of numbers, the key is {expected!r}"
        )
        if not isinstance(expected, list) or not expected:
            return need
        rows = expected if all(isinstance(r, list) for r in expected) else [expected]
        if not rows[0] or any(len(r) != len(rows[0]) for r in rows):
            return need
        if not all(_is_number(c) for r in rows for c in r):
            return need
        return None

    def prepare_key(self, expected: Any) -> Any:
        return _exact_cells(expected)

    def check(self, part: ResolvedPart, got: Any) -> PartResult:
        key = grid(part.expected)
        assert key is not None  # key_problem refused any other key
        rows, cols = len(key), len(key[0])
        every_cell = [[r, c] for r in range(rows) for c in range(cols)]
        if base.is_blank(got) or (isinstance(got, (list, tuple)) and not got):
            return base.result(
                part, base.ZERO, "missing", base.NO_ANSWER, None, wrong_cells=every_cell
            )
        answer = grid(got)
        if answer is None or shape(answer) is None:
            feedback = msg("expected a matrix: a list of rows of equal length")
            return base.result(
                part, base.ZERO, "invalid", feedback, base.show_raw(got), wrong_cells=every_cell
            )
        vector_key = rows == 1 and not isinstance(part.expected[0], list)
        notes: dict[str, Any] = {}
        if vector_key and shape(answer) == (cols, 1) and cols > 1:
            # numpy's column vector (n×1) for a vector question: the same numbers, as a vector.
            answer = [[row[0] for row in answer]]
            notes["reading"] = "a column vector, read as a vector"
        got_shape = shape(answer)
        assert got_shape is not None
        shown = base.show_raw(answer[0] if vector_key and got_shape[0] == 1 else answer)
        if got_shape != (rows, cols):
            return self._wrong_shape(part, answer, key, shown, every_cell)
        wrong = [
            [r, c]
            for r in range(rows)
            for c in range(cols)
            if not cell_ok(answer[r][c], key[r][c], part)
        ]
        total = rows * cols
        fraction = sympy.Rational(total - len(wrong), total)
        if not wrong:
            return base.result(part, fraction, "correct", base.CORRECT, shown, **notes)
        blanks = sum(1 for r, c in wrong if base.is_blank(answer[r][c]))
        right = total - len(wrong)
        lead = [msg("{right} of {total} cells correct", right=right, total=total)]
        if blanks:
            lead = [
                msg(
                    "{right} of {total} cells correct; {blanks} blank",
                    right=right,
                    total=total,
                    blanks=blanks,
                )
            ]
        matches = self._mistakes(answer, key, wrong, part)
        if matches:
            return base.explained(part, fraction, lead, shown, matches, wrong_cells=wrong, **notes)
        if rows == cols and grid_matches(transpose(answer), key, part):
            lead.append(msg("The cells are transposed (rows and columns swapped)."))
            return base.result(
                part,
                fraction,
                base.status_of(fraction),
                lead,
                shown,
                wrong_cells=wrong,
                misconception="transposed",
                **notes,
            )
        return base.result(
            part, fraction, base.status_of(fraction), lead, shown, wrong_cells=wrong, **notes
        )

    def _wrong_shape(
        self, part: ResolvedPart, answer: Grid, key: Grid, shown: Any, every_cell: list[list[int]]
    ) -> PartResult:
        """No credit; the feedback says whether the answer is the key transposed or a
        misconception's grid of the same (wrong) shape."""
        (rows, cols), got_shape = shape(key), shape(answer)
        lead = [
            msg(
                "shape {got_rows}×{got_cols}, expected {rows}×{cols}",
                got_rows=got_shape[0],
                got_cols=got_shape[1],
                rows=rows,
                cols=cols,
            )
        ]
        flipped = transpose(answer)
        if shape(flipped) == (rows, cols) and grid_matches(flipped, key, part):
            lead.append(msg("Your matrix is the transpose of the key (rows and columns swapped)."))
        same_shape = [
            m
            for m in part.mistakes
            if (mgrid := grid(m.value)) is not None
            and shape(mgrid) == got_shape
            and grid_matches(answer, mgrid, part)
        ]
        if same_shape:
            return base.explained(part, base.ZERO, lead, shown, same_shape, wrong_cells=every_cell)
        return base.result(part, base.ZERO, "wrong", lead, shown, wrong_cells=every_cell)

    @staticmethod
    def _mistakes(
        answer: Grid, key: Grid, wrong: list[list[int]], part: ResolvedPart
    ) -> list[KnownMistake]:
        """Misconceptions that every wrong cell agrees with (whole-grid matches first)."""
        whole, partly = [], []
        for mistake in part.mistakes:
            mgrid = grid(mistake.value)
            if mgrid is None or shape(mgrid) != shape(key):
                continue
            if all(cell_ok(answer[r][c], mgrid[r][c], part) for r, c in wrong):
                (whole if grid_matches(answer, mgrid, part) else partly).append(mistake)
        return whole + partly
