"""The command line helps a TA who mistypes: "did you mean …?" and `grade --version`."""

from __future__ import annotations

import pytest

import grader
from grader import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own exits (errors, --version)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_mistyped_subcommand_suggests_the_command(capsys) -> None:
    code, _, err = run(["chek", "answers.yaml"], capsys)
    assert code == 2
    assert "unknown command 'chek' (did you mean `check`?)" in err


def test_a_word_far_from_every_command_is_still_a_class_folder(capsys) -> None:
    code, _, err = run(["no-such-class-folder"], capsys)
    assert code == 2 and "did you mean" not in err
    assert "no-such-class-folder: no such folder" in err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["submissions/", "--jbos", "3"], "(did you mean `--jobs`?)"),
        (["check", "a.yaml", "--jsn"], "(did you mean `--json`?)"),
        (["solve", "dropot"], "(did you mean `dropout`?)"),
        (["submissions/", "--executor", "daks"], "(did you mean `dask`?)"),
    ],
)
def test_mistyped_flag_or_choice_suggests_the_one_meant(argv, hint, capsys) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert hint in err


def test_version_prints_the_package_version(capsys) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"grade (dlgrade) {grader.__version__}"
