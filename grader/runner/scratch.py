"""Removing folders a run made, whatever is inside them, and what a killed run left behind.

Python 3.11's ``shutil.rmtree`` recurses (a student's 5 000-deep tree raises
RecursionError) and silently skips what it cannot remove when ``ignore_errors`` is set.
:func:`remove_tree` hands the walk to ``rm -rf`` (no depth limit, paths past PATH_MAX
handled with ``openat``), restores permissions a student removed when ``rm`` is refused,
and raises :class:`CleanupError` when something is still there: never a silent leftover.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

#: Folder names of a run: ``dlgrade-<grader pid>-...`` in the temporary folder.
RUN_PREFIX = "dlgrade-"
_RUN_FOLDER = re.compile(r"dlgrade-(\d+)-")


class CleanupError(OSError):
    """A folder could not be removed; ``path`` and ``detail`` say which and why."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"could not remove {path}: {detail}")
        self.path = path
        self.detail = detail


def remove_tree(*paths: Path) -> None:
    """Remove each of ``paths`` and everything below it, with one ``rm``; raises
    :class:`CleanupError` naming the first that remains."""
    paths = tuple(p for p in paths if os.path.lexists(p))
    if not paths:
        return
    names = [str(p) for p in paths]
    argv = ["rm", "-rf", "--one-file-system", "--", *names]
    done = subprocess.run(argv, capture_output=True, check=False)
    if done.returncode != 0 and any(os.path.lexists(p) for p in paths):
        # A folder whose permissions the student removed: give them back, then again.
        subprocess.run(["chmod", "-R", "u+rwx", "--", *names], capture_output=True, check=False)
        done = subprocess.run(argv, capture_output=True, check=False)
    for path in paths:
        if os.path.lexists(path):
            raise CleanupError(path, done.stderr.decode("utf-8", "replace").strip()[-500:])


def empty_folder(path: Path) -> None:
    """Remove everything inside ``path`` but keep the folder itself (it may be bound into
    a sandbox: a new folder of the same name would not be seen there)."""
    remove_tree(*(Path(entry.path) for entry in os.scandir(path)))


def run_folder(label: str) -> Path:
    """A new private folder for this grader process, recognisable by :func:`remove_stale`."""
    return Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-{label}-"))


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale() -> list[Path]:
    """Remove the run folders of grader processes that no longer exist; what was removed."""
    removed: list[Path] = []
    base = Path(tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _RUN_FOLDER.match(entry.name)
        if match is None or process_alive(int(match.group(1))):
            continue
        try:
            remove_tree(entry)
        except CleanupError:
            continue
        removed.append(entry)
    return removed
