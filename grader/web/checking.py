"""Checking a part and handing in, for the signed-in student only.

Every function takes the student's id from the caller's session and filters every query
by it. A check runs :func:`grader.grading.grade_answers` — the function ``grade`` and
``grade check`` use — on the student's answers to the part's question (a misconception is
named by what the other answers of the same question support, exactly as in the final
grade) and stores who, when, the answer and the verdict. A hand-in is stored in the
database and written to the class folder as the answer sheet ``grade`` reads.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as DbSession

from grader.fsutil import atomic_write_text
from grader.grading import grade_answers
from grader.results import PartResult
from grader.rubric import Rubric
from grader.web.course import Course
from grader.web.db import utcnow
from grader.web.models import Check, Draft, Handin, Student

CHECK_WINDOW = timedelta(hours=1)
SHEET_NAME = "answers.yaml"
NOTEBOOK_NAME = "notebook.ipynb"

# One lock per student in this process: two checks of one student at once queue here
# rather than in the database. The database enforces the limit across processes (see
# :func:`begin_write`).
_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
# SQLite has one writer at a time anyway: the threads of one process queue fairly on this
# lock instead of polling SQLite's busy handler (whose sleeps grow to 100 ms).
_sqlite_writer = threading.Lock()


class PastDeadline(Exception):
    """The assignment's deadline has passed; hand-ins are closed."""

    def __init__(self, deadline: datetime):
        self.deadline = deadline
        super().__init__(f"the deadline {deadline:%Y-%m-%d %H:%M} UTC has passed")


@dataclass(frozen=True)
class CheckOutcome:
    """A stored check's verdict, or ``limited_until`` when the part's limit is reached."""

    result: PartResult | None
    limited_until: datetime | None
    left: int
    check_id: int | None = None


def save_drafts(
    db: DbSession,
    student: str,
    assignment: str,
    answers: dict[str, Any],
    known: dict[str, Any] | None = None,
) -> None:
    """Remember the student's latest answers (a None answer forgets the part's draft).

    ``known``: the drafts as just read (:func:`drafts`); unchanged parts are not written.
    """
    now = utcnow()
    for part_id, answer in answers.items():
        if known is not None and part_id in known and known[part_id] == answer:
            continue
        if answer is None:
            if known is None or part_id in known:
                db.execute(
                    delete(Draft).where(
                        Draft.student == student,
                        Draft.assignment == assignment,
                        Draft.part == part_id,
                    )
                )
            continue
        text = json.dumps(answer, ensure_ascii=False)
        db.execute(_upsert_draft(db, student, assignment, part_id, text, now))


def _upsert_draft(
    db: DbSession, student: str, assignment: str, part: str, text: str, now: datetime
) -> Any:
    """INSERT … ON CONFLICT DO UPDATE in the database's own dialect: one statement, and
    two requests of one student at once cannot both insert."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Draft).values(
        student=student, assignment=assignment, part=part, answer=text, updated=now
    )
    return statement.on_conflict_do_update(
        index_elements=[Draft.student, Draft.assignment, Draft.part],
        set_={"answer": text, "updated": now},
    )


def drafts(db: DbSession, student: str, assignment: str) -> dict[str, Any]:
    """The student's latest answers to ``assignment`` by part id."""
    rows = db.execute(
        select(Draft.part, Draft.answer).where(
            Draft.student == student, Draft.assignment == assignment
        )
    )
    return {part: json.loads(answer) for part, answer in rows}


def recent_checks(
    db: DbSession, student: str, assignment: str, part: str, limit: int
) -> list[datetime]:
    """When the student's latest checks of ``part`` within the window were made, newest
    first, at most ``limit`` of them (all a limit decision needs)."""
    since = utcnow() - CHECK_WINDOW
    return list(
        db.scalars(
            select(Check.created)
            .where(
                Check.student == student,
                Check.assignment == assignment,
                Check.part == part,
                Check.created > since,
            )
            .order_by(Check.created.desc())
            .limit(limit)
        )
    )


