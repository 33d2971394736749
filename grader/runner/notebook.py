"""Reading a student's notebook file and preparing the folder it runs in.

Shared by every executor so that a malformed file, odd bytes or a flat folder of many
students' notebooks is handled the same way whichever executor runs it.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.results import RunError

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

#: Files copied into a student's working folder at most (bytes); a submission folder with
#: a dataset of gigabytes must not fill the grader's disk once per student.
MAX_COPY_BYTES = 200 * 1024 * 1024


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes (IPython colours its tracebacks)."""
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class Cell:
    """One code cell: its position among ALL cells of the notebook and its source."""

    index: int
    source: str


@dataclass
class LoadedNotebook:
    """The code cells of a notebook plus what the reader had to say about the file."""

    cells: list[Cell]
    notes: list[str] = field(default_factory=list)


class InvalidNotebook(Exception):
    """The file is not a notebook we can run; ``error`` says why, as data."""

    def __init__(self, error: RunError) -> None:
        super().__init__(error.message)
        self.error = error


def load_notebook(path: Path) -> LoadedNotebook:
    """Read ``path`` and return its code cells (index among all cells, source).

    Bytes that are not UTF-8 are replaced (a note says so) rather than rejecting the
    notebook: students' editors on Windows sometimes save a cp1252 comment. Raises
    :class:`InvalidNotebook` when the file cannot be read or is not notebook JSON.
    """
    notes: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidNotebook(
            RunError(kind="invalid_notebook", message=f"cannot read {path.name}: {exc.strerror}")
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        notes.append(
            f"{path.name} is not valid UTF-8 (byte {exc.start}); undecodable bytes were replaced"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidNotebook(
            RunError(
                kind="invalid_notebook",
                message=f"{path.name} is not valid notebook JSON: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})",
            )
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells", None), list):
        raise InvalidNotebook(
            RunError(kind="invalid_notebook", message=f"{path.name} has no list of cells")
        )
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises many types for odd files; all mean "invalid"
        raise InvalidNotebook(
            RunError(kind="invalid_notebook", message=f"{path.name} is not a notebook: {exc}")
        ) from exc
    cells: list[Cell] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        if not isinstance(source, str):
            raise InvalidNotebook(
                RunError(
                    kind="invalid_notebook",
                    message=f"{path.name}: cell {index} has a source that is not text",
                    cell_index=index,
                )
            )
        cells.append(Cell(index=index, source=source))
    if not cells:
        notes.append(f"{path.name} has no code cells")
    return LoadedNotebook(cells=cells, notes=notes)


def student_files(notebook: Path, workdir: Path | None = None) -> tuple[Path, list[str]]:
    """The folder whose files a student's code may see, and notes about that choice.

    ``workdir`` when given; otherwise the notebook's folder — unless that folder holds
    other notebooks too (a flat folder of the whole class), where only the notebook itself
    may be copied, or one student could read another's answers.
    """
    if workdir is not None:
        return workdir, []
    folder = notebook.parent
    others = [p for p in folder.glob("*.ipynb") if p.name != notebook.name]
    if others:
        return notebook, [
            (
                f"{folder.name} holds other notebooks; only {notebook.name} was copied "
                "into the working folder"
            )
        ]
    return folder, []


def copy_student_files(source: Path, dest: Path) -> list[str]:
    """Copy ``source`` (a folder or one file) into the existing folder ``dest``.

    Symbolic links and special files are skipped (a link could point into another
    student's folder), as are ``.ipynb_checkpoints`` and files past
    :data:`MAX_COPY_BYTES` in total. Returns notes on what was left out.
    """
    notes: list[str] = []
    if source.is_file():
        shutil.copyfile(source, dest / source.name)
        return notes
    budget = MAX_COPY_BYTES
    skipped_links = 0
    skipped_big = 0
    stack = [(source, dest)]
    while stack:
        src, dst = stack.pop()
        try:
            entries = list(src.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                skipped_links += 1
                continue
            if entry.is_dir():
                if entry.name in (".ipynb_checkpoints", "__pycache__", ".git"):
                    continue
                target = dst / entry.name
                target.mkdir(exist_ok=True)
                stack.append((entry, target))
            elif entry.is_file():
                size = entry.stat().st_size
                if size > budget:
                    skipped_big += 1
                    continue
                budget -= size
                shutil.copyfile(entry, dst / entry.name)
    if skipped_links:
        notes.append(f"{skipped_links} symbolic link(s) in the submission were not copied")
    if skipped_big:
        notes.append(
            f"{skipped_big} file(s) were not copied: the submission exceeds "
            f"{MAX_COPY_BYTES // (1024 * 1024)} MB"
        )
    return notes
