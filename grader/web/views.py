"""Results turned into what a page shows: labels chosen, numbers written for the page's
language, and every string a student reads passed through the assignment's
:class:`~grader.web.keyguard.KeyGuard`. No scoring here, only display."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Any

import sympy

from grader.i18n import render
from grader.report.i18n import answer_text, digits, label, number, score_of
from grader.results import PartResult, RunError
from grader.rubric import ResolvedPart, Rubric
from grader.web.forms import field_name, grid_cells, widget
from grader.web.keyguard import KeyGuard
from grader.web.labels import text
from grader.web.models import Regrade
from reference.messages import Msg


def when(moment: datetime | None, lang: str) -> str:
    """A time as the pages write it (UTC, minutes), in the language's digits."""
    return "" if moment is None else digits(f"{moment:%Y-%m-%d %H:%M}", lang)


def title(value: dict[str, str] | None, lang: str, fallback: str) -> str:
    """A rubric title in ``lang`` (English, then ``fallback``, where it has none)."""
    value = value or {}
    return value.get(lang) or value.get("en") or fallback


def regrade_answer(regrade: Regrade, lang: str) -> str | None:
    """A TA's answer to a regrade request as both the TA and the student read it (who,
    when, what), or None while it waits for one."""
    if regrade.answer is None:
        return None
    return text(
        "answered_by",
        lang,
        name=regrade.answered_by,
        time=when(regrade.answered, lang),
        answer=regrade.answer,
    )


def result_view(result: PartResult, guard: KeyGuard, lang: str) -> dict[str, Any]:
    """A part's verdict for the page: status label, score, feedback and known mistake."""
    return {
        "status": result.status,
        "status_label": label(result.status, lang),
        "score": score_of(result.score, result.max_score, lang),
        "feedback": guard.text(render(result.messages, lang)),  # in the reader's language
        "misconception": result.misconception,
        "expected": None if result.expected is None else answer_text(result.expected),
        "got": guard.value(answer_text(result.got)) if result.got is not None else "",
        "wrong_cells": {(r, c) for r, c in result.wrong_cells},
        "comment": guard.text(result.comment or ""),
    }


def check_view(
    part_id: str,
    result: PartResult | None,
    guard: KeyGuard,
    lang: str,
    left: int,
    message: str | None = None,
) -> dict[str, Any]:
    """A check's verdict as the JSON the page's script shows: the same strings as the
    page's result box (labels in ``lang``, every student-visible string guarded)."""
    view: dict[str, Any] = {
        "part": part_id,
        "message": message,
        "left": text("checks_left", lang, count=digits(str(left), lang)),
        "status": None,
    }
    if result is None:
        return view
    shown = result_view(result, guard, lang)
    return {
        **view,
        "status": shown["status"],
        "status_label": shown["status_label"],
        "score": shown["score"],
        "feedback": shown["feedback"],
        "misconception": shown["misconception"],
        "misconception_label": text("misconception", lang),
        "wrong_cells": sorted([r, c] for r, c in shown["wrong_cells"]),
        "wrong_cells_note": text("wrong_cells", lang),
        "expected": shown["expected"],
        "expected_label": text("expected", lang),
    }


def part_view(
    part: ResolvedPart,
    answer: Any,
    result: PartResult | None,
    guard: KeyGuard,
    lang: str,
    left: int,
    message: str | None = None,
) -> dict[str, Any]:
    """Everything the form of one part needs: its inputs, the draft, the last verdict."""
    shape = widget(part)
    view: dict[str, Any] = {
        "id": part.id,
        "anchor": "part-" + part.id.replace(".", "-"),
        "title": title(part.title, lang, part.part),
        "points": number(float(part.points), lang),
        "kind": shape.kind,
        "field": field_name(part.id),
        "options": list(shape.options),
        "value": "" if answer is None or isinstance(answer, list) else str(answer),
        "result": None if result is None else result_view(result, guard, lang),
        "left": text("checks_left", lang, count=digits(str(left), lang)),
        "message": message,
    }
    if shape.kind == "grid":
        wrong = view["result"]["wrong_cells"] if view["result"] else set()
        cells = grid_cells(part, answer)
        view["grid"] = [
            [
                {"name": field_name(part.id, r, c), "value": v, "wrong": (r, c) in wrong}
                for c, v in enumerate(row)
            ]
            for r, row in enumerate(cells)
        ]
    return view


def _plain(value: Any) -> Any:
    """A given parameter as the question states it: exact decimals stay decimals (1.6,
    not 8/5); other fractions stay fractions; lists and mappings keep their shape."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, sympy.Rational):
        if value.is_integer:
            return str(value)
        q = int(value.q)
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1:
            with localcontext() as ctx:
                ctx.prec = 60
                text = format(Decimal(int(value.p)) / Decimal(int(value.q)), "f")
            return text.rstrip("0").rstrip(".")
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _param_text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return "\n".join("  ".join(str(c) for c in row) for row in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False).replace('"', "")
    return str(value)


def question_views(
    rubric: Rubric,
    answers: dict[str, Any],
    results: dict[str, PartResult],
    guard: KeyGuard,
    lang: str,
    left: dict[str, int],
    messages: dict[str, str],
) -> list[dict[str, Any]]:
    """The questions of an assignment page with their given parameters and parts."""
    views = []
    for question in rubric.model.questions:
        parts = [p for p in rubric.parts if p.question == question.id]
        views.append(
            {
                "id": question.id,
                "title": title(question.title, lang, question.id),
                "params": [(name, _param_text(v)) for name, v in question.params.items()],
                "parts": [
                    part_view(
                        p,
                        answers.get(p.id),
                        results.get(p.id),
                        guard,
                        lang,
                        left.get(p.id, 0),
                        messages.get(p.id),
                    )
                    for p in parts
                ],
            }
        )
    return views


def run_view(result: dict[str, Any], rubric: Rubric, guard: KeyGuard, lang: str) -> dict[str, Any]:
    """A graded notebook run for the job page (from its stored SubmissionResult JSON)."""
    parts = []
    for data in result.get("parts", []):
        part_result = PartResult.from_json(data)
        try:
            part = rubric.part(part_result.id)
            name = f"{part.question} · {title(part.title, lang, part.part)}"
        except KeyError:
            name = part_result.id
        parts.append({"name": name, **result_view(part_result, guard, lang)})
    error = result.get("error") or {}
    message = RunError.from_json(error).message if error else ""
    return {
        "score": score_of(result.get("score", 0.0), result.get("max_score", 0.0), lang),
        "parts": parts,
        "error": guard.text(render(message, lang)) if error else "",
        "traceback": guard.text(error.get("traceback") or "") if error else "",
        # Notes as data where stored so (rendered in the reader's language), else text.
        "notes": [
            guard.text(render(Msg.from_json(n), lang))
            for n in result.get("note_data") or result.get("notes", [])
        ],
    }
