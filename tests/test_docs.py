"""The docs cannot drift: every command, option and solver has help text, and the README
names (and correctly spells) every command of the CLI contract."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from grader import cli
from reference import SOLVERS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PARSERS = {"grade": cli._grade_parser, **{f"grade {k}": v for k, v in cli.PARSERS.items()}}


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_every_command_has_a_description(command):
    parser = PARSERS[command]()
    assert parser.prog == command
    assert parser.description and len(parser.description) > 20


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_every_argument_of_every_command_has_help_text(command):
    for action in options(PARSERS[command]()):
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and action.help.strip(), f"{command}: {action.dest} has no help"


def test_the_commands_are_exactly_those_of_the_contract():
    assert set(cli.COMMANDS) == {"check", "solve", "key", "validate", "variants", "init"}
    assert set(cli.PARSERS) == set(cli.HANDLERS) == set(cli.COMMANDS)


def solver_parsers() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in cli._solve_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_registered_solver_has_a_solve_subcommand():
    assert set(solver_parsers()) == set(SOLVERS)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_every_solver_documents_its_summary_and_each_parameter(name):
    spec = SOLVERS[name]
    assert spec.summary.strip()
    assert spec.params, f"{name} documents no parameters"
    for param, text in spec.params.items():
        assert text.strip(), f"{name}: parameter {param} has no description"
    assert set(spec.example) <= set(spec.params), f"{name}: example uses undocumented params"
    parser = solver_parsers()[name]
    assert spec.summary in parser.description
    for action in options(parser):
        assert action.help and action.help.strip()


def readme_text() -> str:
    if not README.is_file():
        pytest.skip("README.md is not written yet")
    return README.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "command", ["grade check", "grade solve", "grade key", "grade validate", "grade init"]
)
def test_readme_mentions_each_subcommand(command):
    assert command in readme_text()


def test_readme_mentions_grading_a_class_folder():
    assert re.search(r"^grade (?!check|solve|key|validate)\S+", readme_text(), re.MULTILINE)


def readme_commands() -> list[list[str]]:
    """Every ``grade …`` line of the README's code blocks, comments removed, split."""
    text = readme_text()
    commands = []
    fences = re.findall(r"^```(\w*)\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    for block in [b for lang, b in fences if lang in ("bash", "sh", "console", "")]:
        if "grade init" in block:
            continue  # runs in the new course folder: tests/test_documented_examples.py
        for line in block.splitlines():
            for piece in line.split("&&"):
                piece = piece.strip()
                if piece.startswith("grade "):
                    commands.append(shlex.split(piece, comments=True)[1:])
    return commands


def test_every_readme_command_parses_with_the_real_parsers():
    commands = readme_commands()
    assert commands, "the README shows no grade command"
    for argv in commands:
        if "--help" in argv:
            continue
        if argv[0] == "serve":  # the web service's own parsers (grader.web.cli)
            from grader.web import cli as web_cli

            if argv[1:2] == ["tokens"]:
                web_cli.tokens_parser().parse_args(argv[2:])
            else:
                web_cli.serve_parser().parse_args(argv[1:])
        elif argv[0] in cli.PARSERS:
            cli.PARSERS[argv[0]]().parse_args(argv[1:])  # SystemExit(2) on a typo
        else:
            cli._grade_parser().parse_args(argv)


def test_readme_commands_that_need_no_student_files_run(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    ran = 0
    for argv in readme_commands():
        if argv[0] not in ("solve", "key", "validate"):
            continue  # grading runs notebooks; those paths are covered elsewhere
        if "--help" in argv:
            with pytest.raises(SystemExit) as info:
                cli.main(argv)
            assert info.value.code == 0, argv
        else:
            assert cli.main(argv) == 0, (argv, capsys.readouterr().err)
        ran += 1
    assert ran >= 3
