"""Submission → answers → results. No I/O beyond the files it is handed.

Answer sheets are graded directly; notebooks become :class:`NotebookJob`s for an executor,
and their :class:`NotebookRun` is graded by :func:`grade_run`. A notebook's failure is
turned into part statuses here, in one place: parts whose variable the notebook never
produced score 0 with status ``error`` and the failure as feedback.
"""

from __future__ import annotations

from typing import Any

from grader.checks import check, prefer_consistent
from grader.extract.answersheet import SubmissionError, read_answer_sheet
from grader.results import PartResult, RunError, SubmissionResult
from grader.rubric import Rubric
from grader.runner.base import Limits, NotebookJob, NotebookRun
from grader.submissions import Submission


def grade_answers(rubric: Rubric, answers: dict[str, Any]) -> list[PartResult]:
    """Check every part of ``rubric`` against ``answers`` (part id → raw answer).

    A part with no answer scores 0 with status ``missing``, exactly as a blank answer does
    (a matrix part lists every cell as wrong).
    """
    results = [check(part, answers.get(part.id)) for part in rubric.parts]
    return prefer_consistent(results, list(rubric.parts))


def unknown_answer_notes(rubric: Rubric, answers: dict[str, Any]) -> list[str]:
    """Notes for answers whose id matches no part (a typo the student should hear about)."""
    known = {p.id for p in rubric.parts}
    return [
        f"answer {key!r} matches no part of {rubric.assignment}; it was ignored"
        for key in answers
        if key not in known
    ]


def _failed_parts(rubric: Rubric, error: RunError) -> list[PartResult]:
    return [
        PartResult(p.id, 0.0, float(p.points), "error", f"not graded: {error.message}")
        for p in rubric.parts
    ]


def grade_sheet(rubric: Rubric, submission: Submission) -> SubmissionResult:
    """Grade an answer sheet; an unreadable sheet is an ``invalid_submission`` result."""
    source = str(submission.path)
    try:
        sheet = read_answer_sheet(submission.path)
    except SubmissionError as exc:
        error = RunError(kind="invalid_submission", message=str(exc))
        return SubmissionResult(
            submission.student, rubric.assignment, source, _failed_parts(rubric, error), error=error
        )
    notes = unknown_answer_notes(rubric, sheet.answers)
    if sheet.assignment and sheet.assignment != rubric.assignment:
        notes.append(
            f"the sheet says assignment {sheet.assignment!r}, graded as {rubric.assignment!r}"
        )
    return SubmissionResult(
        submission.student,
        rubric.assignment,
        source,
        grade_answers(rubric, sheet.answers),
        notes=notes,
    )


def notebook_job(
    rubric: Rubric, submission: Submission, limits: Limits | None = None
) -> NotebookJob:
    """The executor job for a notebook submission: its path and the variables to read."""
    names = tuple(dict.fromkeys(p.variable for p in rubric.parts))
    return NotebookJob(
        key=f"{rubric.assignment}/{submission.student}",
        notebook=submission.path,
        names=names,
        limits=limits or rubric.limits(),
    )


def grade_run(rubric: Rubric, submission: Submission, run: NotebookRun) -> SubmissionResult:
    """Grade what a notebook run produced.

    Variables the notebook defined are checked even when a later cell failed; parts
    without a value get status ``error`` if the run failed, ``missing`` otherwise.
    """
    parts: list[PartResult] = []
    for part in rubric.parts:
        if part.variable in run.values:
            parts.append(check(part, run.values[part.variable]))
        elif run.error is not None:
            parts.append(
                PartResult(
                    part.id, 0.0, float(part.points), "error", f"not graded: {run.error.message}"
                )
            )
        else:
            parts.append(
                PartResult(
                    part.id,
                    0.0,
                    float(part.points),
                    "missing",
                    f"the notebook defines no variable {part.variable}",
                )
            )
    return SubmissionResult(
        student=submission.student,
        assignment=rubric.assignment,
        source=str(submission.path),
        parts=prefer_consistent(parts, list(rubric.parts)),
        error=run.error,
        notes=list(run.notes),
        duration=round(run.duration, 3),
    )


def grade_unreadable(rubric: Rubric, submission: Submission) -> SubmissionResult:
    """A student folder with nothing gradable in it."""
    error = RunError(
        kind="invalid_submission",
        message=f"{submission.path}: no notebook (.ipynb) or answer sheet (.yaml/.json) found",
    )
    return SubmissionResult(
        submission.student,
        rubric.assignment,
        str(submission.path),
        _failed_parts(rubric, error),
        error=error,
    )
