"""The ``grade`` command: a thin layer that parses arguments, calls the library, prints.

    grade PATH [--rubric FILE] [--out DIR] [--jobs N]    grade a class
    grade check FILE [--rubric NAME|PATH] [--json]       check one submission
    grade solve SOLVER --param NAME=VALUE … [--json]     a worked solution
    grade key RUBRIC [--out FILE]                        the computed answer key
    grade validate RUBRIC                                schema and solver dry run

Exit status: 0 when the work was done (whatever the students scored); 2 for a bad
rubric, path or argument.
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grader.classrun import ClassPlan, grade_class, limits_for, preloads
from grader.extract.answersheet import SubmissionError, read_answer_sheet
from grader.fsutil import atomic_write_text
from grader.grading import grade_run, grade_sheet, notebook_job
from grader.identity import lookalike_notes
from grader.ingest import IngestError
from grader.keytext import key_json, key_text, solution_text
from grader.overrides import OverrideError, apply_all_overrides, load_overrides
from grader.report.i18n import answer_text
from grader.results import SubmissionResult
from grader.rubric import Rubric, RubricError, find_rubric, load_rubric
from grader.runlock import FolderInUse, hold_report_folder
from grader.runner.base import ExecutorUnavailable
from grader.store import ResultStore
from grader.submissions import Submission, layout_notes, looks_like_student_folder, students_in
from grader.yamlio import YamlError, loads
from reference import SOLVERS, ParamError, solution_json

COMMANDS = ("check", "solve", "key", "validate")
EXIT_OK, EXIT_USAGE = 0, 2


class UsageError(Exception):
    """A problem with what the user asked for; printed as one clear message, exit 2."""


# --------------------------------------------------------------------------- parsers


def _grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade",
        description="Grade a class of deep-learning homework against keys computed by exact solvers.",
        epilog="other commands: grade check FILE | grade solve SOLVER | grade key RUBRIC | "
        "grade validate RUBRIC  (each has --help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "path", type=Path, help="class folder (one folder per assignment or per student) or a .zip"
    )
    p.add_argument(
        "--rubric", help="rubric name (rubrics/NAME.yaml) or path; default: by folder name"
    )
    p.add_argument(
        "--out", type=Path, default=Path("reports"), help="report folder (default: reports/)"
    )
    p.add_argument("--jobs", type=int, default=2, help="notebooks run in parallel (default: 2)")
    p.add_argument(
        "--executor",
        choices=("local", "nbclient", "dask"),
        default="local",
        help="how notebooks run: local pool (default), plain nbclient, or a dask cluster",
    )
    p.add_argument("--scheduler", help="dask scheduler address (with --executor dask)")
    p.add_argument(
        "--sandbox",
        choices=("auto", "required", "none"),
        default="auto",
        help="bubblewrap sandbox for notebooks: auto (when it works; runs without one say "
        "'not sandboxed'), required (an error without it), none (default: auto; a rubric "
        "may say 'sandbox: required')",
    )
    p.add_argument("--lang", choices=("en", "fa"), help="report language (default: the rubric's)")
    p.add_argument(
        "--export",
        action="append",
        default=[],
        choices=("canvas", "moodle"),
        help="also write an LMS gradebook CSV (repeatable)",
    )
    p.add_argument(
        "--format",
        action="append",
        dest="formats",
        choices=("html", "csv", "json", "gradescope"),
        help="which reports to write (repeatable; default: all)",
    )
    p.add_argument(
        "--overrides", type=Path, help="TA score overrides (default: PATH/overrides.yaml)"
    )
    p.add_argument(
        "--cell-timeout", type=float, help="seconds per notebook cell (overrides the rubric)"
    )
    p.add_argument("--timeout", type=float, help="seconds per notebook (overrides the rubric)")
    p.add_argument(
        "--memory", type=int, help="memory limit per notebook in MB (overrides the rubric)"
    )
    p.add_argument(
        "--processes", type=int, help="processes a notebook may run at once (overrides the rubric)"
    )
    p.add_argument(
        "--output-limit", type=int, help="bytes of output kept per notebook (overrides the rubric)"
    )
    p.add_argument(
        "--disk", type=int, help="MB of files a notebook may write (overrides the rubric)"
    )
    p.add_argument(
        "--fresh", action="store_true", help="re-grade everyone, ignoring stored results"
    )
    return p


def _check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade check", description="Check one submission (answer sheet or notebook)."
    )
    p.add_argument("file", type=Path, help="an answer sheet (.yaml/.json) or a notebook (.ipynb)")
    p.add_argument(
        "--rubric", help="rubric name (rubrics/NAME.yaml) or path; default: the sheet's assignment"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--lang", choices=("en", "fa"), help="language of the output")
    return p


def _solve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade solve",
        description="Print a reference solver's exact worked solution.",
        epilog="solvers: "
        + ", ".join(sorted(SOLVERS))
        + "\n(grade solve SOLVER --help lists its parameters)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="solver", metavar="SOLVER", required=True)
    for name, spec in sorted(SOLVERS.items()):
        params = "\n".join(f"  {k}: {v}" for k, v in spec.params.items())
        example = " ".join(f"--param {k}={_yaml_inline(v)}" for k, v in spec.example.items())
        s = sub.add_parser(
            name,
            help=spec.summary,
            description=f"{spec.summary}\n\nparameters:\n{params}\n\nexample:\n  grade solve {name} {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        s.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a parameter; VALUE is YAML: 0.5, [1, 2], [[1, 0], [0, 1]], x**2",
        )
        s.add_argument(
            "--json", action="store_true", help="exact values as strings with their decimals"
        )
    return p


def _yaml_inline(value: Any) -> str:
    text = (
        json.dumps(value, ensure_ascii=False).replace('"', "")
        if not isinstance(value, str)
        else value
    )
    return f"'{text}'" if any(c in text for c in " []*") else text


def _key_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade key", description="Print the answer key a rubric computes, with worked steps."
    )
    p.add_argument("rubric", help="rubric name or path")
    p.add_argument("--out", type=Path, help="write to FILE instead (.json for JSON, else Markdown)")
    return p


def _validate_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade validate", description="Check a rubric's schema and dry-run its solvers."
    )
    p.add_argument("rubric", help="rubric name or path")
    return p


PARSERS = {
    "check": _check_parser,
    "solve": _solve_parser,
    "key": _key_parser,
    "validate": _validate_parser,
}


# --------------------------------------------------------------------------- helpers


def _rubric(name_or_path: str, near: Path | None = None) -> Rubric:
    search = [Path.cwd()]
    if near is not None:
        search += [p for p in [near, *near.resolve().parents] if p not in search][:4]
    return load_rubric(find_rubric(name_or_path, search))


def _parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {pair!r}: expected NAME=VALUE")
        try:
            params[name.strip()] = loads(value, f"--param {name}").data
        except YamlError as exc:
            raise UsageError(str(exc)) from None
    return params


def _plan(path: Path, rubric_arg: str | None) -> tuple[ClassPlan, list[str]]:
    """Which rubric grades which submissions under ``path``, and notes for the TA on what
    was left out (hidden or ``_`` folders, folders matching no rubric, nested layouts)."""
    search = [Path.cwd(), path.resolve().parent, path.resolve()]
    if rubric_arg:
        rubric = load_rubric(find_rubric(rubric_arg, search))
        if looks_like_student_folder(path):
            students = students_in(path.parent, rubric.assignment)
            return [(rubric, [s for s in students if s.folder == path])], []
        folder = path / rubric.assignment
        folder = folder if folder.is_dir() else path
        return [(rubric, students_in(folder, rubric.assignment))], layout_notes(folder)
    own = _rubric_path(path.name, search)
    if own is not None:
        rubric = load_rubric(own)
        return [(rubric, students_in(path, rubric.assignment))], layout_notes(path)
    plan: ClassPlan = []
    notes: list[str] = []
    missing = []
    for folder in sorted(p for p in path.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            if folder.name not in (".dlgrade", "__MACOSX"):
                notes.append(f"{folder}: skipped (names starting with '.' or '_' are not graded)")
            continue
        found = _rubric_path(folder.name, search)
        if found is None:
            missing.append(folder.name)
            continue
        rubric = load_rubric(found)
        plan.append((rubric, students_in(folder, rubric.assignment)))
        notes += layout_notes(folder)
    if not plan:
        raise UsageError(
            f"{path}: no assignment folder matches a rubric (folders: {', '.join(missing) or 'none'}); "
            "name folders like their rubric (rubrics/hw2.yaml ↔ hw2/) or pass --rubric"
        )
    notes += [f"{path / name}: no rubric named {name!r}; skipped" for name in missing]
    return plan, notes


def _rubric_path(name: str, search: list[Path]) -> Path | None:
    """The rubric file named like a folder, or None when there is none."""
    try:
        return find_rubric(name, search)
    except RubricError:
        return None


def _executor_factory(args: argparse.Namespace, plan: ClassPlan):
    from grader.runner import make_executor

    required = [r.assignment for r, _ in plan if r.model.sandbox == "required"]
    if required and args.sandbox == "none":
        raise UsageError(f"rubric {required[0]} says 'sandbox: required'; --sandbox none refused")
    sandbox = "bwrap" if required or args.sandbox == "required" else args.sandbox
    if sandbox == "bwrap" and args.executor == "nbclient":
        raise UsageError("a sandbox is required, but --executor nbclient runs without one")

    def factory():
        return make_executor(
            args.executor,
            jobs=args.jobs,
            scheduler=args.scheduler,
            sandbox=sandbox,
            preload=preloads(plan),
        )

    return factory


# --------------------------------------------------------------------------- commands


def cmd_grade(args: argparse.Namespace, console: Console) -> int:
    path: Path = args.path
    if not path.exists():
        raise UsageError(f"{path}: no such folder")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.executor == "dask" and not args.scheduler:
        raise UsageError("--executor dask needs --scheduler ADDRESS")
    if path.is_dir():
        out, folder = args.out.resolve(), path.resolve()
        if out == folder or out.is_relative_to(folder):
            raise UsageError(
                f"--out {args.out} is inside the class folder {path}: the next run would "
                "grade the reports as students; pass an --out outside it"
            )
    elif not (path.is_file() and path.suffix == ".zip"):
        raise UsageError(f"{path}: not a folder or a .zip")
    with hold_report_folder(args.out):
        return _grade(args, console, path)


def _grade(args: argparse.Namespace, console: Console, path: Path) -> int:
    from grader.report import summary_table, write_reports

    if path.is_file():
        path = _unpack(path, args.out, console)
    plan, class_notes = _plan(path, args.rubric)
    for _, submissions in plan:
        class_notes += lookalike_notes(s.student for s in submissions)
    overrides_path = args.overrides or (path / "overrides.yaml")
    if args.overrides and not args.overrides.is_file():
        raise UsageError(f"{args.overrides}: no such overrides file")
    # Read and checked against the class before grading, so that a typo in it (an unknown
    # student or part, a score out of range) is reported at once, not after the class.
    ta_overrides = load_overrides(overrides_path) if overrides_path.is_file() else []
    if ta_overrides:
        apply_all_overrides(
            [
                (r, [SubmissionResult(s.student, r.assignment, "", []) for s in subs])
                for r, subs in plan
            ],
            ta_overrides,
        )
    store = ResultStore(args.out / ".dlgrade" / "results")
    total = sum(len(subs) for _, subs in plan)
    given = {  # flag → (Limits field, value)
        "--cell-timeout": ("cell_timeout", args.cell_timeout),
        "--timeout": ("notebook_timeout", args.timeout),
        "--memory": ("memory_mb", args.memory),
        "--processes": ("max_processes", args.processes),
        "--output-limit": ("max_output_bytes", args.output_limit),
        "--disk": ("disk_mb", args.disk),
    }
    for flag, (_, value) in given.items():
        if value is not None and value <= 0:
            raise UsageError(f"{flag} must be positive")
    overrides = {name: value for name, value in given.values()}
    sandbox_notes: set[str] = set()

    with Progress(
        TextColumn("[bold]grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=total)

        def on_result(result: SubmissionResult, cached: bool) -> None:
            sandbox_notes.update(n for n in result.notes if n.startswith("not sandboxed"))
            progress.update(
                task,
                advance=1,
                description=f"{result.assignment}/{result.student}"
                + (" (unchanged)" if cached else ""),
            )

        classes, stats = grade_class(
            plan, _executor_factory(args, plan), store, overrides, on_result, reuse=not args.fresh
        )

    # What confined the students' code comes first: "not sandboxed" must not be missed.
    run_notes = list(dict.fromkeys([*stats.notes, *sorted(sandbox_notes)]))
    class_notes[:0] = run_notes
    if ta_overrides:
        classes = apply_all_overrides(classes, ta_overrides)
        class_notes.append(f"applied {len(ta_overrides)} override(s) from {overrides_path}")
    written = write_reports(
        args.out,
        classes,
        lang=args.lang,
        formats=tuple(args.formats or ("html", "csv", "json", "gradescope")),
        exports=tuple(args.export),
        notes=class_notes,
    )
    console.print(summary_table(classes))
    for note in class_notes:
        if note.startswith("not sandboxed"):
            console.print("WARNING:", note, style="bold red", markup=False, soft_wrap=True)
        else:
            console.print("note:", note, style="yellow", markup=False, soft_wrap=True)
    console.print(
        f"graded {stats.graded}, unchanged since the last run {stats.reused}; "
        f"{len(written)} files written to {args.out}/",
        soft_wrap=True,
    )
    return EXIT_OK


def _unpack(archive: Path, out: Path, console: Console) -> Path:
    from grader.ingest import unpack_submissions

    dest = out / ".dlgrade" / "unpacked" / archive.stem
    shutil.rmtree(dest, ignore_errors=True)  # a re-run must not see files the zip no longer has
    ingested = unpack_submissions(archive, dest)
    for message in ingested.refused:
        console.print(f"[yellow]refused:[/] {message}")
    return ingested.root


def check_json(result: SubmissionResult, rubric: Rubric) -> dict[str, Any]:
    """The DESIGN's ``grade check --json`` shape."""
    parts = []
    for part in result.parts:
        entry = {k: v for k, v in part.to_json().items() if k not in ("overridden", "comment")}
        if rubric.part(part.id).check != "matrix":
            entry.pop("wrong_cells")
        parts.append(entry)
    return {
        "student": result.student,
        "assignment": result.assignment,
        "score": result.score,
        "max_score": result.max_score,
        "status": result.status,
        "error": result.error.to_json() if result.error else None,
        "notes": result.notes,
        "parts": parts,
    }


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    file: Path = args.file
    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    sheet = None
    if file.suffix != ".ipynb":
        try:
            sheet = read_answer_sheet(file)
        except SubmissionError as exc:
            raise UsageError(str(exc)) from None
    rubric_name = args.rubric or (sheet.assignment if sheet else None) or file.parent.parent.name
    try:
        rubric = _rubric(rubric_name, file.parent)
    except RubricError as exc:
        if args.rubric or (sheet and sheet.assignment):
            raise
        raise UsageError(f"{file}: which rubric? pass --rubric NAME ({exc.problems[0]})") from None
    student = (sheet.student if sheet else None) or (
        file.parent.name if file.parent.name not in (rubric.assignment, ".", "") else file.stem
    )
    kind = "notebook" if file.suffix == ".ipynb" else "sheet"
    submission = Submission(student, rubric.assignment, file, kind, file.parent)
    if kind == "sheet":
        result = grade_sheet(rubric, submission)
    else:
        from grader.runner import make_executor

        executor = make_executor("local", jobs=1, preload=tuple(rubric.model.preload))
        try:
            ((_, run),) = executor.run_many(
                [notebook_job(rubric, submission, limits_for(rubric, {}))]
            )
        finally:
            executor.close()
        result = grade_run(rubric, submission, run)
    if args.json:
        print(json.dumps(check_json(result, rubric), ensure_ascii=False, indent=2))
        return EXIT_OK
    table = Table(title=f"{result.student} · {rubric.title(args.lang or rubric.model.lang)}")
    for col in ("part", "score", "status", "your answer", "feedback"):
        table.add_column(col, overflow="fold")
    colours = {"correct": "green", "partial": "yellow", "wrong": "red"}
    for part in result.parts:
        colour = colours.get(part.status, "magenta")
        table.add_row(
            part.id,
            f"{part.score:g}/{part.max_score:g}",
            f"[{colour}]{part.status}[/]",
            answer_text(part.got),
            part.feedback,
        )
    console.print(table)
    if result.error:
        console.print(f"[red]{result.error.kind}:[/] {result.error.message}")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"[bold]score {result.score:g} / {result.max_score:g}")
    return EXIT_OK


