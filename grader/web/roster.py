"""The roster and the personal codes a TA hands to students (``grade serve tokens``).

A roster is a CSV with a ``student`` (or ``id``) column and optional ``name`` and
``lang`` (``fa``/``en``) columns; without one, the students are those with a folder in
the course's class folders. Codes are written once to the TA's CSV and stored only as
hashes, so a lost code is replaced by issuing a new one (``--reissue``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from grader.fsutil import atomic_write_text
from grader.web.auth import digest, new_code
from grader.web.course import Course, CourseError, safe_student_id
from grader.web.db import utcnow
from grader.web.models import Student

_ID_COLUMNS = ("student", "id", "student_id", "ID", "Student")


@dataclass(frozen=True)
class RosterEntry:
    """One student as the roster names them."""

    student: str
    name: str = ""
    lang: str | None = None


@dataclass(frozen=True)
class IssuedCode:
    """A student's code as written to the TA's CSV; ``code`` is "" when issued earlier."""

    student: str
    name: str
    code: str
    link: str


def read_roster(path: Path) -> list[RosterEntry]:
    """Read a roster CSV; raises :class:`CourseError` naming the file and row."""
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    id_column = next((c for c in _ID_COLUMNS if c in columns), None)
    if id_column is None:
        raise CourseError(f"{path}:1: a roster needs a 'student' (or 'id') column")
    entries: list[RosterEntry] = []
    seen: set[str] = set()
    for row_no, row in enumerate(reader, start=2):
        student = (row.get(id_column) or "").strip()
        if not student:
            continue
        if not safe_student_id(student):
            raise CourseError(f"{path}:{row_no}: {student!r} cannot name a student folder")
        if student in seen:
            raise CourseError(f"{path}:{row_no}: student {student!r} is listed twice")
        seen.add(student)
        lang = (row.get("lang") or "").strip() or None
        if lang not in (None, "fa", "en"):
            raise CourseError(f"{path}:{row_no}: lang must be fa or en, not {lang!r}")
        entries.append(RosterEntry(student, (row.get("name") or "").strip(), lang))
    return entries


def class_roster(course: Course) -> list[RosterEntry]:
    """The students found in the course's class folders (the demo course has no roster)."""
    return [RosterEntry(s) for s in course.class_students() if safe_student_id(s)]


def issue_codes(
    factory: sessionmaker, roster: list[RosterEntry], base_url: str, reissue: bool = False
) -> list[IssuedCode]:
    """Add the roster's students and give a code to each that has none (every one with
    ``reissue``: their old codes stop working). Returns one row per roster student."""
    issued: list[IssuedCode] = []
    base = base_url.rstrip("/")
    with factory() as db:
        for entry in roster:
            row = db.get(Student, entry.student)
            code = ""
            if row is None or reissue:
                code = new_code()
                if row is None:
                    row = Student(id=entry.student, created=utcnow(), name=entry.name)
                    db.add(row)
                row.token_hash = digest(code)
            if entry.name:
                row.name = entry.name
            if entry.lang:
                row.lang = entry.lang
            link = f"{base}/s/{quote(code)}" if code else ""
            issued.append(IssuedCode(entry.student, row.name, code, link))
        db.commit()
    return issued


def codes_csv(issued: list[IssuedCode]) -> str:
    """The TA's CSV: student, name, code, link (blank code: issued earlier, still valid)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "name", "code", "link"])
    for row in issued:
        writer.writerow([row.student, row.name, row.code, row.link])
    return out.getvalue()


def write_codes(path: Path, issued: list[IssuedCode]) -> Path:
    """Write the TA's CSV atomically (it holds secrets: readable by its owner only)."""
    written = atomic_write_text(Path(path), codes_csv(issued))
    written.chmod(0o600)
    return written


def known_students(factory: sessionmaker) -> list[str]:
    """Every student in the database (tests and the TA's checks)."""
    with factory() as db:
        return list(db.scalars(select(Student.id).order_by(Student.id)))
