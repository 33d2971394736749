"""The one small interface between grading and whatever executes a student's notebook.

Grading hands an executor a notebook path, the variable names to read back and the
limits; it gets a :class:`NotebookRun` back: the variables as plain JSON data (decoded by
:mod:`grader.extract.variables`) and, when the run did not finish, a
:class:`~grader.results.RunError`. Executors never raise for anything a student did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from grader.results import RunError


class ExecutorUnavailable(RuntimeError):
    """The executor itself cannot start (e.g. no Dask scheduler at the address given).

    Unlike a student's failure this stops the run: nothing could be graded with it.
    """


@dataclass(frozen=True)
class Limits:
    """Per-notebook resource limits; set in the rubric (``limits:``) or on the command line."""

    cell_timeout: float = 30.0
    notebook_timeout: float = 120.0
    memory_mb: int = 2048
    max_processes: int = 64
    max_output_bytes: int = 1_000_000
    #: Files a student may write (working folder, /tmp, /dev/shm: each a tmpfs this size).
    disk_mb: int = 512


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run: ``names`` are the variables to read back after its cells.

    ``workdir`` is the folder whose files the student's code may see (copied, never
    shared); by default the notebook's own folder, or only the notebook when that folder
    also holds other students' notebooks.
    """

    key: str
    notebook: Path
    names: tuple[str, ...]
    limits: Limits = Limits()
    workdir: Path | None = None


@dataclass(frozen=True)
class NotebookRun:
    """What running a notebook produced.

    ``values`` maps each requested name that exists to its extracted form (see
    :func:`grader.extract.variables.decode`); names the notebook never defined are absent.
    ``sandbox`` says how the code was confined (``"bwrap"`` or ``"rlimits"``).
    ``output`` is what the cells wrote to stdout/stderr, cut at ``Limits.max_output_bytes``
    (for display only: never read answers from it). The cells after a failing cell
    still run; ``error`` is the first failure and ``after_failure`` names the variables
    set after it.
    """

    values: dict[str, Any]
    error: RunError | None = None
    duration: float = 0.0
    sandbox: str = "none"
    notes: list[str] = field(default_factory=list)
    output: str = ""
    #: Variables whose value was set (or changed) after the first failing cell.
    after_failure: tuple[str, ...] = ()


class Executor(Protocol):
    """Runs notebooks; ``run_many`` yields ``(job, run)`` pairs as each one finishes.

    ``notes`` are sentences about the run as a whole (``"not sandboxed: ..."`` first of
    all, and limits this machine cannot enforce), shown once in every summary.
    """

    notes: list[str]

    def run_many(
        self, jobs: Iterable[NotebookJob]
    ) -> Iterator[tuple[NotebookJob, NotebookRun]]: ...

    def close(self) -> None: ...
