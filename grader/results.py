"""Plain result objects that checkers and grading return and reports only read.

Every field is JSON-ready (strings, numbers, lists), so a result can be written to disk as
soon as a student is graded and read back by a later run or by the report layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.outcomes import RunOutcome, Status
from reference.messages import Msg, english, verbatim

__all__ = ["Messages", "PartResult", "RunError", "Status", "SubmissionResult", "messages"]

#: Sentences as data: rendered in the reader's language by :func:`grader.i18n.render`.
Messages = tuple[Msg, ...]


def messages(value: Msg | str | Iterable[Msg | str] | None) -> Messages:
    """Any way of giving sentences as a tuple of messages; plain text is kept verbatim
    (a note from an older stored result, what Python or a student wrote)."""
    if value is None or value == "":
        return ()
    if isinstance(value, (Msg, str)):
        value = [value]
    return tuple(m if isinstance(m, Msg) else verbatim(m) for m in value if m != "")


@dataclass(frozen=True)
class PartResult:
    """The outcome of checking one part of one submission.

    ``got`` and ``expected`` are display forms (strings, or lists of strings for matrices);
    ``expected`` is None where the rubric does not reveal the key. ``wrong_cells`` lists
    zero-based ``[row, col]`` pairs of a matrix part, blank cells included.
    ``misconception`` is the id of the known mistake the answer matches (its explanation is
    in ``messages``); ``alternatives`` are other known mistakes it matches as well.
    ``messages`` is the feedback as language-neutral sentences (plain text given here is
    kept verbatim); :attr:`feedback` is its English text.
    """

    id: str
    score: float
    max_score: float
    status: Status
    messages: Messages = ()
    got: Any = None
    expected: Any = None
    misconception: str | None = None
    alternatives: list[str] = field(default_factory=list)
    wrong_cells: list[list[int]] = field(default_factory=list)
    reading: str | None = None
    overridden: bool = False
    comment: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "messages", messages(self.messages))

    @property
    def feedback(self) -> str:
        """The feedback in English (render :attr:`messages` for another language)."""
        return english(self.messages)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["messages"] = [m.to_json() for m in self.messages]
        data["feedback"] = self.feedback
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PartResult:
        data = dict(data)
        feedback = data.pop("feedback", "")
        stored = data.pop("messages", None)
        found = [Msg.from_json(m) for m in stored] if stored is not None else feedback
        return cls(**data, messages=messages(found))


def cell_no(index: int) -> int:
    """The number a person reads for the cell at zero-based ``index`` among ALL cells.

    Cells are counted from 1, markdown cells included, as a student counts them down the
    notebook; the terminal, the pages and every message use this one numbering.
    """
    return index + 1


@dataclass(frozen=True)
class RunError:
    """Why a notebook could not be run to the end: the outcome, the sentence explaining
    it (built by :mod:`grader.outcomes`), the failing cell and what it raised."""

    kind: RunOutcome
    message: Msg
    cell_index: int | None = None
    ename: str | None = None
    evalue: str | None = None
    traceback: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.message, str):
            object.__setattr__(self, "message", verbatim(self.message))

    def to_json(self) -> dict[str, Any]:
        """``message`` in English, ``message_data`` the sentence as data."""
        data = asdict(self)
        data["message"] = str(self.message)
        data["message_data"] = self.message.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunError:
        data = dict(data)
        stored = data.pop("message_data", None)
        message = Msg.from_json(stored) if stored is not None else data["message"]
        return cls(**{**data, "message": message})


def _notes(data: dict[str, Any]) -> list[Msg]:
    """Notes read back: as data where ``note_data`` still matches the ``notes`` text (a
    caller may have edited the text list), else the text itself."""
    texts = data.get("notes", [])
    stored = [Msg.from_json(n) for n in data.get("note_data", [])]
    if [str(n) for n in stored] == [str(t) for t in texts]:
        return stored
    return [Msg.from_json(t) for t in texts]


@dataclass(frozen=True)
class SubmissionResult:
    """One student's graded submission for one assignment."""

    student: str
    assignment: str
    source: str
    parts: list[PartResult]
    error: RunError | None = None
    notes: list[Msg] = field(default_factory=list)
    duration: float = 0.0
    #: The student's own parameters, by question, where the rubric gives each student a
    #: variant (decimal text as the handout shows them); empty otherwise.
    variant: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", list(messages(self.notes)))

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
            "notes": [str(n) for n in self.notes],
            "note_data": [n.to_json() for n in self.notes],
            "duration": self.duration,
            **({"variant": self.variant} if self.variant else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionResult:
        error = data.get("error")
        return cls(
            student=data["student"],
            assignment=data["assignment"],
            source=data["source"],
            parts=[PartResult.from_json(p) for p in data["parts"]],
            error=RunError.from_json(error) if error else None,
            notes=_notes(data),
            duration=data.get("duration", 0.0),
            variant=data.get("variant", {}),
        )
