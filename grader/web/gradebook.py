"""The TAs' gradebook: marks on written parts, corrections of any part, the trail of
every score change, and the final results that publishing shows.

A student's final result is computed, never stored: their latest hand-in graded by
:func:`grader.grading.grade_answers` (the function ``grade`` uses), then each part a TA
marked takes the TA's score — the rubric items ticked (with the points the items have
*now*, so editing an item reaches every student who has it) or a score set by hand.
Every change of a part's score is a :class:`~grader.web.models.ScoreEvent`: who, when,
why, old → new. Saving a mark is optimistic: the form carries the version it was read
at, and a save against a newer version is refused as a :class:`Conflict`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from grader.checkers.written import item_score
from grader.grading import grade_answers
from grader.results import PartResult, SubmissionResult
from grader.rubric import ResolvedPart, Rubric
from grader.web import checking
from grader.web.course import Course
from grader.web.db import utcnow
from grader.web.models import Handin, Job, Mark, Publication, RubricItemRow, ScoreEvent

#: Longest TA comment or regrade text kept.
MAX_TEXT = 4000


class Conflict(Exception):
    """Another TA saved this mark after the form was read; ``mark`` is theirs."""

    def __init__(self, mark: Mark):
        self.mark = mark
        super().__init__(f"{mark.student} {mark.part}: saved by {mark.grader} meanwhile")


def seed_items(db: DbSession, course: Course) -> None:
    """Give every written part's rubric items a row (items the TAs edited keep their edits)."""
    known = {(r.assignment, r.part, r.item) for r in db.scalars(select(RubricItemRow)).all()}
    for rubric in course.rubrics.values():
        for part in rubric.parts:
            for position, item in enumerate(part.items):
                if (rubric.assignment, part.id, item.id) in known:
                    continue
                db.add(
                    RubricItemRow(
                        assignment=rubric.assignment,
                        part=part.id,
                        item=item.id,
                        points=float(item.points),
                        text_en=item.text.get("en") or item.text.get("fa", ""),
                        text_fa=item.text.get("fa") or item.text.get("en", ""),
                        position=position,
                    )
                )
    try:
        db.commit()
    except IntegrityError:  # another server process seeded them at the same moment
        db.rollback()


def items_of(db: DbSession, assignment: str) -> dict[str, list[RubricItemRow]]:
    """The rubric items of every written part of ``assignment``, by part, in order."""
    rows = db.scalars(
        select(RubricItemRow)
        .where(RubricItemRow.assignment == assignment)
        .order_by(RubricItemRow.part, RubricItemRow.position)
    )
    found: dict[str, list[RubricItemRow]] = {}
    for row in rows:
        found.setdefault(row.part, []).append(row)
    return found


def handed_in_students(db: DbSession, assignment: str) -> list[str]:
    """Every student with a hand-in of ``assignment``, in id order."""
    return sorted(set(db.scalars(select(Handin.student).where(Handin.assignment == assignment))))