def cmd_solve(args: argparse.Namespace, console: Console) -> int:
    spec = SOLVERS[args.solver]
    params = _parse_params(args.param)
    missing = [
        name
        for name, p in inspect.signature(spec.func).parameters.items()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and name not in params
    ]
    if missing:
        raise UsageError(
            f"{spec.name} needs "
            + ", ".join(f"--param {m}=VALUE" for m in missing)
            + f" (see grade solve {spec.name} --help)"
        )
    try:
        solution = spec(**params)
    except ParamError:
        raise
    except (ValueError, TypeError, ZeroDivisionError) as exc:  # as `grade validate` reports it
        raise UsageError(f"solver {spec.name} failed: {exc}") from None
    if args.json:
        print(json.dumps(solution_json(solution), ensure_ascii=False, indent=2))
    else:
        console.print(Markdown(solution_text(solution)))
    return EXIT_OK


def cmd_key(args: argparse.Namespace, console: Console) -> int:
    rubric = _rubric(args.rubric)
    if args.out:
        if args.out.suffix == ".json":
            text = json.dumps(key_json(rubric), ensure_ascii=False, indent=2)
        else:
            text = key_text(rubric)
        atomic_write_text(args.out, text)
        console.print(f"key written to {args.out}", soft_wrap=True)
    else:
        console.print(Markdown(key_text(rubric)))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, console: Console) -> int:
    rubric = _rubric(args.rubric)
    console.print(
        f"[green]ok[/] {rubric.path}: {len(rubric.model.questions)} questions, "
        f"{len(rubric.parts)} parts, {float(rubric.max_score):g} points; "
        f"solvers run: {', '.join(sorted({s.solver for s in rubric.solutions.values()})) or 'none'}",
        soft_wrap=True,
    )
    for note in rubric.indistinct:
        console.print(
            f"note: {note}: it cannot be recognised at this tolerance", markup=False, soft_wrap=True
        )
    return EXIT_OK


HANDLERS = {"check": cmd_check, "solve": cmd_solve, "key": cmd_key, "validate": cmd_validate}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``grade`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    console = Console(stderr=False, highlight=False)
    # soft_wrap: an error line is `file:line field: message`; wrapping it at the terminal
    # width would break it for scripts and editors that jump to file:line.
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    if argv and argv[0] in COMMANDS:
        command = argv.pop(0)
        args = PARSERS[command]().parse_args(argv)
        handler = HANDLERS[command]
    else:
        args = _grade_parser().parse_args(argv)
        handler = cmd_grade
    # A TA's `kill` (or a batch system's SIGTERM) unwinds like Ctrl-C: workers, their
    # cgroups and temporary folders are removed, results graded so far are kept.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return handler(args, console)
    except RubricError as exc:
        errors.print("rubric error:", style="red", markup=False)
        for problem in exc.problems:
            errors.print(f"  {problem}", markup=False)
        return EXIT_USAGE
    except (
        UsageError,
        ParamError,
        OverrideError,
        IngestError,
        ExecutorUnavailable,
        FolderInUse,
    ) as exc:
        errors.print("error:", str(exc), style="red", markup=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("interrupted: results graded so far are kept; run again to resume")
        return 130


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
