"""Executing students' notebooks: sandboxed, with limits, never hanging the grader.

``make_executor`` is the one entry point grading uses; every executor implements
:class:`~grader.runner.base.Executor`.
"""

from __future__ import annotations

from grader.runner.base import Executor, Limits, NotebookJob, NotebookRun

__all__ = ["Executor", "Limits", "NotebookJob", "NotebookRun", "make_executor"]

KINDS = ("local", "nbclient", "dask")


def make_executor(
    kind: str = "local",
    jobs: int = 1,
    scheduler: str | None = None,
    sandbox: str = "auto",
    preload: tuple[str, ...] = ("numpy",),
) -> Executor:
    """Build an executor.

    ``kind``: ``"local"`` (warm forked workers, sandboxed; the default), ``"nbclient"``
    (one fresh Jupyter kernel per notebook; the slow reference) or ``"dask"`` (ship
    notebooks to the workers of ``scheduler``, each runs them with the local executor).
    ``sandbox``: ``"auto"`` (bubblewrap when it works, else resource limits only, and
    the executor's ``notes`` say "not sandboxed"), ``"bwrap"`` (raise
    :class:`~grader.runner.base.ExecutorUnavailable`, with what to install, if
    unavailable) or ``"none"`` (resource limits only).
    ``preload``: modules the warm workers import once so students' imports are free.
    Raises ValueError for an unknown kind.
    """
    if kind == "nbclient":
        from grader.runner.nbclient_executor import NbclientExecutor

        return NbclientExecutor(jobs=jobs)
    if kind == "local":
        from grader.runner.pool import LocalExecutor

        return LocalExecutor(jobs=jobs, sandbox=sandbox, preload=preload)
    if kind == "dask":
        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address")
        from grader.runner.dask_executor import DaskExecutor

        return DaskExecutor(scheduler, sandbox=sandbox, preload=preload)
    raise ValueError(f"unknown executor kind {kind!r}; choose one of {', '.join(KINDS)}")
