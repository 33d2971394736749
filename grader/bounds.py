"""Results of bounded size: one student's enormous answer or output never becomes an
enormous report.

A notebook can leave a 20 MB string in an answer variable, raise an exception whose message
is megabytes long, or print without end; every report (HTML page, ``results.json``,
Gradescope file, ``grade check --json``) is rendered from the stored result, so the result
is cut here, once, as it is graded. What was cut says so where it was cut, and the result
carries a note naming the part.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from grader.results import PartResult, RunError, SubmissionResult
from reference.messages import Msg, msg

#: The most a student's result may take as JSON (bytes, about).
MAX_RESULT_BYTES = 1_000_000
#: Longest single text kept: feedback, a note, an error message.
MAX_TEXT = 10_000
#: Longest traceback or failing cell source kept.
MAX_TRACE = 50_000
#: Most notes kept on one result.
MAX_NOTES = 50


def cut_text(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and a marker saying
    how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [cut: {len(text) - limit} more characters]"


def cut_message(message: Msg, limit: int) -> Msg:
    """``message`` with each of its text parameters (what a student or Python wrote: an
    exception's text, an answer) cut by :func:`cut_text`."""
    params = {
        k: cut_message(v, limit)
        if isinstance(v, Msg)
        else cut_text(v, limit)
        if isinstance(v, str)
        else v
        for k, v in message.params.items()
    }
    return Msg(message.id, params)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))


def _bound_answer(value: Any, limit: int) -> tuple[Any, bool]:
    """``value`` (a display form: text or nested lists of text) if its JSON fits in
    ``limit`` characters; else a text preview of it, marked as cut."""
    if value is None:
        return value, False
    size = _size(value)
    if size <= limit:
        return value, False
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return cut_text(text, limit), True


def _bound_error(error: RunError | None) -> RunError | None:
    if error is None:
        return None
    return dataclasses.replace(
        error,
        message=cut_message(error.message, MAX_TEXT),
        evalue=None if error.evalue is None else cut_text(error.evalue, MAX_TEXT),
        ename=None if error.ename is None else cut_text(error.ename, 200),
        traceback=None if error.traceback is None else cut_text(error.traceback, MAX_TRACE),
        source=None if error.source is None else cut_text(error.source, MAX_TRACE),
    )


def bound_result(result: SubmissionResult, max_bytes: int = MAX_RESULT_BYTES) -> SubmissionResult:
    """``result`` with every student-controlled text cut so that its JSON takes at most
    about ``max_bytes``; unchanged (the same object) when it already fits."""
    if _size(result.to_json()) <= max_bytes:
        return result
    notes = [cut_message(n, MAX_TEXT) for n in result.notes[:MAX_NOTES]]
    if len(result.notes) > MAX_NOTES:
        notes.append(msg("{count} more notes were left out", count=len(result.notes) - MAX_NOTES))
    error = _bound_error(result.error)
    fixed = _size([notes, error.to_json() if error else None]) + 2_000 * (len(result.parts) + 1)
    # What is left is shared by the parts' answers: none may crowd out the others.
    per_part = max(200, (max_bytes - fixed) // max(1, 2 * len(result.parts)))
    parts: list[PartResult] = []
    for part in result.parts:
        got, got_cut = _bound_answer(part.got, per_part)
        expected, _ = _bound_answer(part.expected, per_part)
        parts.append(
            dataclasses.replace(
                part,
                got=got,
                expected=expected,
                messages=tuple(cut_message(m, MAX_TEXT) for m in part.messages),
                wrong_cells=part.wrong_cells[: per_part // 16],
                comment=None if part.comment is None else cut_text(part.comment, MAX_TEXT),
            )
        )
        if got_cut:
            notes.append(
                msg(
                    "the answer to {part} is {size} characters long; the reports show its "
                    "first {shown}",
                    part=part.id,
                    size=_size(part.got),
                    shown=per_part,
                )
            )
    return dataclasses.replace(result, parts=parts, notes=notes, error=error)
