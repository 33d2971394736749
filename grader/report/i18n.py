"""Labels for the reports, and numbers written for each language.

Every label is an English message id; its Persian lives in the gettext catalog
(``grader/locale/fa/LC_MESSAGES/dlgrade.po``), like every other sentence a student reads.
Labels of run outcomes and part statuses come from :mod:`grader.outcomes`. Numbers follow
:mod:`grader.display`: Persian pages show scores and counts in Persian digits with ``٫``;
matrices, code and exports keep ASCII digits so they can be copied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.display import digits, score_of, score_text
from grader.i18n import LANGS, N_, check_lang, translate
from grader.outcomes import LABELS as OUTCOME_LABELS
from grader.outcomes import NO_SCORE, NO_SCORE_AFTER, RUN_LABELS

__all__ = [
    "LABELS",
    "LANGS",
    "answer_text",
    "check_lang",
    "digits",
    "label",
    "no_score_reason",
    "number",
    "run_label",
    "score_of",
]

#: Label key (as templates and views name it) → its English text, the catalogs' msgid.
LABELS: dict[str, str] = {
    **OUTCOME_LABELS,
    "class_summary": N_("Class summary"),
    "student": N_("Student"),
    "students": N_("Students"),
    "score": N_("Score"),
    "total": N_("Total"),
    "status": N_("Status"),
    "part": N_("Part"),
    "points": N_("Points"),
    "your_answer": N_("Your answer"),
    "expected": N_("Expected"),
    "not_revealed": N_("not revealed"),
    "feedback": N_("Feedback"),
    "solution": N_("Worked solution"),
    "error_title": N_("The notebook stopped with an error"),
    "failing_cell": N_("Failing cell"),
    "cell": N_("cell"),
    "traceback": N_("Traceback"),
    "notes": N_("Notes"),
    "your_parameters": N_("Your parameters"),
    "not_sandboxed": N_("Not sandboxed: the students' code ran without isolation."),
    "overridden": N_("Score changed by a TA"),
    "ta_comment": N_("TA's comment"),
    "distribution": N_("Score distribution"),
    "difficulty": N_("Per-part difficulty (mean fraction of the points)"),
    "mistakes": N_("Most common mistakes"),
    "wrong_values": N_("Most frequent wrong values"),
    "no_mistakes": N_("No common mistakes."),
    "of": N_("of"),
    "matched": N_("{count} of {total}"),
    "times": N_("×{count}"),
    "source": N_("Submission"),
    "mean": N_("mean"),
    "fraction": N_("fraction of the points"),
    "n_students": N_("students"),
    "wrong_cell": N_("wrong cell"),
    "sort_hint": N_("click a column header to sort"),
    "absent": N_("no submission"),
    "back": N_("Class summary"),
    "note": N_("note"),
    "run_ended": N_("The run ended: {outcome}"),
    "wrong_cells": N_("wrong cells (row, column): {cells}"),
    "assignments": N_("Assignments"),
    "class_page": N_("class page"),
    "overview": N_("Overview"),
    "median": N_("median"),
}


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (the key itself for a key no one defined)."""
    return translate(LABELS.get(key, key), lang)


def run_label(status: str, lang: str) -> str:
    """How a submission's run ended, in one word or two (``graded``, ``timed out``,
    ``stopped with an error``): never the raw outcome id."""
    return translate(RUN_LABELS.get(status, status), lang)


def no_score_reason(status: str, lang: str, run: str = "graded") -> str | None:
    """One sentence saying why a part with ``status`` has no score (None if it may);
    for a part not graded (``error``), worded by how the run ended (``run``)."""
    if status == "error" and run in NO_SCORE_AFTER:
        return translate(NO_SCORE_AFTER[run], lang)
    return translate(NO_SCORE[status], lang) if status in NO_SCORE else None


def number(value: float, lang: str = "en") -> str:
    """A score or value as every report writes it (:func:`grader.display.score_text`)."""
    return score_text(value, lang)


def answer_text(value: Any, number_text: Callable[[float], str] = str) -> str:
    """One line for an answer of any shape: lists as ``[a, b]``, floats via ``number_text``."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "[" + ", ".join(answer_text(v, number_text) for v in value) + "]"
    if isinstance(value, float):
        return number_text(value)
    return str(value)
