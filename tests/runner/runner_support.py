"""Test support (imported by the runner tests): lay fixture notebooks out as a class (one folder per student) and run them."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.runner.base import Limits, NotebookJob

FIXTURES = Path(__file__).parent / "fixtures"

#: Short limits so that the fault notebooks end quickly in tests.
FAST = Limits(
    cell_timeout=3.0,
    notebook_timeout=8.0,
    memory_mb=512,
    max_processes=32,
    max_output_bytes=100_000,
)


def job_for(
    root: Path, student: str, fixture: str, names: tuple[str, ...] = (), limits: Limits = FAST
) -> NotebookJob:
    """Copy ``fixtures/<fixture>.ipynb`` to ``root/<student>/notebook.ipynb``; its job."""
    folder = root / student
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "notebook.ipynb"
    shutil.copyfile(FIXTURES / f"{fixture}.ipynb", target)
    return NotebookJob(key=student, notebook=target, names=names, limits=limits)
