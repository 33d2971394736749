"""What leaves the gradebook: the student's report (the page ``grade`` writes), the
gradebook exports ``grade`` writes (grades.csv with the trail, Canvas, Moodle,
Gradescope), and overrides.yaml exported and imported so that the command line and the
service grade alike."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from typing import Any

import yaml
from sqlalchemy.orm import Session as DbSession

import grader
from grader.classresults import ClassResults
from grader.display import score_text as shown_score
from grader.overrides import (
    Override,
    OverrideError,
    applies_to,
    apply_all_overrides,
    parse_overrides,
)
from grader.report import EXPORTS
from grader.report.html import render_student
from grader.rubric import Rubric
from grader.web import gradebook
from grader.web.labels import text
from grader.web.models import Mark, RubricItemRow, ScoreEvent
from grader.web.views import when
from grader.yamlio import YamlError, loads


def trail_line(event: ScoreEvent, lang: str) -> str:
    """One score change as a reader sees it: when, who, old → new, why."""
    why = text(f"kind_{event.kind}", lang) + (f": {event.why}" if event.why else "")
    old = "–" if event.old is None else shown_score(event.old, lang)
    return text(
        "trail_line",
        lang,
        time=when(event.created, lang),
        who=event.who,
        old=old,
        new=shown_score(event.new, lang),
        why=why,
    )


def part_comments(
    marks: dict[str, Mark],
    items: dict[str, list[RubricItemRow]],
    events: list[ScoreEvent],
    lang: str,
) -> dict[str, str]:
    """Per part, what the student's report says under "TA's comment": the rubric items
    ticked (with their points), the TA's comment and every change of the score."""
    out: dict[str, str] = {}
    parts = set(marks) | {e.part for e in events}
    for part in parts:
        lines = []
        mark = marks.get(part)
        chosen = set(gradebook.ticked(mark))
        ticked = [i for i in items.get(part, []) if i.item in chosen]
        if ticked:
            shown = [
                f"✓ {i.text_fa if lang == 'fa' else i.text_en} ({'+' if i.points > 0 else ''}"
                f"{shown_score(i.points, lang)})"
                for i in ticked
            ]
            lines.append(text("items_ticked", lang) + ": " + " · ".join(shown))
        if mark is not None and mark.comment:
            lines.append(text("ta_comment_line", lang, text=mark.comment))
        changes = [trail_line(e, lang) for e in events if e.part == part]
        if changes:
            lines.append(text("trail", lang) + ": " + " | ".join(changes))
        if lines:
            out[part] = " — ".join(lines)
    return out


def student_graded(db: DbSession, rubric: Rubric, student: str, lang: str) -> gradebook.Graded:
    """The student's final result with the report's comments in ``lang``."""
    answers = gradebook.handed_answers(db, rubric, student) or {}
    marks = {p: m for (_, p), m in gradebook.marks_of(db, rubric.assignment, student).items()}
    items = gradebook.items_of(db, rubric.assignment)
    events = gradebook.trail(db, rubric.assignment, student)
    comments = part_comments(marks, items, events, lang)
    return gradebook.final_result(
        db, rubric, student, answers, marks=marks, items=items, comments=comments
    )


def student_report(db: DbSession, rubric: Rubric, student: str, lang: str) -> str:
    """The student's published report: the per-student page ``grade`` writes."""
    graded = student_graded(db, rubric, student, lang)
    return render_student(
        student, [(rubric.for_student(student), graded.result)], lang=lang, index_href="/"
    )


def ta_overrides(db: DbSession, rubric: Rubric) -> list[Override]:
    """Every part a TA scored (a mark, a correction, an answered regrade, an import) as
    the override ``grade`` reads: the score, and the ticked items and comment as why."""
    overrides: list[Override] = []
    items = gradebook.items_of(db, rubric.assignment)
    for (student, part_id), mark in sorted(gradebook.marks_of(db, rubric.assignment).items()):
        try:
            part = rubric.part(part_id)
        except KeyError:
            continue
        score = gradebook.mark_score(part, mark, items.get(part_id, []))
        if score is None:
            continue
        chosen = set(gradebook.ticked(mark))
        named = [i.text_en for i in items.get(part_id, []) if i.item in chosen]
        comment = "; ".join([*named, *([mark.comment] if mark.comment else [])])
        part_name = f"{rubric.assignment}.{part_id}"
        overrides.append(Override(student, part_name, score, comment or None))
    return overrides


