"""Submission → answers → results. No I/O beyond the files it is handed.

Every result leaves here bounded in size (:mod:`grader.bounds`), so every report made
from it is too. Answer sheets are graded directly; notebooks become :class:`NotebookJob`s for an executor,
and their :class:`NotebookRun` is graded by :func:`grade_run`. A notebook's failure is
turned into part statuses here, in one place: parts whose variable the notebook never
produced score 0 with status ``error`` and the failure as feedback.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from grader.bounds import bound_result
from grader.carry import apply_policies
from grader.checks import check, prefer_consistent
from grader.extract.answersheet import SubmissionError, read_answer_sheet
from grader.extract.written import markdown_answers
from grader.outcomes import no_submission
from grader.results import PartResult, RunError, SubmissionResult, cell_no
from grader.rubric import Rubric
from grader.runner.base import Limits, NotebookJob, NotebookRun
from grader.submissions import Submission
from reference.messages import Msg, msg, verbatim


def grade_answers(
    rubric: Rubric, answers: dict[str, Any], student: str | None = None
) -> list[PartResult]:
    """Check every part of ``rubric`` against ``answers`` (part id → raw answer).

    A part with no answer scores 0 with status ``missing``, exactly as a blank answer does
    (a matrix part lists every cell as wrong). Where the rubric gives each student a
    variant, ``student`` picks theirs (the web service passes the signed-in student).
    """
    if student is not None:
        rubric = rubric.for_student(student)
    results = [_check_bounded(part, answers.get(part.id)) for part in rubric.parts]
    return apply_policies(rubric, prefer_consistent(results, list(rubric.parts)), answers)


#: Longest answer checked at all (characters of text in it, all cells together): a
#: 20 MB string left in an answer variable would take the checkers minutes.
MAX_ANSWER_CHARS = 100_000


def _answer_size(raw: Any, limit: int) -> int:
    """Characters of text in ``raw`` (strings, and items of nested lists), counted with an
    explicit stack and stopping as soon as ``limit`` is passed."""
    total, stack = 0, [raw]
    while stack and total <= limit:
        value = stack.pop()
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, (list, tuple)):
            total += len(value)
            stack.extend(value)
        elif isinstance(value, dict):
            total += len(value)
            stack.extend(value.keys())
            stack.extend(value.values())
        else:
            total += 1
    return total


def _check_bounded(part: Any, raw: Any) -> PartResult:
    """:func:`check`, unless the answer is longer than any answer can be: then ``invalid``."""
    if _answer_size(raw, MAX_ANSWER_CHARS) > MAX_ANSWER_CHARS:
        preview = raw[:200] if isinstance(raw, str) else None
        return PartResult(
            part.id,
            0.0,
            float(part.points),
            "invalid",
            msg(
                "the answer is longer than {limit} characters; it was not checked",
                limit=MAX_ANSWER_CHARS,
            ),
            got=preview,
        )
    return check(part, raw)


def unknown_answer_notes(rubric: Rubric, answers: dict[str, Any]) -> list[Msg]:
    """Notes for answers whose id matches no part (a typo the student should hear about)."""
    known = {p.id for p in rubric.parts}
    return [
        msg(
            "answer {answer} matches no part of {assignment}; it was ignored",
            answer=repr(key),
            assignment=rubric.assignment,
        )
        for key in answers
        if key not in known
    ]


def _failed_parts(rubric: Rubric, error: RunError) -> list[PartResult]:
    return [
        PartResult(p.id, 0.0, float(p.points), "error", not_graded(error)) for p in rubric.parts
    ]


def not_graded(error: RunError) -> Msg:
    """A part's feedback when the submission failed before the part could be read."""
    return msg("not graded: {reason}", reason=error.message)


def grade_sheet(rubric: Rubric, submission: Submission) -> SubmissionResult:
    """Grade an answer sheet; an unreadable sheet is an ``invalid_submission`` result."""
    source = str(submission.path)
    rubric = rubric.for_student(submission.student)
    try:
        sheet = read_answer_sheet(submission.path)
    except SubmissionError as exc:
        error = RunError(kind="invalid_submission", message=verbatim(str(exc)))
        return bound_result(
            SubmissionResult(
                submission.student,
                rubric.assignment,
                source,
                _failed_parts(rubric, error),
                error=error,
            )
        )
    notes = unknown_answer_notes(rubric, sheet.answers)
    if sheet.assignment and sheet.assignment != rubric.assignment:
        notes.append(
            msg(
                "the sheet says assignment {said}, graded as {graded}",
                said=repr(sheet.assignment),
                graded=repr(rubric.assignment),
            )
        )
    return bound_result(
        SubmissionResult(
            submission.student,
            rubric.assignment,
            source,
            grade_answers(rubric, sheet.answers),
            notes=notes,
            variant=rubric.variant,
        )
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
    without a value get status ``error`` if the run failed, ``missing`` otherwise. A
    written part is read from the markdown cell named for it (when no variable holds it).
    """
    rubric = rubric.for_student(submission.student)
    values = {**_markdown_values(rubric, submission), **run.values}
    parts: list[PartResult] = []
    for part in rubric.parts:
        if part.variable in values:
            result = _check_bounded(part, values[part.variable])
            if run.error is not None and part.variable in run.after_failure:
                after = msg(
                    "(set after the failing cell {cell}; the cells after it still ran)",
                    cell=cell_no(run.error.cell_index or 0),
                )
                result = dataclasses.replace(result, messages=(*result.messages, after))
            parts.append(result)
        elif run.error is not None:
            parts.append(
                PartResult(part.id, 0.0, float(part.points), "error", not_graded(run.error))
            )
        else:
            parts.append(
                PartResult(
                    part.id,
                    0.0,
                    float(part.points),
                    "missing",
                    msg("the notebook defines no variable {name}", name=part.variable),
                )
            )
    return bound_result(
        SubmissionResult(
            student=submission.student,
            assignment=rubric.assignment,
            source=str(submission.path),
            parts=apply_policies(
                rubric,
                prefer_consistent(parts, list(rubric.parts)),
                {p.id: values[p.variable] for p in rubric.parts if p.variable in values},
            ),
            error=run.error,
            notes=list(run.notes),
            duration=round(run.duration, 3),
            variant=rubric.variant,
        )
    )


def _markdown_values(rubric: Rubric, submission: Submission) -> dict[str, Any]:
    """Written parts' answers from the notebook's markdown cells, by variable name."""
    written = {p.id: (p.id, p.variable) for p in rubric.parts if p.check == "written"}
    if not written:
        return {}
    found = markdown_answers(submission.path, written)
    return {p.variable: found[p.id] for p in rubric.parts if p.id in found}


def grade_unreadable(rubric: Rubric, submission: Submission) -> SubmissionResult:
    """A student folder with nothing gradable in it."""
    error = RunError(kind="invalid_submission", message=no_submission(str(submission.path)))
    return SubmissionResult(
        submission.student,
        rubric.assignment,
        str(submission.path),
        _failed_parts(rubric, error),
        error=error,
    )
