"""Test support for the isolation fault tests (issue 9): run a batch of fixture notebooks in
a separate Python process and read every student's run back as plain data.

Why a separate process: several faults hang or crash a grader that trusts its result
channel (a forged ``1e999999999`` is expanded exactly; a 20 000-deep list raises
RecursionError in the main loop). In-process, such a hang would hang pytest itself; here
the batch is killed after its deadline and every student reported until then is kept,
so each test can say which student was lost and why.

Run as a script, it reads a JSON spec (``rounds`` of jobs, ``jobs``, ``sandbox``) and
prints one JSON line per finished student, then a ``done`` line (or a ``crash`` line with
the traceback of whatever escaped ``run_many``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent.parent

#: Short limits for the isolation faults (cell 3 s, notebook 8 s, a 64 MB disk quota).
ISOLATED: dict[str, Any] = {
    "cell_timeout": 3.0,
    "notebook_timeout": 8.0,
    "memory_mb": 512,
    "max_processes": 32,
    "max_output_bytes": 100_000,
    "disk_mb": 64,
}
#: What the honest notebooks (good_numpy, honest_writes_scratch) hand in, alone.
GOOD_NAMES = ("dropout_standard_train", "p", "answer")
GOOD_VALUES = {
    "dropout_standard_train": [[Fraction(8, 5), 0], [0, Fraction(5, 2)]],
    "p": Fraction(1, 2),
    "answer": Fraction(7, 20),
}
SCRATCH_NAMES = ("p", "answer", "shm")
SCRATCH_VALUES = {"p": Fraction(1, 2), "answer": Fraction(7, 20), "shm": 1}
#: The name (comm) of every process a fault notebook means to leave running.
LEFT_DAEMON = "dlg-left-daemon"


@dataclass(frozen=True)
class Spec:
    """One student: ``fixtures/<fixture>.ipynb`` graded under ``key``, reading ``names``."""

    key: str
    fixture: str
    names: tuple[str, ...]
    limits: dict[str, Any] = field(default_factory=lambda: dict(ISOLATED))


@dataclass(frozen=True)
class Run:
    """A student's :class:`~grader.runner.base.NotebookRun` as plain data (values exact)."""

    values: dict[str, Any]
    error: dict[str, Any] | None
    duration: float
    sandbox: str
    notes: list[str]
    output: str

    @property
    def kind(self) -> str | None:
        return self.error["kind"] if self.error else None


@dataclass
class Batch:
    """What came back from one batch: runs by key, and how the batch ended."""

    runs: dict[str, Run]
    elapsed: float
    crash: str | None = None
    timed_out: bool = False
    leftovers: list[str] = field(default_factory=list)
    stderr: str = ""

    def run(self, key: str) -> Run:
        """The run of ``key``; fails with how the batch ended when it never came back."""
        if key not in self.runs:
            how = "timed out" if self.timed_out else "crashed" if self.crash else "ended"
            raise AssertionError(
                f"{key} never came back: the batch {how} after {self.elapsed:.1f} s\n"
                f"{self.crash or ''}{self.stderr[-3000:]}"
            )
        return self.runs[key]


# -- encoding values across the process boundary ------------------------------------------
def _encode(value: Any) -> Any:
    import sympy

    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, Fraction, sympy.Rational)):
        return {"rational": str(value)}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {str(k): _encode(v) for k, v in value.items()}}
    return {"other": f"{type(value).__name__}:{value}"}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "rational" in value:
            number = Fraction(value["rational"])
            return int(number) if number.denominator == 1 else number
        if "dict" in value:
            return {k: _decode(v) for k, v in value["dict"].items()}
        return value["other"]
    return value


# -- processes seen from the host ----------------------------------------------------------
def processes_named(prefix: str) -> list[int]:
    """Pids on this machine whose name (comm) starts with ``prefix``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().startswith(prefix):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def descendants(root: int) -> list[int]:
    """Pids whose parent chain leads to ``root``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    ppid = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            found.append(pid)
            todo.append(pid)
    return found


