"""Finding the submissions in a class folder.

A class folder holds one folder per assignment (named like its rubric: ``hw2/``) or, when a
rubric is given, one entry per student. A student is a folder holding one notebook or one
answer sheet, or a single such file named after the student.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.extract.answersheet import SHEET_SUFFIXES
from grader.identity import student_id

Kind = Literal["notebook", "sheet", "unknown"]

#: Files a TA keeps beside the students; never a student's submission.
TA_FILES = frozenset({"overrides.yaml", "overrides.yml"})
#: How deep and how many files :meth:`Submission.files` looks (as copying does).
MAX_DEPTH = 32
MAX_FILES = 10_000


@dataclass(frozen=True)
class Submission:
    """One student's submission for one assignment: the file to grade and its folder."""

    student: str
    assignment: str
    path: Path
    kind: Kind
    folder: Path
    #: False for a single file named after the student, directly in the assignment folder.
    whole_folder: bool = True

    def files(self) -> list[Path]:
        """Every regular file that makes up the submission (for change detection).

        The walk keeps its own stack, follows no links and stops at the same depth and
        count as copying the folder does, so a student's hostile tree cannot stall it."""
        if not self.whole_folder:
            return [self.path]
        found: list[Path] = []
        stack = [(self.folder, 0)]
        while stack and len(found) < MAX_FILES:
            folder, depth = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth < MAX_DEPTH:
                            stack.append((Path(entry.path), depth + 1))
                    elif entry.is_file(follow_symlinks=False):
                        found.append(Path(entry.path))
                except OSError:
                    continue
        return sorted(found[:MAX_FILES])


def _kind(path: Path) -> Kind:
    if path.suffix == ".ipynb":
        return "notebook"
    if path.suffix in SHEET_SUFFIXES:
        return "sheet"
    return "unknown"


def _pick(folder: Path) -> Path | None:
    """The file to grade in a student's folder: a notebook first, then an answer sheet."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return None
    files = sorted(p for p in entries if _is_file(p) and not p.name.startswith("."))
    for kind in ("notebook", "sheet"):
        for f in files:
            if _kind(f) == kind:
                return f
    return files[0] if files else None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file() and not path.is_symlink()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def _skipped(entry: Path) -> bool:
    return entry.name.startswith((".", "_")) or entry.name in TA_FILES


def students_in(folder: Path, assignment: str) -> list[Submission]:
    """The submissions directly under an assignment folder, sorted by student.

    Entries starting with ``.`` or ``_`` and the TA's own files (:data:`TA_FILES`) are
    not students; :func:`layout_notes` names what was left out."""
    found: list[Submission] = []
    entries = [e for e in sorted(folder.iterdir()) if not _skipped(e)]
    # A file is named for its student by its stem, unless another entry has that name
    # too (98411387/ beside 98411387.yaml, a.json beside a.yaml): then by its whole name,
    # so that no two submissions share an id and neither replaces the other.
    names = [e.name if _is_dir(e) else e.stem for e in entries]
    for entry in entries:
        if _is_dir(entry):
            chosen = _pick(entry)
            path = chosen if chosen is not None else entry
            kind = _kind(chosen) if chosen is not None else "unknown"
            found.append(Submission(student_id(entry.name), assignment, path, kind, entry))
        elif _kind(entry) != "unknown":
            name = entry.stem if names.count(entry.stem) == 1 else entry.name
            found.append(
                Submission(student_id(name), assignment, entry, _kind(entry), folder, False)
            )
    return found


def layout_notes(folder: Path) -> list[str]:
    """What a TA should hear about an assignment folder's layout: entries that are not
    graded (hidden, ``_``-prefixed, the TA's files) and student folders that hold no
    submission file themselves but sub-folders that do (a nested ``hw2/section1/…``)."""
    notes = []
    for entry in sorted(folder.iterdir()):
        if entry.name in TA_FILES or entry.name in (".dlgrade", ".DS_Store", "__MACOSX"):
            continue
        if entry.name.startswith((".", "_")):
            notes.append(f"{entry}: skipped (names starting with '.' or '_' are not students)")
        elif _is_file(entry) and entry.stem != entry.name and _kind(entry) != "unknown":
            twins = [
                p.name
                for p in folder.iterdir()
                if p != entry and (p.name == entry.stem or p.stem == entry.stem)
            ]
            if twins:
                notes.append(
                    f"{entry}: shares the name {entry.stem!r} with {', '.join(sorted(twins))}; "
                    f"graded as student {entry.name!r}"
                )
        elif _is_dir(entry) and _pick(entry) is None:
            try:
                inner = [p for p in entry.iterdir() if _is_dir(p) and _pick(p) is not None]
            except OSError:
                inner = []
            if inner:
                notes.append(
                    f"{entry}: holds no submission itself but {len(inner)} folder(s) that do "
                    f"(a nested layout?); it was graded as one student — grade "
                    f"{entry} with --rubric to grade its folders as students"
                )
    return notes


def looks_like_student_folder(folder: Path) -> bool:
    """True when ``folder`` directly holds files to grade (it is a student, not a class).

    The TA's own files (an ``overrides.yaml`` beside the students) do not count."""
    return any(
        _is_file(p) and _kind(p) != "unknown" and p.name not in TA_FILES for p in folder.iterdir()
    )