def checks_left(db: DbSession, course: Course, student: str, assignment: str, part: str) -> int:
    """How many checks of ``part`` the student has left in the current hour."""
    limit = course.checks_per_hour(assignment)
    return max(0, limit - len(recent_checks(db, student, assignment, part, limit)))


@contextlib.contextmanager
def write_transaction(db: DbSession, student: str) -> Iterator[None]:
    """Hold the write lock that makes "count the recent checks, then store one" atomic
    across every server process, for the block's duration.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's single write lock before the count
    is read (a deferred transaction would read first and could slip past the limit, or
    fail with SQLITE_BUSY when it upgrades). PostgreSQL: the student's row is locked
    ``FOR UPDATE``, so only one student's checks wait for each other. Nothing may have
    been written in ``db``'s transaction before.
    """
    if db.get_bind().dialect.name == "sqlite":
        with _locks[student], _sqlite_writer:
            raw = db.connection().connection.dbapi_connection
            if raw is not None and not raw.in_transaction:
                db.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield
    else:
        with _locks[student]:
            db.get(Student, student, with_for_update=True)
            yield


def check_part(
    db: DbSession,
    course: Course,
    rubric: Rubric,
    student: str,
    part_id: str,
    answers: dict[str, Any],
    known: dict[str, Any] | None = None,
) -> CheckOutcome:
    """Check one part of ``answers`` (part id → raw answer) for ``student``, store the
    check and the answers as drafts (see :func:`save_drafts` for ``known``), and commit.

    Raises KeyError for a part the rubric does not have. Past the part's limit nothing is
    stored but the drafts, and ``limited_until`` says when the next check is allowed.
    The answer is graded before the write lock is taken, so the lock is held only for
    the count and two small writes; a check refused by the limit discards its grade.
    """
    part = rubric.part(part_id)
    limit = course.checks_per_hour(rubric.assignment)
    same_question = {
        p.id: answers[p.id] for p in rubric.parts if p.question == part.question and p.id in answers
    }
    result = next(
        r for r in grade_answers(rubric, same_question, student=student) if r.id == part_id
    )
    with write_transaction(db, student):
        save_drafts(db, student, rubric.assignment, answers, known)
        recent = recent_checks(db, student, rubric.assignment, part_id, limit)
        if len(recent) >= limit:
            db.commit()
            return CheckOutcome(None, recent[-1] + CHECK_WINDOW, 0)
        row = Check(
            student=student,
            assignment=rubric.assignment,
            part=part_id,
            answer=json.dumps(answers.get(part_id), ensure_ascii=False),
            status=result.status,
            score=result.score,
            max_score=result.max_score,
            result=json.dumps(result.to_json(), ensure_ascii=False),
            created=utcnow(),
        )
        db.add(row)
        db.commit()
    return CheckOutcome(result, None, limit - len(recent) - 1, row.id)


def last_results(db: DbSession, student: str, assignment: str) -> dict[str, PartResult]:
    """The verdict of the student's latest check of each part."""
    latest = (
        select(Check.part, func.max(Check.id).label("id"))
        .where(Check.student == student, Check.assignment == assignment)
        .group_by(Check.part)
        .subquery()
    )
    rows = db.scalars(select(Check).join(latest, Check.id == latest.c.id))
    return {row.part: PartResult.from_json(json.loads(row.result)) for row in rows}


def last_result(db: DbSession, student: str, assignment: str, part: str) -> PartResult | None:
    """The verdict of the student's latest check of one part."""
    row = db.scalars(
        select(Check)
        .where(Check.student == student, Check.assignment == assignment, Check.part == part)
        .order_by(Check.id.desc())
        .limit(1)
    ).first()
    return None if row is None else PartResult.from_json(json.loads(row.result))


