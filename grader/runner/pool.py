"""The default executor: N warm sandboxed workers that fork one clean child per notebook.

Why this design. A notebook's own cells take tens of milliseconds; starting a Jupyter
kernel takes ~1 s (DESIGN, "What a notebook costs to run"). So each of the ``jobs``
workers (a "zygote", :mod:`grader.runner.zygote`) is started once, inside its own
bubblewrap sandbox and control group, and imports IPython and the ``preload`` modules
once. For each notebook the grader stages that student's files in the worker's inbox,
writes the job to a file, and hands the zygote four descriptors: the job file and the
result, stdout and stderr pipes. The zygote forks a child and never reads any of them,
so its memory — the next student's starting point — never holds a student's data.

The grader is the watchdog, on its own clock: the notebook's limit runs from the fork;
cell markers on the result channel (accepted only in the notebook's real order) move
the per-cell clock, never past the notebook's limit. On a limit the grader asks the
zygote to kill the child and everything it left (the zygote is pid 1 of the sandbox);
a zygote that does not answer, or dies, is killed and replaced, and the student in it
gets ``timeout`` or ``worker_died`` — the class goes on. What the child sent back is
decoded with a strict schema in a helper thread (:mod:`grader.runner.channel`), so a
forged, enormous or endless result is that student's ``invalid_result`` and nobody
else's problem.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from grader import outcomes
from grader.extract.variables import EXTRACT_SOURCE
from grader.outcomes import RunOutcome
from grader.results import RunError, cell_no
from grader.runner import cgroups, scratch
from grader.runner import sandbox as sb
from grader.runner.base import ExecutorUnavailable, Limits, NotebookJob, NotebookRun
from grader.runner.channel import InvalidResult, ResultStream, decode_stream
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
#: Seconds the zygote has to kill a child and its leftovers before it is replaced.
KILL_GRACE = 10.0
#: Seconds the grader's extractor may take after the last cell (within the notebook limit).
EXTRACT_SECONDS = 30.0
#: Tasks a worker needs besides the student's processes (itself, its threads).
WORKER_TASKS = 16
#: A worker that fails to start this many times in a row means the environment is broken.
MAX_START_FAILURES = 3
#: Output past this many times the limit stops the notebook (output_limit).
FLOOD_FACTOR = 10


@dataclass
class _Flight:
    """One notebook in flight on a worker: its pipes, clocks and what came back so far."""

    job: NotebookJob
    loaded: LoadedNotebook
    notes: list[str]
    started: float
    notebook_deadline: float
    cell_deadline: float
    stream: ResultStream
    pipes: dict[int, str]
    output: bytearray = field(default_factory=bytearray)
    output_bytes: int = 0
    stopped: str | None = None
    kill_sent: float | None = None
    exit: dict[str, Any] | None = None
    oom_before: int = 0
    oom: bool = False


class _Worker:
    """One zygote process, its inbox, its control group, seen from the grader."""

    def __init__(self, number: int, mode: str, preload: tuple[str, ...], cpu: float) -> None:
        self.number = number
        self.mode = mode
        self.preload = preload
        self.home = scratch.run_folder(f"worker{number}")
        self.inbox = self.home / "inbox"
        self.workdir = self.home / "work"  # used without bwrap only
        self.private_tmp = self.home / "tmp"  # used without bwrap only
        self.cgroup = cgroups.WorkerCgroup.create(f"worker{number}")
        self.cgroup.set_cpu(cpu)
        self.proc: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.ready = False
        self.isolation = False
        self.started_at = 0.0
        self.base_memory = 0
        self.start_failures = 0
        self.flight: _Flight | None = None

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the zygote (returns at once; it says ``ready`` when warm)."""
        scratch.remove_tree(self.inbox, self.workdir, self.private_tmp)
        for folder in (self.inbox, self.workdir, self.private_tmp):
            folder.mkdir(parents=True)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        python = sys.executable
        if self.mode == "bwrap":
            mounts = [*sb.SANDBOX_SCRATCH, sb.SANDBOX_WORKDIR, sb.SANDBOX_INBOX]
            env_args: list[str] = []
            for key, value in self._env("/tmp", sb.SANDBOX_WORKDIR).items():
                env_args += ["--setenv", key, value]
            argv = sb.bwrap_command(self.inbox, ZYGOTE) + env_args
            argv += [python, "-s", sb.SANDBOX_ZYGOTE]
            env = None
        else:
            mounts = [str(self.private_tmp), "/dev/shm", str(self.workdir), str(self.inbox)]
            argv = [python, "-s", str(ZYGOTE)]
            env = self._env(str(self.private_tmp), str(self.workdir))
        argv += [str(theirs.fileno()), json.dumps(mounts), *self.preload]
        self.cgroup.set_pids(WORKER_TASKS + 64)
        self.cgroup.set_memory(None)
        procs = self.cgroup.procs_files()
        if procs:  # join the cgroups before exec, without a (thread-unsafe) preexec_fn
            join = 'for f in $CGROUP_PROCS; do echo $$ > "$f" 2>/dev/null; done; exec "$@"'
            argv = ["/bin/sh", "-c", join, "sh", *argv]
            env = {**(env if env is not None else os.environ), "CGROUP_PROCS": " ".join(procs)}
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=str(self.home),
            env=env,
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        ours.setblocking(False)
        self.control = ours
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
        """Kill the zygote and everything it runs (its pid namespace and cgroup die too)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.cgroup.kill_all()
        if self.control is not None:
            self.control.close()
        self.proc = None
        self.control = None
        self.ready = False

    def close(self) -> None:
        self.kill()
        self.cgroup.remove()
        scratch.remove_tree(self.home)

    # -- protocol ---------------------------------------------------------------------
    def receive(self) -> list[dict[str, Any]] | None:
        """Messages from the zygote that arrived; None when it has gone (EOF)."""
        assert self.control is not None
        messages = []
        while True:
            try:
                data = self.control.recv(65536)
            except BlockingIOError:
                return messages
            except OSError:
                return None
            if not data:
                return None
            try:
                message = json.loads(data)
            except ValueError:
                continue
            if isinstance(message, dict):
                messages.append(message)

    def command(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        assert self.control is not None
        data = json.dumps(message).encode()
        if fds:
            socket.send_fds(self.control, [data], fds)
        else:
            self.control.send(data)


def _stage(worker: _Worker, job: NotebookJob, loaded: LoadedNotebook) -> tuple[int, list[str]]:
    """Stage the student's files in the inbox and write the job file; (job fd, notes)."""
    scratch.empty_folder(worker.inbox)
    source, notes = student_files(job.notebook, job.workdir)
    notes += copy_student_files(source, worker.inbox)
    inbox_bytes = sum(entry.stat().st_size for entry in worker.inbox.rglob("*") if entry.is_file())
    inside = worker.mode == "bwrap"
    limits = asdict(job.limits)
    limits["pids_cgroup"] = "pids" in worker.cgroup.paths
    message = {
        "cells": [[c.index, c.source] for c in loaded.cells],
        "names": list(job.names),
        "extract": EXTRACT_SOURCE,
        "limits": limits,
        "isolate": worker.isolation,
        "inbox": sb.SANDBOX_INBOX if inside else str(worker.inbox),
        "inbox_bytes": inbox_bytes,
        "workdir": sb.SANDBOX_WORKDIR if inside else str(worker.workdir),
        "scratch": list(sb.SANDBOX_SCRATCH) if inside else [str(worker.private_tmp), "/dev/shm"],
    }
    path = worker.home / "job.json"
    path.write_text(json.dumps(message))
    fd = os.open(path, os.O_RDONLY)
    path.unlink()
    return fd, notes


