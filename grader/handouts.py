"""Handouts of a rubric with variants: each student's own parameters, and the TA's table.

``grade variants RUBRIC --roster roster.csv --out DIR`` writes, per student of the
roster, ``DIR/<student>.md`` (the questions with that student's parameters, in the
roster's ``lang`` or the rubric's) and ``DIR/<student>.ipynb`` (a notebook stub that
defines those parameters and the answer variables), and ``DIR/variants.csv``: one row per
student, one column per varying parameter, for the instructor.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from grader.discovery import InputError
from grader.fsutil import atomic_write_text
from grader.i18n import render
from grader.rubric import Rubric
from grader.variants import decimal, specs
from reference.core import ParamError, exact
from reference.messages import msg

_ID_COLUMNS = ("student", "id", "student_id", "ID", "Student")


@dataclass(frozen=True)
class Student:
    """One roster row: the student id a TA already has, and what a handout greets."""

    id: str
    name: str = ""
    email: str = ""
    lang: str | None = None


def read_roster(path: Path) -> list[Student]:
    """A roster CSV (``student``/``id``, optional ``name``, ``email``, ``lang``); raises
    :class:`InputError` naming the file and row of a problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    column = next((c for c in _ID_COLUMNS if c in (reader.fieldnames or [])), None)
    if column is None:
        raise InputError(f"{path}:1: a roster needs a 'student' (or 'id') column")
    students, seen = [], set()
    for row_no, row in enumerate(reader, start=2):
        sid = (row.get(column) or "").strip()
        if not sid:
            continue
        if sid in seen:
            raise InputError(f"{path}:{row_no}: student {sid!r} is listed twice")
        lang = (row.get("lang") or "").strip() or None
        if lang not in (None, "en", "fa"):
            raise InputError(f"{path}:{row_no}: lang must be fa or en, not {lang!r}")
        seen.add(sid)
        students.append(
            Student(sid, (row.get("name") or "").strip(), (row.get("email") or "").strip(), lang)
        )
    return students


def _value(value: Any) -> str:
    """A parameter as Python/YAML text: exact decimals (``0.03``), nested lists, quoted text."""
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, sympy.Rational):
        return decimal(value)
    if isinstance(value, str):
        try:
            return decimal(exact(value))
        except ParamError:
            return json.dumps(value, ensure_ascii=False)
    return str(value)


def handout_markdown(rubric: Rubric, student: Student, lang: str) -> str:
    """The student's handout: every question with all its parameters, theirs drawn."""
    mine = rubric.for_student(student.id)
    lines = [f"# {rubric.title(lang)}", ""]
    who = student.id + (f" — {student.name}" if student.name else "")
    lines += [render(msg("Handout for {student}", student=who), lang), ""]
    for q in mine.model.questions:
        title = (q.title or {}).get(lang) or (q.title or {}).get("en") or q.id
        lines += [f"## {title}", ""]
        if q.params:
            lines += [render(msg("Your parameters:"), lang), ""]
            lines += [f"- `{name} = {_value(value)}`" for name, value in q.params.items()]
            lines.append("")
        variables = [p.variable for p in mine.parts if p.question == q.id]
        lines += [
            render(msg("Answer in the variables {names}.", names=", ".join(variables)), lang),
            "",
        ]
    return "\n".join(lines)


def notebook_stub(rubric: Rubric, student: Student, lang: str) -> dict[str, Any]:
    """A notebook (nbformat 4) with the handout, the parameters and empty answers."""
    mine = rubric.for_student(student.id)
    source = [f"# {rubric.title(lang)} — {student.id}\n"]
    for q in mine.model.questions:
        if q.params:  # one dict per question: a parameter never shadows an answer variable
            items = ", ".join(f"{json.dumps(n)}: {_value(v)}" for n, v in q.params.items())
            source.append(f"{q.id}_params = {{{items}}}\n")
    answers = [f"{p.variable} = None\n" for p in mine.parts]

    def cell(kind: str, text: str | list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": text}
        if kind == "code":
            body.update(execution_count=None, outputs=[])
        return body

    return {
        "cells": [
            cell("markdown", handout_markdown(rubric, student, lang)),
            cell("code", source),
            cell("code", answers),
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_handouts(rubric: Rubric, students: list[Student], out: Path) -> list[Path]:
    """Write every student's handout and stub and the instructor's ``variants.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    varying = [
        (q.id, name)
        for q in (rubric.declared or rubric.model).questions
        for name in specs(q.params)
    ]
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["student", "name", "email", *(f"{q}.{n}" for q, n in varying)])
    for student in students:
        lang = student.lang or rubric.model.lang
        mine = rubric.for_student(student.id)
        md = out / f"{student.id}.md"
        atomic_write_text(md, handout_markdown(rubric, student, lang))
        nb = out / f"{student.id}.ipynb"
        text = json.dumps(notebook_stub(rubric, student, lang), ensure_ascii=False, indent=1)
        atomic_write_text(nb, text)
        written += [md, nb]
        drawn = [_value(mine.variant.get(q, {}).get(n, "")) for q, n in varying]
        writer.writerow([student.id, student.name, student.email, *drawn])
    atomic_write_text(out / "variants.csv", table.getvalue())
    return [*written, out / "variants.csv"]


__all__ = ["Student", "handout_markdown", "notebook_stub", "read_roster", "write_handouts"]
