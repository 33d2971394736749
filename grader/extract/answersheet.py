"""Answer sheets: the YAML/JSON a student may submit instead of a notebook.

``answers`` maps ``question.part`` to the raw answer as written; a nested form
(``dropout: {standard_train: ...}``) is accepted too. Decimals stay exact (see
:mod:`grader.yamlio`); Persian text stays text for the number parser to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.yamlio import YamlError, load

SHEET_SUFFIXES = (".yaml", ".yml", ".json")


class SubmissionError(ValueError):
    """A submission file that cannot be read at all; the message names the file (and line)."""


@dataclass(frozen=True)
class AnswerSheet:
    """A parsed answer sheet: who, for which assignment, and the raw answers by part id."""

    answers: dict[str, Any]
    student: str | None = None
    assignment: str | None = None
    notes: list[str] = field(default_factory=list)


def _flatten(answers: dict[Any, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, dict) and "." not in str(key):
            for sub, inner in value.items():
                flat[f"{key}.{sub}"] = inner
        else:
            flat[str(key)] = value
    return flat


def read_answer_sheet(path: Path) -> AnswerSheet:
    """Read an answer sheet; raises :class:`SubmissionError` naming the file and line."""
    try:
        loaded = load(path)
    except YamlError as exc:
        raise SubmissionError(str(exc)) from None
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise SubmissionError(f"{path}:1: an answer sheet is a mapping with an 'answers:' mapping")
    student = data.get("student")
    assignment = data.get("assignment")
    return AnswerSheet(
        answers=_flatten(data["answers"]),
        student=None if student is None else str(student),
        assignment=None if assignment is None else str(assignment),
    )
