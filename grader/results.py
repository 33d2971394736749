"""Plain result objects that checkers and grading return and reports only read.

Every field is JSON-ready (strings, numbers, lists), so a result can be written to disk as
soon as a student is graded and read back by a later run or by the report layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: correct: full marks · partial: some cells/credit · wrong · missing: not answered ·
#: invalid: the answer could not be read (junk number, wrong type) · error: the
#: submission failed before this part could be read (notebook raised, timed out...).
Status = Literal["correct", "partial", "wrong", "missing", "invalid", "error"]


@dataclass(frozen=True)
class PartResult:
    """The outcome of checking one part of one submission.

    ``got`` and ``expected`` are display forms (strings, or lists of strings for matrices);
    ``expected`` is None where the rubric does not reveal the key. ``wrong_cells`` lists
    zero-based ``[row, col]`` pairs of a matrix part, blank cells included.
    ``misconception`` is the id of the known mistake the answer matches (its explanation is
    in ``feedback``); ``alternatives`` are other known mistakes it matches as well.
    """

    id: str
    score: float
    max_score: float
    status: Status
    feedback: str
    got: Any = None
    expected: Any = None
    misconception: str | None = None
    alternatives: list[str] = field(default_factory=list)
    wrong_cells: list[list[int]] = field(default_factory=list)
    reading: str | None = None
    overridden: bool = False
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PartResult:
        return cls(**data)


def cell_no(index: int) -> int:
    """The number a person reads for the cell at zero-based ``index`` among ALL cells.

    Cells are counted from 1, markdown cells included, as a student counts them down the
    notebook; the terminal, the pages and every message use this one numbering.
    """
    return index + 1


@dataclass(frozen=True)
class RunError:
    """Why a notebook could not be run to the end: the failing cell and what it raised."""

    kind: str
    message: str
    cell_index: int | None = None
    ename: str | None = None
    evalue: str | None = None
    traceback: str | None = None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SubmissionResult:
    """One student's graded submission for one assignment."""

    student: str
    assignment: str
    source: str
    parts: list[PartResult]
    error: RunError | None = None
    notes: list[str] = field(default_factory=list)
    duration: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.parts), 6)

    @property
    def status(self) -> str:
        """``graded``, or the kind of run error (``error``, ``timeout``, ...)."""
        return self.error.kind if self.error else "graded"

    def to_json(self) -> dict[str, Any]:
        return {
            "student": self.student,
            "assignment": self.assignment,
            "source": self.source,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "parts": [p.to_json() for p in self.parts],
            "error": self.error.to_json() if self.error else None,
            "notes": list(self.notes),
            "duration": self.duration,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionResult:
        error = data.get("error")
        return cls(
            student=data["student"],
            assignment=data["assignment"],
            source=data["source"],
            parts=[PartResult.from_json(p) for p in data["parts"]],
            error=RunError(**error) if error else None,
            notes=list(data.get("notes", [])),
            duration=data.get("duration", 0.0),
        )
