"""Running a class on a Dask cluster: each worker runs notebooks with the local executor.

Only JSON-safe data crosses the network (DESIGN/STYLE: nothing pickled between
processes that we define): the notebook's bytes (base64), the names and the limits go
out; the run comes back as a plain dict whose values are the extractor's tags. Each Dask
worker process keeps one warm, sandboxed :class:`~grader.runner.pool.LocalExecutor` for
its lifetime, so a notebook costs a fork there, not a kernel start. The student's files
travel with the notebook (the same ones the local executor would copy: links and
checkpoints left out), up to :data:`MAX_SHIPPED_BYTES` per student.
"""

from __future__ import annotations

import atexit
import base64
import dataclasses
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from grader.extract.variables import Unsupported, decode
from grader.results import RunError
from grader.runner.base import ExecutorUnavailable, Limits, NotebookJob, NotebookRun
from grader.runner.notebook import student_files
from reference.messages import Msg, msg

#: A student's folder larger than this is not shipped; the notebook alone goes, with a note.
MAX_SHIPPED_BYTES = 64 * 1024 * 1024

#: One warm executor per Dask worker process, keyed by its settings; a cache, not
#: configuration: it exists so that workers stay warm between tasks.
_WORKER_EXECUTORS: dict[tuple[str, tuple[str, ...]], Any] = {}


def encode_value(value: Any) -> Any:
    """The inverse of :func:`grader.extract.variables.decode`, for sending a run back."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, list):
        return {"list": [encode_value(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: encode_value(v) for k, v in value.items()}}
    if isinstance(value, Unsupported):
        return {"unsupported": value.type_name}
    return {"num": str(value)}  # an exact Rational prints as "p/q"


def run_to_json(run: NotebookRun) -> dict[str, Any]:
    """A JSON-safe dict for ``run``; :func:`run_from_json` reads it back."""
    data = asdict(run)
    data["values"] = {k: encode_value(v) for k, v in run.values.items()}
    data["error"] = run.error.to_json() if run.error else None
    return data


def run_from_json(data: dict[str, Any]) -> NotebookRun:
    """Read back what :func:`run_to_json` wrote."""
    error = data.get("error")
    return NotebookRun(
        values={k: decode(v) for k, v in data.get("values", {}).items()},
        error=RunError.from_json(error) if error else None,
        duration=float(data.get("duration", 0.0)),
        sandbox=str(data.get("sandbox", "none")),
        notes=[Msg.from_json(n) if isinstance(n, dict) else n for n in data.get("notes", [])],
        output=str(data.get("output", "")),
    )


def run_on_worker(task: dict[str, Any]) -> dict[str, Any]:
    """Dask task: run one shipped notebook with this worker's warm local executor."""
    from grader.runner.pool import LocalExecutor

    settings = (str(task["sandbox"]), tuple(task["preload"]))
    executor = _WORKER_EXECUTORS.get(settings)
    if executor is None:
        executor = LocalExecutor(jobs=1, sandbox=settings[0], preload=settings[1])
        _WORKER_EXECUTORS[settings] = executor
        atexit.register(executor.close)
    with tempfile.TemporaryDirectory(prefix="dlgrade-dask-") as tmp:
        folder = Path(tmp) / "student"
        for name, data in task["files"].items():
            target = (folder / name).resolve()
            if not target.is_relative_to(folder.resolve()):
                continue  # names come from our own client; refuse anything odd all the same
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(data))
        job = NotebookJob(
            key=str(task["key"]),
            notebook=folder / str(task["filename"]),
            names=tuple(task["names"]),
            limits=Limits(**task["limits"]),
            workdir=folder,
        )
        [(_, run)] = list(executor.run_many([job]))
    if task.get("notes"):
        run = dataclasses.replace(run, notes=[*task["notes"], *run.notes])
    return run_to_json(run)


def _files_to_ship(job: NotebookJob) -> tuple[dict[str, str], str, list[str]]:
    """The student's files as ``{relative path: base64}``, the notebook's relative path
    among them, and notes; raises OSError."""
    notebook_only = {job.notebook.name: base64.b64encode(job.notebook.read_bytes()).decode()}
    source, notes = student_files(job.notebook, job.workdir)
    if source.is_file() or not job.notebook.is_relative_to(source):
        return notebook_only, job.notebook.name, notes
    paths = [
        p
        for p in sorted(source.rglob("*"))
        if p.is_file() and not p.is_symlink() and ".ipynb_checkpoints" not in p.parts
    ]
    if sum(p.stat().st_size for p in paths) > MAX_SHIPPED_BYTES:
        size_note = f"the folder is over {MAX_SHIPPED_BYTES >> 20} MB; only the notebook was sent"
        return notebook_only, job.notebook.name, [*notes, size_note]
    files = {str(p.relative_to(source)): base64.b64encode(p.read_bytes()).decode() for p in paths}
    return files, str(job.notebook.relative_to(source)), notes


class DaskExecutor:
    """Ships notebooks to the Dask cluster at ``scheduler_address``; yields as they finish."""

    def __init__(
        self, scheduler_address: Any, sandbox: str = "auto", preload: tuple[str, ...] = ("numpy",)
    ) -> None:
        from distributed import Client

        try:
            self.client = Client(scheduler_address, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise ExecutorUnavailable(
                f"cannot reach the Dask scheduler at {scheduler_address}: {exc}"
            ) from None
        self.sandbox = sandbox
        self.preload = tuple(preload)
        #: Each run's notes say how the worker that ran it was confined.
        self.notes: list[str] = []

    def run_many(self, jobs: Iterable[NotebookJob]) -> Iterator[tuple[NotebookJob, NotebookRun]]:
        """Yield ``(job, run)`` in completion order; an unreadable file is reported, not sent."""
        from distributed import as_completed

        futures = {}
        for job in jobs:
            try:
                files, filename, notes = _files_to_ship(job)
            except OSError as exc:
                error = RunError(
                    "invalid_notebook", f"cannot read {job.notebook.name}: {exc.strerror}"
                )
                yield job, NotebookRun(values={}, error=error)
                continue
            task = {
                "key": job.key,
                "filename": filename,
                "files": files,
                "notes": notes,
                "names": list(job.names),
                "limits": asdict(job.limits),
                "sandbox": self.sandbox,
                "preload": list(self.preload),
            }
            future = self.client.submit(
                run_on_worker, task, pure=False, key=f"dlgrade-{job.key}-{id(job)}"
            )
            futures[future] = job
        for future in as_completed(futures):
            job = futures[future]
            try:
                run = run_from_json(future.result())
                for note in run.notes:  # a cluster worker without a sandbox says so once
                    if note.startswith("not sandboxed") and note not in self.notes:
                        self.notes.append(note)
                yield job, run
            except Exception as exc:  # noqa: BLE001 - a lost worker is reported, the class goes on
                reason = f"{type(exc).__name__}: {exc}"
                error = RunError(
                    "kernel_died", msg("the Dask task failed: {reason}", reason=reason)
                )
                yield job, NotebookRun(values={}, error=error)

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster itself is left running)."""
        self.client.close()