def overrides_yaml(db: DbSession, rubric: Rubric) -> str:
    """Every part a TA scored, as the overrides.yaml ``grade`` reads
    (``{student, part: assignment.question.part, score, comment}``)."""
    entries: list[dict[str, Any]] = []
    for override in ta_overrides(db, rubric):
        entry: dict[str, Any] = {
            "student": override.student,
            "part": override.part,
            "score": override.score,
        }
        if override.comment:
            entry["comment"] = override.comment
        entries.append(entry)
    header = f"# Exported from grade serve: the TAs' scores of {rubric.assignment}.\n"
    return header + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000)


def class_export(db: DbSession, rubric: Rubric) -> ClassResults:
    """The assignment's final results as ``grade`` computes them from the hand-ins and
    the exported overrides.yaml: each hand-in's automatic result, then every TA score
    applied by the command line's own :func:`~grader.overrides.apply_all_overrides`."""
    automatic = []
    for student in gradebook.handed_in_students(db, rubric.assignment):
        answers = gradebook.handed_answers(db, rubric, student) or {}
        graded = gradebook.final_result(db, rubric, student, answers, marks={}, items={})
        automatic.append(graded.result)
    assignments = apply_all_overrides([(rubric, automatic)], ta_overrides(db, rubric))
    return ClassResults(assignments=assignments)


def export_files(db: DbSession, rubric: Rubric) -> dict[str, bytes]:
    """Every gradebook file ``grade`` writes for the assignment's final results, by the
    path ``grade`` gives it: ``grades.csv``, ``canvas.csv``, ``moodle.csv`` and
    ``gradescope/<student>.json`` — written by :func:`grader.write_reports` itself."""
    with tempfile.TemporaryDirectory(prefix="dlgrade-export-") as folder:
        written = grader.write_reports(
            folder, class_export(db, rubric), formats=("csv", "gradescope"), exports=EXPORTS
        )
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in written}


def gradescope_zip(files: dict[str, bytes]) -> bytes:
    """The ``gradescope/<student>.json`` files of :func:`export_files` in one zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in sorted(files.items()):
            if name.startswith("gradescope/"):
                archive.writestr(name, body)
    return out.getvalue()


def grades_with_trail(db: DbSession, rubric: Rubric) -> str:
    """grades.csv as ``grade`` writes it with the exported overrides.yaml, plus a
    ``trail`` column: every score change of the student (part, old → new, who, when, why)."""
    written = export_files(db, rubric)["grades.csv"].decode("utf-8")
    base = list(csv.reader(io.StringIO(written)))
    events: dict[str, list[str]] = {}
    for e in gradebook.trail(db, rubric.assignment):
        old = "" if e.old is None else f"{e.old:g}"
        events.setdefault(e.student, []).append(
            f"{e.part}: {old} -> {e.new:g} by {e.who} at {e.created:%Y-%m-%d %H:%M} UTC"
            f" ({e.kind}{': ' + e.why if e.why else ''})"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*base[0], "trail"])
    for row in base[1:]:
        writer.writerow([*row, " | ".join(events.get(row[0], []))])
    return out.getvalue()


def import_overrides(db: DbSession, rubric: Rubric, source: str, ta: str) -> int:
    """Apply an overrides.yaml to ``rubric``'s assignment as hand-set scores (each on the
    trail as an import); returns how many were applied. Raises OverrideError naming the
    line of an entry that cannot apply (an unknown student or part, a score out of range)
    before anything is stored."""
    try:
        overrides = parse_overrides(loads(source, "overrides.yaml"))
    except YamlError as exc:
        raise OverrideError(str(exc)) from None
    students = set(gradebook.handed_in_students(db, rubric.assignment))
    chosen = []
    for override in overrides:
        if not applies_to(override, rubric):
            continue
        part_id = ".".join(override.part.split(".")[-2:])
        try:
            part = rubric.part(part_id)
        except KeyError:
            raise OverrideError(f"{override.where}: no part {part_id!r}") from None
        if override.student not in students:
            raise OverrideError(f"{override.where}: no hand-in of student {override.student!r}")
        if not 0 <= override.score <= float(part.points):
            raise OverrideError(f"{override.where}: score {override.score:g} is out of range")
        chosen.append((override, part_id))
    for override, part_id in chosen:
        gradebook.save_mark(
            db,
            rubric,
            override.student,
            part_id,
            ta,
            version=None,
            score=override.score,
            comment=override.comment or "",
            kind="import",
            why=override.comment or "",
        )
    return len(chosen)