def build_run(flight: _Flight, sandbox: str) -> NotebookRun:
    """Turn a finished flight into a :class:`NotebookRun` (runs in the decoding thread):
    decode the channel, then the first of — the grader stopped it, it ended before the
    extraction, a cell failed — that applies."""
    limits = flight.job.limits
    notes = list(flight.notes)
    duration = time.monotonic() - flight.started
    output = flight.output.decode("utf-8", "replace")
    if flight.output_bytes > limits.max_output_bytes:
        notes.append(outcomes.output_truncated(limits.max_output_bytes, flight.output_bytes))

    def run(values: dict[str, Any], error: RunError | None, after=()) -> NotebookRun:
        return NotebookRun(values, error, duration, sandbox, notes, output, tuple(after))

    try:
        report = decode_stream(flight.stream)
    except InvalidResult as exc:
        message = outcomes.invalid_result(str(exc))
        return run({}, RunError("invalid_result", message, flight.stream.cell))
    values = report.values or {}
    if report.crash:
        notes.append("grader error in the student's process: " + report.crash[-2000:])
    if report.snapshot_after is not None and values:
        notes.append(outcomes.read_after(cell_no(report.snapshot_after)))
    stopped = _stopped_error(flight)
    if stopped is not None:
        return run({} if stopped.kind == "invalid_result" else values, stopped)
    if report.values is None or report.snapshot_after is not None:
        return run(values, _ended_early_error(flight))
    if not report.errors:
        return run(values, None)
    sources = {c.index: c.source for c in flight.loaded.cells}
    first = report.errors[0]
    if len(report.errors) > 1:
        notes.append(outcomes.cells_failed([(cell_no(e.cell), e.ename) for e in report.errors]))
    after = sorted(report.set_after_failure)
    if after:
        notes.append(outcomes.set_after_failure(cell_no(first.cell), after))
    return run(values, _cell_error(first, limits, sources.get(first.cell)), after)


