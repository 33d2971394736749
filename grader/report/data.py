"""A result as JSON-ready data for one reader: ``grade check --json`` and the web service.

Sentences (feedback, errors) are rendered in the reader's language here; numbers follow
the one display policy of :mod:`grader.display`.
"""

from __future__ import annotations

from typing import Any

from grader.checks import CHECKS
from grader.display import score_value
from grader.i18n import render
from grader.results import SubmissionResult
from grader.rubric import Rubric


def _error(result: SubmissionResult, lang: str) -> dict[str, Any] | None:
    if result.error is None:
        return None
    data = {k: v for k, v in result.error.to_json().items() if k != "message_data"}
    data["message"] = render(result.error.message, lang)
    return data


def check_data(result: SubmissionResult, rubric: Rubric, lang: str = "en") -> dict[str, Any]:
    """The DESIGN's ``grade check --json`` shape; each part lists only the fields its
    check kind fills (a matrix part its ``wrong_cells``)."""
    parts = []
    for part in result.parts:
        entry = {
            k: v
            for k, v in part.to_json().items()
            if k not in ("overridden", "comment", "messages")
        }
        entry["feedback"] = render(part.messages, lang)
        entry["score"], entry["max_score"] = score_value(part.score), score_value(part.max_score)
        try:
            kind = CHECKS[rubric.part(part.id).check]
        except KeyError:
            parts.append(entry)
            continue
        parts.append(kind.json_fields(entry))
    return {
        "student": result.student,
        "assignment": result.assignment,
        "score": score_value(result.score),
        "max_score": score_value(result.max_score),
        "status": result.status,
        "error": _error(result, lang),
        "notes": [render(n, lang) for n in result.notes],
        "parts": parts,
    }
