"""The default executor: N warm sandboxed workers that fork one clean child per notebook.

Why this design. A notebook's own cells take tens of milliseconds; starting a Jupyter
kernel takes ~1 s (DESIGN, "What a notebook costs to run"). So each of the ``jobs``
workers (a "zygote", :mod:`grader.runner.zygote`) is started once, inside its own
bubblewrap sandbox with its own slot folder bound as ``/work``, and imports IPython and
the ``preload`` modules once. For each notebook the grader copies that student's files
into the slot and sends the cells as one JSON line; the zygote forks a child — a fresh
copy of a pristine process, never reused — which applies rlimits, runs the cells with
``InteractiveShell.run_cell``, extracts the variables and sends them on a pipe separate
from its output. The zygote kills the child on a timeout or an output flood, kills
everything the child left behind (it is pid 1 of the sandbox's pid namespace), empties
``/tmp`` and reports; the grader empties the slot. The grader keeps its own deadline per
notebook too: a worker that stops answering is killed and replaced, and the notebook is
reported as timed out, so ``run_many`` always ends.

Forging: the child runs the student's code, so a student could in principle write a
well-formed result line on the result pipe and exit. That yields only values the student
could as well have assigned, never the key (expected values never enter the sandbox); the
tricks that hide failures in practice (silenced tracebacks, printed fake results,
``os._exit`` before the checks) are defeated because status comes from ``run_cell``'s
return value and the child's exit, never from printed text.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, Self

from grader.extract.variables import EXTRACT_SOURCE, decode
from grader.results import RunError
from grader.runner import sandbox as sb
from grader.runner.base import Limits, NotebookJob, NotebookRun
from grader.runner.notebook import (
    InvalidNotebook,
    LoadedNotebook,
    copy_student_files,
    load_notebook,
    student_files,
)

ZYGOTE = Path(__file__).with_name("zygote.py")
#: Seconds a worker may take to start (imports of the preloaded modules included).
START_TIMEOUT = 120.0
#: Seconds the grader waits past a notebook's own limit before it kills the worker.
GRACE = 15.0
#: Tasks a worker needs besides the student's processes (itself, its threads).
WORKER_TASKS = 16

_SIGNAL_MEANING = {
    "SIGSEGV": "a segmentation fault",
    "SIGBUS": "a bus error",
    "SIGABRT": "an abort",
    "SIGKILL": "SIGKILL (out of memory or killed)",
    "SIGXCPU": "its CPU-time limit",
    "SIGFPE": "a floating-point exception",
}


class _Worker:
    """One zygote process, its slot folder and its cgroup, seen from the grader."""

    def __init__(self, number: int, mode: str, preload: tuple[str, ...]) -> None:
        self.number = number
        self.mode = mode
        self.preload = preload
        self.home = Path(tempfile.mkdtemp(prefix=f"dlgrade-worker{number}-"))
        self.slot = self.home / "work"
        self.private_tmp = self.home / "tmp"
        self.cgroup = sb.PidsCgroup(f"worker{number}")
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = bytearray()
        self.ready = False
        self.started_at = 0.0
        self.job: NotebookJob | None = None
        self.job_started = 0.0
        self.job_notes: list[str] = []
        self.sources: dict[int, str] = {}
        self.deadline = 0.0

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the zygote (returns at once; it says ``ready`` when warm)."""
        for folder in (self.slot, self.private_tmp):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        python = sys.executable
        if self.mode == "bwrap":
            env_args = []
            for key, value in self._env("/tmp", sb.SANDBOX_WORKDIR).items():
                env_args += ["--setenv", key, value]
            argv = sb.bwrap_command(self.slot, ZYGOTE) + env_args
            argv += [python, "-s", sb.SANDBOX_ZYGOTE, *self.preload]
            env = None
        else:
            argv = [python, "-s", str(ZYGOTE), *self.preload]
            env = self._env(str(self.private_tmp), str(self.slot))
        self.cgroup.set_max(WORKER_TASKS + 64)
        procs_file = self.cgroup.join_command()
        if procs_file:  # join the cgroup before exec, without a (thread-unsafe) preexec_fn
            argv = ["/bin/sh", "-c", 'echo $$ > "$0" 2>/dev/null; exec "$@"', procs_file, *argv]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(self.slot),
            env=env,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buffer = bytearray()
        self.ready = False
        self.started_at = time.monotonic()

    @staticmethod
    def _env(tmp: str, home: str) -> dict[str, str]:
        return {
            "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "USER": "student",
            "LANG": "C.UTF-8",
            "TMPDIR": tmp,
            "IPYTHONDIR": f"{tmp}/.ipython",
            "MPLCONFIGDIR": f"{tmp}/.matplotlib",
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }

    def kill(self) -> None:
        """Kill the zygote and everything in its sandbox (its pid namespace dies with it)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None
        self.ready = False
        if self.mode != "bwrap":
            self._kill_cgroup_members()

    def _kill_cgroup_members(self) -> None:
        """Without a pid namespace, the cgroup still lists what the worker left running."""
        if self.cgroup.path is None:
            return
        for _ in range(20):
            try:
                pids = (self.cgroup.path / "cgroup.procs").read_text().split()
            except OSError:
                return
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            time.sleep(0.01)

    def close(self) -> None:
        self.kill()
        self._kill_cgroup_members()
        self.cgroup.remove()
        shutil.rmtree(self.home, ignore_errors=True)

    # -- protocol ---------------------------------------------------------------------
    def fileno(self) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def read_messages(self) -> list[dict[str, Any]] | None:
        """Complete JSON lines that arrived; None when the worker has gone (EOF)."""
        try:
            data = os.read(self.fileno(), 1 << 20)
        except BlockingIOError:
            return []
        except OSError:
            return None
        if not data:
            return None
        self.buffer += data
        *lines, rest = bytes(self.buffer).split(b"\n")
        self.buffer = bytearray(rest)
        messages = []
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                messages.append(message)
        return messages

    def send(self, job: NotebookJob, loaded: LoadedNotebook) -> None:
        """Copy the student's files into the slot and hand the notebook to the zygote."""
        assert self.proc is not None and self.proc.stdin is not None
        for entry in list(self.slot.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        source, notes = student_files(job.notebook, job.workdir)
        notes += copy_student_files(source, self.slot)
        limits = job.limits
        self.cgroup.set_max(WORKER_TASKS + limits.max_processes)
        inside = self.mode == "bwrap"
        message = {
            "cells": [[c.index, c.source] for c in loaded.cells],
            "names": list(job.names),
            "extract": EXTRACT_SOURCE,
            "limits": asdict(limits),
            "workdir": sb.SANDBOX_WORKDIR if inside else str(self.slot),
            "scratch": ["/tmp", "/dev/shm"] if inside else [str(self.private_tmp)],
            "snapshots": True,
        }
        self.job = job
        self.job_notes = list(loaded.notes) + notes
        self.job_started = time.monotonic()
        self.deadline = self.job_started + limits.notebook_timeout + GRACE
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()


def _decode_values(payload: Any, notes: list[str]) -> dict[str, Any]:
    if payload is None:
        return {}
    try:
        tagged = json.loads(payload)
    except (TypeError, ValueError):
        notes.append("the variables sent back could not be read")
        return {}
    if not isinstance(tagged, dict):
        notes.append("the variables sent back could not be read")
        return {}
    return {str(name): decode(tag) for name, tag in tagged.items()}


def report_to_run(
    report: dict[str, Any],
    job: NotebookJob,
    loaded_sources: dict[int, str],
    sandbox: str,
    notes: list[str],
    duration: float,
) -> NotebookRun:
    """Turn a zygote's report into a :class:`NotebookRun` (status → :class:`RunError`)."""
    limits: Limits = job.limits
    cell = report.get("cell")
    cell = cell if isinstance(cell, int) else None
    source = loaded_sources.get(cell) if cell is not None else None
    status = report.get("status")
    exit_text = str(report.get("exit", ""))
    output_bytes = int(report.get("output_bytes") or 0)
    where = f" in cell {cell}" if cell is not None else ""
    if output_bytes > limits.max_output_bytes:
        notes.append(f"output truncated at {limits.max_output_bytes} bytes (of {output_bytes})")
    values = _decode_values(report.get("values"), notes)
    after = report.get("snapshot_after")
    if isinstance(after, int) and values:
        notes.append(f"variables read as they were after cell {after}, the last cell that ended")
    error: RunError | None = None
    if status == "cell_timeout":
        error = RunError(
            "timeout", f"cell {cell} ran longer than {limits.cell_timeout:g} s", cell, source=source
        )
    elif status == "notebook_timeout":
        error = RunError(
            "timeout",
            f"the notebook ran longer than {limits.notebook_timeout:g} s (stopped{where})",
            cell,
            source=source,
        )
    elif status == "output_limit":
        error = RunError(
            "output_limit",
            f"the notebook wrote more than {output_bytes} bytes of "
            f"output{where} and was stopped (limit "
            f"{limits.max_output_bytes} bytes)",
            cell,
            source=source,
        )
    elif status == "killed":
        signame = exit_text
        if signame == "SIGXCPU":
            error = RunError(
                "timeout", f"the notebook used up its CPU time{where}", cell, source=source
            )
        else:
            meaning = _SIGNAL_MEANING.get(signame, signame)
            error = RunError(
                "kernel_died",
                f"the notebook's process was killed by {meaning}{where}",
                cell,
                source=source,
            )
    elif status == "exited":
        if report.get("crash"):
            notes.append("grader error in the worker: " + str(report["crash"])[-2000:])
        error = RunError(
            "exited",
            f"the notebook ended its own process ({exit_text}){where} "
            "before its variables could be read",
            cell,
            source=source,
        )
    elif status == "error":
        info = report.get("error") or {}
        ecell = info.get("cell") if isinstance(info.get("cell"), int) else cell
        ename, evalue = info.get("ename"), info.get("evalue")
        kind, message = "error", f"cell {ecell} raised {ename}: {evalue}"
        if info.get("memory"):
            kind = "memory_limit"
            message = (
                f"cell {ecell} needed more than the {limits.memory_mb} MB of memory "
                f"allowed ({ename})"
            )
        elif ename == "BlockingIOError" and "temporarily unavailable" in str(evalue):
            kind = "process_limit"
            message = (
                f"cell {ecell} could not start another process: the notebook may run "
                f"{limits.max_processes} processes at most ({ename}: {evalue})"
            )
        elif info.get("exit"):
            kind = "exited"
            message = f"cell {ecell} called sys.exit({evalue}); the notebook stopped there"
        error = RunError(
            kind,
            message,
            ecell,
            ename,
            evalue,
            info.get("traceback"),
            loaded_sources.get(ecell) if ecell is not None else None,
        )
    elif status != "ok":
        error = RunError("kernel_died", f"the worker sent an unknown status {status!r}")
    return NotebookRun(
        values=values,
        error=error,
        duration=duration,
        sandbox=sandbox,
        notes=notes,
        output=str(report.get("output", "")),
    )


class LocalExecutor:
    """Runs notebooks on ``jobs`` warm sandboxed workers of this machine.

    ``sandbox``: ``"auto"`` (bubblewrap when it works, resource limits otherwise),
    ``"bwrap"`` (raise :class:`RuntimeError` here if bubblewrap does not work) or
    ``"none"``. Workers start on the first :meth:`run_many` and live until :meth:`close`.
    """

    def __init__(
        self, jobs: int = 1, sandbox: str = "auto", preload: tuple[str, ...] = ("numpy",)
    ) -> None:
        if sandbox not in ("auto", "bwrap", "none"):
            raise ValueError(f"sandbox must be auto, bwrap or none, not {sandbox!r}")
        self.jobs = max(1, jobs)
        self.preload = tuple(preload)
        status = sb.bwrap_status() if sandbox != "none" else "disabled"
        if sandbox == "bwrap" and status != "ok":
            raise RuntimeError(f"bubblewrap sandbox requested but it is {status}")
        self.mode = "bwrap" if status == "ok" else "rlimits"
        self.sandbox_notes = {
            "ok": [],
            "missing": [sb.NO_SANDBOX_NOTE],
            "broken": [sb.BROKEN_NOTE],
            "disabled": [sb.DISABLED_NOTE],
        }[status]
        self.workers: list[_Worker] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_workers(self) -> None:
        while len(self.workers) < self.jobs:
            self.workers.append(_Worker(len(self.workers), self.mode, self.preload))
        for worker in self.workers:
            if worker.proc is None:
                worker.start()

    def _finish(self, worker: _Worker, report: dict[str, Any]) -> tuple[NotebookJob, NotebookRun]:
        job = worker.job
        assert job is not None
        loaded_sources = worker.sources
        run = report_to_run(
            report,
            job,
            loaded_sources,
            self.mode,
            worker.job_notes + self.sandbox_notes,
            time.monotonic() - worker.job_started,
        )
        worker.job = None
        return job, run

    def _fail(self, worker: _Worker, kind: str, message: str) -> tuple[NotebookJob, NotebookRun]:
        """The worker itself failed during a notebook: kill it, report, restart later."""
        job = worker.job
        assert job is not None
        worker.kill()
        worker.job = None
        run = NotebookRun(
            values={},
            error=RunError(kind, message),
            sandbox=self.mode,
            duration=time.monotonic() - worker.job_started,
            notes=worker.job_notes + self.sandbox_notes,
        )
        return job, run

    def run_many(self, jobs: Iterable[NotebookJob]) -> Iterator[tuple[NotebookJob, NotebookRun]]:
        """Yield ``(job, run)`` as each notebook finishes; always ends, never raises for a
        student's notebook."""
        queue: deque[tuple[NotebookJob, LoadedNotebook]] = deque()
        for job in jobs:
            start = time.monotonic()
            try:
                loaded = load_notebook(job.notebook)
            except InvalidNotebook as exc:
                yield (
                    job,
                    NotebookRun(
                        values={},
                        error=exc.error,
                        sandbox=self.mode,
                        duration=time.monotonic() - start,
                    ),
                )
                continue
            queue.append((job, loaded))
        if not queue:
            return
        self._ensure_workers()
        selector = selectors.DefaultSelector()
        registered: dict[int, _Worker] = {}

        def register(worker: _Worker) -> None:
            registered[worker.fileno()] = worker
            selector.register(worker.fileno(), selectors.EVENT_READ, worker)

        def unregister(worker: _Worker) -> None:
            for fd, w in list(registered.items()):
                if w is worker:
                    selector.unregister(fd)
                    del registered[fd]

        try:
            for worker in self.workers:
                register(worker)
            while queue or any(w.job is not None for w in self.workers):
                for worker in self.workers:  # hand out work to idle, warm workers
                    if worker.ready and worker.job is None and queue:
                        job, loaded = queue.popleft()
                        worker.sources = {c.index: c.source for c in loaded.cells}
                        try:
                            worker.send(job, loaded)
                        except (BrokenPipeError, OSError):
                            worker.job = job
                            yield self._fail(worker, "kernel_died", "the worker was not running")
                            unregister(worker)
                            worker.start()
                            register(worker)
                now = time.monotonic()
                deadlines = [w.deadline for w in self.workers if w.job is not None]
                deadlines += [w.started_at + START_TIMEOUT for w in self.workers if not w.ready]
                timeout = max(0.0, min(deadlines, default=now + 1.0) - now)
                events = selector.select(min(timeout, 1.0))
                for key, _ in events:
                    worker = key.data
                    messages = worker.read_messages()
                    if messages is None:  # the zygote died
                        unregister(worker)
                        if worker.job is not None:
                            yield self._fail(
                                worker, "kernel_died", "the worker running this notebook died"
                            )
                        else:
                            worker.kill()
                        if not worker.ready:  # the grader's environment, not a student
                            raise RuntimeError(
                                f"a notebook worker ({self.mode}) exited while starting; "
                                "check that IPython and the preload modules import"
                            )
                        worker.start()
                        register(worker)
                        continue
                    for message in messages:
                        if message.get("ready"):
                            worker.ready = True
                        elif worker.job is not None:
                            yield self._finish(worker, message)
                now = time.monotonic()
                for worker in self.workers:
                    stuck = worker.job is not None and now > worker.deadline
                    cold = not worker.ready and now > worker.started_at + START_TIMEOUT
                    if stuck or cold:
                        unregister(worker)
                        if worker.job is not None:
                            yield self._fail(
                                worker,
                                "timeout",
                                "the notebook's worker stopped answering and was killed",
                            )
                        else:
                            worker.kill()
                        worker.start()
                        register(worker)
        finally:
            selector.close()
            for worker in self.workers:
                if worker.job is not None:  # the caller stopped early: drop the half-run job
                    worker.kill()
                    worker.job = None

    def close(self) -> None:
        """Stop every worker, remove their folders and cgroups."""
        for worker in self.workers:
            worker.close()
        self.workers = []