def _build_run_safely(flight: _Flight, sandbox: str) -> NotebookRun:
    """:func:`build_run`, and if the grader's own decoding fails on what a student sent,
    that student's ``invalid_result`` — never an exception that stops the class."""
    try:
        return build_run(flight, sandbox)
    except Exception as exc:  # noqa: BLE001 - one student's result, never the whole run
        error = RunError("invalid_result", outcomes.invalid_result(type(exc).__name__))
        return NotebookRun({}, error, 0.0, sandbox, list(flight.notes))


def _where(flight: _Flight) -> tuple[int | None, int | None, str | None]:
    """The cell the notebook was in: (index, number a person reads, its source)."""
    cell = flight.stream.cell
    if cell is None:
        return None, None, None
    source = next((c.source for c in flight.loaded.cells if c.index == cell), None)
    return cell, cell_no(cell), source


def _stopped_error(flight: _Flight) -> RunError | None:
    """Why the grader stopped the notebook (a limit, a dead worker, a forged result)."""
    limits = flight.job.limits
    cell, shown, source = _where(flight)
    if flight.oom:
        message = outcomes.memory(limits.memory_mb, shown)
        return RunError("memory_limit", message, cell, source=source)
    if flight.stopped == "cell_timeout" and shown is None:  # stuck before its first cell
        return RunError("timeout", outcomes.notebook_timeout(limits.cell_timeout), None)
    if flight.stopped == "cell_timeout":
        message = outcomes.cell_timeout(cell_no(cell or 0), limits.cell_timeout)
        return RunError("timeout", message, cell, source=source)
    if flight.stopped == "notebook_timeout":
        message = outcomes.notebook_timeout(limits.notebook_timeout, shown)
        return RunError("timeout", message, cell, source=source)
    if flight.stopped == "output_limit":
        message = outcomes.output(flight.output_bytes, limits.max_output_bytes, shown)
        return RunError("output_limit", message, cell, source=source)
    if flight.stopped == "worker_died":
        return RunError("worker_died", outcomes.worker_died(), cell, source=source)
    if flight.stopped == "invalid_result":
        return RunError("invalid_result", outcomes.invalid_result(flight.stream.problem), cell)
    return None


def _ended_early_error(flight: _Flight) -> RunError:
    """The process ended (or was killed) before the grader's extraction ran."""
    cell, shown, source = _where(flight)
    exit_text = str((flight.exit or {}).get("exit", "no exit status"))
    kind: RunOutcome
    if exit_text == "SIGXCPU":
        kind, message = "timeout", outcomes.cpu_time(shown)
    elif (flight.exit or {}).get("signaled"):
        kind, message = "kernel_died", outcomes.killed(exit_text, shown)
    else:
        kind, message = "exited", outcomes.exited(exit_text, shown)
    return RunError(kind, message, cell, source=source)


def _cell_error(error: Any, limits: Limits, source: str | None) -> RunError:
    cell = cell_no(error.cell)
    kind: RunOutcome = "error"
    message = outcomes.cell_raised(cell, error.ename, error.evalue)
    if error.memory:
        kind = "memory_limit"
        message = outcomes.cell_memory(cell, limits.memory_mb, error.ename)
    elif error.ename == "BlockingIOError" and "temporarily unavailable" in error.evalue:
        kind = "process_limit"
        detail = f"{error.ename}: {error.evalue}"
        message = outcomes.processes(cell, limits.max_processes, detail)
    elif error.exit:
        message = outcomes.cell_exited(cell, error.evalue if error.evalue != "None" else "")
    return RunError(kind, message, error.cell, error.ename, error.evalue, error.traceback, source)