# -- the test side --------------------------------------------------------------------------
def run_batch(
    rounds: list[list[Spec]],
    root: Path,
    jobs: int = 1,
    timeout: float = 150.0,
    sandbox: str = "bwrap",
) -> Batch:
    """Grade ``rounds`` (one ``run_many`` each, on the same executor) in a child process.

    Never raises for what the runner does: a crash, a hang past ``timeout`` or a lost
    student is in the returned :class:`Batch`.
    """
    spec = {
        "root": str(root),
        "jobs": jobs,
        "sandbox": sandbox,
        "rounds": [[dataclasses.asdict(s) for s in batch] for batch in rounds],
    }
    spec_file = root / "batch-spec.json"
    root.mkdir(parents=True, exist_ok=True)
    spec_file.write_text(json.dumps(spec))
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), str(spec_file)],
            stdout=out,
            stderr=err,
            cwd=str(REPO),
            start_new_session=True,
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.seek(0)
        err.seek(0)
        lines = out.read().decode("utf-8", "replace").splitlines()
        stderr = err.read().decode("utf-8", "replace")
    batch = Batch(runs={}, elapsed=time.monotonic() - start, timed_out=timed_out, stderr=stderr)
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "run" in message:
            data = message["run"]
            batch.runs[message["key"]] = Run(
                values={k: _decode(v) for k, v in data["values"].items()},
                error=data["error"],
                duration=data["duration"],
                sandbox=data["sandbox"],
                notes=data["notes"],
                output=data["output"],
            )
        elif "crash" in message:
            batch.crash = message["crash"]
        elif "done" in message:
            batch.leftovers = message["leftovers"]
    if not timed_out and proc.returncode != 0 and batch.crash is None:
        batch.crash = f"the batch process exited with {proc.returncode}"
    return batch


# -- the batch process ----------------------------------------------------------------------
def make_limits(fields: dict[str, Any]):  # -> Limits
    """``Limits(**fields)``; a runner without ``disk_mb`` yet still runs the other faults
    (``test_limits_have_a_disk_quota`` fails there, so nothing is hidden)."""
    from grader.runner.base import Limits

    known = {f.name for f in dataclasses.fields(Limits)}
    given = dict(fields)
    if "disk_mb" not in known:
        given.pop("disk_mb", None)
    return Limits(**given)


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _batch_main(spec_file: str) -> None:
    import shutil

    from grader.runner.base import NotebookJob
    from grader.runner.pool import LocalExecutor

    spec = json.loads(Path(spec_file).read_text())
    root = Path(spec["root"])
    rounds = []
    for batch in spec["rounds"]:
        jobs = []
        for s in batch:
            folder = root / s["key"]
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / f"{s['fixture']}.ipynb", folder / "notebook.ipynb")
            jobs.append(
                NotebookJob(
                    key=s["key"],
                    notebook=folder / "notebook.ipynb",
                    names=tuple(s["names"]),
                    limits=make_limits(s["limits"]),
                )
            )
        rounds.append(jobs)
    executor = LocalExecutor(jobs=spec["jobs"], sandbox=spec["sandbox"])
    try:
        for jobs in rounds:
            for job, run in executor.run_many(jobs):
                _emit(
                    {
                        "key": job.key,
                        "run": {
                            "values": {k: _encode(v) for k, v in run.values.items()},
                            "error": run.error.to_json() if run.error else None,
                            "duration": run.duration,
                            "sandbox": run.sandbox,
                            "notes": [str(n)[:2000] for n in run.notes],
                            "output": run.output[:2000],
                        },
                    }
                )
        # Daemons are killed with the student, before the next one: allow a moment.
        deadline = time.monotonic() + 5
        while processes_named(LEFT_DAEMON) and time.monotonic() < deadline:
            time.sleep(0.1)
        leftovers = [f"{pid}: {LEFT_DAEMON}" for pid in processes_named(LEFT_DAEMON)]
        _emit({"done": True, "leftovers": leftovers})
    except BaseException:
        _emit({"crash": traceback.format_exc()})
        raise
    finally:
        executor.close()


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    _batch_main(sys.argv[1])