def handed_answers(db: DbSession, rubric: Rubric, student: str) -> dict[str, Any] | None:
    """The answers of ``student``'s latest hand-in (a notebook's as its graded run read
    them, written parts from its markdown cells included), or None without a hand-in."""
    handin = checking.latest_handin(db, student, rubric.assignment)
    if handin is None:
        return None
    if handin.kind == "sheet":
        return json.loads(handin.answers)
    job = db.scalars(
        select(Job)
        .where(
            Job.student == student,
            Job.assignment == rubric.assignment,
            Job.notebook == handin.answers,
            Job.status == "done",
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    if job is None or not job.result:
        return {}
    parts = json.loads(job.result).get("parts", [])
    return {p["id"]: p["got"] for p in parts if p.get("got") not in (None, "", [])}


def marks_of(
    db: DbSession, assignment: str, student: str | None = None
) -> dict[tuple[str, str], Mark]:
    """The marks of ``assignment`` by (student, part), of one student when given."""
    query = select(Mark).where(Mark.assignment == assignment)
    if student is not None:
        query = query.where(Mark.student == student)
    return {(m.student, m.part): m for m in db.scalars(query)}


def ticked(mark: Mark | None) -> list[str]:
    """The item ids a mark ticks."""
    return [] if mark is None else list(json.loads(mark.items or "[]"))


def mark_score(part: ResolvedPart, mark: Mark | None, items: list[RubricItemRow]) -> float | None:
    """The score a TA's mark gives ``part``: the hand-set score, else the items ticked
    (written parts), else None (the automatic score stands)."""
    if mark is None:
        return None
    if mark.score is not None:
        return mark.score
    if part.check != "written":
        return None
    chosen = set(ticked(mark))
    points = {i.item: sympy.nsimplify(i.points) for i in items if i.item in chosen}
    return item_score(part, points)


def status_for(score: float, max_score: float) -> str:
    """A marked part's status from its score."""
    if score >= max_score:
        return "correct"
    return "partial" if score > 0 else "wrong"


@dataclass(frozen=True)
class Graded:
    """One student's final result of an assignment and the marks behind it."""

    student: str
    result: SubmissionResult
    marks: dict[str, Mark]


def final_result(
    db: DbSession,
    rubric: Rubric,
    student: str,
    answers: dict[str, Any],
    *,
    marks: dict[str, Mark] | None = None,
    items: dict[str, list[RubricItemRow]] | None = None,
    comments: dict[str, str] | None = None,
) -> Graded:
    """``student``'s result: ``answers`` graded by ``rubric``, then each marked part
    takes its TA score, ``overridden`` set and ``comments[part]`` (if any) attached."""
    if marks is None:
        marks = {p: m for (_, p), m in marks_of(db, rubric.assignment, student).items()}
    if items is None:
        items = items_of(db, rubric.assignment)
    parts = []
    for part, result in zip(rubric.parts, grade_answers(rubric, answers, student), strict=True):
        score = mark_score(part, marks.get(part.id), items.get(part.id, []))
        if score is not None:
            result = dataclasses.replace(
                result,
                score=score,
                status=status_for(score, result.max_score),
                overridden=True,
                # "waiting for a TA" no longer holds; the TA's items and comment say why
                messages=() if part.check == "written" else result.messages,
            )
        if comments and comments.get(part.id):
            result = dataclasses.replace(result, comment=comments[part.id])
        parts.append(result)
    variant = rubric.for_student(student).variant
    return Graded(
        student,
        SubmissionResult(student, rubric.assignment, "grade serve", parts, variant=variant),
        marks,
    )


def part_score(db: DbSession, rubric: Rubric, student: str, part_id: str) -> float:
    """The score ``part_id`` of ``student`` has now (a TA's, else the automatic one)."""
    answers = handed_answers(db, rubric, student) or {}
    graded = final_result(db, rubric, student, answers)
    return next(p.score for p in graded.result.parts if p.id == part_id)


def record(
    db: DbSession,
    student: str,
    assignment: str,
    part: str,
    old: float | None,
    new: float,
    kind: str,
    who: str,
    why: str,
    *,
    always: bool = False,
) -> None:
    """Add one change to the trail (nothing when the score did not change, unless
    ``always``: a part's first grading is kept even when it leaves the score as it was)."""
    if not always and old is not None and abs(old - new) < 1e-9:
        return
    db.add(
        ScoreEvent(
            student=student,
            assignment=assignment,
            part=part,
            old=old,
            new=new,
            kind=kind,
            who=who,
            why=why[:MAX_TEXT],
            created=utcnow(),
        )
    )


def save_mark(
    db: DbSession,
    rubric: Rubric,
    student: str,
    part_id: str,
    ta: str,
    *,
    version: int | None,
    items: Iterable[str] | None = None,
    score: float | None = None,
    comment: str = "",
    kind: str = "grade",
    why: str = "",
) -> Mark:
    """Store a TA's mark of one part and the trail of its score, and commit.

    ``version``: the mark's version the TA's form was read at (0: no mark yet); a mark
    saved by someone else since raises :class:`Conflict` and nothing is stored. None
    saves over whatever is there (a regrade answer, an import). ``items`` (written
    parts) are the ids ticked; unknown ids are dropped. ``score`` sets the part's score
    by hand (within ``[0, points]``; ValueError otherwise); None leaves it to the items
    (written) or to the automatic check (other parts).
    """
    part = rubric.part(part_id)
    if score is not None and not 0 <= score <= float(part.points):
        raise ValueError(f"score {score:g} is outside 0–{float(part.points):g}")
    known = {i.item for i in items_of(db, rubric.assignment).get(part_id, [])}
    chosen = json.dumps([i for i in dict.fromkeys(items or []) if i in known])
    old = part_score(db, rubric, student, part_id)
    now = utcnow()
    current = db.get(Mark, (student, rubric.assignment, part_id))
    values = {
        "items": chosen,
        "score": score,
        "comment": comment[:MAX_TEXT],
        "grader": ta,
        "updated": now,
    }
    if current is None and version in (0, None):
        db.add(
            Mark(student=student, assignment=rubric.assignment, part=part_id, version=1, **values)
        )
        try:
            db.flush()
        except IntegrityError:
            db.rollback()
            raise Conflict(db.get(Mark, (student, rubric.assignment, part_id))) from None
    else:
        expected = current.version if version is None and current is not None else version
        changed = db.execute(
            update(Mark)
            .where(
                Mark.student == student,
                Mark.assignment == rubric.assignment,
                Mark.part == part_id,
                Mark.version == expected,
            )
            .values(version=Mark.version + 1, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            db.rollback()
            theirs = db.get(Mark, (student, rubric.assignment, part_id), populate_existing=True)
            raise Conflict(theirs) if theirs is not None else KeyError(part_id)
    db.expire_all()
    new = part_score(db, rubric, student, part_id)
    first = current is None
    record(
        db, student, rubric.assignment, part_id, old, new, kind, ta, why or comment, always=first
    )
    db.commit()
    mark = db.get(Mark, (student, rubric.assignment, part_id))
    assert mark is not None
    return mark


def edit_item(
    db: DbSession,
    rubric: Rubric,
    part_id: str,
    item_id: str,
    ta: str,
    *,
    points: float,
    text_en: str,
    text_fa: str,
) -> list[str]:
    """Change a rubric item for every student at once: the score of everyone who has it
    ticked follows, each change on the trail. Returns the students whose score changed."""
    row = db.get(RubricItemRow, (rubric.assignment, part_id, item_id))
    if row is None:
        raise KeyError(item_id)
    having = [
        m.student
        for m in db.scalars(
            select(Mark).where(Mark.assignment == rubric.assignment, Mark.part == part_id)
        )
        if item_id in ticked(m) and m.score is None
    ]
    before = {s: part_score(db, rubric, s, part_id) for s in having}
    why = f"rubric item '{row.text_en}': {row.points:g} → {points:g} points"
    row.points, row.text_en, row.text_fa = points, text_en[:MAX_TEXT], text_fa[:MAX_TEXT]
    db.flush()
    changed = []
    for student in having:
        after = part_score(db, rubric, student, part_id)
        if abs(after - before[student]) > 1e-9:
            record(db, student, rubric.assignment, part_id, before[student], after, "item", ta, why)
            changed.append(student)
    db.commit()
    return changed


def trail(db: DbSession, assignment: str, student: str | None = None) -> list[ScoreEvent]:
    """The score changes of ``assignment`` (of one student when given), oldest first."""
    query = select(ScoreEvent).where(ScoreEvent.assignment == assignment)
    if student is not None:
        query = query.where(ScoreEvent.student == student)
    return list(db.scalars(query.order_by(ScoreEvent.id)))


def published(db: DbSession, assignment: str) -> Publication | None:
    """When and by whom ``assignment``'s grades were published (None: not yet)."""
    return db.get(Publication, assignment)


def publish(db: DbSession, assignment: str, ta: str) -> None:
    """Publish ``assignment``'s grades: students see their report from now on."""
    row = db.get(Publication, assignment)
    if row is None:
        db.add(Publication(assignment=assignment, by=ta, created=utcnow()))
    else:
        row.by, row.created = ta, utcnow()
    db.commit()


def class_results(db: DbSession, rubric: Rubric) -> list[Graded]:
    """Every handed-in student's final result of ``rubric``'s assignment."""
    items = items_of(db, rubric.assignment)
    marks = marks_of(db, rubric.assignment)
    out = []
    for student in handed_in_students(db, rubric.assignment):
        answers = handed_answers(db, rubric, student) or {}
        mine = {p: m for (s, p), m in marks.items() if s == student}
        out.append(final_result(db, rubric, student, answers, marks=mine, items=items))
    return out


def with_part_results(result: SubmissionResult, parts: list[PartResult]) -> SubmissionResult:
    """``result`` with its parts replaced."""
    return dataclasses.replace(result, parts=parts)
