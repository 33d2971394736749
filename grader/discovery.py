"""Which rubric grades which files: a class folder's layout, a single file's assignment.

A class folder holds one folder per assignment (named like its rubric: ``hw2/``), or is
itself an assignment folder, or — with a rubric given — holds the students directly or
is one student's folder. Rubrics are found by name in ``rubrics/`` beside, above or in
the folders searched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.extract.answersheet import AnswerSheet, SubmissionError, read_answer_sheet
from grader.rubric import Rubric, RubricError, find_rubric, load_rubric
from grader.submissions import Submission, layout_notes, looks_like_student_folder, students_in

#: What a class run plans: each rubric with the submissions it grades.
ClassPlan = list[tuple[Rubric, list[Submission]]]


class InputError(ValueError):
    """A path, file or argument the library cannot work with; the message says why."""


def rubric_named(name_or_path: str | Path, search: Sequence[Path] = ()) -> Rubric:
    """The rubric at a path, or named ``NAME`` in ``rubrics/NAME.yaml`` under a folder of
    ``search`` (default: the current folder); raises RubricError."""
    return load_rubric(find_rubric(str(name_or_path), list(search) or [Path.cwd()]))


def _near(folder: Path) -> list[Path]:
    """The current folder, then ``folder`` and up to three folders above it."""
    search = [Path.cwd()]
    return search + [p for p in [folder, *folder.resolve().parents] if p not in search][:4]


def _rubric_path(name: str, search: list[Path]) -> Path | None:
    try:
        return find_rubric(name, search)
    except RubricError:
        return None


def plan_class(path: Path, rubric: str | Path | None = None) -> tuple[ClassPlan, list[str]]:
    """Which rubric grades which submissions under ``path``, and notes for the TA on what
    was left out (hidden or ``_`` folders, folders matching no rubric, nested layouts).

    Raises RubricError for a bad rubric and :class:`InputError` when no folder matches one.
    """
    search = [Path.cwd(), path.resolve().parent, path.resolve()]
    if rubric is not None:
        chosen = load_rubric(find_rubric(str(rubric), search))
        if looks_like_student_folder(path):
            students = students_in(path.parent, chosen.assignment)
            return [(chosen, [s for s in students if s.folder == path])], []
        folder = path / chosen.assignment
        folder = folder if folder.is_dir() else path
        return [(chosen, students_in(folder, chosen.assignment))], layout_notes(folder)
    own = _rubric_path(path.name, search)
    if own is not None:
        chosen = load_rubric(own)
        return [(chosen, students_in(path, chosen.assignment))], layout_notes(path)
    plan: ClassPlan = []
    notes: list[str] = []
    missing = []
    for folder in sorted(p for p in path.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            if folder.name not in (".dlgrade", "__MACOSX"):
                notes.append(f"{folder}: skipped (names starting with '.' or '_' are not graded)")
            continue
        found = _rubric_path(folder.name, search)
        if found is None:
            missing.append(folder.name)
            continue
        chosen = load_rubric(found)
        plan.append((chosen, students_in(folder, chosen.assignment)))
        notes += layout_notes(folder)
    if not plan:
        raise InputError(
            f"{path}: no assignment folder matches a rubric (folders: {', '.join(missing) or 'none'}); "
            "name folders like their rubric (rubrics/hw2.yaml ↔ hw2/) or pass --rubric"
        )
    notes += [f"{path / name}: no rubric named {name!r}; skipped" for name in missing]
    return plan, notes


def read_sheet(file: Path) -> AnswerSheet | None:
    """The answer sheet in ``file`` (None for a notebook); raises InputError if unreadable."""
    if file.suffix == ".ipynb":
        return None
    try:
        return read_answer_sheet(file)
    except SubmissionError as exc:
        raise InputError(str(exc)) from None


def rubric_for_file(file: Path, rubric: str | Path | Rubric | None = None) -> Rubric:
    """The rubric that grades one submission file: the one given, else the sheet's
    ``assignment``, else the folder two levels up (``hw2/<student>/file``)."""
    if isinstance(rubric, Rubric):
        return rubric
    sheet = read_sheet(file)
    name = rubric or (sheet.assignment if sheet else None) or file.parent.parent.name
    try:
        return rubric_named(name, _near(file.parent))
    except RubricError as exc:
        if rubric or (sheet and sheet.assignment):
            raise
        raise InputError(f"{file}: which rubric? pass --rubric NAME ({exc.problems[0]})") from None


def submission_for_file(file: Path, rubric: Rubric) -> Submission:
    """One file as a submission to ``rubric``: the student is the sheet's ``student``, else
    the folder's name, else the file's stem."""
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    sheet = read_sheet(file)
    student = (sheet.student if sheet else None) or (
        file.parent.name if file.parent.name not in (rubric.assignment, ".", "") else file.stem
    )
    kind = "notebook" if file.suffix == ".ipynb" else "sheet"
    return Submission(student, rubric.assignment, file, kind, file.parent)