def check_history(db: DbSession, student: str, assignment: str, limit: int = 200) -> list[Check]:
    """The student's own checks of ``assignment``, newest first."""
    return list(
        db.scalars(
            select(Check)
            .where(Check.student == student, Check.assignment == assignment)
            .order_by(Check.id.desc())
            .limit(limit)
        )
    )


def sheet_text(student: str, assignment: str, answers: dict[str, Any], when: datetime) -> str:
    """The answer sheet ``grade`` reads, holding exactly the answers as typed."""
    header = f"# Handed in on the course's web service at {when:%Y-%m-%d %H:%M:%S} UTC.\n"
    body = {"student": student, "assignment": assignment, "answers": answers}
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)


def write_handin_file(course: Course, handin: Handin) -> Path:
    """Write a hand-in into the class folder (atomically), replacing the other kind."""
    folder = course.handin_folder(handin.assignment, handin.student)
    if handin.kind == "sheet":
        answers = json.loads(handin.answers)
        target = atomic_write_text(
            folder / SHEET_NAME,
            sheet_text(handin.student, handin.assignment, answers, handin.created),
        )
        (folder / NOTEBOOK_NAME).unlink(missing_ok=True)
    else:
        source = Path(handin.answers).read_text(encoding="utf-8")
        target = atomic_write_text(folder / NOTEBOOK_NAME, source)
        (folder / SHEET_NAME).unlink(missing_ok=True)
    return target


def _deadline_check(course: Course, assignment: str) -> None:
    deadline = course.assignment(assignment).deadline
    if deadline is not None and utcnow() > deadline:
        raise PastDeadline(deadline)


def hand_in(
    db: DbSession, course: Course, rubric: Rubric, student: str, kind: str, content: Any
) -> Handin:
    """Store a hand-in (answers by part id, or a stored notebook's path) and write it to
    the class folder. The database row is committed first: if the process dies before
    the file is written, :func:`restore_handin_files` writes it on the next start."""
    _deadline_check(course, rubric.assignment)
    if kind == "sheet":
        known = {p.id for p in rubric.parts}
        content = {k: v for k, v in content.items() if k in known}
        stored = json.dumps(content, ensure_ascii=False)
    else:
        stored = str(content)
    folder = course.handin_folder(rubric.assignment, student)
    row = Handin(
        student=student,
        assignment=rubric.assignment,
        kind=kind,
        answers=stored,
        path=str(folder / (SHEET_NAME if kind == "sheet" else NOTEBOOK_NAME)),
        created=utcnow(),
    )
    db.add(row)
    db.commit()
    write_handin_file(course, row)
    return row


def latest_handin(db: DbSession, student: str, assignment: str) -> Handin | None:
    """The student's latest hand-in of ``assignment``."""
    return db.scalars(
        select(Handin)
        .where(Handin.student == student, Handin.assignment == assignment)
        .order_by(Handin.id.desc())
        .limit(1)
    ).first()


def restore_handin_files(db: DbSession, course: Course) -> int:
    """Make the class folder hold every student's latest hand-in (after a crash between
    the commit and the file write); returns how many files were written."""
    latest = (
        select(func.max(Handin.id).label("id"))
        .group_by(Handin.student, Handin.assignment)
        .subquery()
    )
    written = 0
    for row in db.scalars(select(Handin).join(latest, Handin.id == latest.c.id)):
        if row.assignment not in course.rubrics:
            continue
        path = Path(row.path)
        if row.kind == "sheet":
            want = sheet_text(row.student, row.assignment, json.loads(row.answers), row.created)
        else:
            want = Path(row.answers).read_text(encoding="utf-8")
        try:
            same = path.read_text(encoding="utf-8") == want
        except OSError:
            same = False
        if not same:
            write_handin_file(course, row)
            written += 1
    return written


def forget_drafts(db: DbSession, student: str, assignment: str) -> None:
    """Remove the student's drafts of ``assignment`` (a test and a TA tool)."""
    db.execute(delete(Draft).where(Draft.student == student, Draft.assignment == assignment))
    db.commit()
