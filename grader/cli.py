"""The ``grade`` command: a thin layer that parses arguments, calls the library, prints.

    grade PATH [--rubric FILE] [--out DIR] [--jobs N]    grade a class
    grade check FILE [--rubric NAME|PATH] [--json]       check one submission
    grade solve SOLVER --param NAME=VALUE … [--json]     a worked solution
    grade key RUBRIC [--out FILE]                        the computed answer key
    grade validate RUBRIC [--suggest]                    schema and solver dry run
    grade variants RUBRIC --roster CSV [--out DIR]       each student's handout of their variant
    grade init COURSE [--lang en|fa]                     a new course folder that grades

Exit status: 0 when the work was done (whatever the students scored); 2 for a bad
rubric, path or argument.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

import grader
from grader.classresults import ScoreChange
from grader.discovery import InputError
from grader.rubric import RubricError
from grader.suggestions import Parser, closest
from grader.yamlio import YamlError, loads
from reference import SOLVERS, ParamError

COMMANDS = ("check", "solve", "key", "validate", "variants", "init")
EXIT_OK, EXIT_USAGE = 0, 2


class UsageError(Exception):
    """A problem with what the user asked for; printed as one clear message, exit 2."""


# --------------------------------------------------------------------------- parsers


def _grade_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="grade",
        description="Grade a class of deep-learning homework against keys computed by exact solvers.",
        epilog="other commands: grade check FILE | grade solve SOLVER | grade key RUBRIC | "
        "grade validate RUBRIC | grade init COURSE  (each has --help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "path", type=Path, help="class folder (one folder per assignment or per student) or a .zip"
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"grade (dlgrade) {grader.__version__}",
        help="print the version and exit",
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
    p = Parser(prog="grade check", description="Check one submission (answer sheet or notebook).")
    p.add_argument("file", type=Path, help="an answer sheet (.yaml/.json) or a notebook (.ipynb)")
    p.add_argument(
        "--rubric", help="rubric name (rubrics/NAME.yaml) or path; default: the sheet's assignment"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--lang", choices=("en", "fa"), help="language of the output")
    return p


def _solve_parser() -> argparse.ArgumentParser:
    p = Parser(
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
    p = Parser(
        prog="grade key", description="Print the answer key a rubric computes, with worked steps."
    )
    p.add_argument("rubric", help="rubric name or path")
    p.add_argument("--out", type=Path, help="write to FILE instead (.json for JSON, else Markdown)")
    return p


def _validate_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="grade validate", description="Check a rubric's schema and dry-run its solvers."
    )
    p.add_argument("rubric", help="rubric name or path")
    p.add_argument(
        "--suggest",
        action="store_true",
        help="search each question's parameters for values at which every known mistake "
        "is detectable and no two are confused, and print them",
    )
    return p


def _variants_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="grade variants",
        description="Write each student's handout (Markdown and a notebook stub with their own "
        "parameters) and the instructor's table variants.csv, for a rubric with variants.",
    )
    p.add_argument("rubric", help="rubric name or path")
    p.add_argument(
        "--roster",
        type=Path,
        required=True,
        help="roster CSV: a student (or id) column, optional name, email and lang (fa/en)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("handouts"), help="folder to write (default: handouts/)"
    )
    return p


def _init_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="grade init",
        description="Write a new course folder: rubrics/ with an example rubric, "
        "submissions/ with example answer sheets, roster.csv and a README; it grades as it is.",
    )
    p.add_argument("course", type=Path, help="the course folder to write (overwrites nothing)")
    p.add_argument(
        "--lang", choices=("en", "fa"), default="en", help="the example rubric's report language"
    )
    return p


PARSERS = {
    "check": _check_parser,
    "solve": _solve_parser,
    "key": _key_parser,
    "validate": _validate_parser,
    "variants": _variants_parser,
    "init": _init_parser,
}


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- commands


def cmd_grade(args: argparse.Namespace, console: Console) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from grader.api import LIMIT_FLAGS, report_folder
    from grader.report import summary_table

    limit_overrides = {
        field: getattr(args, flag[2:].replace("-", "_")) for flag, field in LIMIT_FLAGS.items()
    }
    # On a terminal a live bar names the notebooks running now; piped into a file or a
    # CI log it would be escape codes or nothing, so each student is one plain line.
    live = console.is_terminal
    with report_folder(args.path, args.out):
        with Progress(
            TextColumn("[bold]grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not live,
        ) as progress:
            task = progress.add_task("", total=None)
            counted = {"done": 0, "total": 0}

            def on_plan(total: int) -> None:
                counted["total"] = total
                progress.update(task, total=total)

            def on_running(labels: list[str]) -> None:
                progress.update(task, description=_running_text(labels))

            def on_result(result: grader.SubmissionResult, cached: bool) -> None:
                counted["done"] += 1
                progress.update(task, advance=1)
                if not live:
                    console.print(
                        _progress_line(result, cached, counted["done"], counted["total"]),
                        markup=False,
                        highlight=False,
                        soft_wrap=True,
                    )

            results = grader.grade_class(
                args.path,
                out=args.out,
                rubric=args.rubric,
                jobs=args.jobs,
                executor=args.executor,
                scheduler=args.scheduler,
                sandbox=args.sandbox,
                limit_overrides=limit_overrides,
                overrides=args.overrides,
                fresh=args.fresh,
                on_result=on_result,
                on_plan=on_plan,
                on_running=on_running,
                lock=False,
            )
        written = grader.write_reports(
            args.out,
            results,
            lang=args.lang,
            formats=tuple(args.formats or ("html", "csv", "json", "gradescope")),
            exports=tuple(args.export),
        )
    console.print(summary_table(results.assignments))
    for note in results.notes:
        if note.startswith("not sandboxed"):
            console.print("WARNING:", note, style="bold red", markup=False, soft_wrap=True)
        else:
            console.print("note:", note, style="yellow", markup=False, soft_wrap=True)
    if results.changes:
        console.print("graded again since the last run (old → new):", soft_wrap=True)
        for change in results.changes:
            console.print(f"  {_change_line(change)}", markup=False, soft_wrap=True)
    console.print(
        f"graded {results.graded}, unchanged since the last run {results.reused}; "
        f"{len(written)} files written to {args.out}/",
        soft_wrap=True,
    )
    return EXIT_OK


def _running_text(labels: list[str], shown: int = 3) -> str:
    """``running hw2/a, hw2/b`` (and how many more) for the live progress bar."""
    if not labels:
        return ""
    more = f" +{len(labels) - shown}" if len(labels) > shown else ""
    return "running " + ", ".join(labels[:shown]) + more


def _progress_line(result: grader.SubmissionResult, cached: bool, done: int, total: int) -> str:
    """One student's line when the output is not a terminal: count, who, score, status."""
    from grader.display import score_text
    from grader.report.i18n import label

    how = "unchanged" if cached else label(result.status, "en")
    return (
        f"[{done}/{total}] {result.assignment}/{result.student}: "
        f"{score_text(result.score)}/{score_text(result.max_score)} ({how})"
    )


