"""The shapes a class run hands from grading to the reports, defined once.

:data:`AssignmentResults` is one assignment's rubric with its students' results;
:class:`ClassResults` is what :func:`grader.api.grade_class` returns: every assignment,
the notes about the class as a whole, and how many students were graded now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.results import SubmissionResult
from grader.rubric import Rubric

#: One assignment: its rubric and every student's result, in the class's order.
AssignmentResults = tuple[Rubric, list[SubmissionResult]]


@dataclass(frozen=True)
class ScoreChange:
    """A student graded again because their files (or the rubric) changed: the score the
    last run gave (``old``) and the score now (``new``)."""

    assignment: str
    student: str
    old: float
    new: float


@dataclass(frozen=True)
class ClassResults:
    """A graded class.

    ``notes`` are sentences about the run as a whole ("not sandboxed" first, folders
    skipped, look-alike ids, overrides applied); ``graded`` students were graded by this
    run and ``reused`` came unchanged from the store; ``changes`` are the students graded
    again whom an earlier run had graded, with both scores.
    """

    assignments: list[AssignmentResults]
    notes: list[str] = field(default_factory=list)
    graded: int = 0
    reused: int = 0
    changes: list[ScoreChange] = field(default_factory=list)
    #: Student → Moodle participant id, for a class unpacked from Moodle's download.
    participants: dict[str, str] = field(default_factory=dict)

    def result(self, assignment: str, student: str) -> SubmissionResult:
        """One student's result; raises KeyError when there is none."""
        for rubric, results in self.assignments:
            if rubric.assignment == assignment:
                for r in results:
                    if r.student == student:
                        return r
        raise KeyError(f"{assignment}/{student}")
