"""Answers as a browser sends them, and the inputs a part's form needs.

A number or a label is one text field ``a:<part>``; a matrix is a grid of fields
``a:<part>:<row>:<col>`` shaped like the key (the shape is part of the question, not a
secret); true/false is a pair of radio buttons. What comes back is the raw answer the
grading core reads from an answer sheet: text as typed, a list of rows for a matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.rubric import ResolvedPart

#: Longest text accepted in one field (the grading core refuses far longer answers).
MAX_FIELD_CHARS = 2000


@dataclass(frozen=True)
class Widget:
    """How a part is answered: ``number``, ``grid`` (rows × cols), ``bool``, ``label`` or
    ``text`` (a written answer, graded by a TA)."""

    kind: str
    rows: int = 0
    cols: int = 0
    vector: bool = False
    options: tuple[str, ...] = ()


def widget(part: ResolvedPart) -> Widget:
    """The input a part needs, from its check kind and the shape of its key."""
    if part.check == "written":
        return Widget("text")
    if part.check == "matrix":
        key = part.expected
        if key and isinstance(key[0], list):
            return Widget("grid", len(key), len(key[0]))
        return Widget("grid", 1, len(key), vector=True)
    if part.check == "numeric":
        return Widget("number")
    if isinstance(part.expected, bool):
        return Widget("bool")
    # Free text, so any spelling the checker knows is accepted; the rubric's own labels
    # are offered as suggestions (the built-in vocabularies are the checker's business).
    return Widget("label", options=tuple(part.synonyms))


def field_name(part_id: str, row: int | None = None, col: int | None = None) -> str:
    """The form field of a part (or of one cell of its grid)."""
    return f"a:{part_id}" if row is None else f"a:{part_id}:{row}:{col}"


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value[:MAX_FIELD_CHARS]


def answer_from_form(part: ResolvedPart, form: Mapping[str, Any]) -> Any:
    """The raw answer for ``part`` in a submitted form, or None when it was left blank."""
    shape = widget(part)
    if shape.kind != "grid":
        text = _text(form, field_name(part.id))
        return text if text.strip() else None
    rows = [
        [_text(form, field_name(part.id, r, c)).strip() for c in range(shape.cols)]
        for r in range(shape.rows)
    ]
    if not any(cell for row in rows for cell in row):
        return None
    return rows[0] if shape.vector else rows


def grid_cells(part: ResolvedPart, answer: Any) -> list[list[str]]:
    """A stored grid answer as rows of cell texts for the form (blank where unanswered)."""
    shape = widget(part)
    rows = [answer] if shape.vector and isinstance(answer, list) else answer
    cells = [["" for _ in range(shape.cols)] for _ in range(shape.rows)]
    if isinstance(rows, list):
        for r, row in enumerate(rows[: shape.rows]):
            if isinstance(row, list):
                for c, cell in enumerate(row[: shape.cols]):
                    cells[r][c] = "" if cell is None else str(cell)
    return cells
