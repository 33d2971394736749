"""A re-run says what changed (each student graded again, old → new score), and the
progress stays readable: plain lines when piped, the notebooks running now when live."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import grader
from grader import cli
from grader.classrun import grade_plan
from grader.discovery import plan_class
from grader.runner.base import NotebookRun
from grader.store import ResultStore


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    grader.init_course(tmp_path / "course")
    monkeypatch.chdir(tmp_path / "course")
    return tmp_path / "course"


def grade(capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["submissions/", "--out", "reports/"]) == 0
    return capsys.readouterr().out


def test_piped_progress_is_one_plain_line_per_student(course: Path, capsys) -> None:
    out = grade(capsys)
    assert "\x1b[" not in out  # no escape codes in a log file
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert lines == [
        "[1/3] hw1/s001: 8/8 (graded)",
        "[2/3] hw1/s002: 2.5/8 (graded)",
        "[3/3] hw1/s003: 4.5/8 (graded)",
    ]
    assert "graded again" not in out  # nothing was graded before


def test_rerun_names_each_student_graded_again_with_old_and_new_score(course: Path, capsys):
    grade(capsys)
    sheet = course / "submissions" / "hw1" / "s003" / "answers.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace("dropout.p: 3/4", "dropout.p: 0.7"), "utf-8")
    touched = course / "submissions" / "hw1" / "s001" / "answers.yaml"
    touched.write_text(touched.read_text("utf-8") + "# checked again\n", "utf-8")
    out = grade(capsys)
    assert "[3/3] hw1/s003: 3.5/8 (graded)" in out
    assert "[2/3] hw1/s002: 2.5/8 (unchanged)" in out
    changes = out.split("graded again since the last run (old → new):\n", 1)[1]
    assert re.findall(r"^  (\S+): (.*)$", changes, re.MULTILINE) == [
        ("hw1/s001", "8 → 8 (same score)"),
        ("hw1/s003", "4.5 → 3.5"),
    ]
    assert "graded 2, unchanged since the last run 1" in out


class _InOrder:
    """An executor that finishes its jobs in the order given, as a pool of workers would."""

    def __init__(self, order: list[int]) -> None:
        self.order = order
        self.notes: list[str] = []

    def run_many(self, jobs):
        jobs = list(jobs)
        for i in self.order:
            yield jobs[i], NotebookRun({})

    def close(self) -> None:
        pass


def test_the_progress_names_the_notebooks_running_now(tmp_path: Path) -> None:
    cls = tmp_path / "hw1"
    for student in ("a", "b", "c", "d"):
        (cls / student).mkdir(parents=True)
        (cls / student / "hw1.ipynb").write_text("{}", encoding="utf-8")
    grader.init_course(tmp_path / "course")
    rubric = tmp_path / "course" / "rubrics" / "hw1.yaml"
    plan, _ = plan_class(cls, rubric)
    seen: list[list[str]] = []
    grade_plan(
        plan,
        lambda: _InOrder([1, 0, 2, 3]),
        ResultStore(tmp_path / "store"),
        on_running=seen.append,
        parallel=2,
    )
    assert seen == [
        ["hw1/a", "hw1/b"],  # two workers start the first two
        ["hw1/a", "hw1/c"],  # b finished first: c took its worker, a still runs
        ["hw1/c", "hw1/d"],
        ["hw1/d"],
        [],
    ]