def _change_line(change: ScoreChange) -> str:
    from grader.display import score_text

    same = " (same score)" if score_text(change.old) == score_text(change.new) else ""
    return (
        f"{change.assignment}/{change.student}: "
        f"{score_text(change.old)} → {score_text(change.new)}{same}"
    )


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from grader.report.terminal import check_table

    rubric, result = grader.check_file(args.file, args.rubric)
    lang = args.lang or "en"
    if args.json:
        data = grader.check_json(result, rubric, lang=lang)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    for line in check_table(result, rubric, lang):
        console.print(line)
    return EXIT_OK


def cmd_solve(args: argparse.Namespace, console: Console) -> int:
    from rich.markdown import Markdown

    from grader.keytext import solution_text
    from reference import solution_json

    params = _parse_params(args.param)
    try:
        solution = grader.solve(args.solver, **params)
    except ParamError as exc:
        if exc.message.startswith("missing;"):
            needed = exc.message.split(" needs ", 1)[1].split(", ")
            raise UsageError(
                f"{args.solver} needs "
                + ", ".join(f"--param {m}=VALUE" for m in needed)
                + f" (see grade solve {args.solver} --help)"
            ) from None
        raise
    if args.json:
        print(json.dumps(solution_json(solution), ensure_ascii=False, indent=2))
    else:
        console.print(Markdown(solution_text(solution)))
    return EXIT_OK


def cmd_key(args: argparse.Namespace, console: Console) -> int:
    from rich.markdown import Markdown

    from grader.fsutil import atomic_write_text
    from grader.keytext import key_json, key_text

    rubric = grader.load_rubric(args.rubric)
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
    rubric = grader.load_rubric(args.rubric)
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
    for verdict in grader.distinguishability(rubric):
        for line in _verdict_lines(verdict):
            console.print(f"note: {verdict.question}: {line}", markup=False, soft_wrap=True)
    if args.suggest:
        for found in grader.filter_variants(rubric):
            for line in _variant_lines(found):
                console.print(line, markup=False, soft_wrap=True)
        for suggestion in grader.suggest_parameters(rubric):
            console.print(_suggestion_line(suggestion), markup=False, soft_wrap=True)
    return EXIT_OK


