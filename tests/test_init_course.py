"""`grade init COURSE`: a new course folder whose example class validates and grades as it
is, with reports a web server can serve."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

import grader
from grader import cli
from grader.discovery import InputError
from grader.extract.answersheet import read_answer_sheet
from grader.scaffold import template_files


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    assert cli.main(["init", str(folder)]) == 0
    return folder


def test_init_writes_rubrics_submissions_roster_and_readme(course: Path) -> None:
    names = sorted(str(p.relative_to(course)) for p in course.rglob("*") if p.is_file())
    assert names == [
        "README.md",
        "roster.csv",
        "rubrics/hw1.yaml",
        "submissions/hw1/s001/answers.yaml",
        "submissions/hw1/s002/answers.yaml",
        "submissions/hw1/s003/answers.yaml",
    ]
    assert [str(p) for p in template_files()] == [n for n in names if n != "README.md"]
    with (course / "roster.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == ["s001", "s002", "s003"]
    assert {"name", "email", "lang"} <= set(rows[0])
    assert "grade submissions/ --out reports/" in (course / "README.md").read_text("utf-8")


def test_example_rubric_and_answer_sheets_validate(course: Path) -> None:
    rubric = grader.load_rubric(course / "rubrics" / "hw1.yaml")
    assert rubric.assignment == "hw1" and float(rubric.max_score) == 8
    for sheet in sorted((course / "submissions" / "hw1").glob("*/answers.yaml")):
        read = read_answer_sheet(sheet)
        assert read.assignment == "hw1" and read.student == sheet.parent.name
        assert set(read.answers) <= {f"{p.question}.{p.part}" for p in rubric.parts}


def test_example_class_grades_from_the_course_folder(
    course: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(course)
    old = os.umask(0o022)
    try:
        assert cli.main(["submissions/", "--out", "reports/"]) == 0
    finally:
        os.umask(old)
    scores = {
        r["student"]: r["score"]
        for r in json.loads((course / "reports" / "results.json").read_text("utf-8"))["results"]
    }
    assert scores == {"s001": 8.0, "s002": 2.5, "s003": 4.5}
    for page in ("index.html", "s001.html", "grades.csv", "results.json"):
        mode = stat.S_IMODE((course / "reports" / page).stat().st_mode)
        assert mode == 0o644, (page, oct(mode))  # a web server (another user) can read it


def test_init_overwrites_nothing(tmp_path: Path) -> None:
    course = tmp_path / "mine"
    (course / "rubrics").mkdir(parents=True)
    (course / "rubrics" / "hw1.yaml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(InputError, match="hw1.yaml: already exists"):
        grader.init_course(course)
    assert (course / "rubrics" / "hw1.yaml").read_text("utf-8") == "# mine\n"
    assert not (course / "roster.csv").exists()


def test_init_in_persian_sets_the_rubric_language(tmp_path: Path) -> None:
    grader.init_course(tmp_path / "fa", lang="fa")
    assert grader.load_rubric(tmp_path / "fa" / "rubrics" / "hw1.yaml").model.lang == "fa"
