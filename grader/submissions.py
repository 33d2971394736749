"""Finding the submissions in a class folder.

A class folder holds one folder per assignment (named like its rubric: ``hw2/``) or, when a
rubric is given, one entry per student. A student is a folder holding one notebook or one
answer sheet, or a single such file named after the student.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.extract.answersheet import SHEET_SUFFIXES

Kind = Literal["notebook", "sheet", "unknown"]


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
        """Every file that makes up the submission (for change detection)."""
        if self.whole_folder:
            return sorted(p for p in self.folder.rglob("*") if p.is_file())
        return [self.path]


def student_id(name: str) -> str:
    """A student's id as exports need it: any script's digits as ASCII, no direction marks.

    Quera folders and Persian answer sheets often write student numbers in Persian digits
    (۹۸۴۱۱۳۸۷); gradebooks want 98411387. Letters are kept as they are.
    """
    out = []
    for ch in unicodedata.normalize("NFC", name):
        if unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out).strip()


def _kind(path: Path) -> Kind:
    if path.suffix == ".ipynb":
        return "notebook"
    if path.suffix in SHEET_SUFFIXES:
        return "sheet"
    return "unknown"


def _pick(folder: Path) -> Path | None:
    """The file to grade in a student's folder: a notebook first, then an answer sheet."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    for kind in ("notebook", "sheet"):
        for f in files:
            if _kind(f) == kind:
                return f
    return files[0] if files else None


def students_in(folder: Path, assignment: str) -> list[Submission]:
    """The submissions directly under an assignment folder, sorted by student."""
    found: list[Submission] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir():
            chosen = _pick(entry)
            path = chosen if chosen is not None else entry
            kind = _kind(chosen) if chosen is not None else "unknown"
            found.append(Submission(student_id(entry.name), assignment, path, kind, entry))
        elif _kind(entry) != "unknown":
            found.append(
                Submission(student_id(entry.stem), assignment, entry, _kind(entry), folder, False)
            )
    return found


def looks_like_student_folder(folder: Path) -> bool:
    """True when ``folder`` directly holds files to grade (it is a student, not a class)."""
    return any(p.is_file() and _kind(p) != "unknown" for p in folder.iterdir())
