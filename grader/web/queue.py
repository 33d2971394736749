"""Notebook uploads: a queue table in the database and the worker that empties it.

An upload is stored in the course folder and becomes a ``queued`` row; a worker thread
in the server claims the oldest one with a single conditional UPDATE (two processes can
never claim one job), runs it with the same executor and limits as ``grade`` (warm forked
workers, sandboxed) and grades it with :func:`grader.grading.grade_run`. A running job's
heartbeat is renewed while it runs; a job whose heartbeat stopped (its server was killed)
is queued again, so a restart loses no job. A job that killed its worker three times
is marked failed rather than tried forever.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Collection
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from grader.grading import grade_run, notebook_job
from grader.runner import Executor, make_executor
from grader.submissions import Submission
from grader.web.course import Course
from grader.web.db import utcnow
from grader.web.models import Job

HEARTBEAT = timedelta(seconds=5)
#: A running job whose heartbeat is older than this lost its server.
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3


class BadNotebook(ValueError):
    """An upload that is not a Jupyter notebook; the message says why."""


def validate_notebook(data: bytes) -> None:
    """Accept only a Jupyter notebook (nbformat 4 JSON with a cell list); the runner
    reads it again within its own limits."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadNotebook("not a Jupyter notebook (.ipynb): the file is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise BadNotebook("not a Jupyter notebook (.ipynb): it has no list of cells")
    if document.get("nbformat") != 4:
        raise BadNotebook("only notebooks in format 4 (Jupyter's current format) are accepted")


def enqueue(
    db: DbSession, course: Course, student: str, assignment: str, filename: str, data: bytes
) -> Job:
    """Store an uploaded notebook and queue it; raises :class:`BadNotebook`."""
    if not filename.lower().endswith(".ipynb"):
        raise BadNotebook("only Jupyter notebooks (.ipynb) can be uploaded")
    validate_notebook(data)
    folder = course.folder / ".dlgrade-serve" / "uploads" / secrets.token_hex(12)
    folder.mkdir(parents=True)
    path = folder / "notebook.ipynb"
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    job = Job(
        student=student,
        assignment=assignment,
        notebook=str(path),
        filename=Path(filename).name[:200],
        status="queued",
        attempts=0,
        created=utcnow(),
    )
    db.add(job)
    db.commit()
    return job


def position(db: DbSession, job: Job) -> int:
    """How many jobs run or wait before ``job`` (0: it is next or running)."""
    if job.status != "queued":
        return 0
    return db.scalar(
        select(func.count())
        .select_from(Job)
        .where((Job.status == "running") | ((Job.status == "queued") & (Job.id < job.id)))
    )


def requeue_stale(db: DbSession) -> int:
    """Queue again the running jobs whose server stopped beating; returns how many."""
    stale = utcnow() - LEASE
    failed = db.execute(
        update(Job)
        .where(Job.status == "running", Job.heartbeat < stale, Job.attempts >= MAX_ATTEMPTS)
        .values(status="failed", finished=utcnow())
    ).rowcount
    again = db.execute(
        update(Job)
        .where(Job.status == "running", Job.heartbeat < stale)
        .values(status="queued", worker=None)
    ).rowcount
    db.commit()
    return (failed or 0) + (again or 0)


def claim(db: DbSession, worker: str, assignments: Collection[str] | None = None) -> Job | None:
    """Take the oldest queued job for ``worker`` (of ``assignments`` only, when given: the
    ones its course serves), or None when there is none. The conditional UPDATE lets
    exactly one of several racing workers have it."""
    while True:
        queued = select(Job.id).where(Job.status == "queued")
        if assignments is not None:
            queued = queued.where(Job.assignment.in_(list(assignments)))
        oldest = db.scalar(queued.order_by(Job.id).limit(1))
        if oldest is None:
            db.rollback()
            return None
        now = utcnow()
        taken = db.execute(
            update(Job)
            .where(Job.id == oldest, Job.status == "queued")
            .values(status="running", worker=worker, heartbeat=now, attempts=Job.attempts + 1)
        ).rowcount
        db.commit()
        if taken:
            return db.get(Job, oldest)


class NotebookWorker:
    """A thread in the server that runs queued notebooks one at a time. ``refresh(db)``,
    when given, runs before each claim: it installs a key fix accepted through another
    server process (:meth:`grader.web.keys.KeyBook.refresh`)."""

    def __init__(
        self,
        course: Course,
        factory: sessionmaker,
        sandbox: str = "auto",
        refresh: Callable[[DbSession], object] | None = None,
    ):
        self.course = course
        self.refresh = refresh
        self.factory = factory
        self.sandbox = sandbox
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dlgrade-notebooks", daemon=True)
        self._executors: dict[tuple[str, tuple[str, ...]], Executor] = {}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current job and close the executors' warm workers."""
        self._stop.set()
        self._thread.join(timeout=30)
        for executor in self._executors.values():
            executor.close()

    def _executor(self, sandbox: str, preload: tuple[str, ...]) -> Executor:
        key = (sandbox, preload)
        if key not in self._executors:
            self._executors[key] = make_executor("local", jobs=1, sandbox=sandbox, preload=preload)
        return self._executors[key]

    def run_once(self) -> bool:
        """Run one queued job if there is one; returns whether one was run."""
        with self.factory() as db:
            requeue_stale(db)
            if self.refresh is not None:
                self.refresh(db)
            job = claim(db, self.name, tuple(self.course.rubrics))
        if job is None:
            return False
        beating = threading.Event()

        def beat() -> None:
            while not beating.wait(HEARTBEAT.total_seconds()):
                with self.factory() as db:
                    db.execute(update(Job).where(Job.id == job.id).values(heartbeat=utcnow()))
                    db.commit()

        heart = threading.Thread(target=beat, daemon=True)
        heart.start()
        try:
            result_json = self._run(job)
        finally:
            beating.set()
            heart.join()
        with self.factory() as db:
            db.execute(
                update(Job)
                .where(Job.id == job.id, Job.worker == self.name)
                .values(status="done", result=result_json, finished=utcnow())
            )
            db.commit()
        return True

    def _run(self, job: Job) -> str:
        rubric = self.course.rubrics[job.assignment]
        path = Path(job.notebook)
        submission = Submission(job.student, job.assignment, path, "notebook", path.parent)
        sandbox = "bwrap" if rubric.model.sandbox == "required" else self.sandbox
        executor = self._executor(sandbox, tuple(rubric.model.preload))
        runs = list(executor.run_many([notebook_job(rubric, submission)]))
        result = grade_run(rubric, submission, runs[0][1])
        data = result.to_json()
        data["notes"] = list(dict.fromkeys([*executor.notes, *data["notes"]]))
        return json.dumps(data, ensure_ascii=False)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:
                logging.getLogger(__name__).exception("notebook worker: will try again")
                ran = False
            if not ran:
                self._stop.wait(0.5)
