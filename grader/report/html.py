"""HTML reports: one page per student and a class summary, rendered by jinja2 templates.

This module only turns results into plain view dictionaries (labels chosen, numbers written
for the page's language, counts tallied); the templates lay them out. Every template is
autoescaped, so whatever a student wrote — answers, outputs, names, tracebacks — reaches the
page as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from grader.classresults import AssignmentResults
from grader.i18n import render, translations
from grader.numbers import clean
from grader.report import plots
from grader.report.i18n import (
    answer_text,
    check_lang,
    digits,
    label,
    no_score_reason,
    number,
    run_label,
    score_of,
)
from grader.results import PartResult, SubmissionResult, cell_no
from grader.rubric import ResolvedPart, Rubric
from grader.signals import other_variants, shared_answers

_HERE = Path(__file__).parent
_WRONG_STATUSES = ("wrong", "partial")


@cache
def _env(lang: str) -> jinja2.Environment:
    """The templates of one language: jinja2's i18n extension reads the gettext catalog,
    so ``{% trans %}`` and ``_()`` in a template speak ``lang``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


@cache
def _sort_script() -> tuple[str, str]:
    """The table-sorting script and its CSP hash (only this script may run on a page)."""
    script = (_HERE / "static" / "sort.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return script, f"sha256-{digest}"


def _base(lang: str, title: str) -> dict[str, Any]:
    script, script_hash = _sort_script()
    return {
        "lang": lang,
        "dir": "rtl" if lang == "fa" else "ltr",
        "page_title": title,
        "script": Markup(script),
        "script_hash": script_hash,
        "num": lambda value: number(value, lang),
        "digits": lambda text: digits(str(text), lang),
    }


def _is_grid(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, list) for r in value)


def _display(value: Any, wrong: set[tuple[int, int]] | None = None) -> dict[str, Any] | None:
    """A value as the templates show it: a grid of cells (wrong ones flagged) or text."""
    if value is None:
        return None
    if _is_grid(value):
        wrong = wrong or set()
        rows = [
            [
                {"text": answer_text(cell, number), "wrong": (r, c) in wrong}
                for c, cell in enumerate(row)
            ]
            for r, row in enumerate(value)
        ]
        return {"kind": "grid", "rows": rows}
    text = answer_text(value, number)
    return {"kind": "text", "text": text, "pieces": number_pieces(text)}


#: A number as written in an answer: digits of any script, a decimal mark or fraction
#: slash inside, a minus before it or (typed right to left) after it.
_NUMBER = re.compile(r"[-−]?[0-9۰-۹٠-٩](?:[0-9۰-۹٠-٩.,٫/]*[0-9۰-۹٠-٩])?[-−]?")


