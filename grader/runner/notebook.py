"""Reading a student's notebook file and preparing the folder it runs in.

Shared by every executor so that a malformed file, odd bytes or a flat folder of many
students' notebooks is handled the same way whichever executor runs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader import outcomes
from grader.results import RunError, cell_no
from grader.yamlio import YamlError, parse_json, read_capped
from reference.messages import msg

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Files copied into a student's working folder at most (bytes); a submission folder with
#: a dataset of gigabytes must not fill the grader's disk once per student.
MAX_COPY_BYTES = 200 * 1024 * 1024
#: Files and folders copied at most, and the deepest folder level copied: a student's
#: tree of a million empty files or 10 000 nested folders must not stall the grader.
MAX_COPY_ENTRIES = 10_000
MAX_COPY_DEPTH = 32
#: Largest notebook read (bytes); notebooks with many plots are a few megabytes.
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


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


def _one_line(message: str, path: Path) -> str:
    """``message`` naming the notebook by its file name, as the other notebook errors do."""
    return message.replace(str(path), path.name, 1)


def load_notebook(path: Path) -> LoadedNotebook:
    """Read ``path`` and return its code cells (index among all cells, source).

    Bytes that are not UTF-8 are replaced (a note says so) rather than rejecting the
    notebook: students' editors on Windows sometimes save a cp1252 comment. Raises
    :class:`InvalidNotebook` when the file cannot be read, is larger than
    :data:`MAX_NOTEBOOK_BYTES`, nests deeper than :data:`grader.yamlio.MAX_DEPTH` or is not
    notebook JSON — a student's file is parsed on the grader's side before any sandbox, so
    nothing in it may exhaust memory or the recursion limit.
    """
    notes: list[str] = []
    try:
        raw = read_capped(path, MAX_NOTEBOOK_BYTES)
    except YamlError as exc:
        raise InvalidNotebook(
            RunError(kind="invalid_notebook", message=_one_line(str(exc), path))
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        notes.append(outcomes.not_utf8(path.name, exc.start))
    try:
        data = parse_json(text, path.name, exact_numbers=False)
    except YamlError as exc:
        where, _, why = str(exc).partition(": ")
        raise InvalidNotebook(
            RunError(
                kind="invalid_notebook",
                message=msg(
                    "{where}: not valid notebook JSON: {why}",
                    where=where,
                    why=why.removeprefix("invalid JSON: "),
                ),
            )
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", None), list):
        raise InvalidNotebook(
            RunError(
                kind="invalid_notebook",
                message=msg("{file} has no list of cells", file=path.name),
            )
        )
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises many types for odd files; all mean "invalid"
        raise InvalidNotebook(
            RunError(
                kind="invalid_notebook",
                message=msg("{file} is not a notebook: {detail}", file=path.name, detail=str(exc)),
            )
        ) from exc
    cells: list[Cell] = []

    def where(index: int) -> dict[str, object]:
        return {"file": path.name, "cell": cell_no(index)}

    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        problem = None
        if not isinstance(source, str):
            problem = msg("{file}: cell {cell} has a source that is not text", **where(index))
        elif _SURROGATE.search(source):
            # cannot be encoded to send to the kernel, nor stored: refuse it here, by cell
            problem = msg("{file}: cell {cell} holds a lone surrogate (not text)", **where(index))
        if problem is not None:
            raise InvalidNotebook(
                RunError(kind="invalid_notebook", message=problem, cell_index=index)
            )
        cells.append(Cell(index=index, source=source))
    if not cells:
        notes.append(outcomes.no_code_cells(path.name))
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
    student's folder), as are ``.ipynb_checkpoints``, files past :data:`MAX_COPY_BYTES` in
    total, entries past :data:`MAX_COPY_ENTRIES`, folders deeper than
    :data:`MAX_COPY_DEPTH` and anything that cannot be read or written (no permission, a
    name the destination refuses). The walk keeps its own stack and never recurses.
    Returns one note per kind of thing left out; never raises for what is in ``source``.
    """
    skipped = {"link": 0, "big": 0, "unreadable": 0, "deep": 0, "many": 0}
    if not source.is_dir():
        try:
            _copy_file(source, dest / source.name)
        except OSError:
            skipped["unreadable"] += 1
        return _copy_notes(skipped)
    budget = MAX_COPY_BYTES
    entries_left = MAX_COPY_ENTRIES
    stack = [(source, dest, 0)]
    while stack:
        src, dst, depth = stack.pop()
        try:
            with os.scandir(src) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            skipped["unreadable"] += 1
            continue
        for entry in entries:
            if entries_left <= 0:
                skipped["many"] += 1
                continue
            entries_left -= 1
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                skipped["unreadable"] += 1
                continue
            if stat.S_ISLNK(info.st_mode):
                skipped["link"] += 1
            elif stat.S_ISDIR(info.st_mode):
                if entry.name in (".ipynb_checkpoints", "__pycache__", ".git"):
                    continue
                if depth + 1 > MAX_COPY_DEPTH:
                    skipped["deep"] += 1
                    continue
                target = dst / entry.name
                try:
                    target.mkdir(exist_ok=True)
                except OSError:
                    skipped["unreadable"] += 1
                    continue
                stack.append((Path(entry.path), target, depth + 1))
            elif stat.S_ISREG(info.st_mode):
                if info.st_size > budget:
                    skipped["big"] += 1
                    continue
                try:
                    _copy_file(Path(entry.path), dst / entry.name)
                except OSError:
                    skipped["unreadable"] += 1
                    continue
                budget -= info.st_size
    return _copy_notes(skipped)


def _copy_file(src: Path, dst: Path) -> None:
    """Copy one regular file's bytes (no metadata, no following a link at ``src``)."""
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{src.name} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as reader, open(dst, "wb") as writer:
            shutil.copyfileobj(reader, writer)
    finally:
        os.close(fd)


def _copy_notes(skipped: dict[str, int]) -> list[str]:
    messages = {
        "link": "symbolic link(s) in the submission were not copied",
        "big": f"file(s) were not copied: the submission exceeds "
        f"{MAX_COPY_BYTES // (1024 * 1024)} MB",
        "unreadable": "file(s) or folder(s) could not be read or copied and were left out",
        "deep": f"folder(s) nested more than {MAX_COPY_DEPTH} levels deep were not copied",
        "many": f"entries past the first {MAX_COPY_ENTRIES} were not copied",
    }
    return [f"{count} {messages[kind]}" for kind, count in skipped.items() if count]