def _verdict_lines(verdict: Any) -> list[str]:
    lines = []
    if verdict.undetectable:
        lines.append(f"{', '.join(verdict.undetectable)} cannot be told from the key by any part")
    lines += [f"{a} and {b} give the same answers to every part" for a, b in verdict.confused]
    return lines


def _variant_lines(found: Any) -> list[str]:
    q = found.question
    if not found.failing:
        return [f"variants {q}: every drawn variant detects every known mistake"]
    lines = []
    for verdict in found.failing:
        at = ", ".join(f"{k} = {v}" for k, v in verdict.params.items())
        lines += [f"variants {q}: at {at}: {line}" for line in _verdict_lines(verdict)]
    if found.keep:
        keep = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in found.keep.items())
        lines.append(
            f"suggest {q}: restrict the variants to {keep} — then every known mistake is "
            "detectable in every variant"
        )
    else:
        lines.append(
            f"suggest {q}: no restriction of its choices and ranges makes every known mistake "
            "detectable in every variant; change its parameters instead"
        )
    return lines


def _suggestion_line(suggestion: Any) -> str:
    q, after = suggestion.question, suggestion.after
    if not suggestion.changes:
        if after.ok:
            return f"suggest {q}: keep its parameters: every known mistake is detectable"
        return f"suggest {q}: no parameters tried do better; " + "; ".join(_verdict_lines(after))
    changes = ", ".join(f"{k}: {new} (was {old})" for k, (old, new) in suggestion.changes.items())
    if after.ok:
        return (
            f"suggest {q}: {changes} — then every known mistake is detectable and none are confused"
        )
    return f"suggest {q}: {changes} — the best found; still " + "; ".join(_verdict_lines(after))


def cmd_variants(args: argparse.Namespace, console: Console) -> int:
    rubric = grader.load_rubric(args.rubric)
    written = grader.write_handouts(rubric, args.roster, args.out)
    students = (len(written) - 1) // 2
    console.print(
        f"wrote handouts for {students} students and {args.out / 'variants.csv'}", soft_wrap=True
    )
    if not rubric.has_variants:
        console.print("note: the rubric has no choices or ranges: every handout is the same")
    return EXIT_OK


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    written = grader.init_course(args.course, lang=args.lang)
    console.print(f"wrote {len(written)} files to {args.course}/; next:", soft_wrap=True)
    for line in (
        f"cd {args.course}",
        "grade validate rubrics/hw1.yaml",
        "grade submissions/ --out reports/",
    ):
        console.print(f"  {line}", markup=False, soft_wrap=True)
    return EXIT_OK


HANDLERS = {
    "check": cmd_check,
    "solve": cmd_solve,
    "key": cmd_key,
    "validate": cmd_validate,
    "variants": cmd_variants,
    "init": cmd_init,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``grade`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":  # the web service has its own parser (grader.web.cli)
        from grader.web.cli import main as serve_main

        return serve_main(argv[1:])
    console = Console(stderr=False, highlight=False)
    # soft_wrap: an error line is `file:line field: message`; wrapping it at the terminal
    # width would break it for scripts and editors that jump to file:line.
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    if argv and argv[0] not in COMMANDS and not Path(argv[0]).exists():
        meant = closest(argv[0], COMMANDS) if not argv[0].startswith("-") else None
        if meant:
            errors.print(
                f"error: unknown command {argv[0]!r} (did you mean `{meant}`?); "
                "grade PATH grades a class folder, grade --help lists the commands",
                style="red",
                markup=False,
            )
            return EXIT_USAGE
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
    except (UsageError, InputError, ParamError, *_library_errors()) as exc:
        errors.print("error:", str(exc), style="red", markup=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("interrupted: results graded so far are kept; run again to resume")
        return 130


def _library_errors() -> tuple[type[Exception], ...]:
    """The library's errors about what the user gave (printed as one line, exit 2)."""
    from grader.ingest import IngestError
    from grader.overrides import OverrideError
    from grader.runlock import FolderInUse
    from grader.runner.base import ExecutorUnavailable

    return (OverrideError, IngestError, ExecutorUnavailable, FolderInUse)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
