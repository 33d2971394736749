"""The class as it works, read from the stored checks: which known mistakes students meet
(per part, and per variant where the rubric gives each student their own parameters),
who has not started, and who is stuck on a part."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from grader.display import count_text
from grader.rubric import Rubric
from grader.web.models import Check, Draft, Handin, Student
from grader.web.views import title

#: A part is "stuck" for a student after this many checks of it, none of them right.
STUCK_AFTER = 3


def variant_label(rubric: Rubric, student: str, question: str) -> str:
    """The student's own parameters of ``question`` as short text ('' without variants)."""
    if not rubric.has_variants:
        return ""
    drawn = rubric.for_student(student).variant.get(question, {})
    return ", ".join(f"{k}={v}" for k, v in drawn.items())


def class_view(db: DbSession, rubric: Rubric, lang: str) -> dict[str, Any]:
    """What the live page shows: ``mistakes`` (part, variant, mistake, students, checks),
    ``not_started`` (students with no draft, check or hand-in) and ``stuck`` (student,
    part, checks)."""
    assignment = rubric.assignment
    checks = db.execute(
        select(Check.student, Check.part, Check.status, Check.result)
        .where(Check.assignment == assignment)
        .order_by(Check.id)
    ).all()
    met: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    tries: dict[tuple[str, str], list[str]] = defaultdict(list)
    questions = {p.id: p.question for p in rubric.parts}
    for student, part, status, result in checks:
        tries[(student, part)].append(status)
        mistake = json.loads(result).get("misconception")
        if mistake:
            variant = variant_label(rubric, student, questions.get(part, ""))
            met[(part, variant, mistake)].add(student)
            counted[(part, variant, mistake)] += 1
    titles = {p.id: title(p.title, lang, p.id) for p in rubric.parts}
    mistakes = [
        {
            "part": part,
            "part_title": titles.get(part, part),
            "variant": variant,
            "mistake": mistake,
            "students": count_text(len(students), lang),
            "students_n": len(students),
            "checks": count_text(counted[(part, variant, mistake)], lang),
        }
        for (part, variant, mistake), students in met.items()
    ]
    mistakes.sort(key=lambda m: (-m["students_n"], m["part"], m["variant"], m["mistake"]))
    active = {s for s, _ in tries}
    active |= set(db.scalars(select(Draft.student).where(Draft.assignment == assignment)))
    active |= set(db.scalars(select(Handin.student).where(Handin.assignment == assignment)))
    roster = list(db.scalars(select(Student.id).order_by(Student.id)))
    stuck = [
        {
            "student": s,
            "part": p,
            "part_title": titles.get(p, p),
            "checks": count_text(len(t), lang),
        }
        for (s, p), t in sorted(tries.items())
        if len(t) >= STUCK_AFTER and "correct" not in t
    ]
    return {
        "mistakes": mistakes,
        "not_started": [s for s in roster if s not in active],
        "stuck": stuck,
        "variants": rubric.has_variants,
    }
