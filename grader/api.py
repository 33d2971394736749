"""The library's public API: what the ``grade`` command, the tests and the web service call.

    import grader
    rubric = grader.load_rubric("hw2")                       # rubrics/hw2.yaml, solved
    result = grader.check(rubric, "submissions/hw2/98411387/answers.yaml")
    data = grader.check_json(result, rubric, lang="fa")      # the `grade check --json` shape
    results = grader.grade_class("submissions/", out="reports/")
    grader.write_reports("reports/", results)

Every function here raises, never prints: :class:`~grader.rubric.RubricError` for a bad
rubric, :class:`~grader.discovery.InputError` for a path or argument it cannot use,
:class:`~reference.core.ParamError` for a solver parameter that is missing or wrong.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from grader.classresults import ClassResults
from grader.classrun import ClassPlan, OnResult, limits_for, preloads
from grader.discovery import (
    InputError,
    plan_class,
    rubric_for_file,
    rubric_named,
    submission_for_file,
)
from grader.grading import grade_run, grade_sheet, notebook_job
from grader.results import SubmissionResult
from grader.rubric import Rubric
from grader.runner.base import Executor, Limits
from grader.submissions import Submission
from reference import SOLVERS, ParamError, Solution

#: Command-line flag → the :class:`~grader.runner.base.Limits` field it sets.
LIMIT_FLAGS: dict[str, str] = {
    "--cell-timeout": "cell_timeout",
    "--timeout": "notebook_timeout",
    "--memory": "memory_mb",
    "--processes": "max_processes",
    "--output-limit": "max_output_bytes",
    "--disk": "disk_mb",
}
EXECUTORS = ("local", "nbclient", "dask")
SANDBOXES = ("auto", "required", "none")


def load_rubric(name_or_path: str | Path, search: Sequence[Path | str] = ()) -> Rubric:
    """Read, validate and solve a rubric given by path or by name (``hw2`` is
    ``rubrics/hw2.yaml`` under a folder of ``search``, default the current folder).
    Raises :class:`~grader.rubric.RubricError` with ``file:line field: message`` lines."""
    return rubric_named(name_or_path, [Path(p) for p in search])


def check(
    rubric: Rubric | str | Path | None, submission: str | Path | Submission
) -> SubmissionResult:
    """Grade one submission — an answer sheet (``.yaml``/``.json``) or a notebook (run in
    the sandboxed local executor) — against ``rubric`` (a loaded rubric, a name or path,
    or None: the sheet's ``assignment``, else the folder two levels up)."""
    if not isinstance(submission, Submission):
        file = Path(submission)
        if not file.is_file():
            raise InputError(f"{file}: no such file")
        rubric = rubric_for_file(file, rubric)
        submission = submission_for_file(file, rubric)
    elif not isinstance(rubric, Rubric):
        rubric = rubric_for_file(submission.path, rubric)
    if submission.kind == "sheet":
        return grade_sheet(rubric, submission)
    from grader.runner import make_executor

    executor = make_executor("local", jobs=1, preload=tuple(rubric.model.preload))
    try:
        ((_, run),) = executor.run_many([notebook_job(rubric, submission, rubric.limits())])
    finally:
        executor.close()
    return grade_run(rubric, submission, run)


def check_file(
    file: str | Path, rubric: Rubric | str | Path | None = None
) -> tuple[Rubric, SubmissionResult]:
    """:func:`check` of one file, with the rubric it was checked against."""
    file = Path(file)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    chosen = rubric_for_file(file, rubric)
    return chosen, check(chosen, submission_for_file(file, chosen))


def check_json(result: SubmissionResult, rubric: Rubric, lang: str = "en") -> dict[str, Any]:
    """The ``grade check --json`` shape of a result, its sentences in ``lang``:
    ``{"student", "assignment", "score", "max_score", "status", "error", "notes", "parts"}``;
    each part lists only the fields its check kind fills (a matrix part its wrong cells)."""
    from grader.report.data import check_data

    return check_data(result, rubric, lang)


def limits(rubric: Rubric, overrides: Mapping[str, Any] | None = None) -> Limits:
    """The rubric's notebook limits with ``overrides`` (Limits field → value; None values
    ignored) applied; raises InputError for an unknown field or a value that is not > 0,
    naming the command-line flag that sets it."""
    try:
        return limits_for(rubric, overrides)
    except ValueError as exc:
        for flag, name in LIMIT_FLAGS.items():
            if f"limit {name} " in str(exc):
                raise InputError(f"{flag} must be positive") from None
        raise InputError(str(exc)) from None


def executor_factory(
    plan: ClassPlan,
    *,
    executor: str = "local",
    jobs: int = 2,
    scheduler: str | None = None,
    sandbox: str = "auto",
) -> Callable[[], Executor]:
    """A function that starts the executor a class run needs (only called when some
    notebook must run). A rubric's ``sandbox: required`` wins over ``sandbox="auto"``
    and refuses ``"none"``; raises InputError for a combination that cannot work."""
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if sandbox not in SANDBOXES:
        raise InputError(f"unknown sandbox {sandbox!r}; choose one of {', '.join(SANDBOXES)}")
    if jobs < 1:
        raise InputError("--jobs must be at least 1")
    if executor == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS")
    required = [r.assignment for r, _ in plan if r.model.sandbox == "required"]
    if required and sandbox == "none":
        raise InputError(f"rubric {required[0]} says 'sandbox: required'; --sandbox none refused")
    mode = "bwrap" if required or sandbox == "required" else sandbox
    if mode == "bwrap" and executor == "nbclient":
        raise InputError("a sandbox is required, but --executor nbclient runs without one")

    def start() -> Executor:
        from grader.runner import make_executor

        return make_executor(
            executor, jobs=jobs, scheduler=scheduler, sandbox=mode, preload=preloads(plan)
        )

    return start


def _class_folder(path: Path, out: Path) -> None:
    """Refuse a class path that does not exist, or an ``out`` inside the class folder."""
    if not path.exists():
        raise InputError(f"{path}: no such folder")
    if path.is_dir():
        folder, target = path.resolve(), out.resolve()
        if target == folder or target.is_relative_to(folder):
            raise InputError(
                f"--out {out} is inside the class folder {path}: the next run would "
                "grade the reports as students; pass an --out outside it"
            )
    elif not (path.is_file() and path.suffix == ".zip"):
        raise InputError(f"{path}: not a folder or a .zip")


@contextmanager
def report_folder(path: str | Path, out: str | Path) -> Iterator[None]:
    """Hold ``out`` for a run over the class at ``path`` (grading, then writing reports),
    after refusing a missing ``path`` or an ``out`` inside it; raises InputError, or
    :class:`~grader.runlock.FolderInUse` while another run holds ``out``."""
    from grader.runlock import hold_report_folder

    _class_folder(Path(path), Path(out))
    with hold_report_folder(Path(out)):
        yield


def _unpack(archive: Path, out: Path) -> tuple[Path, list[str], dict[str, str]]:
    """A zip of submissions unpacked under ``out``; the notes name refused entries; the
    mapping holds each Moodle student's participant id."""
    from grader.ingest import unpack_submissions

    dest = out / ".dlgrade" / "unpacked" / archive.stem
    shutil.rmtree(dest, ignore_errors=True)  # a re-run must not see files the zip no longer has
    ingested = unpack_submissions(archive, dest)
    return ingested.root, [f"refused: {m}" for m in ingested.refused], ingested.participants


def grade_class(
    path: str | Path,
    *,
    out: str | Path = "reports",
    rubric: str | Path | None = None,
    jobs: int = 2,
    executor: str = "local",
    scheduler: str | None = None,
    sandbox: str = "auto",
    limit_overrides: Mapping[str, Any] | None = None,
    overrides: str | Path | None = None,
    fresh: bool = False,
    on_result: OnResult | None = None,
    on_plan: Callable[[int], None] | None = None,
    lock: bool = True,
    on_running: Callable[[list[str]], None] | None = None,
) -> ClassResults:
    """Grade a class folder (or a ``.zip`` of one) and return every result.

    Results are stored under ``out/.dlgrade/`` as each student is graded; unchanged
    students are taken from there unless ``fresh``. ``overrides`` is the TAs' overrides
    file (default ``PATH/overrides.yaml`` when present), checked against the class before
    grading. ``limit_overrides`` maps Limits fields to values (see :data:`LIMIT_FLAGS`).
    ``on_plan(total)`` is called once the students are counted, ``on_result(result,
    cached)`` once per student, ``on_running(["hw2/98411387", …])`` whenever the
    notebooks running now change. ``changes`` in the result lists each student graded
    again with the score the last run gave. With ``lock`` the report
    folder is held for the run (:class:`~grader.runlock.FolderInUse` if another run has it).
    """
    from grader.classrun import grade_plan
    from grader.identity import lookalike_notes
    from grader.overrides import apply_all_overrides, load_overrides
    from grader.store import ResultStore

    path, out = Path(path), Path(out)
    _class_folder(path, out)
    with report_folder(path, out) if lock else nullcontext():
        notes: list[str] = []
        participants: dict[str, str] = {}
        if path.is_file():
            path, notes, participants = _unpack(path, out)
        plan, layout = plan_class(path, rubric)
        notes += layout
        for _, submissions in plan:
            notes += lookalike_notes(s.student for s in submissions)
        overrides_path = Path(overrides) if overrides else path / "overrides.yaml"
        if overrides and not overrides_path.is_file():
            raise InputError(f"{overrides}: no such overrides file")
        ta_overrides = load_overrides(overrides_path) if overrides_path.is_file() else []
        if ta_overrides:
            # Checked against the class before grading, so that a typo in it (an unknown
            # student or part, a score out of range) is reported at once, not after the class.
            empty = [
                SubmissionResult(s.student, r.assignment, "", []) for r, subs in plan for s in subs
            ]
            apply_all_overrides(
                [(r, [e for e in empty if e.assignment == r.assignment]) for r, _ in plan],
                ta_overrides,
            )
        start = executor_factory(
            plan, executor=executor, jobs=jobs, scheduler=scheduler, sandbox=sandbox
        )
        for r, _ in plan:
            limits(r, limit_overrides)  # refuses a bad override before anything runs
        if on_plan is not None:
            on_plan(sum(len(subs) for _, subs in plan))
        graded = grade_plan(
            plan,
            start,
            ResultStore(out / ".dlgrade" / "results"),
            dict(limit_overrides or {}),
            on_result,
            reuse=not fresh,
            on_running=on_running,
            parallel=jobs,
        )
    assignments = graded.assignments
    if ta_overrides:
        assignments = apply_all_overrides(assignments, ta_overrides)
        notes.append(f"applied {len(ta_overrides)} override(s) from {overrides_path}")
    # What confined the students' code comes first: "not sandboxed" must not be missed.
    return ClassResults(
        assignments=assignments,
        notes=list(dict.fromkeys([*graded.notes, *notes])),
        graded=graded.graded,
        reused=graded.reused,
        changes=graded.changes,
        participants=participants,
    )


def write_reports(
    out: str | Path,
    results: ClassResults,
    *,
    lang: str | None = None,
    formats: Sequence[str] = ("html", "csv", "json", "gradescope"),
    exports: Sequence[str] = (),
) -> list[Path]:
    """Write a graded class's reports under ``out`` and return the files written:
    ``index.html`` and a page per student, ``grades.csv``, ``results.json``,
    ``gradescope/<student>.json``, and the ``canvas``/``moodle`` exports asked for.
    ``lang`` (``en``/``fa``) overrides each rubric's language."""
    from grader.report import write_reports as write

    return write(
        Path(out),
        results.assignments,
        lang=lang,
        formats=formats,
        exports=exports,
        notes=results.notes,
        participants=results.participants,
    )


def solve(name: str, **params: Any) -> Solution:
    """A reference solver's worked solution; raises KeyError for an unknown solver and
    :class:`~reference.core.ParamError` for a missing, unknown or malformed parameter."""
    from reference.core import get_solver

    spec = get_solver(name)
    missing = [
        p
        for p, info in inspect.signature(spec.func).parameters.items()
        if info.default is inspect.Parameter.empty
        and info.kind in (info.POSITIONAL_OR_KEYWORD, info.KEYWORD_ONLY)
        and p not in params
    ]
    if missing:
        raise ParamError(missing[0], f"missing; {name} needs {', '.join(missing)}")
    try:
        return spec(**params)
    except ParamError:
        raise
    except (ValueError, TypeError, ZeroDivisionError) as exc:  # as `grade validate` reports it
        raise ParamError("params", f"solver {name} failed: {exc}") from None


def distinguishability(rubric: Rubric) -> list[Any]:
    """Per solver question, the known mistakes its parts cannot detect at the rubric's
    parameters and the pairs they cannot tell apart (:class:`grader.distinguish.Verdict`)."""
    from grader.distinguish import report

    return report(rubric)


def suggest_parameters(rubric: Rubric) -> list[Any]:
    """Per solver question, parameters under which every mistake its solver names is
    detectable and no two are confused, with as few changes as found
    (:class:`grader.distinguish.Suggestion`)."""
    from grader.distinguish import suggest_all

    return suggest_all(rubric)


def filter_variants(rubric: Rubric) -> list[Any]:
    """Per solver question with choices or ranges, each drawn variant's verdict and the
    values to restrict each varying parameter to so that every listed mistake is
    detectable in every variant (:class:`grader.distinguish.VariantFilter`); empty for a
    rubric without variants."""
    from grader.distinguish import filter_all

    return filter_all(rubric)


def write_handouts(rubric: Rubric, roster: str | Path, out: str | Path) -> list[Path]:
    """Each roster student's handout of their own variant (``<id>.md``, ``<id>.ipynb``)
    and the instructor's ``variants.csv`` under ``out``; returns the files written.
    Raises InputError for a roster it cannot read."""
    from grader.handouts import read_roster
    from grader.handouts import write_handouts as write

    return write(rubric, read_roster(Path(roster)), Path(out))


def init_course(course: str | Path, *, lang: str = "en") -> list[Path]:
    """Write an example course (rubrics/, submissions/, roster.csv, README.md) into
    ``course`` and return the files written; it grades as it is. Raises InputError for a
    file in the way (nothing is overwritten)."""
    from grader.scaffold import init_course as scaffold

    return scaffold(course, lang=lang)


def solvers() -> dict[str, Any]:
    """Every registered solver by name (its summary, parameters and an example)."""
    return dict(SOLVERS)