class LocalExecutor:
    """Runs notebooks on ``jobs`` warm sandboxed workers of this machine.

    ``sandbox``: ``"auto"`` (bubblewrap when it works, resource limits otherwise),
    ``"bwrap"`` (raise :class:`ExecutorUnavailable` here if bubblewrap does not work) or
    ``"none"``. Workers start on the first :meth:`run_many` and live until :meth:`close`.
    ``notes`` says, once for the run, what confinement is missing (no sandbox, a kernel
    without a controller or without namespaces per student).
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
            raise ExecutorUnavailable(sandbox_unavailable_message(status))
        self.mode = "bwrap" if status == "ok" else "rlimits"
        self.sandbox_notes = {
            "ok": [],
            "missing": [sb.NO_SANDBOX_NOTE],
            "broken": [sb.BROKEN_NOTE],
            "disabled": [sb.DISABLED_NOTE],
        }[status]
        self.notes: list[str] = list(self.sandbox_notes)
        self.workers: list[_Worker] = []
        self._decoder = ThreadPoolExecutor(1, thread_name_prefix="dlgrade-decode")
        scratch.remove_stale()
        cgroups.remove_stale_groups()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_workers(self) -> None:
        cpus = len(os.sched_getaffinity(0))
        while len(self.workers) < self.jobs:
            worker = _Worker(len(self.workers), self.mode, self.preload, max(1.0, cpus / self.jobs))
            self.workers.append(worker)
            if worker.cgroup.missing:
                self._note(
                    "this kernel gives no writable cgroup controller for "
                    + ", ".join(worker.cgroup.missing)
                    + ": those limits hold per process only"
                )
        for worker in self.workers:
            if worker.proc is None:
                worker.start()

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    # -- one notebook ---------------------------------------------------------------------
    def _launch(self, worker: _Worker, job: NotebookJob, loaded: LoadedNotebook) -> None:
        job_fd, notes = _stage(worker, job, loaded)
        pipes: dict[int, str] = {}
        theirs: list[int] = [job_fd]
        for name in ("result", "out", "err"):
            read, write = os.pipe()
            os.set_blocking(read, False)
            pipes[read] = name
            theirs.append(write)
        limits = job.limits
        extra = (limits.memory_mb + limits.disk_mb) * 1024 * 1024  # tmpfs files are RAM
        worker.cgroup.set_memory(worker.base_memory + extra)
        worker.cgroup.set_pids(WORKER_TASKS + limits.max_processes)
        now = time.monotonic()
        worker.flight = _Flight(
            job=job,
            loaded=loaded,
            notes=list(loaded.notes) + notes + self.sandbox_notes,
            started=now,
            notebook_deadline=now + limits.notebook_timeout,
            cell_deadline=now + limits.cell_timeout,
            stream=ResultStream([c.index for c in loaded.cells]),
            pipes=pipes,
            oom_before=worker.cgroup.oom_kills(),
        )
        try:
            worker.command({"fork": True}, theirs)
        finally:
            for fd in theirs:
                os.close(fd)

    def _read_pipe(self, worker: _Worker, fd: int) -> str:
        """Read what is there: ``"data"``, ``"again"`` (nothing yet) or ``"eof"`` (closed)."""
        flight = worker.flight
        assert flight is not None
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return "again"
        except OSError:
            data = b""
        if not data:
            del flight.pipes[fd]
            os.close(fd)
            return "eof"
        limits = flight.job.limits
        if flight.pipes[fd] == "result":
            if flight.stream.feed(data):
                now = time.monotonic()
                # The extraction gets one cell's time at most: a forged "extracting" buys
                # no more than a forged cell marker does.
                seconds = limits.cell_timeout
                if flight.stream.extracting:
                    seconds = min(EXTRACT_SECONDS, max(limits.cell_timeout, 5.0))
                flight.cell_deadline = min(flight.notebook_deadline, now + seconds)
            if flight.stream.problem is not None:
                self._stop(worker, "invalid_result")
        else:
            flight.output_bytes += len(data)
            room = limits.max_output_bytes - len(flight.output)
            if room > 0:
                flight.output += data[:room]
            if flight.output_bytes > FLOOD_FACTOR * limits.max_output_bytes:
                self._stop(worker, "output_limit")
        return "data"

    def _stop(self, worker: _Worker, reason: str) -> None:
        flight = worker.flight
        if flight is None or flight.stopped is not None:
            return
        flight.stopped = reason
        flight.kill_sent = time.monotonic()
        try:
            worker.command({"kill": True})
        except OSError:
            pass  # the zygote is gone; its EOF is handled in the loop

    def _drain(self, worker: _Worker, selector: selectors.BaseSelector) -> None:
        """After the child and its leftovers are gone: read what the pipes still hold."""
        flight = worker.flight
        assert flight is not None
        for fd in list(flight.pipes):
            selector.unregister(fd)
            while self._read_pipe(worker, fd) == "data":
                pass
            if fd in flight.pipes:  # still open: a process outside the sandbox holds it
                del flight.pipes[fd]
                os.close(fd)

    def _land(self, worker: _Worker, selector: selectors.BaseSelector) -> Future[NotebookRun]:
        """The flight is over: close its pipes, decode it in the helper thread."""
        flight = worker.flight
        assert flight is not None
        self._drain(worker, selector)
        flight.oom = worker.cgroup.oom_kills() > flight.oom_before
        worker.flight = None
        return self._decoder.submit(_build_run_safely, flight, self.mode)

    # -- the loop -------------------------------------------------------------------------
    def run_many(self, jobs: Iterable[NotebookJob]) -> Iterator[tuple[NotebookJob, NotebookRun]]:
        """Yield ``(job, run)`` as each notebook finishes; always ends, never raises for a
        student's notebook."""
        queue: deque[tuple[NotebookJob, LoadedNotebook]] = deque()
        for job in jobs:
            start = time.monotonic()
            try:
                loaded = load_notebook(job.notebook)
            except InvalidNotebook as exc:
                yield job, NotebookRun({}, exc.error, time.monotonic() - start, self.mode)
                continue
            queue.append((job, loaded))
        if not queue:
            return
        self._ensure_workers()
        rounds = _Rounds(self, queue)
        try:
            while rounds.busy():
                yield from rounds.hand_out()
                yield from rounds.landed()
                for key in rounds.wait():
                    rounds.on_event(key)
                rounds.check_clocks()
        finally:
            rounds.close()

    def close(self) -> None:
        """Stop every worker, remove their folders and cgroups."""
        for worker in self.workers:
            worker.close()
        self.workers = []
        self._decoder.shutdown(wait=True, cancel_futures=True)


