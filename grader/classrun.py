"""Grading a whole class: every submission of every assignment, resumable.

Answer sheets are graded at once; notebooks go through one executor in a single stream
(so ``--jobs`` workers stay busy across assignments). Every result is stored the moment
it is known; a result whose fingerprint is unchanged is taken from the store instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from grader.classresults import ClassResults, ScoreChange
from grader.discovery import ClassPlan
from grader.grading import grade_run, grade_sheet, grade_unreadable, notebook_job
from grader.results import SubmissionResult
from grader.rubric import Rubric
from grader.runner.base import Executor, Limits, NotebookJob
from grader.store import ResultStore, fingerprint
from grader.submissions import Submission

#: Called once per student as soon as the result is known; ``cached`` when re-used.
OnResult = Callable[[SubmissionResult, bool], None]
#: Called with ``assignment/student`` of the notebooks running now, whenever that changes.
OnRunning = Callable[[list[str]], None]


def limits_for(rubric: Rubric, overrides: Mapping[str, Any] | None = None) -> Limits:
    """The rubric's limits with command-line overrides (Limits field → value; None values
    ignored) applied; raises ValueError for an unknown field or a value that is not > 0."""
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    fields = {f.name for f in dataclasses.fields(Limits)}
    for name, value in given.items():
        if name not in fields:
            raise ValueError(f"unknown limit {name!r}; limits: {', '.join(sorted(fields))}")
        if value <= 0:
            raise ValueError(f"limit {name} must be positive")
    return dataclasses.replace(rubric.limits(), **given)


def grade_plan(
    plan: ClassPlan,
    executor_factory: Callable[[], Executor],
    store: ResultStore,
    limit_overrides: Mapping[str, Any] | None = None,
    on_result: OnResult | None = None,
    reuse: bool = True,
    on_running: OnRunning | None = None,
    parallel: int = 1,
) -> ClassResults:
    """Grade every submission in ``plan``; returns results per assignment and counts.

    The result's ``notes`` are the executor's words about the run as a whole — above all
    "not sandboxed", and limits the kernel could not enforce.

    With ``reuse=False`` every student is graded again (and the store overwritten).
    A student graded again whom the store already held is listed in ``changes`` with the
    old and new scores. ``on_running`` hears which notebooks run now: executors start
    jobs in order, ``parallel`` at a time, so those are the first unfinished ones.

    The executor is created only if some notebook actually needs running, and closed
    before returning (also on Ctrl-C: results stored so far stay stored).
    """
    notify = on_result or (lambda result, cached: None)
    results: dict[tuple[str, str], SubmissionResult] = {}
    pending: dict[str, tuple[Rubric, Submission, str]] = {}
    jobs: list[NotebookJob] = []
    graded = reused = 0
    changes: list[ScoreChange] = []

    def record(result: SubmissionResult, digest: str, cached: bool) -> None:
        nonlocal graded, reused
        if not cached:
            before = store.previous(result.assignment, result.student)
            if before is not None:
                changes.append(
                    ScoreChange(result.assignment, result.student, before.score, result.score)
                )
            store.put(result, digest)
        graded += not cached
        reused += cached
        results[(result.assignment, result.student)] = result
        notify(result, cached)

    for rubric, submissions in plan:
        limits = limits_for(rubric, limit_overrides or {})
        for sub in submissions:
            digest = fingerprint(rubric, sub, limits)
            stored = store.get(rubric.assignment, sub.student, digest) if reuse else None
            if stored is not None:
                record(stored, digest, cached=True)
            elif sub.kind == "sheet":
                record(grade_sheet(rubric, sub), digest, cached=False)
            elif sub.kind == "notebook":
                job = notebook_job(rubric, sub, limits)
                pending[job.key] = (rubric, sub, digest)
                jobs.append(job)
            else:
                record(grade_unreadable(rubric, sub), digest, cached=False)

    run_notes: list[str] = []
    if jobs:
        executor = executor_factory()
        finished: set[str] = set()
        running = on_running or (lambda labels: None)

        def now_running() -> list[str]:
            started = jobs[: len(finished) + max(1, parallel)]
            return [
                f"{pending[j.key][0].assignment}/{pending[j.key][1].student}"
                for j in started
                if j.key not in finished
            ]

        try:
            running(now_running())
            for job, run in executor.run_many(jobs):
                rubric, sub, digest = pending[job.key]
                finished.add(job.key)
                record(grade_run(rubric, sub, run), digest, cached=False)
                running(now_running())
        finally:
            run_notes = list(executor.notes)
            executor.close()

    ordered = [
        (rubric, [results[(rubric.assignment, s.student)] for s in subs]) for rubric, subs in plan
    ]
    return ClassResults(ordered, run_notes, graded, reused, changes)


def preloads(plan: Iterable[tuple[Rubric, list[Submission]]]) -> tuple[str, ...]:
    """The union of the rubrics' ``preload`` module lists, in first-seen order."""
    seen: dict[str, None] = {}
    for rubric, _ in plan:
        for name in rubric.model.preload:
            seen.setdefault(name, None)
    return tuple(seen)
