"""The course folder the service serves: its rubrics, its students, its settings, and
where hand-ins are written so that ``grade COURSE_DIR`` grades them.

Layout: ``COURSE_DIR/<assignment>/<student>/`` (the class folder ``grade`` reads), the
rubrics in ``COURSE_DIR/rubrics/`` or, as in the demo, in ``rubrics/`` beside it, an
optional ``COURSE_DIR/serve.yaml`` with the service's limits and deadlines::

    checks_per_hour: 10        # per student and part (default 10)
    upload_max_mb: 2           # a notebook upload (default 2)
    signin_failures: 10        # failed sign-ins per client per 10 minutes (default 10)
    assignments:
      hw2: {deadline: "2027-01-10T20:30:00Z", checks_per_hour: 5}

A rubric may set ``checks_per_hour`` and ``deadline`` itself. What applies to an
assignment, first found: serve.yaml's ``assignments.<id>`` (the server's word, e.g. a
deadline extended without touching the rubric), the rubric, serve.yaml's course-wide
``checks_per_hour``, the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from grader.rubric import Rubric, load_rubric
from grader.submissions import students_in

#: The service's defaults; a course's serve.yaml may change them.
DEFAULT_CHECKS_PER_HOUR = 10
DEFAULT_UPLOAD_MAX_MB = 2
DEFAULT_SIGNIN_FAILURES = 10

#: A student id the service accepts: one folder name, not hidden, no path separators.
_SAFE_ID = re.compile(r"^[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,99}$")


class CourseError(ValueError):
    """A course folder the service cannot serve; the message says what is missing."""


def safe_student_id(student: str) -> bool:
    """True when ``student`` can name a folder in the class folder (hand-ins go there)."""
    return bool(_SAFE_ID.match(student)) and not student.startswith("_") and student != ".."


@dataclass(frozen=True)
class AssignmentSettings:
    """What serve.yaml says about one assignment."""

    checks_per_hour: int = DEFAULT_CHECKS_PER_HOUR
    deadline: datetime | None = None  # naive UTC


@dataclass(frozen=True)
class Course:
    """A loaded course: rubrics by assignment id, settings, and its folder."""

    folder: Path
    rubrics: dict[str, Rubric]
    settings: dict[str, AssignmentSettings] = field(default_factory=dict)
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_MB * 1_000_000
    signin_failures: int = DEFAULT_SIGNIN_FAILURES

    def assignment(self, assignment: str) -> AssignmentSettings:
        """The settings that apply to ``assignment`` (see the module for their order)."""
        return self.settings.get(assignment, AssignmentSettings())

    def checks_per_hour(self, assignment: str) -> int:
        """Checks a student may make of each part of ``assignment`` per hour."""
        return self.assignment(assignment).checks_per_hour

    def handin_folder(self, assignment: str, student: str) -> Path:
        """The student's folder in the class folder, where ``grade`` looks for them."""
        if assignment not in self.rubrics or not safe_student_id(student):
            raise CourseError(f"no hand-in folder for {assignment}/{student!r}")
        return self.folder / assignment / student

    def class_students(self) -> list[str]:
        """Every student that has a folder or file in one of the class folders."""
        found: dict[str, None] = {}
        for assignment in self.rubrics:
            folder = self.folder / assignment
            if folder.is_dir():
                for submission in students_in(folder, assignment):
                    found.setdefault(submission.student)
        return list(found)


def rubric_files(folder: Path) -> list[Path]:
    """The course's rubric files: ``folder/rubrics/`` first, else ``rubrics/`` beside it."""
    for base in (folder / "rubrics", folder.parent / "rubrics"):
        files = sorted([*base.glob("*.yaml"), *base.glob("*.yml")]) if base.is_dir() else []
        if files:
            return files
    raise CourseError(f"no rubrics in {folder / 'rubrics'} or {folder.parent / 'rubrics'}")


def _deadline(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise CourseError(f"{where}: deadline {value!r} is not an ISO date and time") from None
    if moment.tzinfo is None:
        raise CourseError(f"{where}: deadline {value!r} needs a time zone (Z or +03:30)")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _positive(data: dict[str, Any], key: str, default: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CourseError(f"{where}: {key} must be a positive whole number, not {value!r}")
    return value


def _settings(
    rubric: Rubric, spec: dict[str, Any], per_hour: int, where: str
) -> AssignmentSettings:
    """One assignment's settings: serve.yaml's entry, else the rubric, else the course's."""
    model = rubric.model
    default = model.checks_per_hour or per_hour
    deadline = spec.get("deadline")
    if deadline is not None:
        moment: datetime | None = _deadline(deadline, f"{where}: assignments.{model.assignment}")
    elif model.deadline is not None:
        moment = model.deadline.astimezone(UTC).replace(tzinfo=None)
    else:
        moment = None
    return AssignmentSettings(
        checks_per_hour=_positive(spec, "checks_per_hour", default, where), deadline=moment
    )


def load_course(folder: Path) -> Course:
    """Load the course at ``folder``; raises :class:`CourseError` or
    :class:`~grader.rubric.RubricError` (the rubric loader's own errors)."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise CourseError(f"{folder} is not a folder")
    rubrics: dict[str, Rubric] = {}
    for path in rubric_files(folder):
        rubric = load_rubric(path)
        rubrics[rubric.assignment] = rubric
    config_path = folder / "serve.yaml"
    data: dict[str, Any] = {}
    if config_path.is_file():
        loaded = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise CourseError(f"{config_path}: must be a mapping")
        data = loaded
    where = str(config_path)
    per_hour = _positive(data, "checks_per_hour", DEFAULT_CHECKS_PER_HOUR, where)
    overrides = data.get("assignments") or {}
    if not isinstance(overrides, dict):
        raise CourseError(f"{where}: assignments must be a mapping of assignment ids")
    for assignment in overrides:
        if assignment not in rubrics:
            raise CourseError(f"{where}: assignments.{assignment}: no rubric has that id")
    settings = {
        assignment: _settings(rubric, overrides.get(assignment) or {}, per_hour, where)
        for assignment, rubric in rubrics.items()
    }
    return Course(
        folder=folder,
        rubrics=rubrics,
        settings=settings,
        upload_max_bytes=_positive(data, "upload_max_mb", DEFAULT_UPLOAD_MAX_MB, where) * 1_000_000,
        signin_failures=_positive(data, "signin_failures", DEFAULT_SIGNIN_FAILURES, where),
    )