def number_pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_number)``: the page keeps each number on one line
    (a minus alone at the start of the next line reads as another value)."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _NUMBER.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], False))
        pieces.append((match.group(), True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def _lookup(rubric: Rubric, part_id: str) -> ResolvedPart | None:
    try:
        return rubric.part(part_id)
    except KeyError:
        return None


def _title(titles: dict[str, str] | None, lang: str, fallback: str) -> str:
    titles = titles or {}
    return titles.get(lang) or titles.get("en") or fallback


def _part_view(rubric: Rubric, part: PartResult, lang: str, run: str = "graded") -> dict[str, Any]:
    spec = _lookup(rubric, part.id)
    revealed = spec is None or spec.reveal
    wrong = {(r, c) for r, c in part.wrong_cells}
    expected = part.expected if revealed else None
    return {
        "id": part.id,
        "title": _title(spec.title if spec else None, lang, ""),
        "status": part.status,
        "status_label": label(part.status, lang),
        "why": no_score_reason(part.status, lang, run) if part.score == 0 else None,
        "score": score_of(part.score, part.max_score, lang),
        "got": _display(part.got, wrong),
        "expected": _display(expected),
        "revealed": revealed and expected is not None,
        "feedback": render(part.messages, lang),
        "reading": part.reading,
        "overridden": part.overridden,
        "comment": part.comment,
    }


def _questions_view(rubric: Rubric, result: SubmissionResult, lang: str) -> list[dict[str, Any]]:
    titles = {q.id: q.title for q in rubric.model.questions}
    order = [q.id for q in rubric.model.questions]
    groups: dict[str, list[PartResult]] = {}
    for part in result.parts:
        groups.setdefault(part.id.split(".", 1)[0], []).append(part)
    ordered = [q for q in order if q in groups] + [q for q in groups if q not in order]
    views = []
    for qid in ordered:
        parts = groups[qid]
        show_steps = any(
            (spec := _lookup(rubric, p.id)) is not None and spec.show_solution for p in parts
        )
        solution = rubric.solutions.get(qid)
        views.append(
            {
                "id": qid,
                "title": _title(titles.get(qid), lang, qid),
                "parts": [_part_view(rubric, p, lang, result.status) for p in parts],
                # A student with a variant of their own sees the parameters it was graded at.
                "params": [
                    {"name": name, "value": _same_script(value)}
                    for name, value in result.variant.get(qid, {}).items()
                ],
                "steps": [render(s, lang) for s in solution.steps]
                if show_steps and solution is not None
                else [],
            }
        )
    return views


def _assignment_view(rubric: Rubric, result: SubmissionResult, lang: str) -> dict[str, Any]:
    rubric = rubric.for_student(result.student)  # their own variant's key and steps
    error = result.error
    return {
        "id": rubric.assignment,
        "title": rubric.title(lang),
        "score": score_of(result.score, float(rubric.max_score), lang),
        "status": result.status,
        "status_label": run_label(result.status, lang),
        "error_title": label("error_title", lang)
        if error is None or error.kind == "error"
        else label("run_ended", lang).format(outcome=run_label(error.kind, lang)),
        "source": result.source,
        "error": {**error.to_json(), "message": render(error.message, lang)} if error else None,
        "error_cell": digits(str(cell_no(error.cell_index)), lang)
        if error and error.cell_index is not None
        else None,
        "notes": [render(n, lang) for n in result.notes],
        "questions": _questions_view(rubric, result, lang),
    }


def render_student(
    student: str,
    entries: Sequence[tuple[Rubric, SubmissionResult]],
    *,
    lang: str,
    index_href: str = "index.html",
) -> str:
    """The HTML report of one student over every assignment in ``entries``."""
    check_lang(lang)
    context = _base(lang, student)
    context.update(
        {
            "student": student,
            "index_href": index_href,
            "assignments": [_assignment_view(rubric, result, lang) for rubric, result in entries],
        }
    )
    return _env(lang).get_template("student.html.j2").render(context)


def _mistakes(
    rubric: Rubric, spec: ResolvedPart | None, results: list[PartResult], total: int, lang: str
) -> list[dict[str, Any]]:
    explanations = {m.id: m.explanation for m in (spec.mistakes if spec else ())}
    by_id: dict[str, list[PartResult]] = {}
    for r in results:
        if r.misconception:
            by_id.setdefault(r.misconception, []).append(r)
    rows = []
    for mid, matched in sorted(by_id.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        text = explanations.get(mid)
        if text is None:
            text = Counter(render(r.messages, lang) for r in matched).most_common(1)[0][0]
        else:
            text = render(text, lang)
        rows.append(
            {
                "id": mid,
                "explanation": text,
                "count": label("matched", lang).format(
                    count=digits(str(len(matched)), lang), total=digits(str(total), lang)
                ),
            }
        )
    return rows


def _same_script(value: Any) -> Any:
    """A student's value with Persian digits, ٫ and RTL minus signs written the ASCII way,
    so that ``۰٫۴`` and ``0.4`` count as one wrong value."""
    if isinstance(value, list):
        return [_same_script(v) for v in value]
    return clean(value) if isinstance(value, str) else value


def _wrong_values(results: list[PartResult], lang: str, top: int = 3) -> list[dict[str, Any]]:
    counts = Counter(
        json.dumps(_same_script(r.got), ensure_ascii=False, sort_keys=True)
        for r in results
        if r.status in _WRONG_STATUSES and r.got is not None
    )
    rows = []
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        rows.append({"value": _display(json.loads(key)), "count": digits(str(count), lang)})
    return rows


def _signals(rubric: Rubric, results: list[SubmissionResult], lang: str) -> list[dict[str, Any]]:
    """Shared unusual answers and answers fitting another variant, as sentences for a TA."""
    rows = [
        {"text": render(s.message(), lang), "value": _display(s.value)}
        for s in shared_answers(results)
    ]
    rows += [
        {"text": render(s.message(), lang), "value": None} for s in other_variants(rubric, results)
    ]
    return rows


def _class_view(
    rubric: Rubric, results: list[SubmissionResult], lang: str, index: int
) -> dict[str, Any]:
    total = len(results)
    max_score = float(rubric.max_score)
    scores = [r.score for r in results]
    by_part: dict[str, list[PartResult]] = {}
    for result in results:
        for part in result.parts:
            by_part.setdefault(part.id, []).append(part)
    part_ids = [p.id for p in rubric.parts] + [
        pid for pid in by_part if _lookup(rubric, pid) is None
    ]
    parts = []
    fractions = []
    for pid in part_ids:
        got = by_part.get(pid, [])
        spec = _lookup(rubric, pid)
        points = float(spec.points) if spec else (got[0].max_score if got else 0.0)
        fraction = (sum(p.score for p in got) / (points * len(got))) if got and points else 0.0
        fractions.append(fraction)
        counts = Counter(p.status for p in got)
        parts.append(
            {
                "id": pid,
                "title": _title(spec.title if spec else None, lang, ""),
                "points": number(points, lang),
                "mean": number(fraction * 100, lang),
                "statuses": [
                    {"status": s, "label": label(s, lang), "count": digits(str(counts[s]), lang)}
                    for s in ("correct", "partial", "wrong", "missing", "invalid", "error")
                    if counts[s]
                ],
                "mistakes": _mistakes(rubric, spec, got, total, lang),
                "wrong_values": _wrong_values(got, lang),
            }
        )
    return {
        "id": rubric.assignment,
        "title": rubric.title(lang),
        "students": digits(str(total), lang),
        "max_score": number(max_score, lang),
        "mean": score_of(statistics.fmean(scores), max_score, lang) if scores else "–",
        "median": number(statistics.median(scores), lang) if scores else "–",
        "distribution": Markup(
            plots.score_distribution_svg(
                scores,
                max_score,
                lang=lang,
                xlabel=label("score", lang),
                ylabel=label("n_students", lang),
                prefix=f"dist{index}",
            )
        ),
        "difficulty": Markup(
            plots.part_difficulty_svg(
                part_ids,
                fractions,
                lang=lang,
                xlabel=label("fraction", lang),
                prefix=f"parts{index}",
            )
        ),
        "parts": parts,
        "signals": _signals(rubric, results, lang),
    }


def render_index(
    classes: Sequence[AssignmentResults],
    *,
    lang: str,
    student_pages: dict[str, str],
    notes: Sequence[str] = (),
) -> str:
    """The class summary over every assignment; ``student_pages`` maps student → file name;
    ``notes`` are the run's remarks about the class (skipped folders, look-alike ids)."""
    check_lang(lang)
    students = sorted({r.student for _, results in classes for r in results})
    table = []
    for student in students:
        cells = []
        total = 0.0
        statuses = []
        for rubric, results in classes:
            mine = next((r for r in results if r.student == student), None)
            if mine is None:
                cells.append({"text": label("absent", lang), "sort": "-1"})
                continue
            total += mine.score
            statuses.append(mine.status)
            cells.append(
                {
                    "text": score_of(mine.score, float(rubric.max_score), lang),
                    "sort": f"{mine.score:g}",
                }
            )
        worst = next((s for s in statuses if s != "graded"), "graded")
        table.append(
            {
                "student": student,
                "href": student_pages.get(student),
                "cells": cells,
                "total": number(total, lang),
                "total_sort": f"{total:g}",
                "status": run_label(worst, lang),
                "status_key": worst,
            }
        )
    context = _base(lang, label("class_summary", lang))
    context.update(
        {
            "assignments": [
                _class_view(rubric, results, lang, i) for i, (rubric, results) in enumerate(classes)
            ],
            "headers": [rubric.title(lang) for rubric, _ in classes],
            "max_total": number(sum(float(rubric.max_score) for rubric, _ in classes), lang),
            "table": table,
            "class_notes": list(notes),
        }
    )
    return _env(lang).get_template("index.html.j2").render(context)


def render_overview(
    classes: Sequence[AssignmentResults],
    *,
    lang: str,
    class_pages: dict[str, str],
    student_pages: dict[str, str],
    notes: Sequence[str] = (),
) -> str:
    """The overview of a class graded on several assignments: one row per assignment
    (its students, mean and median, a link to its own class page ``class_pages[id]``) and
    one row per student with a score only where they handed something in, no total over
    assignments they never took."""
    check_lang(lang)
    assignments = []
    for rubric, results in classes:
        scores = [r.score for r in results]
        max_score = float(rubric.max_score)
        assignments.append(
            {
                "id": rubric.assignment,
                "title": rubric.title(lang),
                "href": class_pages[rubric.assignment],
                "students": digits(str(len(results)), lang),
                "mean": score_of(statistics.fmean(scores), max_score, lang) if scores else "–",
                "median": number(statistics.median(scores), lang) if scores else "–",
            }
        )
    students = sorted({r.student for _, results in classes for r in results})
    table = []
    for student in students:
        cells = []
        for rubric, results in classes:
            mine = next((r for r in results if r.student == student), None)
            cells.append(
                None
                if mine is None
                else {
                    "text": score_of(mine.score, float(rubric.max_score), lang),
                    "sort": f"{mine.score:g}",
                    "status": mine.status,
                    "status_label": run_label(mine.status, lang),
                }
            )
        table.append({"student": student, "href": student_pages.get(student), "cells": cells})
    context = _base(lang, label("overview", lang))
    context.update(
        {
            "assignments": assignments,
            "headers": [rubric.title(lang) for rubric, _ in classes],
            "table": table,
            "class_notes": list(notes),
        }
    )
    return _env(lang).get_template("overview.html.j2").render(context)