class _Rounds:
    """The event loop of one :meth:`LocalExecutor.run_many`, one named step per concern:
    hand out work, yield what has been decoded, wait for the next event, react to it
    (a pipe's bytes or a zygote's message), and enforce the clocks."""

    def __init__(
        self, executor: LocalExecutor, queue: deque[tuple[NotebookJob, LoadedNotebook]]
    ) -> None:
        self.executor = executor
        self.queue = queue
        self.selector = selectors.DefaultSelector()
        self.landing: deque[tuple[NotebookJob, Future[NotebookRun]]] = deque()
        for worker in executor.workers:
            self.watch(worker)

    @property
    def workers(self) -> list[_Worker]:
        return self.executor.workers

    def busy(self) -> bool:
        return bool(self.queue or self.landing or any(w.flight for w in self.workers))

    def watch(self, worker: _Worker) -> None:
        assert worker.control is not None
        self.selector.register(worker.control, selectors.EVENT_READ, ("control", worker))

    def unwatch(self, worker: _Worker) -> None:
        if worker.control is not None:
            try:
                self.selector.unregister(worker.control)
            except (KeyError, ValueError):
                pass

    def land(self, worker: _Worker) -> None:
        assert worker.flight is not None
        job = worker.flight.job
        self.landing.append((job, self.executor._land(worker, self.selector)))

    def replace(self, worker: _Worker, reason: str) -> None:
        """The zygote died or hung: the student in it gets ``reason``; start afresh.

        Raises :class:`ExecutorUnavailable` when a worker keeps failing to start (the
        grader's environment, not a student)."""
        self.unwatch(worker)
        was_ready = worker.ready
        worker.kill()  # first: then every pipe of the flight is at its end
        if worker.flight is not None:
            worker.flight.stopped = worker.flight.stopped or reason
            worker.flight.exit = {"exit": "the worker died", "signaled": True}
            self.land(worker)
        if not was_ready:
            worker.start_failures += 1
            if worker.start_failures >= MAX_START_FAILURES:
                raise ExecutorUnavailable(
                    f"a notebook worker ({self.executor.mode}) exited while starting, "
                    f"{MAX_START_FAILURES} times; check that IPython and the preload "
                    "modules import"
                )
        worker.start()
        self.watch(worker)

    def hand_out(self) -> Iterator[tuple[NotebookJob, NotebookRun]]:
        """Give idle, warm workers a notebook each; yields a student whose files could not
        even be staged."""
        for worker in self.workers:
            if not (worker.ready and worker.flight is None and self.queue):
                continue
            job, loaded = self.queue.popleft()
            try:
                self.executor._launch(worker, job, loaded)
            except OSError as exc:
                if worker.flight is None:  # staging the student's files failed
                    error = RunError("invalid_submission", outcomes.unstageable(str(exc)))
                    yield job, NotebookRun({}, error, 0.0, self.executor.mode)
                    continue
                worker.flight.notes.append(outcomes.not_started(str(exc)))
                self.replace(worker, "worker_died")
                continue
            for fd in worker.flight.pipes:
                self.selector.register(fd, selectors.EVENT_READ, ("pipe", worker))

    def landed(self) -> Iterator[tuple[NotebookJob, NotebookRun]]:
        """The runs decoded so far, in the order their notebooks ended."""
        while self.landing and self.landing[0][1].done():
            job, future = self.landing.popleft()
            yield job, future.result()

    def wait(self) -> list[selectors.SelectorKey]:
        """Wait for bytes or a message, never past the nearest clock."""
        now = time.monotonic()
        deadlines = [now + (0.01 if self.landing else 1.0)]
        for worker in self.workers:
            flight = worker.flight
            if flight is not None:
                deadlines.append(
                    flight.kill_sent + KILL_GRACE
                    if flight.kill_sent is not None
                    else min(flight.notebook_deadline, flight.cell_deadline)
                )
            elif not worker.ready:
                deadlines.append(worker.started_at + START_TIMEOUT)
        timeout = max(0.0, min(deadlines) - now)
        return [key for key, _ in self.selector.select(timeout)]

    def on_event(self, key: selectors.SelectorKey) -> None:
        kind, worker = key.data
        if kind == "pipe":
            flight = worker.flight
            open_pipe = flight is not None and key.fd in flight.pipes
            if open_pipe and self.executor._read_pipe(worker, key.fd) == "eof":
                self.selector.unregister(key.fd)
            return
        messages = worker.receive()
        if messages is None:  # the zygote died
            self.replace(worker, "worker_died")
            return
        for message in messages:
            if message.get("ready") is True:
                self.on_ready(worker, message)
            elif isinstance(message.get("done"), dict) and worker.flight:
                worker.flight.exit = message["done"]
                self.land(worker)
                self.reset(worker)

    def on_ready(self, worker: _Worker, message: dict[str, Any]) -> None:
        worker.ready = True
        worker.start_failures = 0
        worker.isolation = message.get("isolation") is True
        worker.base_memory = worker.cgroup.memory_usage() or 0
        if not worker.isolation:
            self.executor._note(outcomes.no_namespaces(self.executor.mode == "bwrap"))

    def reset(self, worker: _Worker) -> None:
        """Without namespaces per student: a fresh sandbox, or emptied folders, next."""
        if worker.isolation:
            return
        if self.executor.mode == "bwrap":
            self.unwatch(worker)
            worker.kill()
            worker.start()
            self.watch(worker)
        else:
            worker.cgroup.kill_all()
            scratch.empty_folder(worker.workdir)
            scratch.empty_folder(worker.private_tmp)

    def check_clocks(self) -> None:
        """Stop a notebook past its limit; replace a zygote that does not answer."""
        now = time.monotonic()
        for worker in self.workers:
            flight = worker.flight
            if flight is not None and flight.kill_sent is not None:
                if now > flight.kill_sent + KILL_GRACE:
                    self.replace(worker, "worker_died")
            elif flight is not None and now >= min(flight.notebook_deadline, flight.cell_deadline):
                cell_first = flight.cell_deadline < flight.notebook_deadline
                self.executor._stop(worker, "cell_timeout" if cell_first else "notebook_timeout")
            elif not worker.ready and now > worker.started_at + START_TIMEOUT:
                self.replace(worker, "worker_died")

    def close(self) -> None:
        self.selector.close()
        for worker in self.workers:
            if worker.flight is not None:  # the caller stopped early: drop the half-run job
                for fd in worker.flight.pipes:
                    os.close(fd)
                worker.flight = None
                worker.kill()


def sandbox_unavailable_message(status: str) -> str:
    """Why a required sandbox cannot be had, with what to install."""
    if status == "missing":
        return (
            "a sandbox is required but bubblewrap is not installed: install it "
            "(Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"
        )
    return (
        "a sandbox is required but bubblewrap cannot create namespaces here: allow "
        "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run "
        "where they are allowed"
    )
