"""The public API (`import grader`): what the CLI, the web service and the README use."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import grader
from reference import ParamError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    (block,) = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    shutil.copytree(ROOT / "submissions", tmp_path / "submissions")
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    # Only the answer sheets: the example's class run must not need a notebook kernel.
    for notebook in list((tmp_path / "submissions").rglob("*.ipynb")):
        shutil.rmtree(notebook.parent)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert scope["result"].score == 12.0 and scope["result"].max_score == 18.0
    assert (tmp_path / "reports" / "index.html").is_file()
    assert (tmp_path / "reports" / "grades.csv").read_text().startswith("student,")
    train = scope["solution"].values["standard.train"]
    assert [[str(v) for v in row] for row in train] == [["8/5", "0"]]


def test_load_rubric_by_name_and_by_path_give_the_same_key():
    by_name = grader.load_rubric("hw2")
    by_path = grader.load_rubric(ROOT / "rubrics" / "hw2.yaml")
    assert [p.expected for p in by_name.parts] == [p.expected for p in by_path.parts]


def test_check_infers_the_rubric_from_the_sheet():
    result = grader.check(None, "submissions/hw2/98411387/answers.yaml")
    assert (result.student, result.assignment, result.score) == ("98411387", "hw2", 18.0)


def test_check_json_keeps_wrong_cells_only_for_matrix_parts():
    rubric = grader.load_rubric("hw2")
    result = grader.check(rubric, "submissions/hw2/98411402/answers.yaml")
    parts = {p["id"]: p for p in grader.check_json(result, rubric)["parts"]}
    assert "wrong_cells" in parts["dropout.standard_train"]
    assert "wrong_cells" not in parts["dropout.p"]


def test_a_solver_called_without_a_parameter_raises_param_error_naming_it():
    with pytest.raises(ParamError) as caught:
        grader.solve("dropout", output=[[1, 2]])
    assert caught.value.param == "mask"


def test_grade_class_refuses_a_missing_folder_before_writing(tmp_path):
    with pytest.raises(grader.InputError, match="no such folder"):
        grader.grade_class(tmp_path / "nope", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_limit_overrides_that_are_not_positive_name_their_flag():
    rubric = grader.load_rubric("hw2")
    with pytest.raises(grader.InputError, match="--memory must be positive"):
        grader.limits(rubric, {"memory_mb": 0})
    assert grader.limits(rubric, {"memory_mb": 100, "disk_mb": None}).memory_mb == 100
