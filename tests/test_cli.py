"""The ``grade`` command's contract (DESIGN.md, "Command-line contract").

Most tests call :func:`grader.cli.main` in-process; one runs the installed console script
in a real subprocess, so the entry point itself is covered too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checks import CHECKS
from grader.cli import main
from reference import SOLVERS

KNOWN_CHECKS = ", ".join(CHECKS)  # the registry's kinds, in order

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SMALL = FIXTURES / "rubrics" / "small_dropout_and_choices.yaml"
DESIGN_PART_KEYS = {"id", "score", "max_score", "status", "feedback"}


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    """Run from the repository root, where ``--rubric hw2`` finds rubrics/hw2.yaml."""
    monkeypatch.chdir(ROOT)


def run_json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    out = capsys.readouterr().out
    return json.loads(out)


# ---------------------------------------------------------------------------- grade check


def test_check_json_prints_the_design_shape(capsys):
    path = "submissions/hw2/98411402/answers.yaml"
    data = run_json(capsys, "check", path, "--rubric", "hw2", "--json")
    assert {"student", "score", "max_score", "parts"} <= set(data)
    assert (data["student"], data["score"], data["max_score"]) == ("98411402", 12.0, 18.0)
    assert len(data["parts"]) == 12
    for part in data["parts"]:
        assert DESIGN_PART_KEYS <= set(part)
        is_matrix = part["id"].startswith(("dropout.standard", "dropout.inverted"))
        assert ("wrong_cells" in part) == is_matrix, part["id"]
    by_id = {p["id"]: p for p in data["parts"]}
    standard_test = by_id["dropout.standard_test"]
    assert (standard_test["status"], standard_test["score"], standard_test["max_score"]) == (
        "wrong",
        0.0,
        2.5,
    )
    assert standard_test["misconception"] == "p_as_drop_probability"
    assert standard_test["wrong_cells"] == [[r, c] for r in range(4) for c in range(4)]
    assert by_id["dropout.standard_train"]["wrong_cells"] == []
    assert by_id["regularizer.exp3"]["status"] == "correct"  # "بدون منظم‌سازی" is none


def test_check_json_lists_wrong_cells_of_a_partly_right_matrix(capsys):
    data = run_json(capsys, "check", "submissions/hw2/98411999/answers.json", "--json")
    train = next(p for p in data["parts"] if p["id"] == "dropout.standard_train")
    assert train["status"] == "partial"
    assert train["wrong_cells"] == [[2, 1]]  # the null cell
    assert train["score"] == round(2.5 * 15 / 16, 3)  # the display policy: 3 decimals everywhere


def test_check_finds_the_rubric_by_path(capsys):
    sheet = FIXTURES / "sheets" / "persian_digits_sheet.yaml"
    data = run_json(capsys, "check", str(sheet), "--rubric", str(SMALL), "--json")
    assert (data["student"], data["score"], data["max_score"]) == ("۹۸۴۱۱۴۰۲", 21.0, 21.0)


def test_check_takes_the_rubric_from_the_sheets_assignment(capsys):
    data = run_json(capsys, "check", "submissions/hw3/98412002/answers.yaml", "--json")
    assert data["assignment"] == "hw3"
    by_id = {p["id"]: p for p in data["parts"]}
    assert by_id["gd.z"]["status"] == "correct"
    assert by_id["gd.z"]["reading"] == "'/' read as a decimal mark (۰/۷ = 0.7)"
    assert by_id["gd.loss"]["misconception"] == "other_loss_convention"


def test_check_missing_parts_score_zero_with_status_missing(capsys):
    sheet = FIXTURES / "sheets" / "partly_answered_sheet.yaml"
    data = run_json(capsys, "check", str(sheet), "--rubric", "hw2", "--json")
    by_id = {p["id"]: p for p in data["parts"]}
    assert by_id["dropout.p"]["misconception"] == "p_as_drop_probability"
    assert by_id["regularizer.exp1"]["status"] == "correct"
    missing = [p for p in data["parts"] if p["id"] not in ("dropout.p", "regularizer.exp1")]
    assert len(missing) == 10
    assert all(p["status"] == "missing" and p["score"] == 0 for p in missing)
    assert by_id["dropout.inverted_test"]["wrong_cells"] == [
        [r, c] for r in range(4) for c in range(4)
    ]
    assert data["score"] == 1.0


def test_check_without_json_prints_a_table_and_the_score(capsys):
    assert main(["check", "submissions/hw2/98411387/answers.yaml"]) == 0
    out = capsys.readouterr().out
    assert "dropout.p" in out and "correct" in out
    assert out.splitlines()[-1] == "Score 18 / 18"


def test_check_notes_an_unknown_part_id(capsys):
    sheet = FIXTURES / "sheets" / "unknown_part_sheet.yaml"
    data = run_json(capsys, "check", str(sheet), "--rubric", str(SMALL), "--json")
    assert data["notes"] == [
        "answer 'dropout.invertd_train' matches no part of small; it was ignored"
    ]


def test_check_of_a_missing_file_exits_2_without_a_traceback(capsys):
    assert main(["check", "no/such/answers.yaml", "--rubric", "hw2"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: no/such/answers.yaml: no such file"


def test_check_of_a_malformed_sheet_exits_2_naming_file_and_line(capsys):
    sheet = FIXTURES / "sheets" / "malformed_yaml_sheet.yaml"
    assert main(["check", str(sheet), "--rubric", "hw2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {sheet}:4: invalid YAML:")
    assert "Traceback" not in err


def test_check_with_an_unknown_rubric_exits_2_saying_where_it_looked(capsys):
    assert main(["check", "submissions/hw2/98411387/answers.yaml", "--rubric", "hw99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rubric error:\n  rubric 'hw99' not found (looked at ")
    assert "Traceback" not in err


def test_check_of_a_notebook_runs_it_and_prints_json(capsys):
    runner = pytest.importorskip("grader.runner")
    if not hasattr(runner, "make_executor"):
        pytest.skip("grader.runner.make_executor is not there yet")
    data = run_json(capsys, "check", "submissions/hw2/98411555/hw2.ipynb", "--json")
    assert data["student"] == "98411555"
    assert data["max_score"] == 18.0
    assert data["status"] == "graded"
    assert {p["status"] for p in data["parts"]} <= {"correct", "partial", "wrong", "missing"}
    assert next(p for p in data["parts"] if p["id"] == "dropout.p")["status"] == "correct"


def test_check_in_a_real_subprocess(tmp_path):
    script = shutil.which("grade")
    command = [script] if script else [sys.executable, "-m", "grader.cli"]
    done = subprocess.run(
        [*command, "check", "submissions/hw2/98411387/answers.yaml", "--rubric", "hw2", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["student"], data["score"], data["max_score"]) == ("98411387", 18.0, 18.0)
    bad = subprocess.run(
        [*command, "validate", str(FIXTURES / "rubrics" / "points_negative.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    path = FIXTURES / "rubrics" / "points_negative.yaml"
    assert f"  {path}:13 questions[0].parts[2].points: must be > 0" in bad.stderr.splitlines()


# ---------------------------------------------------------------------------- grade solve


def test_solve_dropout_json_gives_exact_strings(capsys):
    data = run_json(
        capsys,
        "solve",
        "dropout",
        "--param",
        "output=[[1.6, -0.7], [-2.3, 2.5]]",
        "--param",
        "mask=[[1, 0], [0, 1]]",
        "--json",
    )
    values = data["values"]
    assert values["p"] == {"exact": "1/2", "decimal": 0.5}
    assert [[c["exact"] for c in row] for row in values["inverted.train"]] == [
        ["16/5", "0"],
        ["0", "5"],
    ]
    assert [[c["exact"] for c in row] for row in values["standard.test"]] == [
        ["4/5", "-7/20"],
        ["-23/20", "5/4"],
    ]
    assert values["inverted.train"][0][0]["decimal"] == 3.2
    assert data["steps"][0] == (
        "p = (ones in the mask) / (cells) = 2/4 = 1/2 (keep probability, read from the mask)"
    )
    assert {m["id"] for m in data["misconceptions"]} >= {"inverted_train_not_scaled"}


def test_solve_prints_worked_steps_as_text(capsys):
    assert (
        main(["solve", "dropout", "--param", "output=[1.6, -0.7]", "--param", "mask=[1, 0]"]) == 0
    )
    out = capsys.readouterr().out
    assert "Steps" in out
    assert "16/5" in out  # 1.6 kept with p = 1/2, inverted: 1.6 / (1/2)


def test_solve_with_a_bad_parameter_exits_2_naming_it(capsys):
    code = main(
        [
            "solve",
            "dropout",
            "--param",
            "output=[1.6, -0.7]",
            "--param",
            "mask=[1, 0]",
            "--param",
            "p=2",
        ]
    )
    assert code == 2
    assert capsys.readouterr().err.strip() == "error: p: keep probability must be in (0, 1], got 2"


def test_solve_with_a_missing_parameter_exits_2_without_a_traceback(capsys):
    assert main(["solve", "dropout", "--param", "mask=[1, 0]"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: dropout needs --param output=VALUE (see grade solve dropout --help)"
    )


def test_solve_with_a_param_the_solver_cannot_use_exits_2_without_a_traceback(capsys):
    argv = ["solve", "gd.l2_step", "--json"]
    for key, value in SOLVERS["gd.l2_step"].example.items():
        argv += ["--param", f"{key}={json.dumps(value)}"]
    assert main([*argv, "--param", "loss=[]"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_solve_with_a_malformed_param_exits_2(capsys):
    assert main(["solve", "dropout", "--param", "output"]) == 2
    assert capsys.readouterr().err.strip() == "error: --param 'output': expected NAME=VALUE"


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_solve_help_lists_every_parameter_of_every_solver(name, capsys):
    with pytest.raises(SystemExit) as info:
        main(["solve", name, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert SOLVERS[name].summary in out
    for param in SOLVERS[name].params:
        assert f"  {param}: " in out, param
    assert f"grade solve {name} " in out  # the worked example


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_every_solver_solves_its_own_example_from_the_command_line(name, capsys):
    spec = SOLVERS[name]
    argv = ["solve", name, "--json"]
    for key, value in spec.example.items():
        argv += ["--param", f"{key}={json.dumps(value, ensure_ascii=False)}"]
    data = run_json(capsys, *argv)
    assert data["solver"] == name
    assert data["values"]


# ------------------------------------------------------------------------ key and validate


def test_key_prints_exact_worked_solutions(capsys):
    assert main(["key", "rubrics/hw2.yaml"]) == 0
    out = capsys.readouterr().out
    assert "Answer key" in out and "hw2" in out
    assert "32/15" in out  # inverted.train[0][0] = 1.6 / (3/4)
    assert "12/16 = 3/4" in out  # p read from the mask, as worked on the board


def test_key_out_json_writes_exact_values(tmp_path, capsys):
    out = tmp_path / "keys" / "key.json"
    assert main(["key", "hw3", "--out", str(out)]) == 0
    assert f"key written to {out}" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["assignment"], data["max_score"]) == ("hw3", "10")
    by_id = {p["id"]: p for p in data["parts"]}
    assert by_id["gd.z"]["expected"] == {"exact": "7/10", "decimal": 0.7}
    assert by_id["gd.loss"]["expected"]["exact"] == "529/200"
    assert [c["exact"] for c in by_id["gd.weights"]["expected"]] == [
        "209/400",
        "-2537/10000",
        "1459/5000",
        "2839/10000",
        "6361/20000",
    ]
    assert data["solutions"]["gd"]["solver"] == "gd.l2_step"


def test_key_out_markdown_writes_text(tmp_path, capsys):
    out = tmp_path / "key.md"
    assert main(["key", "rubrics/hw2.yaml", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Answer key: HW2 — Regularization and dropout (hw2)")
    assert "- **dropout.p** (1 pt, numeric): 3/4 (≈ 0.75)" in text


def test_key_of_a_bad_rubric_exits_2_with_file_line_problems(capsys):
    path = FIXTURES / "rubrics" / "several_problems.yaml"
    assert main(["key", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "rubric error:",
        f"  {path}:7 questions[0].parts[0].points: must be > 0",
        f"  {path}:8 questions[0].parts[1].check: unknown check 'matrx'; known: {KNOWN_CHECKS}",
        f"  {path}:11 questions[1].parts[0].colour: unknown field",
    ]


@pytest.mark.parametrize("name", ["hw2", "hw3"])
def test_validate_course_rubric_prints_an_ok_line(name, capsys):
    assert main(["validate", f"rubrics/{name}.yaml"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"ok rubrics/{name}.yaml: ")


def test_validate_ok_line_counts_questions_parts_points_and_solvers(capsys):
    assert main(["validate", "rubrics/hw2.yaml"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "ok rubrics/hw2.yaml: 3 questions, 12 parts, 18 points; "
        "solvers run: dropout, regularization.classify"
    )


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("points_negative.yaml", ":13 questions[0].parts[2].points: must be > 0"),
        ("unknown_field.yaml", ":9 questions[0].parts[0].tolerance: unknown field"),
        (
            "solver_param_out_of_range.yaml",
            ":8 questions[0].params.p: keep probability must be in (0, 1], got 2",
        ),
    ],
)
def test_validate_bad_rubric_exits_2_with_file_line_field_on_stderr(name, line, capsys):
    path = FIXTURES / "rubrics" / name
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # one problem per line, never wrapped at the terminal width
    assert captured.err.splitlines() == ["rubric error:", f"  {path}{line}"]


def test_validate_unknown_rubric_name_exits_2(capsys):
    assert main(["validate", "hw99"]) == 2
    assert "rubric 'hw99' not found" in capsys.readouterr().err


# ------------------------------------------------------------------------------ grade PATH


def test_grading_a_missing_folder_exits_2(capsys, tmp_path):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nowhere'}: no such folder"


def test_grading_a_folder_without_assignments_exits_2(capsys, tmp_path):
    (tmp_path / "cls" / "misc").mkdir(parents=True)
    assert main([str(tmp_path / "cls"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'cls'}: no assignment folder matches a rubric")


# ------------------------------------------------------------------------------------ help


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--help"], "usage: grade"),
        (["check", "--help"], "usage: grade check"),
        (["solve", "--help"], "usage: grade solve"),
        (["key", "--help"], "usage: grade key"),
        (["validate", "--help"], "usage: grade validate"),
    ],
)
def test_help_exits_0_with_usage(argv, expected, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(expected)
    assert len(out.splitlines()) > 3


def test_top_level_help_names_the_other_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("grade check", "grade solve", "grade key", "grade validate"):
        assert command in out


def test_solve_help_lists_every_solver(capsys):
    with pytest.raises(SystemExit):
        main(["solve", "--help"])
    out = capsys.readouterr().out
    for name in SOLVERS:
        assert name in out
